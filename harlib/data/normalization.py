"""Per-channel standardisation fitted on training windows only."""
from __future__ import annotations

import numpy as np


class Standardizer:
    """Global per-channel z-scoring (WHAR Arena v1): ``(x - mean) / std``.

    ``fit`` sees training windows only; the same statistics transform validation and test.
    Input: ``(n, channels, time)``.
    """

    #: windows standardised per step of ``transform``
    CHUNK = 512

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
        # in float64, cast to float32 element by element; in chunks of windows, so the float64
        # intermediates stay small (all of a large dataset's training windows at once would
        # need eight bytes per value twice over); the values are the same as in one pass
        mean, scale = self.mean_[None, :, None], self.scale_[None, :, None]
        out = np.empty(X.shape, dtype=np.float32)
        for start in range(0, len(X), self.CHUNK):
            part = slice(start, start + self.CHUNK)
            out[part] = (X[part] - mean) / scale
        return out

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        return self.fit(X).transform(X)
