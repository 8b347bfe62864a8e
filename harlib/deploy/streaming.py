"""Streaming recognition: a classifier fed one sample at a time, as a device would run it.

:class:`StreamingRecognizer` keeps the last ``window`` samples in a ring buffer. Once the
buffer is full it classifies the window every ``stride`` samples and emits a label, with
the time the step took (assembling, standardising and classifying the window). Any
classifier that maps float windows ``(1, channels, window)`` to logits works: an exported
:class:`harlib.deploy.export.OnnxClassifier`, or a torch model through :func:`torch_classifier`.

Input is checked sample by sample: a wrong channel count, a non-finite value or a
non-finite timestamp raises ``ValueError`` naming the sample. With timestamps, a gap longer
than ``max_gap`` seconds is **reported, not bridged**: the buffer restarts after it, so no
window mixes samples from both sides, and the gap is listed in the result. With timestamps
and a ``sampling_rate``, the stream's rate (from the median step between timestamps, which
gaps do not move) must be within :data:`RATE_TOLERANCE` of the model's: a model fed samples
at another rate sees every movement sped up or slowed down, and its labels mean nothing.

:func:`frame_labels` turns the emissions into one predicted label per sample (each label
holds until the next), and :func:`stream_scores` scores them against the recording's own
labels.

From the shell: ``python -m harlib.deploy.streaming MODEL_DIR samples.csv --stride 25`` runs an
exported model (:func:`harlib.deploy.export.export_run`) over a CSV of raw samples (a header row,
then one row per sample, one column per channel, and optionally a ``timestamp`` column in
seconds) and prints one line per emitted label. Columns are matched to the model's channels
by name (``channel_names`` in ``model.json``), in any order; a missing or unknown column is
refused. A folder exported before channel names were recorded takes the columns in file
order, and says so. Anything the run cannot use (an empty file, no header row, a value that
is not a finite number, fewer samples than one window, a ``--stride`` outside 1..window)
exits with a message naming the file and, where there is one, the line and column.
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score

from ..data.base import UNLABELLED

Classifier = Callable[[np.ndarray], np.ndarray]

#: how far a stream's sampling rate may be from the model's, as a fraction of the model's
RATE_TOLERANCE = 0.05


def check_rate(timestamps: np.ndarray, sampling_rate: float) -> None:
    """Raise ``ValueError`` unless the median step between ``timestamps`` (seconds) is
    within :data:`RATE_TOLERANCE` of ``1 / sampling_rate``. Steps next to a non-finite
    timestamp are left out (the sample-by-sample check names that sample)."""
    steps = np.diff(np.asarray(timestamps, dtype=np.float64))
    steps = steps[np.isfinite(steps)]
    if len(steps) == 0:
        return
    step = float(np.median(steps))
    rate = 1.0 / step if step > 0 else float("inf")
    if not abs(rate - sampling_rate) <= RATE_TOLERANCE * sampling_rate:
        raise ValueError(f"the timestamps step {step:.6g} s (median), {rate:.4g} Hz; the model takes "
                         f"{sampling_rate:g} Hz (tolerance ±{RATE_TOLERANCE:.0%}). Resample the stream "
                         "to the model's rate")


def torch_classifier(model) -> Classifier:
    """A torch model as a classifier of float32 windows (eval mode, no autograd)."""
    import torch
    model.eval()

    def classify(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return model(torch.from_numpy(x)).numpy()
    return classify


@dataclass
class StreamResult:
    """What a stream produced: one row per emitted label (``sample``: index of the window's
    last sample, ``label``, ``latency_ms``) and the gaps found (``after_sample``,
    ``seconds``)."""

    emissions: pd.DataFrame
    gaps: list[dict] = field(default_factory=list)
    n_samples: int = 0


class StreamingRecognizer:
    """Label a stream of samples with ``classify`` over sliding windows.

    classify: float32 windows ``(1, channels, window)`` → logits ``(1, classes)``.
    n_channels, window: the model's input; stride: samples between two labels
        (1 ≤ stride ≤ window).
    mean, std: per-channel standardisation of the training data (``None``: none).
    sampling_rate, max_gap: with timestamps, a step longer than ``max_gap`` seconds
        (default 1.5 sample periods) is a gap.
    """

    def __init__(self, classify: Classifier, n_channels: int, window: int, stride: int,
                 mean=None, std=None, sampling_rate: float | None = None,
                 max_gap: float | None = None):
        if not (isinstance(window, int) and window >= 1):
            raise ValueError(f"window must be a positive number of samples, got {window!r}")
        if not (isinstance(stride, int) and 1 <= stride <= window):
            raise ValueError(f"stride must be between 1 and the window ({window} samples), got {stride!r}")
        if not (isinstance(n_channels, int) and n_channels >= 1):
            raise ValueError(f"n_channels must be a positive integer, got {n_channels!r}")
        self.classify, self.n_channels, self.window, self.stride = classify, n_channels, window, stride
        self.mean = np.zeros(n_channels) if mean is None else np.asarray(mean, dtype=np.float64)
        std = np.ones(n_channels) if std is None else np.asarray(std, dtype=np.float64)
        if self.mean.shape != (n_channels,) or std.shape != (n_channels,):
            raise ValueError(f"mean and std need one value per channel ({n_channels}), got "
                             f"{self.mean.shape} and {std.shape}")
        self.scale = np.where(std > 1e-8, std, 1.0)
        if max_gap is None and sampling_rate is not None:
            max_gap = 1.5 / sampling_rate
        self.max_gap, self.sampling_rate = max_gap, sampling_rate
        self.reset()

    def reset(self) -> None:
        """Empty the buffer (the next label comes after a full window)."""
        self.buffer = np.zeros((self.window, self.n_channels), dtype=np.float64)
        self.filled = 0            # samples in the buffer (≤ window)
        self.position = 0          # where the next sample goes
        self.since_label = 0       # samples since the last label
        self.emitted = False       # the first label comes as soon as the buffer is full
        self.last_time = None

    def push(self, sample, index: int = -1, timestamp: float | None = None) -> tuple[int, float] | None:
        """Add one sample; returns ``(label, latency_ms)`` when this sample completes a step,
        else ``None``. ``index`` only labels error messages and gaps; a gap before this
        sample is left in ``last_gap`` (else ``None``)."""
        self.last_gap = None
        x = np.asarray(sample, dtype=np.float64)
        if x.shape != (self.n_channels,):
            raise ValueError(f"sample {index}: expected {self.n_channels} channels, got shape {x.shape}")
        if not np.isfinite(x).all():
            bad = int(np.flatnonzero(~np.isfinite(x))[0])
            raise ValueError(f"sample {index}: channel {bad} is {x[bad]}; the stream must be finite")
        if timestamp is not None:
            if not np.isfinite(timestamp):
                raise ValueError(f"sample {index}: timestamp is {timestamp}; timestamps must be finite")
            if self.last_time is not None:
                step = timestamp - self.last_time
                if step <= 0:
                    raise ValueError(f"sample {index}: timestamp {timestamp} does not follow {self.last_time}")
                if self.max_gap is not None and step > self.max_gap:
                    self.last_gap = {"after_sample": index - 1, "seconds": float(step)}
                    self.reset()             # no window spans the gap
            self.last_time = timestamp
        self.buffer[self.position] = x
        self.position = (self.position + 1) % self.window
        self.filled = min(self.filled + 1, self.window)
        self.since_label += 1
        if self.filled < self.window or (self.emitted and self.since_label < self.stride):
            return None
        start = time.perf_counter()
        ordered = np.concatenate([self.buffer[self.position:], self.buffer[:self.position]])
        win = ((ordered - self.mean) / self.scale).T[None].astype(np.float32)
        label = int(np.asarray(self.classify(win))[0].argmax())
        self.since_label, self.emitted = 0, True
        return label, (time.perf_counter() - start) * 1e3

    def run(self, signal: np.ndarray, timestamps: np.ndarray | None = None) -> StreamResult:
        """Feed ``signal`` ``(time, channels)`` sample by sample (optionally with
        ``timestamps`` in seconds, whose rate is checked against ``sampling_rate``:
        :func:`check_rate`) from an empty buffer."""
        signal = np.asarray(signal)
        if signal.ndim != 2 or signal.shape[1] != self.n_channels:
            raise ValueError(f"the stream must be (time, {self.n_channels}), got shape {signal.shape}")
        if timestamps is not None and len(timestamps) != len(signal):
            raise ValueError(f"{len(timestamps)} timestamps for {len(signal)} samples")
        if timestamps is not None and self.sampling_rate is not None:
            check_rate(timestamps, self.sampling_rate)
        self.reset()
        rows, gaps = [], []
        for i in range(len(signal)):
            out = self.push(signal[i], i, None if timestamps is None else float(timestamps[i]))
            if self.last_gap is not None:
                gaps.append(self.last_gap)
            if out is not None:
                rows.append({"sample": i, "label": out[0], "latency_ms": out[1]})
        return StreamResult(pd.DataFrame(rows, columns=["sample", "label", "latency_ms"]), gaps, len(signal))


def frame_labels(result: StreamResult) -> np.ndarray:
    """One predicted label per sample: the latest label emitted at or before it
    (``UNLABELLED`` before the first label and after a gap until the next one)."""
    pred = np.full(result.n_samples, UNLABELLED, dtype=np.int64)
    ends = list(result.emissions["sample"]) + [result.n_samples]
    for (s, label), e in zip(result.emissions[["sample", "label"]].itertuples(index=False), ends[1:]):
        pred[s:e] = label
    for g in result.gaps:              # a gap voids the held label until the next emission
        after = g["after_sample"] + 1
        nxt = [s for s in result.emissions["sample"] if s >= after]
        pred[after:nxt[0] if nxt else result.n_samples] = UNLABELLED
    return pred


def stream_scores(pred: np.ndarray, truth: np.ndarray) -> dict:
    """Macro-F1 and accuracy of per-sample predictions against per-sample labels, over the
    samples that have both (``coverage``: their share of the labelled samples)."""
    pred, truth = np.asarray(pred), np.asarray(truth)
    if pred.shape != truth.shape:
        raise ValueError(f"predictions {pred.shape} and labels {truth.shape} differ in length")
    labelled = truth != UNLABELLED
    both = labelled & (pred != UNLABELLED)
    if not both.any():
        raise ValueError("no sample has both a label and a prediction")
    return {"f1_macro": float(f1_score(truth[both], pred[both], average="macro", zero_division=0)),
            "accuracy": float(accuracy_score(truth[both], pred[both])),
            "coverage": float(both.sum() / max(1, labelled.sum())), "samples": int(both.sum())}


def load_bundle(directory: str | Path, threads: int = 1) -> tuple[Classifier, dict]:
    """An exported model's classifier and its checked metadata (:func:`harlib.deploy.export.load_exported`)."""
    from .export import load_exported
    model, meta = load_exported(directory, threads)
    return model.logits, meta


def _numbers(table: pd.DataFrame, csv: str) -> np.ndarray:
    """``table`` (read as text) as finite floats; else ``ValueError`` naming the first bad
    cell's line (the header is line 1) and column."""
    values = table.apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        cell = table.iat[row, col]
        raise ValueError(f"{csv}, line {row + 2}, column {table.columns[col]!r}: "
                         f"{repr(cell) if cell.strip() else 'an empty cell'} is not a finite number")
    return values


def read_samples(csv: str, meta: dict) -> tuple[np.ndarray, np.ndarray | None]:
    """The samples ``(time, channels)`` of a CSV in the model's channel order, and its
    timestamps (``None`` without a ``timestamp`` column); ``ValueError`` naming the file
    (and the line and column) for anything the model cannot be run on."""
    try:
        table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{csv}: the file is empty; it needs a header row and one row per sample") from None
    except pd.errors.ParserError as e:
        raise ValueError(f"{csv}: not a CSV of one sample per row ({e})") from None
    numeric = [c for c in table.columns if not pd.isna(pd.to_numeric(c, errors="coerce"))]
    if numeric:
        raise ValueError(f"{csv}: no header row (line 1 holds numbers such as {numeric[0]!r}); the first "
                         "line must name the columns")
    timestamps = _numbers(table.pop("timestamp").to_frame(), csv)[:, 0] if "timestamp" in table else None
    names, n = meta.get("channel_names"), meta["in_channels"]
    if names is None:
        print("# model.json lists no channel names (exported before they were recorded): the columns "
              "other than 'timestamp' are taken in file order as the model's channels", file=sys.stderr)
        if table.shape[1] != n:
            raise ValueError(f"{csv}: {table.shape[1]} channel columns, the model takes {n}")
    else:
        missing = [c for c in names if c not in table.columns]
        unknown = [c for c in table.columns if c not in names]
        if missing or unknown:
            raise ValueError(f"{csv}: the columns do not match the model's channels {names}: missing "
                             f"{missing or 'none'}, unknown {unknown or 'none'}")
        table = table[names]                        # by name, whatever the file's order
    signal = _numbers(table, csv)
    window = meta["window_length"]
    if len(signal) < window:
        raise ValueError(f"{csv}: {len(signal)} samples, fewer than one window ({window} samples); "
                         "no label can be emitted")
    return signal, timestamps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harlib.deploy.streaming",
                                     description="Label a CSV of raw samples with an exported model.")
    parser.add_argument("model_dir", help="a folder written by harlib.deploy.export.export_run")
    parser.add_argument("csv", help="a header row naming the model's channels (+ optional 'timestamp'), "
                                    "then one row per sample")
    parser.add_argument("--stride", type=int, default=None, help="samples between labels (default: half a window)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    try:                                    # these messages name model.json, model.onnx or the CSV
        classify, meta = load_bundle(args.model_dir, args.threads)
        signal, timestamps = read_samples(args.csv, meta)
    except ValueError as e:
        raise SystemExit(str(e)) from e
    window = meta["window_length"]
    stride = max(1, window // 2) if args.stride is None else args.stride
    if not 1 <= stride <= window:
        raise SystemExit(f"--stride must be between 1 and the window ({window} samples), got {stride}")
    rec = StreamingRecognizer(classify, meta["in_channels"], window, stride,
                              meta["norm_mean"], meta["norm_std"], meta.get("sampling_rate"))
    try:
        result = rec.run(signal, timestamps)
    except ValueError as e:                 # the timestamps' rate or order
        raise SystemExit(f"{args.csv}: {e}") from e
    names = meta["class_names"]
    for g in result.gaps:
        print(f"# gap of {g['seconds']:.3f} s after sample {g['after_sample']}", file=sys.stderr)
    print("sample,label,latency_ms")
    for s, label, ms in result.emissions.itertuples(index=False):
        print(f"{s},{names[label]},{ms:.3f}")
    return 0


if __name__ == "__main__":          # pragma: no cover
    raise SystemExit(main())


__all__ = ["RATE_TOLERANCE", "StreamResult", "StreamingRecognizer", "check_rate", "frame_labels",
           "load_bundle", "main", "read_samples", "stream_scores", "torch_classifier"]
