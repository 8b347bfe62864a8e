"""OPPORTUNITY Activity Recognition — body-worn sensors, locomotion and gesture tasks.

Roggen et al., "Collecting complex activity datasets in highly rich networked sensor
environments", INSS 2010; Chavarriaga et al., "The Opportunity challenge: A benchmark
database for on-body sensor-based activity recognition", Pattern Recognition Letters
34(15):2033–2042, 2013. UCI dataset 226, doi:10.24432/C5M027 (CC BY 4.0).

Format: ``dataset/S{1..4}-{ADL1..ADL5,Drill}.dat``, space separated, no header, 250
columns at 30 Hz, missing values written as ``NaN``. ``dataset/column_names.txt`` names
the columns (``Column: N NAME; value = ..., unit = ...``; 1 = MILLISEC, 2–243 sensors,
244–250 label tracks) and ``dataset/label_legend.txt`` names the labels
(``ID   -   Track   -   Name``). Both are parsed here rather than hard-coded.

Channels: the 113 body-worn channels of the OPPORTUNITY challenge (as used by
DeepConvLSTM, Ordóñez & Roggen 2016): every column among 2–134 whose name starts with
``Accelerometer`` or ``InertialMeasurementUnit``, except the IMU ``Quaternion`` columns.
That is 12 Bluetooth accelerometers × 3 (36), 5 Xsens IMUs (BACK, RUA, RLA, LUA, LLA) ×
acc/gyro/magnetic × 3 (45) and 2 sensor shoes × 16 (32). Columns 135–243 (object
sensors, reed switches, ambient accelerometers, location tags) are not body-worn.
Values keep the units of ``column_names.txt`` (milli g, scaled gyro/magnetometer counts,
degrees, ...); nothing is converted. Channel placement is the location token of the
column name (``RKN^``, ``HIP``, ``BACK``, ``RUA``, ``L-SHOE`` ...); channel names are
``ACC_<placement>_<modality>_<axis>`` for the accelerometers and ``IMU_...`` for the IMUs
(the BACK location has both).

Tasks: ``locomotion`` (column 244: Stand, Walk, Sit, Lie) and ``gestures`` (column 250,
ML_Both_Arms: 17 mid-level gestures). Label 0 is the null class; it is ``UNLABELLED``
unless ``include_null=True``, which makes it class 0 ("Null") as in the challenge.

Missing values: each kept channel is linearly interpolated over the sample index within
its file, NaN at the start or end filled with the nearest valid value; a channel that is
NaN in a whole file is set to 0 and listed in ``HARDataset.extra["notes"]``.

Checksums: :data:`FILE_SHA256` holds size and SHA-256 of the 24 ``.dat`` files as
recorded in the Git LFS pointers of the GitHub mirror ``abdulsaboor938/HAR`` (not
published by UCI). Files with those names are checked when loading (``verify=True``).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .archive import CorruptArchiveError, Source, locate, sha256sum
from .base import UNLABELLED, Channel, HARDataset, Recording
from .registry import register_dataset
from .textio import fill_gaps, read_table

URL = "https://archive.ics.uci.edu/dataset/226/opportunity+activity+recognition"
SOURCE = Source(
    name="opportunity",
    marker="dataset/S1-ADL1.dat",
    archives={"OpportunityUCIDataset.zip": None},
    urls=(URL,),
)
METADATA_SOURCE = Source(
    name="opportunity (metadata)",
    marker="dataset/column_names.txt",
    archives={
        "opportunity_metadata_only.tar.xz":
            "7a681c2f0ee34d5eea677fa89b00ef8a1f29c7e0485307d782506011773d6dd0",
        "OpportunityUCIDataset.zip": None,
    },
    urls=(URL,),
)

SAMPLING_RATE = 30.0
N_COLUMNS = 250
N_BODY_WORN = 113
TASKS = {"locomotion": (244, "Locomotion"), "gestures": (250, "ML_Both_Arms")}
NULL_NAME = "Null"

FILE_SHA256 = {  # name: (bytes, sha256)
    "S1-ADL1.dat": (51803164, "2b247432acbe4d3970f052c1e3e7ff8d2fc98ba5c49f95e2a0d63a32c553aab8"),
    "S1-ADL2.dat": (32761206, "cb7951936acb4637e27b3c8c95480341354a93ba90a5cce232526279d2f127ba"),
    "S1-ADL3.dat": (33899243, "118378e10af6bf042a65f7d14234993b9e1229ef12b4dc75afff1a79760f7132"),
    "S1-ADL4.dat": (34242592, "283cf48e4114b4fb05a7def13c29b5497a0e02947ca5855d831fc68b72eec1c8"),
    "S1-ADL5.dat": (30729238, "8519f3a4c09ee10c67215aef53520152355ddadf0d70b5b708998478b0c53a1c"),
    "S1-Drill.dat": (56321443, "26b5e4d9f40243cc64471592bf86a5a282b0bde864b1efcdd5699d5a7f00bf42"),
    "S2-ADL1.dat": (43165447, "38d76a30b49b6fff3dcc77cec676a19de5c252ed14c10b7400b4666997fa7f1f"),
    "S2-ADL2.dat": (30710584, "b30f15e8a1927cd19427e2b1028bc787df06810466fd548523fc6a11e2d01aed"),
    "S2-ADL3.dat": (34808274, "64eca28aa6cefc38e6362510f95d2a770d3a4e6c8b2326fd6608d7c10707240e"),
    "S2-ADL4.dat": (33124185, "25cd0d6eb7e0fd9a9786d213ffdac131f06a5279e24d78ff50b1621a3fa205d1"),
    "S2-ADL5.dat": (32398053, "2300842180e2640aa9512d602c0a7ba6ee1a4ef1999889b34bceb110dc5c5c0d"),
    "S2-Drill.dat": (54381079, "98e7ed170e860457198fd1346f4b284d7ae5983e5de78d3924273ec47fa8e78f"),
    "S3-ADL1.dat": (37810795, "1b15fc4766ba9a79f8ec97c15bb4cb128e7a2fd2c08f8dcb60dec65ca543e699"),
    "S3-ADL2.dat": (28329759, "a61b0418486f07114719d30ea6bf119e530f233d36d8eee7da542946b0358f4a"),
    "S3-ADL3.dat": (27222179, "ad976087c3c428f75d5a83df82640935323b3923eb8256466c99e7d2c556590a"),
    "S3-ADL4.dat": (27972830, "e2502620983c38ecb78b21ca232516decc64753ad476ea242d3cbebcba20e637"),
    "S3-ADL5.dat": (27048082, "8c66c65e561c4b2a8fb36d40cbca36cee246d6fad6072b097fcb3ee0ed8620fa"),
    "S3-Drill.dat": (72116889, "3f5c13d4e52ea96f218040480e68bdf279818e7ea99d7dba7a78c12f2e21f7f1"),
    "S4-ADL1.dat": (42129019, "9a9a6fedd1889f9210ff3ecc0d9ee9da602bd11a3a86f629ac06273a9b8bb98a"),
    "S4-ADL2.dat": (28272896, "022be538306b443096667f37909d2a4a6f69222ddd2381a63160efc6ef146a04"),
    "S4-ADL3.dat": (26254876, "f81f5d19cf3f76e531e2af5aab2333f6a776d82202869c740ee7791c1095fd7f"),
    "S4-ADL4.dat": (22661204, "d2f5bd0e2f770ef8cbc0e1b11cab1ea9fe537d1bef3586dc92c395fd47b1426d"),
    "S4-ADL5.dat": (31116303, "1ace7199f8a5285691a58326ded0a2932ea56d8f43da537ff23db0ad359e7ef6"),
    "S4-Drill.dat": (46154259, "9076c861d9b5ad94345abf61659064f8e7b94e73d29518ab30e156a30555a3bd"),
}

# Axis-token prefix -> modality; the rest of the token is the axis ("X" -> "x", "" for Compass).
_MODALITIES = (
    ("AngVelBodyFrame", "angvel_body"), ("AngVelNavFrame", "angvel_nav"), ("Nav_A", "nav_acc"),
    ("Body_A", "body_acc"), ("magnetic", "mag"), ("gyro", "gyro"), ("acc", "acc"),
    ("Eu", "euler"), ("Compass", "compass"),
)
_SENSOR_PREFIX = {"Accelerometer": "ACC", "InertialMeasurementUnit": "IMU"}
_SESSION_ORDER = ("ADL1", "ADL2", "ADL3", "ADL4", "ADL5", "Drill")
_COLUMN_LINE = re.compile(r"^Column:\s*(\d+)\s+([^;]*?)\s*(?:;(.*))?$")
_LEGEND_LINE = re.compile(r"^(\d+)\s+-\s+(\S+)\s+-\s+(.+)$")
_DAT_NAME = re.compile(r"^S(\d+)-(ADL\d|Drill)\.dat$")


def read_column_names(path: Path) -> dict[int, tuple[str, str]]:
    """``column_names.txt`` as ``{column number (1-based): (name, unit)}``."""
    columns = {}
    for line in Path(path).read_text(encoding="latin-1").splitlines():
        m = _COLUMN_LINE.match(line.strip())
        if m:
            unit = re.search(r"unit\s*=\s*(.*)$", m[3] or "")
            columns[int(m[1])] = (m[2], unit[1].strip() if unit else "")
    missing = sorted(set(range(1, N_COLUMNS + 1)) - set(columns))
    if missing:
        raise ValueError(f"{path}: columns {missing[:5]}{'...' if len(missing) > 5 else ''} "
                         f"are not defined (expected 'Column: N NAME' lines for 1..{N_COLUMNS})")
    return columns


def read_label_legend(path: Path) -> list[tuple[int, str, str]]:
    """``label_legend.txt`` as ``[(label id, track, label name), ...]`` in file order."""
    return [(int(m[1]), m[2], m[3].strip())
            for line in Path(path).read_text(encoding="latin-1").splitlines()
            if (m := _LEGEND_LINE.match(line.strip()))]


def channel_from_name(name: str, unit: str = "") -> Channel:
    """A column name as a Channel: ``"InertialMeasurementUnit BACK gyroX"`` →
    ``Channel("IMU_BACK_gyro_x", "BACK", "gyro", "x")``."""
    sensor, placement, token = name.split()
    for prefix, modality in _MODALITIES:
        if token.startswith(prefix):
            axis = token[len(prefix):].lower()
            full = f"{_SENSOR_PREFIX[sensor]}_{placement}_{modality}" + (f"_{axis}" if axis else "")
            return Channel(full, placement, modality, axis, unit)
    raise ValueError(f"unknown OPPORTUNITY sensor axis {token!r} in column {name!r}")


def body_worn_columns(columns: dict[int, tuple[str, str]]) -> list[tuple[int, Channel]]:
    """The 113 body-worn channels as ``[(column number, Channel), ...]`` (rule in the module doc)."""
    selected = [(n, channel_from_name(name, unit)) for n, (name, unit) in sorted(columns.items())
                if 2 <= n <= 134 and name.split(" ")[0] in _SENSOR_PREFIX
                and "Quaternion" not in name]
    if len(selected) != N_BODY_WORN:
        raise ValueError(f"column_names.txt: the body-worn selection gives {len(selected)} "
                         f"channels, expected {N_BODY_WORN}; is this another release?")
    return selected


def task_classes(legend: list[tuple[int, str, str]], task: str,
                 include_null: bool = False) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Label ids and class names of ``task``, in legend order (null first if included)."""
    if task not in TASKS:
        raise ValueError(f"unknown OPPORTUNITY task {task!r}; choose from {sorted(TASKS)}")
    track = TASKS[task][1]
    entries = [(i, name) for i, t, name in legend if t == track]
    if not entries:
        raise ValueError(f"label_legend.txt has no entries for track {track!r}")
    if include_null:
        entries.insert(0, (0, NULL_NAME))
    ids, names = zip(*entries)
    return ids, names


def map_labels(values: np.ndarray, ids: tuple[int, ...]) -> np.ndarray:
    """Position of each raw label value in ``ids``; ``UNLABELLED`` where it is absent."""
    ids_arr = np.asarray(ids, dtype=np.float64)
    order = np.argsort(ids_arr)
    pos = np.clip(np.searchsorted(ids_arr, values, sorter=order), 0, len(ids_arr) - 1)
    found = ids_arr[order[pos]] == values
    return np.where(found, order[pos], UNLABELLED).astype(np.int16)


def verify_file(path: Path) -> None:
    """Raise :class:`CorruptArchiveError` if a known ``.dat`` file has another size or SHA-256."""
    if path.name not in FILE_SHA256:
        return
    size, expected = FILE_SHA256[path.name]
    got_size = path.stat().st_size
    got = sha256sum(path) if got_size == size else None
    if got != expected:
        found = f"SHA-256 {got}" if got else f"{got_size} bytes"
        raise CorruptArchiveError(
            f"{path}: checksum mismatch — found {found}, expected {size} bytes with SHA-256 "
            f"{expected}. The file is corrupt, truncated or from another release; download it "
            f"again from {URL}, or pass verify=False to skip this check.")


def read_metadata(root: Path) -> tuple[list[tuple[int, Channel]], list[tuple[int, str, str]]]:
    """Body-worn columns and label legend from ``root/dataset``."""
    folder = Path(root) / "dataset"
    return (body_worn_columns(read_column_names(folder / "column_names.txt")),
            read_label_legend(folder / "label_legend.txt"))


def load_metadata() -> tuple[list[tuple[int, Channel]], list[tuple[int, str, str]]]:
    """Like :func:`read_metadata`, from wherever the metadata is found (the .dat files need not be)."""
    return read_metadata(locate(METADATA_SOURCE))


def session_files(root: Path) -> list[tuple[int, str, Path]]:
    """``[(subject, session, path)]`` for every ``S<n>-<ADLk|Drill>.dat``, in subject/session order."""
    found = []
    for path in (Path(root) / "dataset").glob("S*-*.dat"):
        m = _DAT_NAME.match(path.name)
        if m:
            found.append((int(m[1]), _SESSION_ORDER.index(m[2]), path))
    if not found:
        raise FileNotFoundError(f"{Path(root) / 'dataset'}: no S<n>-ADL<k>.dat / S<n>-Drill.dat files")
    return [(s, p.stem, p) for s, _, p in sorted(found)]


def parse_opportunity(root: Path, task: str = "locomotion", include_null: bool = False,
                      verify: bool = True) -> HARDataset:
    """Parse the OPPORTUNITY folder ``root`` (which holds ``dataset/``) for one task."""
    columns, legend = read_metadata(root)
    ids, class_names = task_classes(legend, task, include_null)
    label_column = TASKS[task][0]
    keep = [n - 1 for n, _ in columns]
    channels = [c for _, c in columns]
    recordings, notes = [], []
    for subject, session, path in session_files(root):
        if verify:
            verify_file(path)
        table = read_table(path, N_COLUMNS)
        signals, empty = fill_gaps(table[:, keep])
        notes += [f"{path.name}: {channels[j].name} is entirely missing; set to 0" for j in empty]
        recordings.append(Recording(subject, session, signals,
                                    map_labels(table[:, label_column - 1], ids)))
    null = "class 0 'Null'" if include_null else "unlabelled (-1)"
    return HARDataset(
        name=f"opportunity_{task}", sampling_rate=SAMPLING_RATE, class_names=class_names,
        channels=tuple(channels), recordings=recordings,
        description=f"OPPORTUNITY, {task} task (column {label_column} {TASKS[task][1]}, "
                    f"{len(class_names)} classes): 4 subjects × 5 ADL runs + 1 drill run, 113 "
                    f"body-worn channels (7 IMUs incl. 2 sensor shoes, 12 3-axis "
                    f"accelerometers), one recording per run.",
        missing_values="NaN linearly interpolated per channel within each run, edges filled "
                       "with the nearest valid value; all-NaN channels set to 0 (see "
                       f"extra['notes']); null label is {null}",
        extra={"notes": notes, "task": task, "label_column": label_column,
               "label_ids": list(ids)},
    )


def load_opportunity(task: str, include_null: bool = False, verify: bool = True) -> HARDataset:
    """Locate the dataset and parse it; ``include_null`` makes the null label class 0."""
    return parse_opportunity(locate(SOURCE), task, include_null=include_null, verify=verify)


@register_dataset("opportunity_locomotion", version=1, sources=(SOURCE,),
                  summary="OPPORTUNITY locomotion: 4 subjects, 4 classes (null unlabelled), "
                          "113 body-worn channels, 30 Hz")
def build_opportunity_locomotion() -> HARDataset:
    return load_opportunity("locomotion")


@register_dataset("opportunity_gestures", version=1, sources=(SOURCE,),
                  summary="OPPORTUNITY gestures: 4 subjects, 17 classes (null unlabelled), "
                          "113 body-worn channels, 30 Hz")
def build_opportunity_gestures() -> HARDataset:
    return load_opportunity("gestures")
