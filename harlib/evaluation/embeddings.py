"""Views of an embedding space for figures: a t-SNE of a class-stratified sample
(notebooks 24 and 33)."""
from __future__ import annotations

import numpy as np


def tsne_points(Z: np.ndarray, y: np.ndarray, max_points: int = 1500, seed: int = 0
                ) -> tuple[np.ndarray, np.ndarray]:
    """t-SNE (perplexity 30, PCA initialisation) of a class-stratified sample of at most
    ``max_points`` embeddings; returns the 2-D points and their labels."""
    from sklearn.manifold import TSNE
    from sklearn.model_selection import train_test_split
    Z, y = np.asarray(Z, dtype=np.float64), np.asarray(y)
    if len(Z) > max_points:
        keep, _ = train_test_split(np.arange(len(Z)), train_size=max_points, random_state=seed,
                                   stratify=y if np.bincount(y).min() >= 2 else None)
        Z, y = Z[np.sort(keep)], y[np.sort(keep)]
    xy = TSNE(2, perplexity=min(30.0, max(2.0, (len(Z) - 1) / 3)), init="pca",
              random_state=seed).fit_transform(Z)
    return xy, y
