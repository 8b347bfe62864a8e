"""Deployment measurements of trained runs: torch against onnxruntime (fp32 and dynamic
INT8), latency by threads and batch, and what INT8 costs in macro-F1 on the run's own
test windows. Notebook 40 tabulates them; the exporting itself is :mod:`harlib.deploy.export`.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from ..models.inference import predict_outputs
from .efficiency import cpu_latency, time_calls
from .export import OnnxClassifier, check_parity, export_run, int8_ops, quantize_int8

RUNTIMES = ("torch", "onnxruntime fp32", "onnxruntime int8")


def onnx_latency(onnx_model: OnnxClassifier, batch: int = 1, warmup: int = 10,
                 repeats: int = 50) -> float:
    """Median wall-clock latency (ms) of one onnxruntime call on ``batch`` random windows."""
    if batch < 1 or repeats < 1:
        raise ValueError(f"need batch ≥ 1 and repeats ≥ 1, got {batch}, {repeats}")
    x = np.random.default_rng(0).normal(size=(batch, onnx_model.in_channels, onnx_model.length)).astype(np.float32)
    return float(np.median(time_calls(lambda: onnx_model.logits(x), warmup, repeats)))


def run_test_windows(run, ws) -> tuple[np.ndarray, np.ndarray]:
    """The run's test windows from ``ws`` (the window set it was trained on), standardised
    with its training statistics, and their labels."""
    idx = run.predictions["test_index"]
    if ws.n_channels != run.record["in_channels"] or ws.length != run.record["window_length"]:
        raise ValueError(f"run {run.key} takes ({run.record['in_channels']}, {run.record['window_length']}) "
                         f"windows; the window set has ({ws.n_channels}, {ws.length})")
    return run.standardizer().transform(ws.X[idx]), ws.y[idx]


def deployment_report(runs: dict, ws, directory: str | os.PathLike, *, threads=(1,),
                      batches=(1, 100), repeats: int = 50) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Export each run of ``runs`` (name → :class:`~harlib.training.runs.RunResult`, all trained on
    ``ws``) to ``directory/<name>/`` (fp32 and INT8) and measure it.

    Returns two tables: latency (``model``, ``runtime``, ``threads``, ``batch``,
    ``latency_ms``, ``per_window_ms``) and accuracy on the run's test windows (``model``,
    ``runtime``, ``quantised`` (the INT8 file's quantised operator types), ``f1_macro``,
    ``max_abs_logit_diff`` against torch, ``file_kb``)."""
    directory = Path(directory)
    lat, acc = [], []
    for name, run in runs.items():
        X, y = run_test_windows(run, ws)
        model = run.load_model()
        fp32 = export_run(run, directory / name)
        int8 = quantize_int8(fp32, directory / name / "model_int8.onnx")
        ref = None
        for runtime in RUNTIMES:
            if runtime == "torch":
                logits = predict_outputs(model, X, keys=("logits",))["logits"]
                ref, size = logits, np.nan
            else:
                path = fp32 if runtime.endswith("fp32") else int8
                onnx_model = OnnxClassifier(path, threads=1)
                if runtime.endswith("fp32"):
                    check_parity(model, onnx_model, X[:64])
                logits = np.concatenate([onnx_model.logits(X[i:i + 512]) for i in range(0, len(X), 512)])
                size = path.stat().st_size / 1024
            acc.append({"model": name, "runtime": runtime,
                        "quantised": int8_ops(int8) if runtime.endswith("int8") else "",
                        "f1_macro": float(f1_score(y, logits.argmax(1), average="macro")),
                        "max_abs_logit_diff": float(np.abs(logits - ref).max()), "file_kb": size})
            for t in threads:
                onnx_model = None if runtime == "torch" else OnnxClassifier(
                    fp32 if runtime.endswith("fp32") else int8, threads=t)
                for b in batches:
                    ms = (cpu_latency(model, X.shape[1], X.shape[2], batch=b, threads=t, repeats=repeats)["median_ms"]
                          if runtime == "torch" else onnx_latency(onnx_model, b, repeats=repeats))
                    lat.append({"model": name, "runtime": runtime, "threads": t, "batch": b,
                                "latency_ms": ms, "per_window_ms": ms / b})
    return pd.DataFrame(lat), pd.DataFrame(acc)


__all__ = ["RUNTIMES", "deployment_report", "onnx_latency", "run_test_windows"]
