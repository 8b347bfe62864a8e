"""The papers' training recipes: how each paper trains its own method, as ``TrainConfig``
settings, so every notebook that trains a method trains it the same way (and shares its runs).

``stdualx`` (paper C; the official code's PAMAP2 column, notes C §2.3–2.5): Adam, learning
rate 1e-3, weight decay 1e-4, batch 128 triples, unweighted cross-entropy + 0.1 · mean per-placement
triplet loss (Euclidean, margin 1) over triples from the ``triplet`` sampler. Two
differences from the code, stated:

* harlib's engine anneals the learning rate with a cosine schedule, while the code's
  plateau scheduler has its minimum equal to its start, so its rate never changes;
* harlib forwards a batch of triples as **one** batch of 3 × 128 windows (anchors,
  positives and negatives together), while the code forwards anchors, positives and
  negatives as three separate batches (notes C §2.3). BatchNorm's training-time statistics
  are therefore taken over the mixed 3 × 128 windows here and over each role's 128 there;
  inference (running statistics) is the same computation in both. Matching the code would
  change every STDual-X run; it is left for the next full re-run of notebooks 31–36.

Epochs and windows come from the profile (its ``budget_seconds`` where set), not from the
code's 70 epochs.

:func:`recipe` builds the configuration for a profile; overrides (e.g. the ablations' loss)
win over the recipe.

Notebooks 31–36 and 40 (STDual-X).
"""
from __future__ import annotations

from ..training.profiles import Profile
from ..training.train import TrainConfig

RECIPES: dict[str, dict] = {
    "stdualx": {"optimizer": "adam", "lr": 1e-3, "weight_decay": 1e-4, "batch_size": 128,
                "loss": "ce_triplet", "loss_kwargs": {"weight": 0.1}, "sampler": "triplet",
                "class_weighted": False},
}


def recipe(model: str, profile: Profile, **overrides) -> TrainConfig:
    """The training configuration of ``model``'s paper under ``profile``; ``overrides`` win
    over the recipe and the profile (``budget_seconds`` included)."""
    if model not in RECIPES:
        raise KeyError(f"no training recipe for {model!r}; recipes exist for {', '.join(RECIPES)}")
    return TrainConfig.from_profile(profile, **{"budget_seconds": profile.budget_seconds,
                                                **RECIPES[model], **overrides})
