"""Classical baselines: hand-crafted per-window features + scikit-learn classifiers.

The features are the "minimal" set of tsfresh (``MinimalFCParameters``) used by the WHAR
Arena v1 benchmark for its classical models — per channel: sum, median, mean, standard
deviation, variance, root mean square, maximum, absolute maximum, minimum (the constant
``length`` feature is left out). Classifiers follow WHAR Arena v1: random forest (100 trees,
gini, max depth 8, at least 10 samples per leaf), kNN (k = 5, distance weights) and an RBF
SVM (C = 1, gamma "scale").

These are models, not networks: they are not in the network registry
(:data:`harlib.models.MODELS`). The ``classical`` trainer
(:mod:`harlib.training.trainers.classical`) runs them and owns their names.
"""
from __future__ import annotations

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

FEATURES = ("sum", "median", "mean", "std", "var", "rms", "max", "abs_max", "min")


def window_features(X: np.ndarray) -> np.ndarray:
    """``(n, channels, time)`` windows → ``(n, channels × 9)`` features, channel-major."""
    if X.ndim != 3:
        raise ValueError(f"window_features expects (n, channels, time), got {X.shape}")
    X = X.astype(np.float64)
    feats = [X.sum(-1), np.median(X, -1), X.mean(-1), X.std(-1), X.var(-1),
             np.sqrt((X ** 2).mean(-1)), X.max(-1), np.abs(X).max(-1), X.min(-1)]
    return np.stack(feats, axis=-1).reshape(len(X), -1).astype(np.float32)


def feature_names(channel_names) -> list[str]:
    return [f"{c}__{f}" for c in channel_names for f in FEATURES]


def make_classifier(name: str, seed: int = 0, n_jobs: int | None = None, **kwargs):
    """A WHAR Arena v1 classical model; ``n_jobs`` threads for the random forest (None: all
    cores; the result does not depend on it)."""
    if name == "random_forest":
        params = dict(n_estimators=100, criterion="gini", max_depth=8, min_samples_leaf=10,
                      n_jobs=n_jobs or -1, random_state=seed)
        return RandomForestClassifier(**{**params, **kwargs})
    if name == "knn":
        return make_pipeline(StandardScaler(), KNeighborsClassifier(
            **{"n_neighbors": 5, "weights": "distance", **kwargs}))
    if name == "svm":
        return make_pipeline(StandardScaler(), SVC(**{"C": 1.0, "gamma": "scale",
                                                      "probability": True,
                                                      "random_state": seed, **kwargs}))
    raise KeyError(f"unknown classical model {name!r}; use random_forest, knn or svm")


CLASSICAL_MODELS = ("random_forest", "knn", "svm")
