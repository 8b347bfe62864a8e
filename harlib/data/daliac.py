"""DaLiAc — Daily Life Activities.

Leutheuser, Schuldhaus and Eskofier, "Hierarchical, multi-sensor based classification
of daily life activities: comparison with state-of-the-art algorithms using a benchmark
dataset", PLoS ONE 8(10):e75196, 2013, doi:10.1371/journal.pone.0075196. Distributed
as ``daliac.zip`` by the FAU Machine Learning and Data Analytics lab.

Format: ``dataset_1.txt`` … ``dataset_19.txt``, one file per subject, comma separated,
no header, 25 columns at 204.8 Hz: 4 SHIMMER nodes × (acc x, y, z, gyro x, y, z), then
the activity label 1–13 (classes 0–12 here; any other value becomes ``UNLABELLED`` and
is counted in ``extra["unknown_label_samples"]``). All activities of a subject follow one
another in the file, so the label changes within a recording. No missing values are
expected; a file containing NaN is rejected.

Uncertain, to check against the dataset's own documentation:

* Sensor order (:data:`SENSOR_ORDER`): the publication's abstract names wrist, hip,
  chest and ankle; other descriptions give right wrist, chest, right hip and left ankle.
  One public loader calls columns 0–2 the wrist accelerometer, another treats the block
  from column 6 as the chest; hip for columns 12–17 and ankle for 18–23 are inferred.
* Units: one public notebook labels acceleration in m/s² and angular rate in deg/s;
  neither is confirmed, so the channels carry no unit (values are kept as stored).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .archive import Source, locate
from .base import UNLABELLED, HARDataset, Recording, imu_channels
from .registry import register_dataset
from .textio import read_table

SOURCE = Source(
    name="daliac",
    marker="dataset_1.txt",
    archives={"daliac.zip": None},
    urls=("https://www.mad.tf.fau.de/research/activitynet/daliac-daily-life-activities/",),
)

SAMPLING_RATE = 204.8
N_COLUMNS = 25
N_SUBJECTS = 19
SENSOR_ORDER = ("wrist", "chest", "hip", "ankle")  # hip/ankle order inferred (see module doc)
CLASS_NAMES = (
    "sitting", "lying", "standing", "washing dishes", "vacuuming", "sweeping", "walking",
    "ascending stairs", "descending stairs", "treadmill running",
    "bicycling on ergometer (50 W)", "bicycling on ergometer (100 W)", "rope jumping",
)


def parse_daliac(root: Path) -> HARDataset:
    """Parse ``root/dataset_<n>.txt`` for n = 1..19; absent subject files are skipped."""
    channels = [c for p in SENSOR_ORDER for c in imu_channels(p, ["acc", "gyro"])]
    recordings, unknown = [], 0
    for subject in range(1, N_SUBJECTS + 1):
        path = Path(root) / f"dataset_{subject}.txt"
        if not path.is_file():
            continue
        table = read_table(path, N_COLUMNS, delimiter=",", allow_nan=False)
        codes = table[:, -1]
        known = np.isin(codes, np.arange(1, len(CLASS_NAMES) + 1))
        labels = np.where(known, codes - 1, UNLABELLED).astype(np.int16)
        unknown += int((~known).sum())
        recordings.append(Recording(subject, f"dataset_{subject}",
                                    table[:, :-1].astype(np.float32), labels))
    if not recordings:
        raise FileNotFoundError(f"{root}: none of dataset_1.txt … dataset_{N_SUBJECTS}.txt found")
    return HARDataset(
        name="daliac", sampling_rate=SAMPLING_RATE, class_names=CLASS_NAMES,
        channels=tuple(channels), recordings=recordings,
        description="DaLiAc: 19 subjects, 4 SHIMMER IMUs (wrist, chest, hip, ankle; order "
                    "partly inferred), 13 daily and sports activities, one recording per subject.",
        missing_values="none expected (files with NaN are rejected); labels outside 1-13 "
                       "are unlabelled (-1)",
        extra={"unknown_label_samples": unknown, "sensor_order_note":
               "wrist and chest blocks as read by public loaders; hip/ankle order inferred"},
    )


@register_dataset("daliac", version=1, sources=(SOURCE,),
                  summary="DaLiAc: 19 subjects, 13 activities, 4 IMUs x acc/gyro, 204.8 Hz")
def build_daliac() -> HARDataset:
    return parse_daliac(locate(SOURCE))
