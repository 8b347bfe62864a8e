"""The papers' training recipes: how each paper trains its own method, as ``TrainConfig``
settings, so every notebook that trains a method trains it the same way (and shares its runs).

``stdualx`` (paper C; the official code's PAMAP2 column, notes C §2.3–2.5): Adam, learning
rate 1e-3, weight decay 1e-4, batch 128 triples, unweighted cross-entropy + 0.1 · mean per-placement
triplet loss (Euclidean, margin 1) over triples from the ``triplet`` sampler. One difference
from the code, stated: harlib's engine anneals the learning rate with a cosine schedule,
while the code's plateau scheduler has its minimum equal to its start, so its rate never
changes. Epochs and windows come from the profile (its ``budget_seconds`` where set),
not from the code's 70 epochs.

:func:`recipe` builds the configuration for a profile; overrides (e.g. the ablations' loss)
win over the recipe.
"""
from __future__ import annotations

from .profiles import Profile
from .train import TrainConfig

RECIPES: dict[str, dict] = {
    "stdualx": {"optimizer": "adam", "lr": 1e-3, "weight_decay": 1e-4, "batch_size": 128,
                "loss": "ce_triplet", "loss_kwargs": {"weight": 0.1}, "sampler": "triplet",
                "class_weighted": False},
}


def usad_ablation(profile: Profile) -> dict[str, dict]:
    """Paper B's Table 2 rows (§4.1) as ``{"model_kwargs", "config"}`` per row, cumulative
    as in the paper: the backbone, each attention, both, the adaptive composite loss (ACL),
    the three fixed weightings (on the network with both attentions) and, last, USAD
    itself — ACL plus pre-training on diffusion-synthesised windows and fine-tuning on real
    ones (eq. 17–18).

    **Assumed** where B is silent: the rows before "ACL" train with plain cross-entropy;
    the augmenter synthesises one window per real training window (``amount`` 1.0; B gives
    no ratio) for ``profile.augment_epochs`` denoiser epochs, and the classifier pre-trains
    on them for ``profile.pretrain_epochs`` epochs. The loss rows use the same settings as
    notebook 22, so the two notebooks share those runs.
    """
    composite = "adaptive_composite"
    both: dict = {}
    return {
        "Backbone Only": {"model_kwargs": {"spatial_attention": False, "temporal_attention": False},
                          "config": {"loss": "cross_entropy"}},
        "Spatial Attention": {"model_kwargs": {"temporal_attention": False},
                              "config": {"loss": "cross_entropy"}},
        "Temporal Attention": {"model_kwargs": {"spatial_attention": False},
                               "config": {"loss": "cross_entropy"}},
        "Spatial and Temporal Attention": {"model_kwargs": both, "config": {"loss": "cross_entropy"}},
        "ACL": {"model_kwargs": both, "config": {"loss": composite}},
        "Compound Loss": {"model_kwargs": both, "config": {
            "loss": composite, "loss_kwargs": {"weights": [1, 1, 1], "step": 0.0}}},
        "Combinations 1": {"model_kwargs": both, "config": {
            "loss": composite, "loss_kwargs": {"weights": [0.3, 0.4, 0.3], "step": 0.0}}},
        "Combinations 2": {"model_kwargs": both, "config": {
            "loss": composite, "loss_kwargs": {"weights": [0.15, 0.7, 0.15], "step": 0.0}}},
        "Data Augmentation": {"model_kwargs": both, "config": {
            "loss": composite, "trainer": "pretrain_finetune", "augment": "diffusion",
            "augment_kwargs": {"amount": 1.0, "epochs": profile.augment_epochs},
            "pretrain_epochs": profile.pretrain_epochs}},
    }


def stdualx_ablation() -> dict[str, dict]:
    """Paper C's ablation (abstract: "w/o STDAT", "w/o CSA", "w/o contrastive loss") as
    ``{"model_kwargs", "config"}`` overrides of the ``stdualx`` recipe. The abstract does not
    say what replaced each part; **assumed**: see :class:`~harlib.models.stdualx.STDualX`
    for the model switches, and the contrastive loss is removed by giving the triplet term
    weight 0, so the same triples train the same cross-entropy for the same steps and only
    the loss differs."""
    return {
        "STDual-X": {"model_kwargs": {}, "config": {}},
        "w/o STDAT": {"model_kwargs": {"stdat": False}, "config": {}},
        "w/o CSA": {"model_kwargs": {"cross_sensor_attention": False}, "config": {}},
        "w/o contrastive loss": {"model_kwargs": {}, "config": {"loss_kwargs": {"weight": 0.0}}},
    }


def recipe(model: str, profile: Profile, **overrides) -> TrainConfig:
    """The training configuration of ``model``'s paper under ``profile``."""
    if model not in RECIPES:
        raise KeyError(f"no training recipe for {model!r}; recipes exist for {', '.join(RECIPES)}")
    return TrainConfig.from_profile(profile, budget_seconds=profile.budget_seconds,
                                    **{**RECIPES[model], **overrides})


__all__ = ["RECIPES", "recipe", "stdualx_ablation", "usad_ablation"]
