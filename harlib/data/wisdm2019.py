"""WISDM 2019 — Smartphone and Smartwatch Activity and Biometrics (UCI dataset 507).

G. M. Weiss, "WISDM Smartphone and Smartwatch Activity and Biometrics Dataset", UCI Machine
Learning Repository, 2019, doi:10.24432/C5HK59; G. M. Weiss, K. Yoneda, T. Hayajneh,
"Smartphone and Smartwatch-Based Biometrics Using Activities of Daily Living", IEEE Access 7
(2019) 133190–133202. CC BY 4.0 (UCI). 51 subjects (ids 1600–1650), 18 activities of about
3 minutes each, phone (trouser pocket) and watch (LG G Watch, dominant wrist), accelerometer
(m/s²) and gyroscope (rad/s), 20 Hz.

This is not WISDM v1.1 (paper B's WISDM: one phone in the pocket, 36 users): it is the
closest *real* wrist-worn accelerometer data to it available offline, and every table that
uses it as a stand-in says so.

Two layouts are read:

official
    ``wisdm-dataset/raw/{phone,watch}/{accel,gyro}/data_<id>_<sensor>_<device>.txt``, lines
    ``subject,activity,timestamp,x,y,z;``. When the size/sha256 manifest of all 204 official
    files is at hand (the mirror's archive ships it), every file found is checked against it.
reduced (the offline mirror, ``wisdm2019_watch_accel_subset.tar.xz``)
    ``Datasets/train/data_<id>_accel_watch.txt``, lines ``subject,activity,x,y,z;`` — the
    timestamp column removed; watch accelerometer only; 6 activities (walking, jogging,
    stairs, sitting, standing, kicking), each one contiguous block of the first 2,400 samples
    (120 s) of the original ~180 s.

Activity letters map through ``activity_key.txt`` (``name = letter``); the class list holds
only the activities present in the copy (none is invented). Recordings: one per subject and
contiguous activity block (the activities were recorded separately). Quirks, handled and
reported in ``HARDataset.extra``:

* a file whose second half repeats its first half exactly (``data_1629`` in the reduced
  variant) keeps one copy (``extra["repeated_files"]``);
* lines without the closing ``;`` are skipped and counted (``extra["lines_without_semicolon"]``);
  empty lines are ignored;
* a line with the wrong number of fields, a non-numeric or non-finite value, an unknown
  activity letter or a subject id other than the file's raises ``ValueError`` naming the file
  and the line.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from .archive import DatasetNotFoundError, Source, locate
from .base import HARDataset, Recording, imu_channels
from .registry import register_dataset

SAMPLING_RATE = 20.0
DEVICES = ("watch", "phone")
SENSORS = ("accel", "gyro")
PLACEMENT = {"watch": "wrist", "phone": "pocket"}
MODALITY = {"accel": ("acc", "m/s^2"), "gyro": ("gyro", "rad/s")}
# The activity key of UCI 507 (``activity_key.txt``), used when a copy lacks the file.
ACTIVITY_KEY = {"A": "walking", "B": "jogging", "C": "stairs", "D": "sitting", "E": "standing",
                "F": "typing", "G": "teeth", "H": "soup", "I": "chips", "J": "pasta",
                "K": "drinking", "L": "sandwich", "M": "kicking", "O": "catch", "P": "dribbling",
                "Q": "writing", "R": "clapping", "S": "folding"}

OFFICIAL = Source(
    name="wisdm2019",
    marker="raw/watch/accel/data_1600_accel_watch.txt",
    archives={"wisdm-dataset.zip": None},
    urls=("https://archive.ics.uci.edu/dataset/507",),
)
REDUCED = Source(
    name="wisdm2019_watch_accel_subset",
    marker="Datasets/train/data_1600_accel_watch.txt",
    archives={"wisdm2019_watch_accel_subset.tar.xz": None},
    urls=("https://archive.ics.uci.edu/dataset/507",),
    note="The offline mirror's reduced variant: watch accelerometer, 6 activities, 120 s each.",
)
MANIFEST = "wisdm-dataset_raw_lfs_manifest.tsv"
_FILE = re.compile(r"data_(\d+)_(accel|gyro)_(phone|watch)\.txt$")


def read_activity_key(path: Path | None) -> dict[str, str]:
    """``letter → activity`` from an ``activity_key.txt`` (``name = letter`` lines)."""
    if path is None or not path.is_file():
        return dict(ACTIVITY_KEY)
    key = {}
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        name, sep, letter = line.partition("=")
        if not sep or len(letter.strip()) != 1:
            raise ValueError(f"{path}:{lineno}: expected 'activity = letter', got {line!r}")
        key[letter.strip()] = name.strip()
    return key


def parse_file(path: Path, n_fields: int, key: dict[str, str]) -> tuple[np.ndarray, np.ndarray, int]:
    """One subject's file → ``(letters (n,), xyz (n, 3) float32, lines without ';')``."""
    m = _FILE.search(path.name)
    subject = int(m.group(1)) if m else None
    letters, values, unterminated = [], [], 0
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.strip()
            if not line:
                continue
            if not line.endswith(";"):
                unterminated += 1
                continue
            fields = line[:-1].split(",")
            if len(fields) != n_fields:
                raise ValueError(f"{path}:{lineno}: {len(fields)} fields, expected {n_fields} "
                                 f"({'subject,activity,timestamp,x,y,z' if n_fields == 6 else 'subject,activity,x,y,z'})")
            try:
                subj = int(fields[0])
                xyz = [float(v) for v in fields[-3:]]
            except ValueError:
                raise ValueError(f"{path}:{lineno}: a value is not a number: {line!r}") from None
            if not all(math.isfinite(v) for v in xyz):
                raise ValueError(f"{path}:{lineno}: non-finite value in {line!r}")
            if subject is not None and subj != subject:
                raise ValueError(f"{path}:{lineno}: subject {subj} in the file of subject {subject}")
            if fields[1] not in key:
                raise ValueError(f"{path}:{lineno}: unknown activity letter {fields[1]!r}; "
                                 f"the key has {''.join(sorted(key))}")
            letters.append(fields[1])
            values.append(xyz)
    if not letters:
        raise ValueError(f"{path}: no data lines")
    return np.array(letters), np.asarray(values, dtype=np.float32), unterminated


def drop_repeat(letters: np.ndarray, xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """If the second half of a file repeats its first half exactly, keep one copy."""
    n = len(letters)
    if n % 2 == 0 and n > 0:
        h = n // 2
        if np.array_equal(letters[:h], letters[h:]) and np.array_equal(xyz[:h], xyz[h:]):
            return letters[:h], xyz[:h], True
    return letters, xyz, False


def check_manifest(root: Path, manifest: Path, files: list[Path]) -> None:
    """Sizes of official files against the manifest (``path  size  sha256``)."""
    expected = {}
    for line in manifest.read_text().splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            expected[Path(parts[0]).name] = int(parts[1])
    for f in files:
        size = f.stat().st_size
        if f.name in expected and size != expected[f.name]:
            raise ValueError(f"{f}: {size} bytes, the official file has {expected[f.name]}; "
                             "the copy is incomplete or altered")


def parse_wisdm2019(files: list[Path], n_fields: int, key: dict[str, str], device: str,
                    sensor: str, name: str, variant: str) -> HARDataset:
    """Parse per-subject files into a dataset (see the module docstring)."""
    if not files:
        raise ValueError(f"{name}: no data files")
    per_file, repeated, unterminated = [], [], 0
    for path in sorted(files):
        letters, xyz, skipped = parse_file(path, n_fields, key)
        letters, xyz, was_repeat = drop_repeat(letters, xyz)
        if was_repeat:
            repeated.append(path.name)
        unterminated += skipped
        per_file.append((int(_FILE.search(path.name).group(1)), letters, xyz))
    present = sorted({str(c) for _, letters, _ in per_file for c in np.unique(letters)},
                     key=list(key).index)
    index = {letter: i for i, letter in enumerate(present)}
    recordings = []
    for subject, letters, xyz in per_file:
        change = np.flatnonzero(letters[1:] != letters[:-1]) + 1
        bounds = np.r_[0, change, len(letters)]
        for a, b in zip(bounds[:-1], bounds[1:]):
            letter = str(letters[a])
            labels = np.full(b - a, index[letter], dtype=np.int16)
            recordings.append(Recording(subject, f"{subject}_{letter}_{a}", xyz[a:b], labels))
    modality, unit = MODALITY[sensor]
    return HARDataset(
        name=name, sampling_rate=SAMPLING_RATE, class_names=tuple(key[c] for c in present),
        channels=tuple(imu_channels(PLACEMENT[device], [modality], {modality: unit})),
        recordings=recordings,
        description=f"WISDM 2019 (UCI 507), {device} {sensor}, {variant}: "
                    f"{len(per_file)} subjects, {len(present)} activities at 20 Hz",
        missing_values="none documented; lines without ';' skipped and counted",
        extra={"variant": variant, "repeated_files": repeated,
               "lines_without_semicolon": int(unterminated),
               "activity_letters": "".join(present)},
    )


def _official_files(root: Path, device: str, sensor: str) -> list[Path]:
    folder = root / "raw" / device / sensor
    return sorted(p for p in folder.glob(f"data_*_{sensor}_{device}.txt") if _FILE.search(p.name))


def load_official(device: str, sensor: str, name: str) -> HARDataset:
    root = locate(OFFICIAL)
    files = _official_files(root, device, sensor)
    manifest = None
    try:
        manifest = locate(REDUCED) / MANIFEST
    except DatasetNotFoundError:
        pass
    if manifest is not None and manifest.is_file():
        check_manifest(root, manifest, files)
    return parse_wisdm2019(files, 6, read_activity_key(root / "activity_key.txt"), device, sensor,
                           name, "official layout")


def load_reduced(name: str) -> HARDataset:
    root = locate(REDUCED)
    files = sorted((root / "Datasets" / "train").glob("data_*_accel_watch.txt"))
    key = read_activity_key(root / "wisdm-dataset" / "activity_key.txt")
    return parse_wisdm2019(files, 5, key, "watch", "accel", name,
                           "reduced mirror variant (no timestamps, first 120 s of 6 activities)")


@register_dataset("wisdm2019_watch_accel", version=1, sources=(OFFICIAL, REDUCED),
                  summary="WISDM 2019 (UCI 507) smartwatch accelerometer, 51 subjects, 20 Hz; "
                          "the official layout if present, else the mirror's reduced variant")
def build_watch_accel() -> HARDataset:
    try:
        return load_official("watch", "accel", "wisdm2019_watch_accel")
    except DatasetNotFoundError:
        return load_reduced("wisdm2019_watch_accel")


@register_dataset("wisdm2019_phone_accel", version=1, sources=(OFFICIAL, REDUCED),
                  summary="WISDM 2019 (UCI 507) phone accelerometer (official layout only)")
def build_phone_accel() -> HARDataset:
    return load_official("phone", "accel", "wisdm2019_phone_accel")
