"""Per-channel standardisation fitted on training windows only."""
from __future__ import annotations

import numpy as np


class Standardizer:
    """Global per-channel z-scoring (WHAR Arena v1): ``(x - mean) / std``.

    ``fit`` sees training windows only; the same statistics transform validation and test.
    Input: ``(n, channels, time)``.
    """

    def __init__(self, eps: float = 1e-8):
        self.eps = eps
        self.mean_: np.ndarray | None = None
        self.std_: np.ndarray | None = None

    def fit(self, X: np.ndarray) -> "Standardizer":
        if X.ndim != 3 or len(X) == 0:
            raise ValueError(f"Standardizer.fit expects non-empty (n, channels, time), got {X.shape}")
        self.mean_ = X.mean(axis=(0, 2), dtype=np.float64)
        self.std_ = X.std(axis=(0, 2), dtype=np.float64)
        return self

    @property
    def scale_(self) -> np.ndarray:
        """What ``transform`` divides by: the standard deviation, or 1 for a channel that was
        constant in training (``std ≤ eps``)."""
        return np.where(self.std_ > self.eps, self.std_, 1.0)

    def transform(self, X: np.ndarray) -> np.ndarray:
        if self.mean_ is None:
            raise RuntimeError("Standardizer.transform called before fit")
        if X.ndim != 3 or X.shape[1] != len(self.mean_):
            raise ValueError(f"expected (n, {len(self.mean_)}, time), got {X.shape}")
        return ((X - self.mean_[None, :, None]) / self.scale_[None, :, None]).astype(np.float32)

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        return self.fit(X).transform(X)
