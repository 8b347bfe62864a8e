"""Scoring by clustering: the clusterers that turn embeddings into cluster ids (paper A
scores its representation by k-means with one cluster per activity; a Gaussian mixture is
the second reading). The Hungarian matching and the scores are in :mod:`.metrics`."""
from __future__ import annotations

import numpy as np

CLUSTERERS = ("kmeans", "gmm")


def cluster(Z: np.ndarray, k: int, method: str, seed: int) -> np.ndarray:
    """Cluster ids of embeddings ``Z``: k-means (10 restarts) or a full-covariance Gaussian
    mixture (diagonal when there are fewer windows than dimensions × clusters)."""
    from sklearn.cluster import KMeans
    from sklearn.mixture import GaussianMixture
    if method == "kmeans":
        return KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(Z)
    if method == "gmm":
        cov = "full" if len(Z) > k * Z.shape[1] else "diag"
        return GaussianMixture(k, covariance_type=cov, random_state=seed, reg_covar=1e-4).fit_predict(Z)
    raise KeyError(f"unknown clusterer {method!r}; choose one of {', '.join(CLUSTERERS)}")


def check_clustering_options(options: dict) -> None:
    """Raise for a clusterer harlib does not know or fewer than two clusters."""
    if options.get("clusterer", "kmeans") not in CLUSTERERS:
        raise ValueError(f"clusterer must be one of {CLUSTERERS}, got {options['clusterer']!r}")
    k = options.get("n_clusters")
    if k is not None and (not isinstance(k, int) or isinstance(k, bool) or k < 2):
        raise ValueError(f"n_clusters must be an integer >= 2 (one cluster scores nothing), got {k!r}")
