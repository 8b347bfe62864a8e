"""PAMAP2 Physical Activity Monitoring — the Protocol part.

Reiss and Stricker, "Introducing a New Benchmarked Dataset for Activity Monitoring",
ISWC 2012 (16th International Symposium on Wearable Computers), pp. 108–109;
UCI dataset 231, doi:10.24432/C5NW2H (CC BY 4.0).

Format: ``Protocol/subject101.dat`` … ``subject109.dat``, one file per subject,
whitespace separated, no header, 54 columns per row::

    0 timestamp (s)   1 activityID   2 heart rate (bpm)
    3-19 hand IMU, 20-36 chest IMU, 37-53 ankle IMU, each block of 17:
        temperature, acc ±16 g xyz, acc ±6 g xyz, gyro xyz, mag xyz, orientation (4, invalid)

The IMUs sample at 100 Hz. Kept: hand/chest/ankle × acc ±16 g (m/s²), gyro (rad/s),
mag (µT) = 27 channels. Dropped: timestamp, heart rate (~9 Hz, NaN on most rows),
temperature, the ±6 g accelerometer (saturates during running and jumping) and the
orientation columns (documented as invalid). The ``Optional/`` recordings are not read.

Labels: the 12 protocol activities (ids 1–7, 12, 13, 16, 17, 24) become classes 0–11;
id 0 ("transient activities") and any other id become ``UNLABELLED``.

Missing values: wireless packet loss leaves NaN in the IMU columns. Each kept channel is
linearly interpolated over the sample index within its file; NaN at the start or end is
filled with the nearest valid value. A channel that is NaN in a whole file is set to 0
and listed in ``HARDataset.extra["notes"]``.

"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .archive import Source, locate
from .base import UNLABELLED, HARDataset, Recording, imu_channels
from .registry import register_dataset
from .textio import fill_gaps, read_table

SOURCE = Source(
    name="pamap2",
    marker="Protocol/subject101.dat",
    archives={"PAMAP2_Dataset.zip": None},
    urls=("https://archive.ics.uci.edu/dataset/231/pamap2+physical+activity+monitoring",),
)

SAMPLING_RATE = 100.0
N_COLUMNS = 54
SUBJECTS = tuple(range(101, 110))
PLACEMENTS = ("hand", "chest", "ankle")
ACTIVITY_IDS = (1, 2, 3, 4, 5, 6, 7, 12, 13, 16, 17, 24)
CLASS_NAMES = (
    "lying", "sitting", "standing", "walking", "running", "cycling", "Nordic walking",
    "ascending stairs", "descending stairs", "vacuum cleaning", "ironing", "rope jumping",
)
UNITS = {"acc": "m/s^2", "gyro": "rad/s", "mag": "uT"}
# Within an IMU block: 0 temperature, 1-3 acc ±16 g, 4-6 acc ±6 g, 7-9 gyro, 10-12 mag.
_BLOCK_KEEP = (1, 2, 3, 7, 8, 9, 10, 11, 12)
SIGNAL_COLUMNS = tuple(3 + 17 * b + k for b in range(len(PLACEMENTS)) for k in _BLOCK_KEEP)


def activity_labels(ids: np.ndarray) -> np.ndarray:
    """PAMAP2 activity ids → class indices; 0 and unknown ids → ``UNLABELLED``."""
    lookup = np.full(max(ACTIVITY_IDS) + 1, UNLABELLED, dtype=np.int16)
    lookup[list(ACTIVITY_IDS)] = np.arange(len(ACTIVITY_IDS))
    ids = np.nan_to_num(np.asarray(ids, dtype=np.float64), nan=-1).astype(np.int64)
    known = (ids >= 0) & (ids < len(lookup))
    labels = np.full(ids.shape, UNLABELLED, dtype=np.int16)
    labels[known] = lookup[ids[known]]
    return labels


def parse_pamap2(root: Path) -> HARDataset:
    """Parse ``root/Protocol/subject1NN.dat``; absent subject files are skipped."""
    channels = [c for p in PLACEMENTS for c in imu_channels(p, ["acc", "gyro", "mag"], UNITS)]
    recordings, notes = [], []
    for subject in SUBJECTS:
        path = Path(root) / "Protocol" / f"subject{subject}.dat"
        if not path.is_file():
            continue
        table = read_table(path, N_COLUMNS)
        signals, empty = fill_gaps(table[:, SIGNAL_COLUMNS])
        notes += [f"subject{subject}.dat: {channels[j].name} is entirely missing; set to 0"
                  for j in empty]
        recordings.append(Recording(subject, f"subject{subject}", signals,
                                    activity_labels(table[:, 1])))
    if not recordings:
        raise FileNotFoundError(f"{Path(root) / 'Protocol'}: none of subject101.dat … "
                                f"subject109.dat found")
    return HARDataset(
        name="pamap2", sampling_rate=SAMPLING_RATE, class_names=CLASS_NAMES,
        channels=tuple(channels), recordings=recordings,
        description="PAMAP2 Protocol: 9 subjects, 3 Colibri IMUs (dominant hand, chest, "
                    "dominant-side ankle), 12 protocol activities, one recording per subject. "
                    "Heart rate, temperature, ±6 g acc and orientation are dropped.",
        missing_values="IMU packet loss (NaN) linearly interpolated per channel within each "
                       "file, edges filled with the nearest valid value; all-NaN channels set "
                       "to 0 (see extra['notes']); activity id 0 (transient) is unlabelled (-1)",
        extra={"notes": notes},
    )


@register_dataset("pamap2", version=1, sources=(SOURCE,),
                  summary="PAMAP2 Protocol: 9 subjects, 12 activities, 3 IMUs x acc/gyro/mag, 100 Hz")
def build_pamap2() -> HARDataset:
    return parse_pamap2(locate(SOURCE))
