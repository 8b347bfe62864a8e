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

:func:`export_run` turns a stored run into a deployable folder (``model.onnx`` +
``model.json``) and :func:`load_exported` reads one back, refusing a folder whose parts do
not belong together: a ``model.onnx`` that is not the file exported with that
``model.json`` (its SHA-256 and its run key are recorded in both), a ``model.json`` that is
not valid JSON, lacks a field or holds an impossible value, or one that disagrees with the
graph (channels, window length, classes). Each message names the file and the field.

Needs the ``deploy`` extra (``pip install harlib[deploy]``): onnx, onnxscript, onnxruntime.
"""
from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import re
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..core.atomic import sha256sum
from ..core.checks import is_int, is_number

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
        raise ImportError(f"harlib.deploy.export needs {module!r}: pip install 'harlib[deploy]'") from e


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
                *, name: str | None = None, metadata: dict[str, str] | None = None) -> Path:
    """Export ``model`` (taking ``(batch, in_channels, length)`` windows) to ``path``.

    The model is exported in eval mode on the CPU (a copy, so the caller's model and its
    training flag are untouched). PyTorch has two exporters and neither handles every
    model, so they are tried in turn (:data:`ATTEMPTS`): the TorchScript-based one (fast),
    then the ``torch.export``-based one, each first with a dynamic batch dimension, then
    with a fixed batch of one window (for models whose code fixes the batch size while
    tracing; :class:`OnnxClassifier` then feeds them one window at a time). The file is
    written under a temporary name and renamed when complete, so a failed export leaves
    nothing; :class:`ExportError` gives each exporter's reason. ``name`` labels the model in
    messages (default: its class name); ``metadata`` is stored in the file's metadata
    properties (read them with :func:`onnx_metadata`).
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
            if metadata:
                _add_metadata(tmp, metadata)
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
            _add_metadata(tmp, {"harlib_int8_ops": "all supported" if ops is None else ", ".join(ops)})
            os.replace(tmp, dst)
            return dst
        except Exception as e:
            Path(tmp).unlink(missing_ok=True)
            reasons.append(f"{'all supported operators' if ops is None else ', '.join(ops)}: "
                           f"{type(e).__name__}: {e}")
    raise ExportError(f"{src} cannot be quantised to INT8:\n  " + "\n  ".join(reasons))


def _add_metadata(path: str | os.PathLike, props: dict[str, str]) -> None:
    """Store ``props`` in the metadata properties of the ONNX file at ``path`` (in place)."""
    import onnx
    model = onnx.load(str(path))
    for key, value in props.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, str(path))


def onnx_metadata(path: str | os.PathLike) -> dict[str, str]:
    """The metadata properties of the ONNX file at ``path``."""
    import onnx
    return {p.key: p.value for p in onnx.load(str(path), load_external_data=False).metadata_props}


def int8_ops(path: str | os.PathLike) -> str:
    """Which operator types :func:`quantize_int8` quantised in the file at ``path``."""
    return onnx_metadata(path).get("harlib_int8_ops", "unknown")


def export_run(run, directory: str | os.PathLike, sampling_rate: float | None = None,
               channel_names: list[str] | None = None) -> Path:
    """A stored run (:class:`harlib.training.runs.RunResult`) as a deployable folder: ``model.onnx``
    (its network at the best validation epoch, with the run key in its metadata) and
    ``model.json`` (the input shape, channel and class names, the training data's
    standardisation, the dataset, the run key, the SHA-256 of ``model.onnx`` and
    ``sampling_rate`` where given), which :func:`load_exported` and :mod:`harlib.deploy.streaming`
    read. ``norm_std`` holds what the network's input was divided by (1 for a channel that
    was constant in training), so it is positive. ``channel_names`` default to the run's
    (runs stored before they were recorded have none, and their folders match input
    columns by position). ``model.json`` is written last, under a temporary name renamed
    into place, so it never describes a half-written folder."""
    r = run.record
    if r.get("window", {}).get("history"):
        raise ExportError(f"run {run.key} ({r['model']}) reads each window after {r['window']['history']} "
                          "preceding windows cut one stride apart, which a deployed model fed raw samples "
                          "(harlib.deploy.streaming) does not rebuild; export its network with export_onnx instead")
    names = list(channel_names) if channel_names is not None else r.get("channel_names")
    if names is not None and len(names) != r["in_channels"]:
        raise ValueError(f"run {run.key} takes {r['in_channels']} channels, {len(names)} channel names given")
    directory = Path(directory)
    path = export_onnx(run.load_model(), r["in_channels"], r["window_length"], directory / "model.onnx",
                       name=f"{r['model']} (run {run.key})", metadata={RUN_KEY_PROP: run.key})
    meta = {"model": r["model"], "run_key": run.key, "dataset": r["dataset"],
            "in_channels": r["in_channels"], "window_length": r["window_length"],
            "n_classes": r["n_classes"], "class_names": r["class_names"], "channel_names": names,
            "norm_mean": r["norm_mean"], "norm_std": run.standardizer().scale_.tolist(),
            "sampling_rate": sampling_rate, "onnx_sha256": sha256sum(path),
            "input": "raw samples, standardised with norm_mean/norm_std, as (batch, channels, time)"}
    fd, tmp = tempfile.mkstemp(suffix=".json", dir=directory, prefix=".model-")
    with os.fdopen(fd, "w") as f:
        json.dump(meta, f, indent=1)
    os.chmod(tmp, 0o644)
    os.replace(tmp, directory / "model.json")
    return path


#: the metadata property of an exported ``model.onnx`` that holds its run's key
RUN_KEY_PROP = "harlib_run_key"
#: the fields every ``model.json`` has (older folders lack ``channel_names`` and ``onnx_sha256``)
BUNDLE_FIELDS = ("in_channels", "window_length", "class_names", "norm_mean", "norm_std")


def _bundle_error(meta_path: Path, field: str, why: str) -> ValueError:
    return ValueError(f"{meta_path}: field {field!r} {why}; export the run again")


def check_bundle_meta(meta, meta_path: Path) -> None:
    """Raise ``ValueError`` naming ``model.json`` and the field for a metadata dictionary
    that lacks a field of :data:`BUNDLE_FIELDS` or holds an impossible value."""
    if not isinstance(meta, dict):
        raise ValueError(f"{meta_path}: holds a JSON {type(meta).__name__}, not an object of fields; "
                         "export the run again")
    missing = [f for f in BUNDLE_FIELDS if f not in meta]
    if missing:
        raise _bundle_error(meta_path, missing[0], f"is missing (missing fields: {', '.join(missing)})")
    for f in ("in_channels", "window_length"):
        if not is_int(meta[f], 1):
            raise _bundle_error(meta_path, f, f"must be a positive integer, got {meta[f]!r}")
    n = meta["in_channels"]
    classes = meta["class_names"]
    if not (isinstance(classes, list) and classes and all(isinstance(c, str) for c in classes)):
        raise _bundle_error(meta_path, "class_names", f"must be a non-empty list of names, got {classes!r}")
    for f, low in (("norm_mean", None), ("norm_std", 0.0)):
        v = meta[f]
        if not (isinstance(v, list) and len(v) == n and all(is_number(x) and (low is None or x > low) for x in v)):
            rule = "finite numbers" if low is None else "finite numbers > 0"
            raise _bundle_error(meta_path, f, f"must list {n} {rule} (one per channel), got {v!r}")
    rate = meta.get("sampling_rate")
    if rate is not None and not (is_number(rate) and rate > 0):
        raise _bundle_error(meta_path, "sampling_rate", f"must be a positive number of samples per second "
                            f"or null, got {rate!r}")
    names = meta.get("channel_names")
    if names is not None and not (isinstance(names, list) and len(names) == n and len(set(names)) == n
                                  and all(isinstance(c, str) for c in names)):
        raise _bundle_error(meta_path, "channel_names", f"must list {n} different names (one per channel) "
                            f"or be null, got {names!r}")


def _check_onnx_identity(meta: dict, meta_path: Path, onnx_path: Path) -> None:
    """Refuse a ``model.onnx`` that is not the file exported with ``model.json``: its SHA-256
    must be the recorded ``onnx_sha256`` and the run key in its metadata the ``run_key``.
    A folder exported before the checksum was recorded is loaded with a warning."""
    try:
        onnx_key = onnx_metadata(onnx_path).get(RUN_KEY_PROP)
    except Exception:  # noqa: BLE001 - an unreadable file fails the checksum below
        onnx_key = None
    if onnx_key is not None and onnx_key != meta.get("run_key"):
        raise _bundle_error(meta_path, "run_key", f"is {meta.get('run_key')!r}, but {onnx_path} was "
                            f"exported from run {onnx_key!r} (a model.onnx of another run)")
    recorded = meta.get("onnx_sha256")
    if recorded is None:
        warnings.warn(f"{meta_path} records no SHA-256 of {onnx_path.name} (exported by an older "
                      "harlib): the file cannot be checked; export the run again to record one",
                      UserWarning, stacklevel=3)
    elif sha256sum(onnx_path) != recorded:
        raise _bundle_error(meta_path, "onnx_sha256", f"does not match {onnx_path}: the file was "
                            "altered or damaged after export")


def load_exported(directory: str | os.PathLike, threads: int = 1) -> tuple[OnnxClassifier, dict]:
    """The classifier and the checked ``model.json`` of a folder written by
    :func:`export_run` (see the module doc for what is refused)."""
    directory = Path(directory)
    meta_path, onnx_path = directory / "model.json", directory / "model.onnx"
    if not meta_path.is_file():
        raise FileNotFoundError(f"{directory} holds no model.json; export a run with harlib.deploy.export.export_run")
    if not onnx_path.is_file():
        raise FileNotFoundError(f"{directory} holds model.json but no model.onnx; export the run again")
    try:
        meta = json.loads(meta_path.read_text())
    except ValueError as e:
        raise ValueError(f"{meta_path}: not valid JSON ({e}); the file is truncated or damaged, "
                         "export the run again") from e
    check_bundle_meta(meta, meta_path)
    _check_onnx_identity(meta, meta_path, onnx_path)
    model = OnnxClassifier(onnx_path, threads=threads)
    for field, value, graph in (("in_channels", meta["in_channels"], model.in_channels),
                                ("window_length", meta["window_length"], model.length),
                                ("class_names", len(meta["class_names"]), model.n_classes),
                                ("n_classes", meta.get("n_classes", model.n_classes), model.n_classes)):
        if value != graph:
            raise _bundle_error(meta_path, field, f"gives {value!r}, but the graph in {onnx_path.name} "
                                f"has {graph} ({'classes' if 'class' in field else 'input size'})")
    return model, meta


__all__ = ["ATTEMPTS", "BUNDLE_FIELDS", "ExportError", "OPSET", "OnnxClassifier", "PARITY_ATOL",
           "PARITY_RTOL", "INT8_OPS", "RUN_KEY_PROP", "check_bundle_meta", "check_parity", "export_onnx",
           "export_run", "int8_ops", "load_exported", "onnx_metadata", "quantize_int8"]
