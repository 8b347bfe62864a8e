"""Classical baselines: hand-crafted per-window features + scikit-learn classifiers.

The features are the "minimal" set of tsfresh (``MinimalFCParameters``) used by the WHAR
Arena v1 benchmark for its classical models — per channel: sum, median, mean, standard
deviation, variance, root mean square, maximum, absolute maximum, minimum (the constant
``length`` feature is left out). Classifiers follow WHAR Arena v1: random forest (100 trees,
gini, max depth 8, at least 10 samples per leaf), kNN (k = 5, distance weights) and an RBF
SVM (C = 1, gamma "scale").

Runs are stored in the same :class:`~harlib.runs.RunStore` as the deep models, keyed the
same way, so notebooks treat ``"random_forest"`` like any other model name.
"""
from __future__ import annotations

import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from .metrics import classification_report
from .runs import RunStore, run_key
from .splits import Split, overlap_with_training
from .train import RunResult, TrainConfig, stratified_subsample, run_spec
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


def make_classifier(name: str, seed: int = 0, **kwargs):
    if name == "random_forest":
        params = dict(n_estimators=100, criterion="gini", max_depth=8, min_samples_leaf=10,
                      n_jobs=-1, random_state=seed)
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


def fit_classical(model_name: str, ws: WindowSet, split: Split, config: TrainConfig,
                  seed: int = 0, model_kwargs: dict | None = None,
                  store: RunStore | None = None, force: bool = False) -> RunResult:
    """Fit a classical model on the features of ``split.train`` and score ``split.test``.
    (Validation windows are not needed: these models have no early stopping.)"""
    model_kwargs = dict(model_kwargs or {})
    store = store or RunStore()
    identity = {"features": "tsfresh-minimal", "max_train_windows": config.max_train_windows,
                "max_test_windows": config.max_test_windows}
    spec = run_spec(ws, split, model_name, model_kwargs, identity, seed)
    key = run_key(spec)
    if store.has(key) and not force:
        return RunResult(key, store.load_result(key), store.load_predictions(key), True, store)
    train_idx = stratified_subsample(split.train, ws.y, config.max_train_windows, seed)
    test_idx = stratified_subsample(split.test, ws.y, config.max_test_windows, seed + 2)
    clf = make_classifier(model_name, seed, **model_kwargs)
    t0 = time.perf_counter()
    clf.fit(window_features(ws.X[train_idx]), ws.y[train_idx])
    train_seconds = time.perf_counter() - t0
    proba_known = clf.predict_proba(window_features(ws.X[test_idx]))
    proba = np.zeros((len(test_idx), ws.n_classes), dtype=np.float32)
    proba[:, clf.classes_] = proba_known
    record = {
        **spec, "key": key, "profile": config.profile, "class_names": list(ws.class_names),
        "in_channels": ws.n_channels, "n_classes": ws.n_classes, "window_length": ws.length,
        "n_windows": {"train": len(train_idx), "val": 0, "test": len(test_idx)},
        "test_overlap_with_train": overlap_with_training(
            ws, Split(train_idx, split.val[:0], test_idx, split.protocol, split.fold,
                      split.subject_independent)),
        "best_epoch": 0, "epochs_run": 0, "train_seconds": train_seconds,
        "n_parameters": 0, "history": [],
        "test_metrics": classification_report(ws.y[test_idx], proba.argmax(1), proba),
    }
    predictions = {"test_index": test_idx, "y_true": ws.y[test_idx], "proba": proba}
    store.save(key, record, predictions, None)
    return RunResult(key, record, predictions, False, store)
