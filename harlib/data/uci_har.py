"""UCI-HAR — Human Activity Recognition Using Smartphones, and its reconstruction from HAPT.

Anguita, Ghio, Oneto, Parra, Reyes-Ortiz, "A Public Domain Dataset for Human Activity
Recognition Using Smartphones", ESANN 2013; UCI dataset 240 (CC BY 4.0).

Two datasets are registered:

``uci_har``
    The official ``UCI HAR Dataset/`` folder: ``{train,test}/Inertial Signals/`` holds nine
    files per partition (``body_acc_{x,y,z}``, ``body_gyro_{x,y,z}``, ``total_acc_{x,y,z}``),
    one 128-sample window per row, with ``y_*.txt`` (labels 1–6) and ``subject_*.txt``.
    Each window becomes one recording.
``uci_har_hapt``
    A reconstruction of those signals from the HAPT raw logs of the same 30 volunteers,
    following the UCI-HAR README: noise filtering with a median filter and a 3rd-order
    Butterworth low-pass at 20 Hz, then separation of gravity with a Butterworth low-pass at
    0.3 Hz (body acceleration = total − gravity). Only the six basic activities are labelled;
    cutting label-pure 128-sample windows with 50 % overlap inside each labelled segment
    (``harlib.data.windows.sliding_windows(..., policy="pure")``) gives the UCI-HAR windows.
    The official 21/9 subject split is read from ``subject_train.txt``/``subject_test.txt``.

Choices the README leaves open, made here: a median filter of length 3; zero-phase
(forward–backward) filtering; a 3rd-order filter for the gravity split as for the noise filter.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.signal import butter, medfilt, sosfiltfilt

from . import hapt
from .archive import Source, locate
from .base import UNLABELLED, HARDataset, Recording, imu_channels
from .registry import register_dataset
from .textio import read_table

_MIRROR = {"uci_har_partial.tar.xz": "86c720d0550fc37e91b685e85b70c3b18d21ee00cdc08d4217e24b24a808a6b9",
           "UCI HAR Dataset.zip": None,
           "human+activity+recognition+using+smartphones.zip": None}
URLS = ("https://archive.ics.uci.edu/dataset/240",)

SOURCE = Source("uci_har", marker="train/Inertial Signals/body_acc_x_train.txt",
                archives=_MIRROR, urls=URLS,
                note="A copy without the 'Inertial Signals' folders cannot be used; "
                     "'uci_har_hapt' rebuilds the signals from HAPT.")
SPLIT_SOURCE = Source("uci_har (subject lists)", marker="train/subject_train.txt",
                      archives=_MIRROR, urls=URLS)

CLASS_NAMES = hapt.CLASS_NAMES[:6]
SIGNALS = ("body_acc", "body_gyro", "total_acc")
CHANNELS = tuple(imu_channels("waist", SIGNALS, {"body_acc": "g", "body_gyro": "rad/s",
                                                 "total_acc": "g"}))
WINDOW = 128
SAMPLING_RATE = 50.0


def _read_int_column(path: Path) -> np.ndarray:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: missing")
    return np.loadtxt(path, dtype=np.int64, ndmin=1)


def read_official_split(root: Path) -> dict[str, list[int]]:
    """The official subject lists: 21 training and 9 test volunteers."""
    return {part: sorted(set(_read_int_column(root / part / f"subject_{part}.txt").tolist()))
            for part in ("train", "test")}


def parse_uci_har(root: Path) -> HARDataset:
    """The official Inertial Signals, one recording per 128-sample window. UCI-HAR documents
    no missing values: a row of another width, NaN or an infinite value raises ``ValueError``
    naming the file and line."""
    recordings = []
    for part in ("train", "test"):
        y = _read_int_column(root / part / f"y_{part}.txt")
        subj = _read_int_column(root / part / f"subject_{part}.txt")
        cols = []
        for sig in SIGNALS:
            for axis in "xyz":
                path = root / part / "Inertial Signals" / f"{sig}_{axis}_{part}.txt"
                if not path.is_file():
                    raise FileNotFoundError(f"{path}: missing")
                arr = read_table(path, WINDOW, allow_nan=False).astype(np.float32)
                if arr.shape != (len(y), WINDOW):
                    raise ValueError(f"{path}: expected {len(y)} rows of {WINDOW} values, "
                                     f"found shape {arr.shape}")
                cols.append(arr)
        if len(subj) != len(y):
            raise ValueError(f"{root / part}: {len(y)} labels but {len(subj)} subject ids")
        windows = np.stack(cols, axis=-1)  # (n, 128, 9)
        for i, (label, s) in enumerate(zip(y, subj)):
            recordings.append(Recording(int(s), f"{part}{i:05d}", windows[i],
                                        np.full(WINDOW, label - 1, dtype=np.int16)))
    return HARDataset(
        name="uci_har", sampling_rate=SAMPLING_RATE, class_names=CLASS_NAMES, channels=CHANNELS,
        recordings=recordings, official_split=read_official_split(root),
        description="Official UCI-HAR windows (2.56 s, 50 % overlap), one recording per window.",
    )


def separate_gravity(acc: np.ndarray, fs: float = SAMPLING_RATE) -> tuple[np.ndarray, np.ndarray]:
    """UCI-HAR pre-processing of one experiment's ``(n, 3)`` acceleration.

    Returns ``(total, body)``: total = noise-filtered acceleration (median filter, 3rd-order
    Butterworth low-pass 20 Hz), body = total minus gravity (Butterworth low-pass 0.3 Hz).
    """
    total = denoise(acc, fs)
    gravity = sosfiltfilt(butter(3, 0.3, fs=fs, output="sos"), total, axis=0)
    return total, (total - gravity).astype(np.float32)


def denoise(x: np.ndarray, fs: float = SAMPLING_RATE) -> np.ndarray:
    """Median filter (length 3) then a 3rd-order Butterworth low-pass at 20 Hz, per column."""
    med = np.column_stack([medfilt(x[:, j], 3) for j in range(x.shape[1])])
    return sosfiltfilt(butter(3, 20.0, fs=fs, output="sos"), med, axis=0).astype(np.float32)


def parse_uci_har_from_hapt(hapt_root: Path, split_root: Path) -> HARDataset:
    segments = hapt.read_segments(hapt_root / "RawData" / "labels.txt")
    recordings = []
    for exp, user, acc, gyro in hapt.read_experiments(hapt_root):
        total, body = separate_gravity(acc)
        signals = np.hstack([body, denoise(gyro), total])
        labels = hapt.sample_labels(segments, exp, len(acc))
        labels[labels >= len(CLASS_NAMES)] = UNLABELLED  # postural transitions are not UCI-HAR classes
        recordings.append(Recording(user, f"exp{exp:02d}_user{user:02d}", signals, labels))
    return HARDataset(
        name="uci_har_hapt", sampling_rate=SAMPLING_RATE, class_names=CLASS_NAMES,
        channels=CHANNELS, recordings=recordings, official_split=read_official_split(split_root),
        stand_in_for="uci_har",
        description="UCI-HAR signals rebuilt from HAPT raw logs (same 30 volunteers): "
                    "noise filtering, 0.3 Hz gravity separation; 6 basic activities.",
        missing_values="none; postural transitions and gaps are unlabelled (-1)",
    )


@register_dataset("uci_har", version=1, sources=(SOURCE,),
                  summary="UCI-HAR official Inertial Signals (6 classes)")
def build_uci_har() -> HARDataset:
    return parse_uci_har(locate(SOURCE))


@register_dataset("uci_har_hapt", version=1, sources=(hapt.SOURCE, SPLIT_SOURCE),
                  summary="UCI-HAR rebuilt from HAPT raw (stand-in for the official signals)")
def build_uci_har_hapt() -> HARDataset:
    return parse_uci_har_from_hapt(locate(hapt.SOURCE), locate(SPLIT_SOURCE))


def official_label_counts(root: Path) -> dict[str, np.ndarray]:
    """Windows per class (1–6) in the official ``y_train.txt`` / ``y_test.txt``."""
    return {part: np.bincount(_read_int_column(root / part / f"y_{part}.txt") - 1,
                              minlength=len(CLASS_NAMES)) for part in ("train", "test")}
