"""Trainers, registered by name: how a run turns windows into a stored result.

``supervised``         labels, early stopping on validation macro-F1 (WHAR Arena v1); an
                       optional augmentation stage adds synthetic training windows.
``pretrain_finetune``  paper B's two stages in one run (pre-train on synthetic windows,
                       fine-tune on the real ones).
``unsupervised``       no labels in training; scored by clustering the test embeddings
                       (paper A).
``classical``          hand-crafted features + a scikit-learn classifier.
``clustering``         label-free baselines: k-means on raw windows, features or PCA.

:mod:`~harlib.training.trainers.registry` holds the registry and imports no trainer (timm's pattern); this package
imports every trainer module, each of which registers its class. Every trainer goes
through :func:`harlib.training.runs.cached_run`, so each run is stored under a key of what
determines it and loaded instead of retrained.
"""
from . import classical, clustering, supervised, unsupervised  # noqa: F401  (registers them)
from .base import RunRequest, Trainer, run_spec
from .registry import TRAINERS, trainer_for

__all__ = ["TRAINERS", "RunRequest", "Trainer", "run_spec", "trainer_for"]
