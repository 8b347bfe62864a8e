"""BasicMotions (UEA multivariate time-series archive): a tiny smartwatch IMU dataset.

Bagnall et al., "The UEA multivariate time series classification archive, 2018",
arXiv:1811.00075. Four activities (standing, running, walking, badminton), 3-axis
accelerometer and 3-axis gyroscope at 10 Hz, 80 cases of 100 samples with an official
40/40 train/test split. Subjects are not identified in the archive, so each case is its own
"subject" (ids 0–39 train, 40–79 test); subject-independent splits are not meaningful here.

Format (``.ts``): ``@key value`` header lines, then ``@data`` and one case per line:
dimensions separated by ``:``, values within a dimension by ``,``, the class label last.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .archive import Source, locate
from .base import HARDataset, Recording, imu_channels
from .registry import register_dataset

SOURCE = Source(
    name="basicmotions",
    marker="BasicMotions_TRAIN.ts",
    archives={"basicmotions_uea.tar.xz":
              "c55ac5ce4bcdb93c68fd647b704ba8202c41e74c1bbbee7a43cd190a96fa871c",
              "BasicMotions.zip": None},
    urls=("https://www.timeseriesclassification.com/description.php?Dataset=BasicMotions",),
)
SAMPLING_RATE = 10.0


def read_ts(path: Path) -> tuple[dict[str, str], np.ndarray, list[str]]:
    """Parse a UEA ``.ts`` file: ``(header, X (cases, length, dims), labels)``."""
    header: dict[str, str] = {}
    cases, labels = [], []
    in_data = False
    for lineno, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not in_data:
            if line.lower() == "@data":
                in_data = True
            elif line.startswith("@"):
                key, _, value = line[1:].partition(" ")
                header[key.lower()] = value.strip()
            continue
        *dims, label = line.split(":")
        try:
            case = [np.array(d.split(","), dtype=np.float32) for d in dims]
        except ValueError as exc:
            raise ValueError(f"{path}:{lineno}: non-numeric value ({exc})") from exc
        if len({len(d) for d in case}) != 1:
            raise ValueError(f"{path}:{lineno}: dimensions have unequal lengths "
                             f"{[len(d) for d in case]}")
        n_dims = int(header.get("dimensions", len(dims)))
        if len(dims) != n_dims:
            raise ValueError(f"{path}:{lineno}: expected {n_dims} dimensions and a label, "
                             f"found {len(dims)} dimensions")
        if cases and len(case[0]) != len(cases[0]):
            raise ValueError(f"{path}:{lineno}: series of length {len(case[0])}, the first "
                             f"case has {len(cases[0])}")
        if not all(np.isfinite(d).all() for d in case):
            raise ValueError(f"{path}:{lineno}: missing or infinite value; BasicMotions "
                             f"documents no missing values")
        cases.append(np.stack(case, axis=-1))
        labels.append(label.strip())
    if not in_data:
        raise ValueError(f"{path}: no @data line")
    n_dims = int(header.get("dimensions", len(cases[0][0]) if cases else 0))
    for i, c in enumerate(cases):
        if c.shape[1] != n_dims or c.shape[0] != cases[0].shape[0]:
            raise ValueError(f"{path}: case {i} has shape {c.shape}, expected (length, {n_dims})")
    return header, np.stack(cases), labels


def parse_basicmotions(root: Path) -> HARDataset:
    recordings, split = [], {"train": [], "test": []}
    class_names: tuple[str, ...] = ()
    for part in ("train", "test"):
        header, X, labels = read_ts(root / f"BasicMotions_{part.upper()}.ts")
        class_names = tuple(header["classlabel"].split()[1:])
        for x, lab in zip(X, labels):
            if lab not in class_names:
                raise ValueError(f"BasicMotions_{part.upper()}.ts: unknown label {lab!r}")
            sid = len(recordings)
            split[part].append(sid)
            recordings.append(Recording(sid, f"{part}{sid:02d}", x,
                                        np.full(len(x), class_names.index(lab), dtype=np.int16)))
    return HARDataset(
        name="basicmotions", sampling_rate=SAMPLING_RATE,
        class_names=tuple(c.lower() for c in class_names),
        channels=tuple(imu_channels("wrist", ["acc", "gyro"])), recordings=recordings,
        official_split=split,
        description="UEA BasicMotions: 80 smartwatch cases of 10 s; one recording per case.",
    )


@register_dataset("basicmotions", version=1, sources=(SOURCE,),
                  summary="UEA BasicMotions: tiny, 4 classes, 6 channels")
def build_basicmotions() -> HARDataset:
    return parse_basicmotions(locate(SOURCE))
