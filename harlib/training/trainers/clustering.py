"""Label-free baselines: clustering windows without a network.

Paper A's method is scored by clustering its embeddings (k-means with one cluster per
activity, Hungarian-matched accuracy, NMI, ARI). These baselines are scored the same way,
so a learned representation is compared with what clustering gets without learning:

``kmeans_raw``       k-means on the raw window, flattened (channels × time values).
``kmeans_features``  k-means on the per-channel statistical features of the classical
                     baselines (:func:`harlib.models.classical.window_features`: sum, median, mean,
                     std, var, RMS, max, |max|, min).
``pca_kmeans``       PCA of the flattened window (``n_components`` = 32 by default,
                     **assumed**) fitted on the training windows, then k-means.

Every transform (the per-channel standardisation of the windows, the feature scaler and
the PCA) is fitted on the training windows only. As in the ``unsupervised`` trainer, the
clusterer itself is fitted on the test windows (transductive, as clustering accuracy is
usually reported) with as many clusters as the dataset has classes. No label is used
until the Hungarian matching that scores the clusters.

The runs go through the run store under the trainer ``"clustering"``, so notebooks treat
these names like any other model's.
"""
from __future__ import annotations

import time

import numpy as np
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from ...data.normalization import Standardizer
from ...evaluation.clustering import check_clustering_options, cluster
from ...evaluation.metrics import classification_report, clustering_report, match_clusters
from ..engine import test_windows, train_windows
from ..runs import RunOutput
from .base import RunRequest, Trainer, fitted_once_record, run_spec
from .registry import TRAINERS

CLUSTERING_MODELS = ("kmeans_raw", "kmeans_features", "pca_kmeans")


def clustering_features(name: str, X_train: np.ndarray, X_test: np.ndarray, seed: int = 0,
                        n_components: int = 32) -> np.ndarray:
    """The test windows' representation for baseline ``name``; every transform is fitted
    on ``X_train`` (standardised ``(n, channels, time)`` windows)."""
    if X_train.ndim != 3 or X_test.ndim != 3 or X_train.shape[1:] != X_test.shape[1:]:
        raise ValueError(f"clustering_features expects two (n, channels, time) arrays of one "
                         f"window shape, got {X_train.shape} and {X_test.shape}")
    if name == "kmeans_raw":
        return X_test.reshape(len(X_test), -1).astype(np.float64)
    if name == "kmeans_features":
        from ...models.classical import window_features  # (classical imports the trainers module)
        scaler = StandardScaler().fit(window_features(X_train))
        return scaler.transform(window_features(X_test)).astype(np.float64)
    if name == "pca_kmeans":
        flat = X_train.reshape(len(X_train), -1)
        k = min(n_components, *flat.shape)
        pca = PCA(n_components=k, random_state=seed).fit(flat)
        return pca.transform(X_test.reshape(len(X_test), -1)).astype(np.float64)
    raise KeyError(f"unknown clustering baseline {name!r}; known: {', '.join(CLUSTERING_MODELS)}")


@TRAINERS.register("clustering")
class ClusteringTrainer(Trainer):
    """Scores a label-free baseline of :data:`CLUSTERING_MODELS`. Options
    (``TrainConfig.trainer_kwargs``): ``clusterer`` ("kmeans" | "gmm") and ``n_clusters``,
    as for the ``unsupervised`` trainer."""

    name = "clustering"

    owned_models = CLUSTERING_MODELS
    stands_in_for = ("supervised", "unsupervised")
    kind_of_model = "a clustering baseline"

    def resolve(self, config):
        check_clustering_options(config.trainer_kwargs)
        return config

    def spec(self, req: RunRequest) -> dict:
        c = req.config
        identity = {"max_train_windows": c.max_train_windows, "max_test_windows": c.max_test_windows,
                    "clusterer": c.trainer_kwargs.get("clusterer", "kmeans"),
                    "n_clusters": c.trainer_kwargs.get("n_clusters")}
        if c.train_share != 1:      # absent at 1, so that the runs stored before it keep their keys
            identity["train_share"] = c.train_share
        return run_spec(req.ws, req.split, req.model, req.model_kwargs, identity, req.seed)

    def train(self, req: RunRequest) -> RunOutput:
        ws, split, c, seed = req.ws, req.split, req.config, req.seed
        train_idx = train_windows(split, ws.y, c.max_train_windows, c.train_share, seed)
        test_idx = test_windows(split, ws.y, c.max_test_windows, seed)
        if len(train_idx) < 2 or len(test_idx) == 0:
            raise ValueError(f"{ws.dataset} {split.protocol} fold {split.fold}: "
                             f"{len(train_idx)} training and {len(test_idx)} test windows")
        if not np.isfinite(ws.X[train_idx]).all():
            raise ValueError(f"{ws.dataset}: the training windows hold NaN or infinite values")
        t0 = time.perf_counter()
        norm = Standardizer().fit(ws.X[train_idx])
        Z = clustering_features(req.model, norm.transform(ws.X[train_idx]),
                                norm.transform(ws.X[test_idx]), seed, **req.model_kwargs)
        k = int(c.trainer_kwargs.get("n_clusters", ws.n_classes))
        method = c.trainer_kwargs.get("clusterer", "kmeans")
        clusters = cluster(Z, min(k, len(Z)), method, seed)
        y_test = ws.y[test_idx]
        mapping = match_clusters(y_test, clusters)
        pred = np.array([mapping.get(int(q), -1) for q in clusters])
        record = fitted_once_record(req, train_idx, test_idx, time.perf_counter() - t0, "clustering",
                                    {**classification_report(y_test, pred), **clustering_report(y_test, clusters)})
        record["clustering"] = {"method": method, "n_clusters": k, "fitted_on": "test windows",
                                "representation": req.model}
        predictions = {"test_index": test_idx, "y_true": y_test, "clusters": clusters.astype(np.int64),
                       "y_pred": pred}
        return RunOutput(record, predictions, None)


__all__ = ["CLUSTERING_MODELS", "clustering_features", "ClusteringTrainer"]
