"""DSADS — Daily and Sports Activities (five body-worn IMUs).

Altun, Barshan, Tunçel, "Comparative study on classifying human activities with miniature
inertial and magnetic sensors", Pattern Recognition 43(10):3605–3620 (2010); UCI dataset 256
(CC BY 4.0).

Format: ``aNN/pM/sKK.txt`` — activity NN = 01..19, subject M = 1..8, segment KK = 01..60.
Each file is one 5 s segment: 125 rows at 25 Hz × 45 comma-separated columns, ordered
torso (T), right arm (RA), left arm (LA), right leg (RL), left leg (LL), and within each unit
x/y/z accelerometer, x/y/z gyroscope, x/y/z magnetometer (Xsens MTx).

The 60 segments of one subject and activity are consecutive pieces of one 5-minute recording,
so they are joined back into a single 7,500-sample recording (session ``aNN_pM``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .archive import Source, locate
from .base import HARDataset, Recording, imu_channels
from .registry import register_dataset
from .textio import raise_bad_line

SOURCE = Source(
    name="dsads",
    marker="a01/p1/s01.txt",
    archives={
        "dsads_daily_and_sports_activities.tar.xz":
            "f858b2b61db5248b3650f440e848bb1217859930cdff3ee0f824942693235806",
        "daily+and+sports+activities.zip": None,
    },
    urls=("https://archive.ics.uci.edu/dataset/256",),
)

CLASS_NAMES = (
    "sitting", "standing", "lying on back", "lying on right side", "ascending stairs",
    "descending stairs", "standing in elevator", "moving in elevator", "walking in parking lot",
    "treadmill walking 4 km/h flat", "treadmill walking 4 km/h 15 deg incline",
    "treadmill running 8 km/h", "stepper", "cross trainer", "cycling horizontal",
    "cycling vertical", "rowing", "jumping", "basketball",
)
PLACEMENTS = ("torso", "right_arm", "left_arm", "right_leg", "left_leg")
CHANNELS = tuple(ch for p in PLACEMENTS for ch in imu_channels(
    p, ["acc", "gyro", "mag"], {"acc": "m/s^2", "gyro": "rad/s", "mag": "a.u."}))
SAMPLING_RATE = 25.0
SEGMENT_ROWS, N_SEGMENTS = 125, 60


def read_segment(path: Path) -> np.ndarray:
    """One ``sKK.txt`` file as a float32 ``(125, 45)`` array. DSADS documents no missing
    values: a row of another width, a non-number, NaN or an infinite value raises
    ``ValueError`` naming the file and line."""
    text = path.read_text()
    n = len(CHANNELS)
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) != SEGMENT_ROWS:
        raise ValueError(f"{path}: expected {SEGMENT_ROWS} rows of {n} values, "
                         f"found {len(lines)} rows")
    if any(line.count(",") != n - 1 for line in lines):
        raise_bad_line(path, n, ",", text=text)
    try:
        arr = np.array(",".join(lines).split(","), dtype=np.float32)
    except ValueError as exc:
        raise_bad_line(path, n, ",", cause=exc, text=text)
    if not np.isfinite(arr).all():
        raise_bad_line(path, n, ",", text=text)
    return arr.reshape(SEGMENT_ROWS, n)


def parse_dsads(root: Path, n_activities: int = len(CLASS_NAMES), n_subjects: int = 8,
                n_segments: int = N_SEGMENTS) -> HARDataset:
    """Parse every ``aNN/pM/sKK.txt``; a missing folder or segment is an error.
    (The counts are parameters only so that tests can use a smaller tree.)"""
    recordings = []
    for a in range(1, n_activities + 1):
        for p in range(1, n_subjects + 1):
            folder = root / f"a{a:02d}" / f"p{p}"
            if not folder.is_dir():
                raise FileNotFoundError(f"{folder}: missing (expected {n_segments} segment files)")
            segs = []
            for k in range(1, n_segments + 1):
                path = folder / f"s{k:02d}.txt"
                if not path.is_file():
                    raise FileNotFoundError(f"{path}: missing")
                segs.append(read_segment(path))
            signals = np.concatenate(segs)
            recordings.append(Recording(p, f"a{a:02d}_p{p}", signals,
                                        np.full(len(signals), a - 1, dtype=np.int16)))
    return HARDataset(
        name="dsads", sampling_rate=SAMPLING_RATE, class_names=CLASS_NAMES, channels=CHANNELS,
        recordings=recordings,
        description="8 subjects × 19 activities × 5 min; 5 Xsens IMUs (torso, arms, legs) "
                    "with accelerometer, gyroscope and magnetometer.",
    )


@register_dataset("dsads", version=1, sources=(SOURCE,),
                  summary="DSADS: 8 subjects, 19 activities, 5 IMUs × 9 axes")
def build_dsads() -> HARDataset:
    return parse_dsads(locate(SOURCE))
