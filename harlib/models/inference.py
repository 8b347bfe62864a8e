"""Running a model over windows: batched forward passes in fp32, bf16 autocast or fp64,
with every output returned in fp32 or wider (losses and metrics are computed in fp32
whatever the precision, and in fp64 under ``fp64``).

``fp64`` is the smoke profile's precision (:mod:`harlib.training.profiles`): a training run
amplifies a difference in the last bit of fp32 (a kernel that sums in another order on
another CPU) into whole test windows, while the last bit of fp64 lies about nine orders of
magnitude lower, below what the headline checks compare (README, "Reproducibility across
machines")."""
from __future__ import annotations

import contextlib
from typing import Iterable

import numpy as np
import torch

PRECISIONS = ("fp32", "bf16", "fp64")


# ---- one epoch --------------------------------------------------------------------------
def compute_dtype(precision: str) -> torch.dtype:
    """The dtype of parameters and inputs under ``precision``: float64 for ``"fp64"``, else
    float32 (bf16 autocasts float32 parameters)."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    return torch.float64 if precision == "fp64" else torch.float32


@contextlib.contextmanager
def default_dtype(precision: str):
    """torch's default dtype set to :func:`compute_dtype` of ``precision`` inside the block
    (parameters, buffers and constants a run creates follow it), restored after it."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(compute_dtype(precision))
    try:
        yield
    finally:
        torch.set_default_dtype(before)


def as_input(X: np.ndarray, device, dtype: torch.dtype) -> torch.Tensor:
    """Windows as a tensor on ``device`` in ``dtype``, a model's :func:`parameter_dtype`
    (float32 windows become float64 for a model in fp64, exactly)."""
    return torch.from_numpy(np.asarray(X)).to(device, dtype)


def autocast(device: torch.device, precision: str):
    """bf16 autocast on CPU or CUDA for ``"bf16"``; nothing for ``"fp32"`` and ``"fp64"``."""
    if precision in ("fp32", "fp64"):
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16)


def at_least_fp32(t: torch.Tensor) -> torch.Tensor:
    """``t`` in fp32, or unchanged where it is fp64 (a run in fp64 stays in fp64)."""
    return t if t.dtype == torch.float64 else t.float()


def to_fp32(outputs: dict) -> dict:
    """Outputs in fp32 or wider: bf16 and fp16 outputs become fp32, fp64 ones stay fp64
    (losses and metrics are computed in fp32 whatever the precision, in fp64 under fp64)."""
    def cast(v):
        if torch.is_tensor(v) and v.is_floating_point():
            return at_least_fp32(v)
        if isinstance(v, (list, tuple)):
            return type(v)(cast(u) for u in v)
        return v
    return {k: cast(v) for k, v in outputs.items()}


# ---- evaluate ---------------------------------------------------------------------------
@torch.no_grad()
def predict_outputs(model, X: np.ndarray, batch_size: int = 512, device="cpu",
                    precision: str = "fp32", keys: Iterable[str] = ("logits", "embedding"),
                    ) -> dict[str, np.ndarray]:
    """The model's outputs ``keys`` for standardised windows ``X``, as numpy arrays (fp32,
    or fp64 for a model in fp64)."""
    model.eval()
    device = torch.device(device)
    parts: dict[str, list] = {k: [] for k in keys}
    for i in range(0, len(X), batch_size):
        xb = as_input(X[i:i + batch_size], device, parameter_dtype(model))
        with autocast(device, precision):
            out = to_fp32(model.forward_outputs(xb))
        for k in parts:
            parts[k].append(out[k].cpu().numpy())
    return {k: np.concatenate(v) if v else np.zeros((0,)) for k, v in parts.items()}


def parameter_dtype(model) -> torch.dtype:
    """The dtype of ``model``'s parameters (inputs are cast to it), float32 without any."""
    return next((p.dtype for p in model.parameters() if p.is_floating_point()), torch.float32)


@torch.no_grad()
def predict(model, X: np.ndarray, batch_size: int = 512, device="cpu",
            precision: str = "fp32") -> tuple[np.ndarray, np.ndarray]:
    """Class probabilities and embeddings of standardised windows ``X``."""
    out = predict_outputs(model, X, batch_size, device, precision)
    proba = torch.softmax(torch.from_numpy(out["logits"]), dim=1).numpy()
    return proba, out["embedding"]
