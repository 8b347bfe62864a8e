"""WISDM Activity Prediction v1.1 — raw phone accelerometer stream.

Kwapisz, Weiss and Moore, "Activity Recognition using Cell Phone Accelerometers",
SensorKDD-2010 (KDD-10 workshop), Washington DC. WISDM Lab, Fordham University.
The dataset's ``readme.txt`` asks that this paper be cited.

Format: ``WISDM_ar_v1.1_raw.txt``, records ``user,activity,timestamp,x,y,z;`` — user
1..36, activity one of six names, timestamp (phone uptime, ns; not used here), x/y/z
acceleration from an Android phone in the front trouser pocket at 20 Hz ("10 = 1 g =
9.81 m/s²", gravity included), stored as recorded (m/s²).

The file is known to be irregular: several records on one line, records broken across
a line break, a trailing comma before ``;``, empty fields, lines without the ``;`` and
timestamp 0. It is parsed by splitting the whole text on ``;``; within a piece spanning
several lines, a line that already holds six fields ends a record (its ``;`` is missing)
and a shorter one is joined with the next line (a record broken across a line break).
A record is kept when it has exactly six fields after dropping one trailing empty field,
a known activity, an integer user and finite numeric x/y/z (``NaN`` or ``inf`` counts as
malformed); everything else is skipped and
counted in ``HARDataset.extra["malformed_records"]``. Records with timestamp 0 are kept (timestamps
are not used) and counted in ``extra["zero_timestamp_records"]``.

Recordings: each contiguous run of one user, in file order (sessions ``u33_r0``,
``u33_r1``, ...); the activity may change within a run.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from .archive import Source, locate
from .base import HARDataset, Recording, imu_channels
from .registry import register_dataset

RAW_FILE = "WISDM_ar_v1.1_raw.txt"
SOURCE = Source(
    name="wisdm",
    marker=RAW_FILE,
    archives={"WISDM_ar_latest.tar.gz": None, "wisdm_ar_v1.1_partial.tar.xz": None},
    urls=("https://www.cis.fordham.edu/wisdm/dataset.php",),
    note=f"The mirror archive wisdm_ar_v1.1_partial.tar.xz lacks {RAW_FILE} (it holds only "
         f"the transformed ARFF and the docs); the official WISDM_ar_latest.tar.gz has it.",
)

SAMPLING_RATE = 20.0
CLASS_NAMES = ("Walking", "Jogging", "Upstairs", "Downstairs", "Sitting", "Standing")
FIELDS = ("user", "activity", "timestamp", "x", "y", "z")


def _n_fields(record: str) -> int:
    """Number of comma-separated fields, not counting one trailing empty field."""
    return record.count(",") + (0 if record.endswith(",") else 1)


def split_records(text: str) -> list[str]:
    """The raw text as a list of candidate record strings (see the module doc)."""
    records = []
    for chunk in text.split(";"):
        chunk = chunk.strip()
        if "\n" not in chunk and "\r" not in chunk:       # the usual case: one record
            if chunk:
                records.append(chunk)
            continue
        record = ""
        for line in chunk.splitlines():
            line = line.strip()
            if not line:
                continue
            if record and _n_fields(record) >= len(FIELDS):
                records.append(record)        # a complete line whose ';' is missing
                record = line
            else:
                record += line                # a record broken across a line break
        if record:
            records.append(record)
    return records


def parse_records(text: str) -> tuple[pd.DataFrame, int]:
    """Well-formed records as a DataFrame (columns :data:`FIELDS`) and the malformed count."""
    candidates = split_records(text)
    records = [r[:-1] if r.endswith(",") else r for r in candidates]   # one trailing empty field
    records = [r for r in records if r.count(",") == len(FIELDS) - 1]
    if not records:
        return pd.DataFrame(columns=list(FIELDS)), len(candidates)
    df = pd.read_csv(io.StringIO("\n".join(records)), header=None, names=list(FIELDS),
                     index_col=False, quoting=csv.QUOTE_NONE, skipinitialspace=True)
    numeric = ["user", "timestamp", "x", "y", "z"]
    df[numeric] = df[numeric].apply(pd.to_numeric, errors="coerce")
    ok = (np.isfinite(df[numeric].to_numpy(dtype=np.float64)).all(axis=1)
          & df["activity"].isin(CLASS_NAMES) & (df["user"] % 1 == 0))
    df = df[ok].reset_index(drop=True)
    return df, len(candidates) - len(df)


def parse_wisdm(root: Path) -> HARDataset:
    """Parse ``root/WISDM_ar_v1.1_raw.txt``."""
    path = Path(root) / RAW_FILE
    df, malformed = parse_records(path.read_text(encoding="latin-1"))
    if df.empty:
        raise ValueError(f"{path}: no well-formed 'user,activity,timestamp,x,y,z;' records")
    users = df["user"].to_numpy(dtype=np.int64)
    signals = df[["x", "y", "z"]].to_numpy(dtype=np.float32)
    labels = df["activity"].map({c: i for i, c in enumerate(CLASS_NAMES)}).to_numpy(np.int16)
    starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    recordings, runs = [], {}
    for a, b in zip(starts, np.r_[starts[1:], len(users)]):
        user = int(users[a])
        k = runs[user] = runs.get(user, -1) + 1
        recordings.append(Recording(user, f"u{user}_r{k}", signals[a:b], labels[a:b]))
    return HARDataset(
        name="wisdm", sampling_rate=SAMPLING_RATE, class_names=CLASS_NAMES,
        channels=tuple(imu_channels("pocket", ["acc"], {"acc": "m/s^2"})),
        recordings=recordings,
        description="WISDM v1.1 raw: 36 users, phone accelerometer in the front pocket, "
                    "6 activities; one recording per contiguous run of a user in the file.",
        missing_values=f"{malformed} malformed records skipped; no interpolation",
        extra={"malformed_records": int(malformed),
               "zero_timestamp_records": int((df["timestamp"] == 0).sum())},
    )


@register_dataset("wisdm", version=1, sources=(SOURCE,),
                  summary="WISDM v1.1 raw: 36 users, 6 activities, pocket phone accelerometer, 20 Hz")
def build_wisdm() -> HARDataset:
    return parse_wisdm(locate(SOURCE))
