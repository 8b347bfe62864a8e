"""Cutting recordings into fixed-length windows.

Two labelling policies:

``"pure"``
    Windows lie entirely inside one run of a single label, and are aligned to the start of
    each run (the UCI-HAR way: 128-sample windows, 50 % overlap, within each labelled
    segment). No window crosses an activity change.
``"majority"``
    Paper A's "realistic inter-class segmentation": windows are cut on a regular grid over
    the whole recording, across activity changes, and take the majority label of their
    labelled samples. Windows whose majority is unlabelled are dropped.

Either way, each window remembers its recording and start sample, so overlapping windows
(and the leakage they cause in random splits) can be traced.

**History** (paper A's "historical motion patterns"): with ``history=H`` each window
carries the ``H`` windows that precede it in its recording, one stride apart, in the
recording's real order. They are cut from the raw recording whatever their labels were
(the past is what a deployed model would have seen), and concatenated along time, oldest
first, so ``X`` is ``(n, channels, (H + 1) · length)``. The label, subject, recording and
start stay the current (last) window's. Windows with fewer than ``H`` predecessors are
dropped and counted in ``info["history_dropped"]``; a recording shorter than the history's
span (``H · stride + length`` samples) is an error that names it.

**Scarce classes**: a class that keeps fewer than 10 windows and under 5 % of the median
class's (the median over every class of the dataset, empty ones included) is named in a
:class:`ScarceClassWarning`, one per call, with its count and the median. Both bounds must
hold: HAPT's rarest postural transition keeps 33 windows against a median of 773, few but
enough to train and score on, and warning about it would repeat in every notebook.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np

from .base import UNLABELLED, Channel, HARDataset

POLICIES = ("pure", "majority")
#: a class keeping fewer than SCARCE_WINDOWS windows and under SCARCE_SHARE of the median
#: class's is warned about
SCARCE_WINDOWS = 10
SCARCE_SHARE = 0.05


class ScarceClassWarning(UserWarning):
    """A class keeps so few windows (overall, or for training in a fold) that models barely
    learn it and its per-class scores rest on a handful of windows."""


def scarce_note(class_names, counts: np.ndarray, scarce: np.ndarray) -> str:
    """``'sit to stand' (33), 'x' (1), against a median of 773 per class``."""
    listed = ", ".join(f"{class_names[c]!r} ({counts[c]})" for c in np.flatnonzero(scarce))
    return f"{listed}, against a median of {np.median(counts):g} per class"


@dataclass
class WindowSet:
    """Windows ready for a model: ``X`` is ``(n, channels, length)`` float32."""

    X: np.ndarray
    y: np.ndarray
    subject: np.ndarray
    recording: np.ndarray
    start: np.ndarray
    class_names: tuple[str, ...]
    channels: tuple[Channel, ...]
    sampling_rate: float
    dataset: str
    info: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.y)

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def n_channels(self) -> int:
        return self.X.shape[1]

    @property
    def length(self) -> int:
        return self.X.shape[2]

    def subset(self, idx: np.ndarray) -> "WindowSet":
        idx = np.asarray(idx)
        return replace(self, X=self.X[idx], y=self.y[idx], subject=self.subject[idx],
                       recording=self.recording[idx], start=self.start[idx])

    def class_counts(self) -> np.ndarray:
        return np.bincount(self.y, minlength=self.n_classes)

    @property
    def history(self) -> int:
        """How many preceding windows each window carries (0: none; see ``sliding_windows``)."""
        return int(self.info.get("history", 0))

    @property
    def window_length(self) -> int:
        """Samples of one window, without its history."""
        if not self.history:
            return self.length
        L = int(self.info["length"])
        if self.length != (self.history + 1) * L:
            raise ValueError(f"{self.dataset}: windows of {self.length} samples cannot hold {self.history} "
                             f"preceding windows of {L} samples each plus the current one")
        return L

    def without_history(self) -> "WindowSet":
        """The same windows (labels, subjects, starts) without their history: the last
        ``window_length`` samples of each, e.g. for baselines scored on the same windows."""
        if not self.history:
            return self
        info = {k: v for k, v in self.info.items() if k not in ("history", "history_dropped")}
        return replace(self, X=np.ascontiguousarray(self.X[:, :, -self.window_length:]), info=info)

    def channel_groups(self) -> dict[str, dict[str, list[int]]]:
        """Channel indices grouped by sensor placement and by modality, in channel order:
        ``{"placement": {"hand": [0, 1, …]}, "modality": {"acc": […]}}``."""
        groups: dict[str, dict[str, list[int]]] = {"placement": {}, "modality": {}}
        for i, ch in enumerate(self.channels):
            groups["placement"].setdefault(ch.placement or "unknown", []).append(i)
            groups["modality"].setdefault(ch.modality or "unknown", []).append(i)
        return groups


def _runs(labels: np.ndarray) -> list[tuple[int, int, int]]:
    """Maximal runs of equal labels as ``(start, end, label)``."""
    change = np.flatnonzero(np.diff(labels)) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(labels)]])
    return [(int(s), int(e), int(labels[s])) for s, e in zip(starts, ends)]


def window_starts(labels: np.ndarray, length: int, stride: int,
                  policy: str) -> tuple[np.ndarray, np.ndarray]:
    """Start indices and labels of the windows of one recording."""
    n = len(labels)
    if policy == "pure":
        starts, ys = [], []
        for s, e, lab in _runs(labels):
            if lab == UNLABELLED or e - s < length:
                continue
            st = np.arange(s, e - length + 1, stride)
            starts.append(st)
            ys.append(np.full(len(st), lab))
        if not starts:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(starts).astype(np.int64), np.concatenate(ys).astype(np.int64)
    if policy == "majority":
        st = np.arange(0, n - length + 1, stride, dtype=np.int64)
        if len(st) == 0:
            return st, st.copy()
        n_classes = int(labels.max()) + 2
        # per-window label histogram via cumulative counts (index 0 = unlabelled)
        onehot = np.zeros((n + 1, n_classes), np.int32)
        onehot[np.arange(1, n + 1), labels.astype(np.int64) + 1] = 1
        cum = onehot.cumsum(axis=0)
        hist = cum[st + length] - cum[st]
        labelled = hist[:, 1:]
        y = labelled.argmax(axis=1)
        keep = labelled.max(axis=1) > hist[:, 0]
        keep &= labelled.sum(axis=1) > 0
        return st[keep], y[keep].astype(np.int64)
    raise ValueError(f"unknown window policy {policy!r}; use one of {POLICIES}")


MIN_WINDOW_SAMPLES = 8
UNITS = ("samples", "seconds")


def _window_unit(length, stride, unit: str | None) -> str:
    """``unit`` if given; else inferred from the argument types, which must agree (an int
    counts samples, a float seconds)."""
    if unit is not None:
        if unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}, got {unit!r}")
        return unit
    kinds = {"samples" if isinstance(v, (int, np.integer)) else "seconds"
             for v in (length, stride) if v is not None}
    if len(kinds) > 1:
        raise ValueError(f"window length {length!r} and stride {stride!r} mix samples (int) and "
                         "seconds (float); give both in one unit, or say which with "
                         "unit='samples' or unit='seconds'")
    return kinds.pop()


def sliding_windows(ds: HARDataset, length: float | int, stride: float | int | None = None,
                    policy: str = "pure", *, unit: str | None = None, history: int = 0) -> WindowSet:
    """Cut every recording of ``ds`` into windows.

    length, stride: in ``unit`` — ``"samples"`` or ``"seconds"``; without ``unit``, ints
    count samples and floats seconds, and the two arguments must agree. The stride defaults
    to half the length (50 % overlap). Windows shorter than 8 samples are refused.
    A class keeping under 5 % of the median class's windows is warned about
    (:class:`ScarceClassWarning`, module docstring).
    history: preceding windows carried by each window (module docstring); 0 for none.
    """
    if isinstance(history, bool) or not isinstance(history, (int, np.integer)) or history < 0:
        raise ValueError(f"history must be a whole number of windows ≥ 0, got {history!r}")
    unit = _window_unit(length, stride, unit)
    if unit == "seconds":
        L = int(round(float(length) * ds.sampling_rate))
        S = int(round(float(stride) * ds.sampling_rate)) if stride is not None else max(1, L // 2)
    else:
        if float(length) != int(length) or (stride is not None and float(stride) != int(stride)):
            raise ValueError(f"a window in samples needs whole numbers, got {length!r} and {stride!r}")
        L = int(length)
        S = int(stride) if stride is not None else max(1, L // 2)
    if L < MIN_WINDOW_SAMPLES:
        raise ValueError(f"{ds.name}: a window of {L} samples ({L / ds.sampling_rate:.3g} s at "
                         f"{ds.sampling_rate:g} Hz) is too short; windows need at least "
                         f"{MIN_WINDOW_SAMPLES} samples. Did you mean seconds? Pass floats "
                         "or unit='seconds'")
    if S < 1:
        raise ValueError(f"window stride must be ≥ 1 sample, got {S} ({stride!r} {unit})")
    if policy not in POLICIES:
        raise ValueError(f"unknown window policy {policy!r}; use one of {POLICIES}")
    span = history * S + L
    if history:
        short = [(r.session, len(r.labels)) for r in ds.recordings if len(r.labels) < span]
        if short:
            names = ", ".join(f"{name} ({n} samples)" for name, n in short[:5])
            raise ValueError(f"{ds.name}: {len(short)} recording(s) are shorter than a window with "
                             f"{history} preceding windows ({history} × {S} + {L} = {span} samples): "
                             f"{names}{' …' if len(short) > 5 else ''}. Use a shorter history or stride")
    # each window's own samples, preceded by its history windows (oldest first)
    offsets = np.concatenate([np.arange(L) - k * S for k in range(history, -1, -1)])
    X, y, subj, rec, start = [], [], [], [], []
    dropped = 0
    for r, recording in enumerate(ds.recordings):
        st, lab = window_starts(recording.labels, L, S, policy)
        if history:
            keep = st >= history * S
            dropped += int((~keep).sum())
            st, lab = st[keep], lab[keep]
        if len(st) == 0:
            continue
        idx = st[:, None] + offsets[None, :]
        X.append(recording.signals[idx].transpose(0, 2, 1))
        y.append(lab)
        subj.append(np.full(len(st), recording.subject))
        rec.append(np.full(len(st), r))
        start.append(st)
    if not X and dropped:
        raise ValueError(f"{ds.name}: every window of {L} samples lacks {history} preceding windows in its "
                         f"recording ({dropped} dropped); use a shorter history or stride")
    if not X:
        raise ValueError(f"{ds.name}: no window of {L} samples fits any recording")
    ws = WindowSet(
        X=np.ascontiguousarray(np.concatenate(X), dtype=np.float32),
        y=np.concatenate(y).astype(np.int64), subject=np.concatenate(subj).astype(np.int64),
        recording=np.concatenate(rec).astype(np.int64), start=np.concatenate(start),
        class_names=ds.class_names, channels=ds.channels, sampling_rate=ds.sampling_rate,
        dataset=ds.name,
        info={"length": L, "stride": S, "policy": policy,
              "official_split": ds.official_split,
              **({"history": int(history), "history_dropped": dropped} if history else {})},
    )
    counts = ws.class_counts()
    scarce = counts < min(SCARCE_WINDOWS, SCARCE_SHARE * np.median(counts))
    if scarce.any():
        note = scarce_note(ws.class_names, counts, scarce)
        warnings.warn(f"{ds.name}: few windows of {L} samples for class {note} (under "
                      f"{SCARCE_WINDOWS} and under {SCARCE_SHARE:.0%} of the median); models see "
                      "it rarely and its scores "
                      "rest on few windows", ScarceClassWarning, stacklevel=2)
    return ws
