"""The train-only augmentation stage: synthetic windows made from a fold's training windows.

An augmenter is fitted on the (standardised) training windows of one fold — never on
validation or test subjects — and samples new labelled windows. Its output is stored as a
run of its own in the :class:`~harlib.training.runs.RunStore` (key: augmenter, options, seed and a
fingerprint of the training windows), and that key enters the key of every classifier run
that uses it, so a changed augmenter retrains what depends on it and nothing else.

How many windows are made (``counts_per_class``):
``"balance"``  each class is topped up to the size of the largest class (the class-imbalance
               use that paper B gives for its diffusion model);
a float r      r × the class's own count, for every class;
``{"ratio": r, "labels": "uniform"}``  r × the number of training windows in all, spread
               evenly over the classes present (paper B's eq. 13 draws the synthetic labels
               uniformly); ``"labels": "proportional"`` is the same as the float r.
               An ``"at_most": n`` entry caps the total at n windows, the classes scaled
               alike (the windows a pre-training of e epochs × w windows can draw: e × w).

Built in: ``jitter_scale`` (Um et al. 2017: Gaussian jitter plus a random per-channel
scale on real training windows). Paper B's conditional diffusion model registers here too.
"""
from __future__ import annotations

import inspect
import time

import numpy as np
import torch

from ..core.registry import Registry
from .runs import RunOutput, RunStore, array_fingerprint, cached_run

AUGMENTERS: Registry = Registry("augmenter")


def _positive(r) -> bool:
    return isinstance(r, (int, float)) and not isinstance(r, bool) and r > 0


def counts_per_class(y: np.ndarray, n_classes: int, amount) -> np.ndarray:
    """Synthetic windows to make per class (see the module docstring for ``amount``)."""
    counts = np.bincount(y, minlength=n_classes)
    if amount == "balance":
        return np.where(counts > 0, counts.max() - counts, 0)
    if _positive(amount):
        return np.round(counts * float(amount)).astype(int)
    if (isinstance(amount, dict) and set(amount) - {"at_most"} == {"ratio", "labels"}
            and _positive(amount["ratio"]) and amount["labels"] in ("proportional", "uniform")):
        at_most = amount.get("at_most")
        if at_most is not None and (isinstance(at_most, bool) or not isinstance(at_most, (int, np.integer))
                                    or at_most < 1):
            raise ValueError(f"amount['at_most'] must be a positive integer, got {at_most!r}")
        ratio = float(amount["ratio"])
        if amount["labels"] == "proportional":
            out = np.round(counts * ratio).astype(int)
            if at_most is not None and out.sum() > at_most:
                out = np.floor(counts * at_most / counts.sum()).astype(int)
            return out
        present = np.flatnonzero(counts > 0)       # paper B's eq. 13: labels drawn uniformly
        total = int(round(ratio * counts.sum()))
        if at_most is not None:
            total = min(total, int(at_most))
        out = np.zeros(n_classes, dtype=int)
        out[present] = total // len(present)
        out[present[:total % len(present)]] += 1      # the remainder, to the first classes
        return out
    raise ValueError(f"amount must be 'balance', a positive number, or {{'ratio': r > 0, 'labels': "
                     f"'proportional' | 'uniform'[, 'at_most': n]}}, got {amount!r}")


@AUGMENTERS.register("jitter_scale")
class JitterScale:
    """Jitter (σ in standardised units) and per-channel scaling (factor ~ N(1, scale_sigma))
    applied to training windows drawn at random from the same class."""

    def __init__(self, sigma: float = 0.05, scale_sigma: float = 0.1):
        if sigma < 0 or scale_sigma < 0:
            raise ValueError(f"sigma and scale_sigma must be >= 0, got {sigma}, {scale_sigma}")
        self.sigma, self.scale_sigma = sigma, scale_sigma

    def fit(self, X: np.ndarray, y: np.ndarray, seed: int) -> "JitterScale":
        self.X_, self.y_ = X, y
        return self

    def sample(self, counts: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(seed)
        xs, ys = [], []
        for c, k in enumerate(counts):
            members = np.flatnonzero(self.y_ == c)
            if k == 0 or len(members) == 0:
                continue
            base = self.X_[rng.choice(members, size=k)]
            scale = rng.normal(1.0, self.scale_sigma, size=(k, base.shape[1], 1))
            xs.append(base * scale + rng.normal(0.0, self.sigma, size=base.shape))
            ys.append(np.full(k, c))
        if not xs:
            return np.zeros((0, *self.X_.shape[1:]), np.float32), np.zeros(0, np.int64)
        return np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.int64)


#: the amount the augmentation stage draws where a config names none
DEFAULT_AMOUNT = "balance"


def augment(name: str, X: np.ndarray, y: np.ndarray, n_classes: int, seed: int,
            amount=DEFAULT_AMOUNT, store: RunStore | None = None, force: bool = False,
            device="cpu", **kwargs):
    """Fit augmenter ``name`` on training windows ``X, y`` and sample synthetic windows;
    a stored augmentation run with the same key is loaded instead. ``device``: where an
    augmenter whose ``fit`` takes one trains (not part of the key: the draws are the same).

    Returns ``(X_synthetic, y_synthetic, result)`` where ``result`` is the augmentation run.
    """
    cls = AUGMENTERS.get(name)
    spec = {"kind": "augmentation", "augmenter": name, "options": kwargs, "amount": amount,
            "train_data": array_fingerprint(X, y), "n_classes": n_classes, "seed": seed}
    counts = counts_per_class(y, n_classes, amount)

    def train(key: str) -> RunOutput:
        t0 = time.perf_counter()
        torch.manual_seed(seed)
        takes_device = "device" in inspect.signature(cls.fit).parameters
        aug = cls(**kwargs).fit(X, y, seed, device=device) if takes_device else cls(**kwargs).fit(X, y, seed)
        Xs, ys = aug.sample(counts, seed + 1)
        if not np.isfinite(Xs).all():
            raise ValueError(f"augmenter {name!r} produced non-finite windows")
        state = aug.state_dict() if hasattr(aug, "state_dict") else None
        record = {"n_real": len(y), "n_synthetic": len(ys), "counts": counts.tolist(),
                  "seconds": time.perf_counter() - t0}
        return RunOutput(record, {"X": Xs, "y": ys}, state)

    res = cached_run(spec, store, train, force)
    return res.predictions["X"], res.predictions["y"], res
