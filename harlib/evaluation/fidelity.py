"""How close synthetic windows are to real ones (paper B §3.1's augmentation, notebook 20).

Three views, each computed per class on windows ``(n, channels, time)`` of one scale:

``statistics_gap``   the conditioning statistics paper B's augmenter is guided by (eq. 1–3):
                     per channel, the mean, standard deviation and skewness of a window,
                     averaged over the class's windows — real against synthetic, as the
                     absolute difference averaged over channels.
``wasserstein``      the 1-D Wasserstein distance between the real and the synthetic
                     distributions of each per-window statistic (mean, std, skewness of each
                     channel), averaged over statistics and channels; beside it the same
                     distance between two random halves of the real windows, the floor
                     that sampling alone gives.
``tstr_window_set``  a window set for "train on synthetic, test on real": the synthetic
                     windows are the training partition, the real validation and test
                     windows the others, so any harlib model trains on it with ``fit``.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy.stats import skew, wasserstein_distance

from ..data.windows import WindowSet
from .splits import Split

STATISTICS = ("mean", "std", "skewness")


def window_statistics(X: np.ndarray) -> np.ndarray:
    """``(n, channels, 3)``: each window's per-channel mean, standard deviation and skewness."""
    if X.ndim != 3 or len(X) == 0:
        raise ValueError(f"expected non-empty windows (n, channels, time), got {X.shape}")
    X = X.astype(np.float64)
    return np.stack([X.mean(-1), X.std(-1), np.nan_to_num(skew(X, axis=-1))], axis=-1)


def _classes(y_real, y_syn, class_names):
    present = sorted(set(np.unique(y_real)) & set(np.unique(y_syn)))
    if not present:
        raise ValueError("real and synthetic windows share no class")
    return [(int(c), class_names[int(c)]) for c in present]


def statistics_gap(X_real, y_real, X_syn, y_syn, class_names) -> pd.DataFrame:
    """Per class: |real − synthetic| of the class-mean window statistics, averaged over
    channels, for each statistic; with the real class-mean values for scale."""
    s_real, s_syn = window_statistics(X_real), window_statistics(X_syn)
    rows = []
    for c, name in _classes(y_real, y_syn, class_names):
        r, s = s_real[y_real == c].mean(0), s_syn[y_syn == c].mean(0)         # (channels, 3)
        row = {"class": name, "real windows": int((y_real == c).sum()),
               "synthetic windows": int((y_syn == c).sum())}
        for k, stat in enumerate(STATISTICS):
            row[f"|Δ {stat}|"] = float(np.abs(r[:, k] - s[:, k]).mean())
            row[f"real {stat} (|mean| over channels)"] = float(np.abs(r[:, k]).mean())
        rows.append(row)
    return pd.DataFrame(rows)


def wasserstein(X_real, y_real, X_syn, y_syn, class_names, seed: int = 0) -> pd.DataFrame:
    """Per class: mean 1-D Wasserstein distance between the real and synthetic distributions
    of the per-window statistics, and the real-vs-real floor (two random halves)."""
    s_real, s_syn = window_statistics(X_real), window_statistics(X_syn)
    rng = np.random.default_rng(seed)
    rows = []
    for c, name in _classes(y_real, y_syn, class_names):
        r, s = s_real[y_real == c], s_syn[y_syn == c]
        r2, s2 = r.reshape(len(r), -1), s.reshape(len(s), -1)
        d = np.mean([wasserstein_distance(r2[:, j], s2[:, j]) for j in range(r2.shape[1])])
        floor = np.nan
        if len(r) >= 4:
            perm = rng.permutation(len(r))
            a, b = r2[perm[: len(r) // 2]], r2[perm[len(r) // 2:]]
            floor = np.mean([wasserstein_distance(a[:, j], b[:, j]) for j in range(r2.shape[1])])
        rows.append({"class": name, "real vs synthetic": float(d), "real vs real (floor)": float(floor),
                     "ratio to floor": float(d / floor) if floor and np.isfinite(floor) else np.nan})
    return pd.DataFrame(rows)


def tstr_window_set(ws: WindowSet, split: Split, X_syn: np.ndarray, y_syn: np.ndarray
                    ) -> tuple[WindowSet, Split]:
    """The synthetic windows (on ``ws``'s raw scale) as the training partition, with ``split``'s
    real validation and test windows: a window set and split for ``fit``. Synthetic windows
    get subject −1 and recording −1, so no overlap with a real window is ever counted."""
    if X_syn.ndim != 3 or X_syn.shape[1:] != ws.X.shape[1:]:
        raise ValueError(f"synthetic windows must be (n, {ws.n_channels}, {ws.length}), got {X_syn.shape}")
    if len(X_syn) != len(y_syn) or len(y_syn) < 2:
        raise ValueError(f"need ≥ 2 synthetic windows with one label each, got {len(X_syn)} and {len(y_syn)}")
    real = np.concatenate([split.val, split.test])
    n = len(y_syn)
    out = replace(ws, X=np.concatenate([X_syn.astype(np.float32), ws.X[real]]),
                  y=np.concatenate([np.asarray(y_syn, dtype=ws.y.dtype), ws.y[real]]),
                  subject=np.concatenate([np.full(n, -1, dtype=ws.subject.dtype), ws.subject[real]]),
                  recording=np.concatenate([np.full(n, -1, dtype=ws.recording.dtype), ws.recording[real]]),
                  start=np.concatenate([np.zeros(n, dtype=ws.start.dtype), ws.start[real]]),
                  info={**ws.info, "train": "synthetic windows (train on synthetic, test on real)"})
    nv = len(split.val)
    new = Split(np.arange(n), n + np.arange(nv), n + nv + np.arange(len(split.test)),
                f"{split.protocol}+tstr", split.fold, split.subject_independent)
    return out, new


__all__ = ["STATISTICS", "window_statistics", "statistics_gap", "wasserstein", "tstr_window_set"]
