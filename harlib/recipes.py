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


#: synthetic:real ratios of :func:`usad_ratio_sweep`: a quarter, B's one (notebook 23), and
#: the 1:4 real:synthetic blend that paper B cites as best for diffusion augmentation (B4)
SYNTHETIC_RATIOS = (0.25, 1.0, 4.0)


def usad_ratio_sweep(profile: Profile, ratios=SYNTHETIC_RATIOS) -> dict[str, dict]:
    """USAD with diffusion pre-training at several synthetic:real ratios (the augmenter's
    ``amount``: synthetic windows per real training window), beside the same network and
    loss without augmentation (Table 2's "ACL" row, ratio 0). Every other setting is
    :func:`usad_ablation`'s "Data Augmentation" row, so ratio 1 is notebook 23's run."""
    rows = usad_ablation(profile)
    da = rows["Data Augmentation"]
    sweep = {"0 (no augmentation)": rows["ACL"]}
    for r in ratios:
        config = {**da["config"], "augment_kwargs": {**da["config"]["augment_kwargs"], "amount": float(r)}}
        sweep[f"{r:g}"] = {"model_kwargs": da["model_kwargs"], "config": config}
    return sweep


#: App. C's per-loss optima from its first stage (C.1, "Table 9"): the settings the composite
#: loss starts from in C.2 and keeps for the two losses not being varied in C.3
APPC_OPTIMA = {"label_smoothing": 0.05, "gamma": 1.0, "alpha": 0.25, "beta": 0.9}
APPC_TERMS = ("label_smoothing", "focal", "class_balanced")


def usad_loss_study() -> dict[str, dict]:
    """Paper B's App. C (PAMAP2) as ``{"table", "config"}`` per row, in the paper's order:
    each basic loss alone (C.1, which the text calls Table 9), the composite loss's weights,
    temperature and bounds (C.2, Table 10), and each basic loss's setting again inside the
    composite (C.3, the interleaved tables 11–13). Row labels are the keys of
    :data:`harlib.published.USAD_APPC`.

    **Assumed** where B is silent: App. C's composite is label smoothing + focal +
    class-balanced loss (the three losses C.1 tunes; Table 13's "F-beta loss" has the CB β
    values), with its weights in that order; it starts from C.1's optima
    (:data:`APPC_OPTIMA`), and in each interleaved table the two losses not varied stay at
    those optima. Under that reading, Table 10's first row and the optimum rows of Tables
    11–13 are one configuration (one run here); the paper prints four different results
    for them. The composite's temperature is read as in
    :class:`~harlib.losses.AdaptiveCompositeLoss`. Every row trains unweighted
    (``class_weighted=False``), so each loss does its own balancing.
    """
    ls = {"label_smoothing": APPC_OPTIMA["label_smoothing"]}
    focal = {"gamma": APPC_OPTIMA["gamma"], "alpha": APPC_OPTIMA["alpha"]}
    composite = {"terms": list(APPC_TERMS), "weights": [0.33, 0.33, 0.34], "temperature": 1.0,
                 "min_weight": 0.1, "max_weight": 0.8, **ls, **focal, "beta": APPC_OPTIMA["beta"]}

    def row(table, loss, **kwargs):
        return {"table": table, "config": {"loss": loss, "loss_kwargs": kwargs, "class_weighted": False}}

    # each table's values, the same in C.1 and C.3
    smoothing = (0.0, 0.05, 0.1, 0.2)
    focal_pairs = ((1, 0.25), (2, 0.25), (3, 0.25), (1, 0.5), (1, 0.75))
    betas = (0.9, 0.99, 0.999)
    study = {}
    for e in smoothing:
        study[f"label smoothing ε={e:g}"] = row("C.1 label smoothing", "cross_entropy", label_smoothing=e)
    for g, a in focal_pairs:
        study[f"focal γ={g} α={a:g}"] = row("C.1 focal", "focal", gamma=float(g), alpha=a)
    for b in betas:
        study[f"CB β={b:g}"] = row("C.1 class-balanced", "class_balanced", beta=b)
    c2 = {"weights [0.33, 0.33, 0.34]": {}, "weights [0.6, 0.2, 0.2]": {"weights": [0.6, 0.2, 0.2]},
          "weights [0.2, 0.6, 0.2]": {"weights": [0.2, 0.6, 0.2]},
          "temperature 0.5": {"temperature": 0.5}, "temperature 2": {"temperature": 2.0},
          "bounds [0.3, 0.6]": {"min_weight": 0.3, "max_weight": 0.6},
          "bounds [0.05, 0.9]": {"min_weight": 0.05, "max_weight": 0.9}}
    for label, change in c2.items():
        study[label] = row("C.2 composite (Table 10)", "adaptive_composite", **{**composite, **change})
    for e in smoothing:
        study[f"composite, ε={e:g}"] = row("C.3 composite: label smoothing", "adaptive_composite",
                                            **{**composite, "label_smoothing": e})
    for g, a in focal_pairs:
        study[f"composite, γ={g} α={a:g}"] = row("C.3 composite: focal (Table 12)", "adaptive_composite",
                                                  **{**composite, "gamma": float(g), "alpha": a})
    for b in betas:
        study[f"composite, β={b:g}"] = row("C.3 composite: class-balanced (Table 13)", "adaptive_composite",
                                            **{**composite, "beta": b})
    return study


def recipe(model: str, profile: Profile, **overrides) -> TrainConfig:
    """The training configuration of ``model``'s paper under ``profile``; ``overrides`` win
    over the recipe and the profile (``budget_seconds`` included)."""
    if model not in RECIPES:
        raise KeyError(f"no training recipe for {model!r}; recipes exist for {', '.join(RECIPES)}")
    return TrainConfig.from_profile(profile, **{"budget_seconds": profile.budget_seconds,
                                                **RECIPES[model], **overrides})


__all__ = ["APPC_OPTIMA", "APPC_TERMS", "RECIPES", "SYNTHETIC_RATIOS", "recipe", "stdualx_ablation",
           "usad_ablation", "usad_loss_study", "usad_ratio_sweep"]
