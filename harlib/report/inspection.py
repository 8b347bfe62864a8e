"""Looking inside a model: the shape and size of every stage, and its extra outputs.

Used by the papers' architecture notebooks to show what a network does to a window.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torch import nn


def _shape(out) -> str:
    if torch.is_tensor(out):
        return " × ".join(map(str, out.shape))
    if isinstance(out, (list, tuple)) and out and all(torch.is_tensor(o) for o in out):
        return f"{len(out)} × (" + " × ".join(map(str, out[0].shape)) + ")"
    if isinstance(out, dict):
        return "{" + ", ".join(f"{k}: {_shape(v)}" for k, v in out.items()) + "}"
    return type(out).__name__


@torch.no_grad()
def layer_table(model: nn.Module, x: torch.Tensor, depth: int = 1) -> pd.DataFrame:
    """One row per module down to ``depth`` levels below the model, in the order the
    forward pass first calls them: name, type, parameters and output shape for input ``x``
    ``(batch, channels, time)``. Modules the forward pass never calls are listed last, with
    no shape."""
    if depth < 1:
        raise ValueError(f"depth must be >= 1, got {depth}")
    modules = {name: m for name, m in model.named_modules() if name and name.count(".") < depth}
    seen: dict[str, str] = {}

    def record(name):
        def hook(module, inputs, output):      # returns None: the output is left as it is
            seen.setdefault(name, _shape(output))
        return hook
    hooks = [m.register_forward_hook(record(name)) for name, m in modules.items()]
    was_training = model.training
    try:
        model.eval()
        model.forward_outputs(x) if hasattr(model, "forward_outputs") else model(x)
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    order = list(seen) + [n for n in modules if n not in seen]
    return pd.DataFrame([{"module": n, "type": type(modules[n]).__name__,
                          "parameters": sum(p.numel() for p in modules[n].parameters()),
                          "output": seen.get(n, "(not called)")} for n in order])


@torch.no_grad()
def output_table(model: nn.Module, x: torch.Tensor) -> pd.DataFrame:
    """The mapping ``forward_outputs(x)`` returns: one row per output with its shape."""
    was_training = model.training
    try:
        out = model.eval().forward_outputs(x)
    finally:
        model.train(was_training)
    return pd.DataFrame([{"output": k, "shape": _shape(v)} for k, v in out.items()])


def parameter_share(model: nn.Module, depth: int = 1) -> pd.DataFrame:
    """Parameters per top-level part (``depth`` name levels) and their share of the total."""
    counts: dict[str, int] = {}
    for name, p in model.named_parameters():
        key = ".".join(name.split(".")[:depth])
        counts[key] = counts.get(key, 0) + p.numel()
    total = sum(counts.values())
    df = pd.DataFrame({"part": list(counts), "parameters": list(counts.values())})
    df["share"] = df["parameters"] / max(1, total)
    return df.sort_values("parameters", ascending=False, ignore_index=True)


def real_window(ws, index: int = 0) -> torch.Tensor:
    """One window of a :class:`~harlib.data.windows.WindowSet`, standardised on the whole set, as
    a ``(1, channels, time)`` tensor — for showing shapes, not for measuring anything."""
    X = ws.X[index:index + 1].astype(np.float64)
    mean = ws.X.mean(axis=(0, 2), dtype=np.float64)[None, :, None]
    std = ws.X.std(axis=(0, 2), dtype=np.float64)[None, :, None]
    return torch.from_numpy(((X - mean) / np.where(std > 0, std, 1.0)).astype(np.float32))


def count_parameters_of(model_name: str, channels: int, length: int, classes: int,
                        channel_groups: dict | None = None, **kwargs) -> int:
    from ..models import create_model
    model = create_model(model_name, channels, classes, length, channel_groups=channel_groups, **kwargs)
    return sum(p.numel() for p in model.parameters())


def sizes_beside_paper(model_name: str, settings: dict[str, dict], claims: dict[str, str] | None = None,
                       ) -> pd.DataFrame:
    """Parameter counts of ``model_name`` for named input settings — each a dict with
    ``channels``, ``length``, ``classes`` and optionally ``channel_groups`` — beside the
    count a paper reports (``claims``: setting → claim id in :data:`harlib.papers.published.PAPER_CLAIMS`)."""
    from ..papers.published import PAPER_CLAIMS
    rows = []
    for name, s in settings.items():
        n = count_parameters_of(model_name, s["channels"], s["length"], s["classes"],
                                s.get("channel_groups"))
        cid = (claims or {}).get(name)
        paper = PAPER_CLAIMS[cid]["value"] if cid else np.nan
        rows.append({"setting": name, "input": f"{s['channels']} × {s['length']}",
                     "classes": s["classes"], "parameters": n,
                     "the paper reports": paper, "claim": cid or "",
                     "ours / paper": n / paper if cid else np.nan})
    return pd.DataFrame(rows)


def variant_sizes(model_name: str, channels: int, length: int, classes: int,
                  variants: dict[str, dict]) -> pd.DataFrame:
    """Parameters of each named variant (model keyword arguments) and its share of the first."""
    rows = [{"variant": label, "options": ", ".join(f"{k}={v}" for k, v in kw.items()) or "defaults",
             "parameters": count_parameters_of(model_name, channels, length, classes, **kw)}
            for label, kw in variants.items()]
    df = pd.DataFrame(rows)
    df["share of the first"] = df["parameters"] / df["parameters"].iloc[0]
    return df
