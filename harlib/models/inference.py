"""Running a model over windows: batched forward passes in fp32 or bf16 autocast, with
every output returned in fp32 (losses and metrics are computed in fp32 whatever the
precision)."""
from __future__ import annotations

import contextlib
from typing import Iterable

import numpy as np
import torch

PRECISIONS = ("fp32", "bf16")


# ---- one epoch --------------------------------------------------------------------------
def autocast(device: torch.device, precision: str):
    """bf16 autocast on CPU or CUDA for ``"bf16"``; nothing for ``"fp32"``."""
    if precision == "fp32":
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16)


def to_fp32(outputs: dict) -> dict:
    """Outputs in fp32 (losses and metrics are computed in fp32 whatever the precision)."""
    def cast(v):
        if torch.is_tensor(v) and v.is_floating_point():
            return v.float()
        if isinstance(v, (list, tuple)):
            return type(v)(cast(u) for u in v)
        return v
    return {k: cast(v) for k, v in outputs.items()}


# ---- evaluate ---------------------------------------------------------------------------
@torch.no_grad()
def predict_outputs(model, X: np.ndarray, batch_size: int = 512, device="cpu",
                    precision: str = "fp32", keys: Iterable[str] = ("logits", "embedding"),
                    ) -> dict[str, np.ndarray]:
    """The model's outputs ``keys`` for standardised windows ``X``, as fp32 numpy arrays."""
    model.eval()
    device = torch.device(device)
    parts: dict[str, list] = {k: [] for k in keys}
    for i in range(0, len(X), batch_size):
        xb = torch.from_numpy(X[i:i + batch_size]).to(device)
        with autocast(device, precision):
            out = to_fp32(model.forward_outputs(xb))
        for k in parts:
            parts[k].append(out[k].cpu().numpy())
    return {k: np.concatenate(v) if v else np.zeros((0,)) for k, v in parts.items()}


@torch.no_grad()
def predict(model, X: np.ndarray, batch_size: int = 512, device="cpu",
            precision: str = "fp32") -> tuple[np.ndarray, np.ndarray]:
    """Class probabilities and embeddings of standardised windows ``X``."""
    out = predict_outputs(model, X, batch_size, device, precision)
    proba = torch.softmax(torch.from_numpy(out["logits"]), dim=1).numpy()
    return proba, out["embedding"]
