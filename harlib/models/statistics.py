"""Paper B's statistical features of a window (§3.1.1, eq. 1–3): the per-channel global
statistics and the point-wise Z-scores that guide its diffusion augmenter
(:mod:`harlib.training.diffusion`) and that its §3.1.3 classifier reads beside the raw
signal (eq. 16, :mod:`harlib.models.sf_cnn`).

Explained in notebook 20 (augmentation) and notebook 23 (the §3.1.3 classifier)."""
from __future__ import annotations

import torch

N_STATS = 4         # μ, σ, γ blocks and the Z-score block of eq. 3
SIGMA_FLOOR = 1e-6  # assumed: a flat channel's σ, so that its Z-scores stay finite


def window_statistics(X: torch.Tensor) -> torch.Tensor:
    """Per-channel global statistics of eq. 1: ``(n, C, 3)`` = (mean, std, skewness).
    Input ``(n, C, L)``."""
    mu = X.mean(dim=2)
    sigma = X.std(dim=2, unbiased=False).clamp_min(SIGMA_FLOOR)
    z = (X - mu[..., None]) / sigma[..., None]
    gamma = (z ** 3).mean(dim=2)
    return torch.stack([mu, sigma, gamma], dim=2)


def conditioning(X: torch.Tensor) -> torch.Tensor:
    """The feature tensor f of eq. 3 for windows ``(n, C, L)``: ``(n, 4C, L)`` =
    [μ, σ, γ replicated over time (eq. 1); point-wise Z-scores (eq. 2)], block by block."""
    if X.ndim != 3:
        raise ValueError(f"expected windows (n, channels, time), got shape {tuple(X.shape)}")
    stats = window_statistics(X)
    L = X.shape[2]
    z = (X - stats[..., 0:1]) / stats[..., 1:2]
    rep = [stats[..., k:k + 1].expand(-1, -1, L) for k in range(3)]
    return torch.cat(rep + [z], dim=1)


__all__ = ["N_STATS", "SIGMA_FLOOR", "window_statistics", "conditioning"]
