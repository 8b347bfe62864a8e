"""HAPT v2.1 — Smartphone-Based Recognition of Human Activities and Postural Transitions.

Reyes-Ortiz, Oneto, Samà, Parra, Anguita, "Transition-Aware Human Activity Recognition
Using Smartphones", Neurocomputing 171:754–767 (2016); UCI dataset 341 (CC BY 4.0).

Format (``RawData/``): ``acc_expNN_userUU.txt`` and ``gyro_expNN_userUU.txt``, three
whitespace-separated columns (x, y, z) per row at 50 Hz — acceleration in g, angular
velocity in rad/s, from a Samsung Galaxy S II on the waist. ``labels.txt`` lists labelled
segments as ``experiment user activity start end`` with 1-based, inclusive sample indices.
Samples outside every segment are unlabelled. Twelve activities: six basic ones and six
postural transitions. The same 30 volunteers as UCI-HAR.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .archive import Source, locate
from .base import UNLABELLED, HARDataset, Recording, imu_channels
from .registry import register_dataset
from .textio import raise_bad_line

SOURCE = Source(
    name="hapt",
    marker="RawData/labels.txt",
    archives={
        "hapt_v2.1.tar.xz": "0c8d0e8d4af83a54384c1234a1d8276911a1e85087675486f1f8b604c66ea47d",
        "smartphone+based+recognition+of+human+activities+and+postural+transitions.zip": None,
        "HAPT Data Set.zip": None,
    },
    urls=("https://archive.ics.uci.edu/dataset/341",),
)

CLASS_NAMES = (
    "walking", "walking upstairs", "walking downstairs", "sitting", "standing", "lying",
    "stand to sit", "sit to stand", "sit to lie", "lie to sit", "stand to lie", "lie to stand",
)
SAMPLING_RATE = 50.0


def _read_numbers(path: Path, columns: int) -> np.ndarray:
    """A whitespace-separated file of ``columns`` finite numbers per row, as float64;
    anything else raises ``ValueError`` naming the file and line."""
    try:
        arr = pd.read_csv(path, sep=r"\s+", header=None, dtype=np.float64).to_numpy()
    except (ValueError, pd.errors.ParserError) as exc:
        raise_bad_line(path, columns, cause=exc)
    if arr.ndim != 2 or arr.shape[1] != columns or not np.isfinite(arr).all():
        raise_bad_line(path, columns)
    return arr


def read_xyz(path: Path) -> np.ndarray:
    """A three-column whitespace-separated signal file as a float32 ``(n, 3)`` array.
    HAPT documents no missing values: a short or long row, a non-number, NaN or an infinite
    value raises ``ValueError`` naming the file and line."""
    return _read_numbers(path, 3).astype(np.float32)


def read_segments(path: Path) -> np.ndarray:
    """``labels.txt`` as an int array with columns experiment, user, activity, start, end."""
    seg = _read_numbers(path, 5)
    if (seg != np.round(seg)).any():
        line = int(np.flatnonzero((seg != np.round(seg)).any(axis=1))[0]) + 1
        raise ValueError(f"{path}, row {line}: expected integers (exp user activity start end)")
    return seg.astype(np.int64)


def read_experiments(root: Path) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
    """Every experiment as ``(experiment, user, acc (n,3), gyro (n,3))``, in experiment order."""
    raw = root / "RawData"
    out = []
    for acc_path in sorted(raw.glob("acc_exp*_user*.txt")):
        exp, user = (int(p[3:] if p.startswith("exp") else p[4:])
                     for p in acc_path.stem.split("_")[1:3])
        gyro_path = raw / acc_path.name.replace("acc_", "gyro_", 1)
        if not gyro_path.is_file():
            raise FileNotFoundError(f"{gyro_path}: missing (its accelerometer file {acc_path.name} exists)")
        acc, gyro = read_xyz(acc_path), read_xyz(gyro_path)
        if len(acc) != len(gyro):
            raise ValueError(f"{acc_path.name} has {len(acc)} rows but {gyro_path.name} has {len(gyro)}")
        out.append((exp, user, acc, gyro))
    if not out:
        raise FileNotFoundError(f"{raw}: no acc_expNN_userUU.txt files")
    return out


def sample_labels(segments: np.ndarray, experiment: int, n: int) -> np.ndarray:
    """Per-sample 0-based class labels of one experiment (UNLABELLED outside segments)."""
    labels = np.full(n, UNLABELLED, dtype=np.int16)
    for _, _, act, start, end in segments[segments[:, 0] == experiment]:
        if not (1 <= start <= end <= n):
            raise ValueError(f"labels.txt: segment {start}-{end} of experiment {experiment} "
                             f"lies outside its {n} samples")
        labels[start - 1:end] = act - 1
    return labels


def parse_hapt(root: Path) -> HARDataset:
    segments = read_segments(root / "RawData" / "labels.txt")
    recordings = []
    for exp, user, acc, gyro in read_experiments(root):
        labels = sample_labels(segments, exp, len(acc))
        recordings.append(Recording(user, f"exp{exp:02d}_user{user:02d}",
                                    np.hstack([acc, gyro]), labels))
    return HARDataset(
        name="hapt", sampling_rate=SAMPLING_RATE, class_names=CLASS_NAMES,
        channels=tuple(imu_channels("waist", ["acc", "gyro"], {"acc": "g", "gyro": "rad/s"})),
        recordings=recordings,
        description="30 volunteers, smartphone on the waist, 6 activities and 6 postural "
                    "transitions, one recording per experiment (61).",
        missing_values="none in the signals; samples outside labelled segments are unlabelled (-1)",
    )


@register_dataset("hapt", version=1, sources=(SOURCE,),
                  summary="HAPT v2.1 raw: 30 subjects, 12 classes with transitions")
def build_hapt() -> HARDataset:
    return parse_hapt(locate(SOURCE))
