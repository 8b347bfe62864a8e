"""The ``classical`` trainer: hand-crafted window features + a scikit-learn classifier
(:mod:`harlib.models.classical`, WHAR Arena v1's settings), stored like any other run, so
notebooks treat ``"random_forest"`` like any other model name (notebook 02)."""
from __future__ import annotations

import time

import numpy as np

from ...evaluation.metrics import classification_report
from ...models.classical import CLASSICAL_MODELS, make_classifier, window_features
from ..engine import test_windows, train_windows
from ..runs import RunOutput
from .base import RunRequest, Trainer, fitted_once_record, run_spec
from .registry import TRAINERS


@TRAINERS.register("classical")
class ClassicalTrainer(Trainer):
    """Fit a classical model on the features of the training windows and score the test
    windows. (Validation windows are not needed: these models have no early stopping.)
    The model keyword arguments win over the configuration's (``n_jobs`` over
    ``num_threads``)."""

    name = "classical"

    owned_models = CLASSICAL_MODELS
    stands_in_for = ("supervised",)
    kind_of_model = "a classical model"

    def resolve(self, config):
        return config

    def spec(self, req: RunRequest) -> dict:
        c = req.config
        identity = {"features": "tsfresh-minimal", "max_train_windows": c.max_train_windows,
                    "max_test_windows": c.max_test_windows}
        if c.train_share != 1:      # absent at 1, so that the runs stored before it keep their keys
            identity["train_share"] = c.train_share
        return run_spec(req.ws, req.split, req.model, req.model_kwargs, identity, req.seed)

    def train(self, req: RunRequest) -> RunOutput:
        ws, split, c, seed = req.ws, req.split, req.config, req.seed
        train_idx = train_windows(split, ws.y, c.max_train_windows, c.train_share, seed)
        test_idx = test_windows(split, ws.y, c.max_test_windows, seed)
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
