"""Classical baselines: hand-crafted per-window features + scikit-learn classifiers.

The features are the "minimal" set of tsfresh (``MinimalFCParameters``) used by the WHAR
Arena v1 benchmark for its classical models — per channel: sum, median, mean, standard
deviation, variance, root mean square, maximum, absolute maximum, minimum (the constant
``length`` feature is left out). Classifiers follow WHAR Arena v1: random forest (100 trees,
gini, max depth 8, at least 10 samples per leaf), kNN (k = 5, distance weights) and an RBF
SVM (C = 1, gamma "scale").

Runs go through the ``classical`` trainer and the same run store as the deep models, keyed
the same way, so notebooks treat ``"random_forest"`` like any other model name.
"""
from __future__ import annotations

import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from .engine import stratified_subsample
from .metrics import classification_report
from .runs import RunOutput, RunResult, RunStore
from .splits import Split
from .trainers import TRAINERS, RunRequest, Trainer, fitted_once_record, run_spec
from .windows import WindowSet

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


@TRAINERS.register("classical")
class ClassicalTrainer(Trainer):
    """Fit a classical model on the features of the training windows and score the test
    windows. (Validation windows are not needed: these models have no early stopping.)
    The model keyword arguments win over the configuration's (``n_jobs`` over
    ``num_threads``)."""

    name = "classical"

    def accepts(self, model_name: str) -> bool:
        return model_name in CLASSICAL_MODELS

    def resolve(self, config):
        return config

    def spec(self, req: RunRequest) -> dict:
        c = req.config
        identity = {"features": "tsfresh-minimal", "max_train_windows": c.max_train_windows,
                    "max_test_windows": c.max_test_windows}
        return run_spec(req.ws, req.split, req.model, req.model_kwargs, identity, req.seed)

    def train(self, req: RunRequest) -> RunOutput:
        ws, split, c, seed = req.ws, req.split, req.config, req.seed
        train_idx = stratified_subsample(split.train, ws.y, c.max_train_windows, seed)
        test_idx = stratified_subsample(split.test, ws.y, c.max_test_windows, seed + 2)
        if len(train_idx) == 0 or len(test_idx) == 0:
            raise ValueError(f"{ws.dataset} {split.protocol} fold {split.fold}: empty train or test set")
        X_train = window_features(ws.X[train_idx])
        if not np.isfinite(X_train).all():
            raise ValueError(f"{ws.dataset}: the training windows hold NaN or infinite values")
        clf = make_classifier(req.model, seed, **{"n_jobs": c.num_threads, **req.model_kwargs})
        t0 = time.perf_counter()
        clf.fit(X_train, ws.y[train_idx])
        train_seconds = time.perf_counter() - t0
        proba_known = clf.predict_proba(window_features(ws.X[test_idx]))
        proba = np.zeros((len(test_idx), ws.n_classes), dtype=np.float32)
        proba[:, clf.classes_] = proba_known
        record = fitted_once_record(
            req, train_idx, test_idx, train_seconds, "classical",
            classification_report(ws.y[test_idx], proba.argmax(1), proba))
        predictions = {"test_index": test_idx, "y_true": ws.y[test_idx], "proba": proba}
        return RunOutput(record, predictions, None)


def fit_classical(model_name: str, ws: WindowSet, split: Split, config, seed: int = 0,
                  model_kwargs: dict | None = None, store: RunStore | None = None,
                  force: bool = False) -> RunResult:
    """Kept for existing callers: the same as :func:`harlib.train.fit` for a classical model."""
    from .train import fit
    return fit(model_name, ws, split, config, seed=seed, model_kwargs=model_kwargs, store=store,
               force=force)
