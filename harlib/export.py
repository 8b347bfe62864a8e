"""ONNX export of harlib models, and running them with onnxruntime.

A trained classifier leaves PyTorch as one ``.onnx`` file: input ``x`` of shape
``(batch, channels, time)`` (float32, standardised as in training; the batch dimension is
dynamic), output ``logits`` ``(batch, n_classes)``. :class:`OnnxClassifier` runs it with
onnxruntime on the CPU, checking the input's shape against the file's.

PyTorch's two exporters are tried in turn (:func:`export_onnx`); a model neither can
export raises :class:`ExportError` with each one's reason, and nothing is left at the
target path. :func:`quantize_int8` applies
onnxruntime's dynamic INT8 quantisation (weights of MatMul/Gemm and, where onnxruntime
supports it, convolutions stored as INT8; activations quantised at run time).

Needs the ``deploy`` extra (``pip install harlib[deploy]``): onnx, onnxscript, onnxruntime.
"""
from __future__ import annotations

import contextlib
import copy
import io
import os
import re
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

#: opset of the exported graphs
OPSET = 18
#: tolerance of :func:`check_parity`: onnxruntime's fp32 logits against torch's
PARITY_ATOL = 1e-4
PARITY_RTOL = 1e-3


class ExportError(RuntimeError):
    """A model could not be exported to ONNX; the message says which model and why."""


def _require(module: str):
    try:
        return __import__(module)
    except ImportError as e:        # pragma: no cover - depends on the environment
        raise ImportError(f"harlib.export needs {module!r}: pip install 'harlib[deploy]'") from e


@contextlib.contextmanager
def _quiet_logging():
    """onnxruntime's quantiser logs advice through the root logger; keep it out of notebooks."""
    import logging
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(previous)


def _export(module: nn.Module, x: torch.Tensor, path: str, dynamo: bool, dynamic_batch: bool) -> None:
    from .efficiency import _quiet_native_stderr
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()), _quiet_native_stderr():
        warnings.simplefilter("ignore")
        if dynamo:
            shapes = {"x": {0: torch.export.Dim("batch", min=1)}} if dynamic_batch else None
            program = torch.onnx.export(module, (x,), dynamo=True, opset_version=OPSET,
                                        input_names=["x"], output_names=["logits"],
                                        dynamic_shapes=shapes, external_data=False, verbose=False)
            program.save(path)
        else:
            axes = {"x": {0: "batch"}, "logits": {0: "batch"}} if dynamic_batch else None
            torch.onnx.export(module, (x,), path, dynamo=False, opset_version=OPSET,
                              input_names=["x"], output_names=["logits"], dynamic_axes=axes)


#: the exporters tried in turn: (torch.export-based?, dynamic batch?)
ATTEMPTS = ((False, True), (True, True), (False, False), (True, False))


def export_onnx(model: nn.Module, in_channels: int, length: int, path: str | os.PathLike,
                *, name: str | None = None) -> Path:
    """Export ``model`` (taking ``(batch, in_channels, length)`` windows) to ``path``.

    The model is exported in eval mode on the CPU (a copy, so the caller's model and its
    training flag are untouched). PyTorch has two exporters and neither handles every
    model, so they are tried in turn (:data:`ATTEMPTS`): the TorchScript-based one (fast),
    then the ``torch.export``-based one, each first with a dynamic batch dimension, then
    with a fixed batch of one window (for models whose code fixes the batch size while
    tracing; :class:`OnnxClassifier` then feeds them one window at a time). The file is
    written under a temporary name and renamed when complete, so a failed export leaves
    nothing; :class:`ExportError` gives each exporter's reason. ``name`` labels the model in
    messages (default: its class name).
    """
    _require("onnxscript")
    name = name or type(model).__name__
    if min(in_channels, length) < 1:
        raise ValueError(f"{name}: in_channels and length must be ≥ 1, got {in_channels}, {length}")
    path = Path(path)
    if path.suffix != ".onnx":
        raise ValueError(f"{name}: the ONNX file must end in .onnx, got {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    module = copy.deepcopy(model).to("cpu").float().eval()      # forward gives the logits
    reasons = []
    for dynamo, dynamic_batch in ATTEMPTS:
        x = torch.randn(2 if dynamic_batch else 1, in_channels, length)
        fd, tmp = tempfile.mkstemp(suffix=".onnx", dir=path.parent, prefix=f".{path.stem}-")
        os.close(fd)
        try:
            _export(module, x, tmp, dynamo, dynamic_batch)
            # a graph that traced but fixed the batch anyway fails here, on another batch size
            OnnxClassifier(tmp).logits(np.zeros((3 if dynamic_batch else 1, in_channels, length), np.float32))
            os.replace(tmp, path)
            return path
        except Exception as e:
            Path(tmp).unlink(missing_ok=True)
            text = re.sub(r"\x1b\[[0-9;]*m", "", str(e)).strip()      # no terminal colours
            first = text.splitlines()[0] if text else ""
            reasons.append(f"{'torch.export' if dynamo else 'TorchScript'} exporter, "
                           f"{'dynamic' if dynamic_batch else 'fixed'} batch: {type(e).__name__}: {first[:200]}")
    raise ExportError(f"{name} ({in_channels} × {length}) cannot be exported to ONNX:\n  "
                      + "\n  ".join(reasons))


class OnnxClassifier:
    """An exported classifier run by onnxruntime on the CPU with ``threads`` threads.

    ``logits(x)`` takes float windows ``(batch, channels, time)`` as in training (already
    standardised) and returns ``(batch, n_classes)`` float32 logits; ``predict(x)`` the
    class indices."""

    def __init__(self, path: str | os.PathLike, threads: int = 1):
        ort = _require("onnxruntime")
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no ONNX model at {path}")
        if threads < 1:
            raise ValueError(f"threads must be ≥ 1, got {threads}")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        except Exception as e:
            raise ValueError(f"{path} is not a model onnxruntime can load: {e}") from e
        inp = self.session.get_inputs()[0]
        self.input_name, self.path, self.threads = inp.name, path, threads
        self.in_channels, self.length = inp.shape[1], inp.shape[2]
        self.n_classes = self.session.get_outputs()[0].shape[1]
        #: the batch size the graph is fixed to (None: any batch)
        self.fixed_batch = inp.shape[0] if isinstance(inp.shape[0], int) else None

    def logits(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim != 3 or x.shape[1:] != (self.in_channels, self.length):
            raise ValueError(f"{self.path.name} takes windows (batch, {self.in_channels}, {self.length}), "
                             f"got an array of shape {x.shape}")
        if not np.issubdtype(x.dtype, np.floating):
            raise ValueError(f"{self.path.name} takes float windows, got dtype {x.dtype}")
        x = x.astype(np.float32, copy=False)
        if self.fixed_batch is None or len(x) == self.fixed_batch:
            return self.session.run(None, {self.input_name: x})[0]
        if self.fixed_batch != 1:
            raise ValueError(f"{self.path.name} is fixed to batches of {self.fixed_batch}, got {len(x)}")
        return np.concatenate([self.session.run(None, {self.input_name: x[i:i + 1]})[0]
                               for i in range(len(x))]) if len(x) else np.zeros((0, self.n_classes), np.float32)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.logits(x).argmax(axis=1)


def check_parity(model: nn.Module, onnx_model: OnnxClassifier, x: np.ndarray,
                 atol: float = PARITY_ATOL, rtol: float = PARITY_RTOL) -> float:
    """The largest absolute difference between torch's and onnxruntime's logits on windows
    ``x``; raises ``AssertionError`` when any differs by more than ``atol + rtol · |torch|``."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            ref = model(torch.from_numpy(np.asarray(x, dtype=np.float32))).numpy()
    finally:
        model.train(was_training)
    got = onnx_model.logits(x)
    diff = np.abs(ref - got)
    bad = diff > atol + rtol * np.abs(ref)
    if bad.any():
        raise AssertionError(f"{onnx_model.path.name}: onnxruntime's logits differ from torch's by up to "
                             f"{diff.max():.2e} ({int(bad.sum())} of {bad.size} values beyond "
                             f"atol {atol} + rtol {rtol})")
    return float(diff.max())


#: operator sets :func:`quantize_int8` tries, in turn: every operator onnxruntime's dynamic
#: quantiser handles, then the matrix products only (for graphs whose convolution weights
#: are computed rather than stored, which its ConvInteger path rejects)
INT8_OPS = (None, ("MatMul", "Gemm"))


def quantize_int8(src: str | os.PathLike, dst: str | os.PathLike) -> Path:
    """onnxruntime's dynamic INT8 quantisation of the model at ``src``, written to ``dst``
    (atomically: a failure leaves nothing there). The operator types quantised are stored
    in the file's metadata (``harlib_int8_ops``; read them with :func:`int8_ops`)."""
    _require("onnxruntime")
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    src, dst = Path(src), Path(dst)
    if not src.is_file():
        raise FileNotFoundError(f"no ONNX model at {src}")
    dst.parent.mkdir(parents=True, exist_ok=True)
    reasons = []
    for ops in INT8_OPS:
        fd, tmp = tempfile.mkstemp(suffix=".onnx", dir=dst.parent, prefix=f".{dst.stem}-")
        os.close(fd)
        try:
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), _quiet_logging():
                warnings.simplefilter("ignore")
                quantize_dynamic(str(src), tmp, weight_type=QuantType.QInt8,
                                 op_types_to_quantize=list(ops) if ops else None)
            model = onnx.load(tmp)
            entry = model.metadata_props.add()
            entry.key, entry.value = "harlib_int8_ops", "all supported" if ops is None else ", ".join(ops)
            onnx.save(model, tmp)
            os.replace(tmp, dst)
            return dst
        except Exception as e:
            Path(tmp).unlink(missing_ok=True)
            reasons.append(f"{'all supported operators' if ops is None else ', '.join(ops)}: "
                           f"{type(e).__name__}: {e}")
    raise ExportError(f"{src} cannot be quantised to INT8:\n  " + "\n  ".join(reasons))


def int8_ops(path: str | os.PathLike) -> str:
    """Which operator types :func:`quantize_int8` quantised in the file at ``path``."""
    import onnx
    props = {p.key: p.value for p in onnx.load(str(path), load_external_data=False).metadata_props}
    return props.get("harlib_int8_ops", "unknown")


def export_run(run, directory: str | os.PathLike, sampling_rate: float | None = None) -> Path:
    """A stored run (:class:`harlib.runs.RunResult`) as a deployable folder: ``model.onnx``
    (its network at the best validation epoch) and ``model.json`` (the input shape, class
    names, the training data's standardisation, the dataset and the run key, and
    ``sampling_rate`` where given), which :mod:`harlib.streaming` reads."""
    import json
    r = run.record
    if r.get("window", {}).get("history"):
        raise ExportError(f"run {run.key} ({r['model']}) reads each window after {r['window']['history']} "
                          "preceding windows cut one stride apart, which a deployed model fed raw samples "
                          "(harlib.streaming) does not rebuild; export its network with export_onnx instead")
    directory = Path(directory)
    path = export_onnx(run.load_model(), r["in_channels"], r["window_length"], directory / "model.onnx",
                       name=f"{r['model']} (run {run.key})")
    meta = {"model": r["model"], "run_key": run.key, "dataset": r["dataset"],
            "in_channels": r["in_channels"], "window_length": r["window_length"],
            "n_classes": r["n_classes"], "class_names": r["class_names"],
            "norm_mean": r["norm_mean"], "norm_std": r["norm_std"], "sampling_rate": sampling_rate,
            "input": "raw samples, standardised with norm_mean/norm_std, as (batch, channels, time)"}
    (directory / "model.json").write_text(json.dumps(meta, indent=1))
    return path


__all__ = ["ATTEMPTS", "ExportError", "OPSET", "OnnxClassifier", "PARITY_ATOL", "PARITY_RTOL",
           "INT8_OPS", "check_parity", "export_onnx", "export_run", "int8_ops", "quantize_int8"]
