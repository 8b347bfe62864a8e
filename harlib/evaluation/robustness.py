"""Robustness of a trained model to missing data and noise (paper C's robustness claims).

Paper C reports 96.78 % accuracy "with 10 % missing data" and robustness to injected noise,
without saying how data were removed or noise was added. These perturbations make the
missingness model explicit; each acts on raw test windows ``(n, channels, time)`` before the
run's own standardisation, with a seeded generator:

``missing_samples``  a ``fraction`` of the time steps of each window, drawn at random, lose
                     every channel's value; the gap is filled with the training mean
                     (**assumed**: mean imputation, i.e. 0 after standardisation).
``missing_sensor``   every channel of one placement is lost for the whole window, filled
                     the same way (whole-sensor dropout).
``noise``            white Gaussian noise at a signal-to-noise ratio ``snr_db`` per channel
                     and window: noise power = the channel's power in that window (around
                     its mean) / 10^(snr/10).

:func:`perturbed_scores` scores a stored run on its own test windows under a perturbation.
"""
from __future__ import annotations

import numpy as np
import torch

from ..models.inference import predict_outputs
from .metrics import classification_report

FILL = "training mean"


def missing_samples(X: np.ndarray, fraction: float, mean: np.ndarray, rng: np.random.Generator
                    ) -> np.ndarray:
    """``X`` with ``fraction`` of each window's time steps replaced by the per-channel
    ``mean`` (the training mean)."""
    _check(X, mean)
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"missing fraction must be in [0, 1), got {fraction}")
    out = X.copy()
    k = int(round(fraction * X.shape[2]))
    for i in range(len(X)):
        t = rng.choice(X.shape[2], size=k, replace=False)
        out[i][:, t] = mean[:, None]
    return out


def missing_sensor(X: np.ndarray, channels, mean: np.ndarray) -> np.ndarray:
    """``X`` with the given channels (one placement) replaced by their training mean."""
    _check(X, mean)
    channels = list(channels)
    if not channels or min(channels) < 0 or max(channels) >= X.shape[1]:
        raise ValueError(f"channels must be a non-empty subset of 0..{X.shape[1] - 1}, got {channels}")
    out = X.copy()
    out[:, channels, :] = mean[channels][None, :, None]
    return out


def noise(X: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """``X`` plus white Gaussian noise at ``snr_db`` dB per channel and window."""
    if X.ndim != 3:
        raise ValueError(f"expected windows (n, channels, time), got {X.shape}")
    power = X.var(axis=2, keepdims=True)
    scale = np.sqrt(power / 10 ** (snr_db / 10))
    return (X + rng.normal(size=X.shape) * scale).astype(X.dtype)


def _check(X: np.ndarray, mean: np.ndarray) -> None:
    if X.ndim != 3:
        raise ValueError(f"expected windows (n, channels, time), got {X.shape}")
    if mean.shape != (X.shape[1],):
        raise ValueError(f"mean must hold one value per channel ({X.shape[1]}), got {mean.shape}")


def perturbed_scores(run, X_test: np.ndarray, y_test: np.ndarray, perturb=None,
                     batch_size: int = 256) -> dict:
    """Accuracy and macro-F1 of a stored run (:class:`~harlib.training.runs.RunResult`) on raw test
    windows, after ``perturb(X)`` (None: unperturbed), standardised with the run's own
    training statistics."""
    model = run.load_model()
    norm = run.standardizer()
    X = X_test if perturb is None else perturb(X_test)
    logits = predict_outputs(model, norm.transform(X), device=torch.device("cpu"),
                             keys=("logits",), batch_size=batch_size)["logits"]
    rep = classification_report(y_test, logits.argmax(1))
    return {"accuracy": rep["accuracy"], "f1_macro": rep["f1_macro"]}


__all__ = ["FILL", "missing_samples", "missing_sensor", "noise", "perturbed_scores"]
