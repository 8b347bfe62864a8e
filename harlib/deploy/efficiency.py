"""Efficiency harness: parameters, FLOPs, CPU latency, inference memory and paper B's
real-time rule, for any model taking ``(batch, channels, time)`` input.

Paper B (Section 4.4, Table 5) compares baselines by parameter count, memory and
inference latency on a Raspberry Pi 5 (PyTorch 2.2.2), and calls a model deployable when
one window's inference takes under 5 % of the window's duration (e.g. 200 ms for WISDM's
4 s windows). This module measures the same quantities on whatever CPU runs it; timings
depend on the machine, thread count and load, so record them (``efficiency_report`` does)
and compare only numbers measured together.

Example::

    from harlib.deploy.efficiency import efficiency_report
    rep = efficiency_report(model, in_channels=9, length=128, sampling_rate=50.0)
    rep["params"], rep["flops"], rep["latency_median_ms"], rep["realtime_ok"]
"""
from __future__ import annotations

import contextlib
import copy
import os
import platform
import sys
import time
from typing import Any, Iterator

import numpy as np
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

_MB = float(2 ** 20)


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameter elements (shared parameters counted once)."""
    return int(sum(p.numel() for p in model.parameters()
                   if p.requires_grad or not trainable_only))


def parameter_memory_mb(model: nn.Module) -> float:
    """Bytes held by parameters and buffers (BN running statistics …), in MiB."""
    tensors = list(model.parameters()) + list(model.buffers())
    return sum(t.numel() * t.element_size() for t in tensors) / _MB


def _dtype_of(model: nn.Module) -> torch.dtype:
    for p in model.parameters():
        if p.is_floating_point():
            return p.dtype
    return torch.get_default_dtype()


def _device_of(model: nn.Module) -> torch.device:
    for p in model.parameters():
        return p.device
    return torch.device("cpu")


def _on_cpu(model: nn.Module) -> nn.Module:
    """The model itself when it lives on the CPU, otherwise a CPU copy (the original stays
    where it is)."""
    if all(t.device.type == "cpu" for t in list(model.parameters()) + list(model.buffers())):
        return model
    return copy.deepcopy(model).cpu()


@contextlib.contextmanager
def _inference(model: nn.Module) -> Iterator[None]:
    """Eval mode and no autograd for the duration; restores the training flag after."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        model.train(was_training)


def _window(model: nn.Module, in_channels: int, length: int, batch: int = 1,
            device: torch.device | None = None) -> torch.Tensor:
    if min(in_channels, length, batch) < 1:
        raise ValueError(f"in_channels, length and batch must be ≥ 1, got "
                         f"{in_channels}, {length}, {batch}")
    return torch.randn(batch, in_channels, length, dtype=_dtype_of(model),
                       device=device if device is not None else _device_of(model))


_GATES = {nn.LSTM: 4, nn.GRU: 3, nn.RNN: 1}


def recurrent_flops(module: nn.RNNBase, steps: int, batch: int = 1) -> int:
    """FLOPs of the gate matrix products of a recurrent layer over ``steps`` time steps:
    per layer and direction, ``2 · gates · hidden · (input + hidden)`` per step.
    (The flop counter has no formula for the fused CPU LSTM/GRU kernels, so these are added
    analytically.)"""
    gates = next(g for cls, g in _GATES.items() if isinstance(module, cls))
    directions = 2 if module.bidirectional else 1
    total = 0
    for layer in range(module.num_layers):
        n_in = module.input_size if layer == 0 else module.hidden_size * directions
        total += 2 * gates * module.hidden_size * (n_in + module.hidden_size) * directions
    return total * steps * batch


def flops_per_window(model: nn.Module, in_channels: int, length: int) -> int:
    """FLOPs of one forward pass on a single window ``(1, in_channels, length)``.

    Counted by :class:`torch.utils.flop_counter.FlopCounterMode` (eval mode, no grad), plus
    :func:`recurrent_flops` for LSTM/GRU/RNN layers whose products that counter does not see
    (the fused CPU LSTM kernel; GRU is decomposed into counted products).
    Convention: a multiply–accumulate counts as 2 FLOPs, and only matrix products,
    convolutions, attention and recurrent gates are counted (Linear ``in→out``:
    ``2·in·out`` per row; Conv1d: ``2·C_out·L_out·(C_in/groups)·k``). Biases,
    normalisation, activations, pooling, element-wise ops and FFTs are not counted; they are
    usually a small share for these networks.
    """
    x = _window(model, in_channels, length)
    counter = FlopCounterMode(display=False)
    extra, before = [], {}

    def pre(module, _inputs):
        before[module] = counter.get_total_flops()

    def post(module, inputs, _output):
        if counter.get_total_flops() > before.pop(module):
            return                             # the counter saw this layer's products
        seq = inputs[0]
        if seq.dim() == 2:                     # unbatched (time, features)
            steps, batch = seq.shape[0], 1
        elif module.batch_first:
            batch, steps = seq.shape[:2]
        else:
            steps, batch = seq.shape[:2]
        extra.append(recurrent_flops(module, steps, batch))

    recurrent = [m for m in model.modules() if isinstance(m, tuple(_GATES))]
    hooks = [h for m in recurrent for h in (m.register_forward_pre_hook(pre),
                                            m.register_forward_hook(post))]
    try:
        with _inference(model), counter:
            model(x)
    finally:
        for h in hooks:
            h.remove()
    return int(counter.get_total_flops()) + int(sum(extra))


def time_calls(call, warmup: int, repeats: int) -> np.ndarray:
    """Milliseconds of each of ``repeats`` calls of ``call()`` (``time.perf_counter``), after
    ``warmup`` untimed calls: the timing loop of every latency in harlib, whatever runs
    the model."""
    for _ in range(warmup):
        call()
    times = np.empty(repeats)
    for i in range(repeats):
        start = time.perf_counter()
        call()
        times[i] = time.perf_counter() - start
    return times * 1e3


def cpu_latency(model: nn.Module, in_channels: int, length: int, batch: int = 1,
                threads: int = 1, warmup: int = 10, repeats: int = 50) -> dict[str, Any]:
    """Wall-clock CPU latency of ``model(x)`` for ``x`` of shape ``(batch, in_channels,
    length)``, in eval mode under ``torch.no_grad()``.

    ``torch.set_num_threads(threads)`` is applied for the measurement and the previous value
    restored afterwards. ``warmup`` untimed calls precede ``repeats`` timed calls
    (``time.perf_counter``). A model on another device is measured on a CPU copy.

    Returns ``median_ms``, ``p90_ms``, ``mean_ms``, ``min_ms``, ``max_ms``,
    ``per_window_ms`` (median / batch) and the settings ``batch``, ``threads``, ``warmup``,
    ``repeats``, ``in_channels``, ``length``.
    """
    if threads < 1 or repeats < 1 or warmup < 0:
        raise ValueError("need threads ≥ 1, repeats ≥ 1 and warmup ≥ 0")
    cpu_model = _on_cpu(model)
    x = _window(cpu_model, in_channels, length, batch, device=torch.device("cpu"))
    previous = torch.get_num_threads()
    try:
        torch.set_num_threads(threads)
        with _inference(cpu_model):
            ms = time_calls(lambda: cpu_model(x), warmup, repeats)
    finally:
        torch.set_num_threads(previous)
    median = float(np.median(ms))
    return {"median_ms": median, "p90_ms": float(np.percentile(ms, 90)),
            "mean_ms": float(ms.mean()), "min_ms": float(ms.min()), "max_ms": float(ms.max()),
            "per_window_ms": median / batch, "batch": int(batch), "threads": int(threads),
            "warmup": int(warmup), "repeats": int(repeats), "in_channels": int(in_channels),
            "length": int(length)}


def cuda_latency_ms(model: nn.Module, in_channels: int, length: int, batch: int = 1,
                    warmup: int = 10, repeats: int = 50, device: str = "cuda") -> dict[str, float]:
    """Latency of ``model(x)`` on a CUDA device, ``x`` of shape ``(batch, in_channels,
    length)``: CUDA events around each call after ``warmup`` calls, in eval mode under
    ``torch.no_grad()``; median and peak allocated device memory (MiB) of the timed calls.
    The model is measured on a copy moved to ``device``. Raises ``RuntimeError`` without
    CUDA."""
    if not torch.cuda.is_available():
        raise RuntimeError("cuda_latency_ms needs a CUDA device; torch.cuda.is_available() is False")
    if repeats < 1 or warmup < 0 or batch < 1:
        raise ValueError("need batch ≥ 1, repeats ≥ 1 and warmup ≥ 0")
    import copy
    dev = torch.device(device)
    gpu_model = copy.deepcopy(model).to(dev).eval()
    x = torch.randn(batch, in_channels, length, device=dev)
    times = []
    with torch.no_grad():
        for _ in range(warmup):
            gpu_model(x)
        torch.cuda.synchronize(dev)
        torch.cuda.reset_peak_memory_stats(dev)
        for _ in range(repeats):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            gpu_model(x)
            end.record()
            torch.cuda.synchronize(dev)
            times.append(start.elapsed_time(end))
    return {"median_ms": float(np.median(times)), "per_window_ms": float(np.median(times)) / batch,
            "peak_allocated_mb": torch.cuda.max_memory_allocated(dev) / 2 ** 20, "batch": int(batch)}


def peak_memory_mb(model: nn.Module, in_channels: int, length: int, batch: int = 1) -> float:
    """Peak tensor memory allocated *during* one inference forward pass, in MiB.

    Measured with the PyTorch profiler (``torch.profiler.profile(profile_memory=True)``, CPU):
    every allocation and release made by an operator is replayed in time order and the
    maximum of the running total is returned. This is the activation/workspace memory of
    inference (eval mode, no grad) on top of what already exists — parameters, buffers and
    the input window are *not* included (see :func:`parameter_memory_mb`); scratch memory an
    operator allocates and frees internally is not visible to the profiler. It is therefore
    much smaller than paper B's Table 5 "Memory" (≈700–900 MB), which evidently includes the
    whole Python/PyTorch process; :func:`process_peak_rss_mb` gives that kind of number.
    Deterministic for a given model, shape and PyTorch build, unlike RSS deltas.
    """
    from torch.profiler import ProfilerActivity, profile

    cpu_model = _on_cpu(model)
    x = _window(cpu_model, in_channels, length, batch, device=torch.device("cpu"))
    with _inference(cpu_model):
        cpu_model(x)                       # warm-up: lazy initialisations are not inference
        with _quiet_native_stderr(), profile(activities=[ProfilerActivity.CPU],
                                             profile_memory=True) as prof:
            cpu_model(x)
    deltas = sorted((e.time_range.start, e.self_cpu_memory_usage) for e in prof.events()
                    if e.self_cpu_memory_usage)
    running = peak = 0
    for _, delta in deltas:
        running += delta
        peak = max(peak, running)
    return peak / _MB


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Silence what native code writes to file descriptor 2 (the profiler's start/stop
    trace lines), restoring it afterwards."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):          # no real descriptor 2 (some embedded consoles)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def process_peak_rss_mb() -> float:
    """Peak resident set size of this whole process so far, in MiB — comparable in kind to
    paper B's memory column, but it never decreases and includes everything the process has
    done. On Linux it is ``VmHWM`` of ``/proc/self/status`` (the peak of this program's own
    memory image); elsewhere ``getrusage``, whose figure in a freshly started child can still
    carry the parent's peak. Not available on Windows (raises ImportError)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / _MB
    except OSError:
        pass
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / _MB if sys.platform == "darwin" else rss * 1024 / _MB


_FRESH_PROCESS_SCRIPT = """
import json, sys, torch
from harlib.deploy.efficiency import process_peak_rss_mb
from harlib.models import create_model
a = json.loads(sys.argv[1])
torch.set_num_threads(a["threads"])
torch.manual_seed(0)
model = create_model(a["model"], a["in_channels"], a["n_classes"], a["length"], **a["kwargs"])
model.eval()
x = torch.randn(a["batch"], a["in_channels"], a["length"])
with torch.no_grad():
    for _ in range(a["repeats"]):
        model(x)
print(json.dumps({"peak_rss_mb": process_peak_rss_mb()}))
"""


def fresh_process_memory_mb(model_name: str, in_channels: int, n_classes: int, length: int,
                            *, batch: int = 1, repeats: int = 100, threads: int = 1,
                            timeout: float = 600.0, **model_kwargs) -> float:
    """Peak resident memory (MiB) of a *fresh* Python process that imports PyTorch, builds
    the registered model ``model_name`` and runs ``repeats`` inference passes on a batch of
    ``batch`` windows — the kind of number paper B's Table 5 reports as "Memory" (its 100
    consecutive inferences, whole process). Unlike :func:`process_peak_rss_mb` in a
    notebook, it does not carry what the calling process did before.

    Raises ``RuntimeError`` with the child's error output if the child fails (an unknown
    model name, a bad shape).
    """
    import json
    import subprocess

    args = {"model": model_name, "in_channels": int(in_channels), "n_classes": int(n_classes),
            "length": int(length), "batch": int(batch), "repeats": int(repeats),
            "threads": int(threads), "kwargs": model_kwargs}
    if min(args["in_channels"], args["n_classes"], args["length"], args["batch"],
           args["repeats"], args["threads"]) < 1:
        raise ValueError(f"in_channels, n_classes, length, batch, repeats and threads must "
                         f"be ≥ 1, got {args}")
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    proc = subprocess.run([sys.executable, "-c", _FRESH_PROCESS_SCRIPT, json.dumps(args)],
                          capture_output=True, text=True, timeout=timeout, env=env)
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["(no error output)"]
        raise RuntimeError(f"memory measurement of {model_name!r} at "
                           f"({in_channels}, {length}) failed in the child process: {tail[0]}")
    return float(json.loads(proc.stdout.strip().splitlines()[-1])["peak_rss_mb"])


def realtime_ok(latency_ms: float, window_seconds: float, fraction: float = 0.05) -> bool:
    """Paper B's rule (Section 4.4): a model is real-time capable when inferring one window
    takes less than ``fraction`` (5 %) of the window's duration, e.g. < 200 ms for a 4 s
    window. ``latency_ms`` in milliseconds, ``window_seconds`` in seconds."""
    if window_seconds <= 0 or not 0 < fraction <= 1:
        raise ValueError(f"need window_seconds > 0 and 0 < fraction ≤ 1, got "
                         f"{window_seconds}, {fraction}")
    if latency_ms < 0:
        raise ValueError(f"latency must be non-negative, got {latency_ms}")
    return bool(latency_ms < fraction * window_seconds * 1000.0)


def efficiency_report(model: nn.Module, in_channels: int, length: int, sampling_rate: float,
                      *, batch: int = 1, threads: int = 1, warmup: int = 10,
                      repeats: int = 50, fraction: float = 0.05) -> dict[str, Any]:
    """All efficiency figures of ``model`` for windows of ``length`` samples at
    ``sampling_rate`` Hz, as one flat dict (one row of a results table).

    Keys: ``model``, ``in_channels``, ``length``, ``sampling_rate``, ``window_seconds``,
    ``params``, ``trainable_params``, ``param_memory_mb``, ``flops``, ``mflops``,
    ``latency_median_ms``, ``latency_p90_ms``, ``latency_mean_ms`` (single window, batch 1),
    ``batch``, ``batch_latency_median_ms``, ``batch_latency_p90_ms``, ``per_window_ms``
    (throughput at ``batch``; equal to the single-window figures when ``batch == 1``),
    ``peak_memory_mb`` (inference activations at ``batch``, see :func:`peak_memory_mb`),
    ``threads``, ``warmup``, ``repeats``, ``budget_ms`` (= fraction × window duration),
    ``realtime_fraction``, ``realtime_ok`` (median single-window latency < budget),
    ``torch_version``, ``machine``.
    """
    if sampling_rate <= 0:
        raise ValueError(f"sampling_rate must be positive, got {sampling_rate}")
    window_seconds = length / float(sampling_rate)
    single = cpu_latency(model, in_channels, length, batch=1, threads=threads,
                         warmup=warmup, repeats=repeats)
    batched = single if batch == 1 else cpu_latency(
        model, in_channels, length, batch=batch, threads=threads, warmup=warmup,
        repeats=repeats)
    flops = flops_per_window(model, in_channels, length)
    budget = fraction * window_seconds * 1000.0
    return {
        "model": type(model).__name__,
        "in_channels": int(in_channels),
        "length": int(length),
        "sampling_rate": float(sampling_rate),
        "window_seconds": window_seconds,
        "params": count_parameters(model),
        "trainable_params": count_parameters(model, trainable_only=True),
        "param_memory_mb": parameter_memory_mb(model),
        "flops": flops,
        "mflops": flops / 1e6,
        "latency_median_ms": single["median_ms"],
        "latency_p90_ms": single["p90_ms"],
        "latency_mean_ms": single["mean_ms"],
        "batch": int(batch),
        "batch_latency_median_ms": batched["median_ms"],
        "batch_latency_p90_ms": batched["p90_ms"],
        "per_window_ms": batched["per_window_ms"],
        "peak_memory_mb": peak_memory_mb(model, in_channels, length, batch),
        "threads": int(threads),
        "warmup": int(warmup),
        "repeats": int(repeats),
        "budget_ms": budget,
        "realtime_fraction": float(fraction),
        "realtime_ok": realtime_ok(single["median_ms"], window_seconds, fraction),
        "torch_version": torch.__version__,
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
    }


EFFICIENCY_COLUMNS = ("params", "mflops", "latency_median_ms", "batch_latency_median_ms",
                      "peak_memory_mb", "budget_ms", "realtime_ok")


def efficiency_table(windows: dict, models, repeats: int = 50, *, batch: int = 100,
                     threads: int = 1):
    """One row per dataset × model: :data:`EFFICIENCY_COLUMNS` of :func:`efficiency_report`
    for each registered model built for the dataset's windows (``windows``: name →
    :class:`~harlib.data.windows.WindowSet`), timed ``repeats`` times after
    ``max(2, repeats // 5)`` warm-up calls, single window and a batch of ``batch``.
    Names without a registered network (the classical models) are skipped.
    Columns: ``dataset``, ``model``, then :data:`EFFICIENCY_COLUMNS`."""
    import pandas as pd

    from ..models import create_model, model_names

    registered = set(model_names())
    rows = []
    for name, ws in windows.items():
        for m in models:
            if m not in registered:
                continue
            model = create_model(m, ws.n_channels, ws.n_classes, ws.length)
            rep = efficiency_report(model, ws.n_channels, ws.length, ws.sampling_rate,
                                    batch=batch, threads=threads, warmup=max(2, repeats // 5),
                                    repeats=repeats)
            rows.append({"dataset": name, "model": m, **{k: rep[k] for k in EFFICIENCY_COLUMNS}})
    return pd.DataFrame(rows, columns=["dataset", "model", *EFFICIENCY_COLUMNS])


def latency_rounds(model: nn.Module, in_channels: int, length: int, *, rounds: int = 10,
                   per_round: int = 100, threads: int = 1, warmup: int = 10):
    """Paper B's §4.4 latency test: ``rounds`` rounds of ``per_round`` consecutive
    single-window inferences, timed one by one (:func:`cpu_latency`, batch 1, ``threads``
    threads). One row per round: ``round``, ``single_ms`` (the round's median single-window
    latency) and ``consecutive_ms`` (the round's total: ``per_round`` windows inferred one
    after another, B's "continuously infer 100 samples")."""
    import pandas as pd

    if rounds < 1 or per_round < 1:
        raise ValueError(f"need rounds ≥ 1 and per_round ≥ 1, got {rounds}, {per_round}")
    rows = []
    for r in range(rounds):
        lat = cpu_latency(model, in_channels, length, batch=1, threads=threads,
                          warmup=warmup if r == 0 else 0, repeats=per_round)
        rows.append({"round": r, "single_ms": lat["median_ms"],
                     "consecutive_ms": lat["mean_ms"] * per_round})
    return pd.DataFrame(rows)


__all__ = ["count_parameters", "parameter_memory_mb", "flops_per_window", "cpu_latency",
           "peak_memory_mb", "process_peak_rss_mb", "fresh_process_memory_mb", "realtime_ok",
           "efficiency_report", "EFFICIENCY_COLUMNS", "efficiency_table", "latency_rounds",
           "time_calls"]
