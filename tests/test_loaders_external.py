"""Loaders for datasets whose data files are not shipped (PAMAP2, OPPORTUNITY, WISDM, DaLiAc).

The fixtures under ``tests/fixtures/`` are tiny files in the exact raw formats with
synthetic values; the OPPORTUNITY ``column_names.txt`` and ``label_legend.txt`` are the
real files of the UCI release.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from harlib.data import daliac, opportunity, pamap2, wisdm
from harlib.data.archive import CorruptArchiveError, DatasetNotFoundError
from harlib.data.base import UNLABELLED, Channel, HARDataset
from harlib.data.registry import DATASETS, dataset_names

FIXTURES = Path(__file__).parent / "fixtures"
from conftest import MIRROR as SHARED_DATA  # noqa: E402  (the offline mirror beside the checkout)


@pytest.fixture
def env(tmp_path, monkeypatch):
    """Point HARLIB_DATA / HARLIB_CACHE at fresh folders; returns a setter for HARLIB_DATA."""
    monkeypatch.setenv("HARLIB_CACHE", str(tmp_path / "cache"))
    empty = tmp_path / "data"
    empty.mkdir()
    monkeypatch.setenv("HARLIB_DATA", str(empty))
    return lambda folder: monkeypatch.setenv("HARLIB_DATA", str(folder))


def test_all_registered():
    for name in ("pamap2", "opportunity_locomotion", "opportunity_gestures", "wisdm", "daliac"):
        assert name in dataset_names()


# ---- PAMAP2 ----------------------------------------------------------------------------

def test_pamap2_layout_and_labels():
    ds = pamap2.parse_pamap2(FIXTURES / "pamap2")
    assert ds.sampling_rate == 100.0 and ds.n_classes == 12
    assert [r.subject for r in ds.recordings] == [101, 102]          # 103..109 absent: skipped
    assert [r.signals.shape for r in ds.recordings] == [(30, 27), (20, 27)]
    assert list(ds.placements()) == ["hand", "chest", "ankle"]
    assert list(ds.modalities()) == ["acc", "gyro", "mag"]
    assert ds.channels[0].name == "hand_acc_x" and ds.channels[0].unit == "m/s^2"
    assert ds.channels[-1].name == "ankle_mag_z" and ds.channels[-1].unit == "uT"
    labels = ds.recordings[0].labels
    assert (labels[:5] == UNLABELLED).all()                           # id 0: transient
    assert ds.class_names[labels[5]] == "lying"                       # id 1
    assert ds.class_names[labels[15]] == "rope jumping"               # id 24
    assert (labels[25:] == UNLABELLED).all()                          # id 9: not a protocol activity
    assert [ds.class_names[i] for i in np.unique(ds.recordings[1].labels)] == \
        ["walking", "ascending stairs", "ironing"]                    # ids 4, 12, 17


def test_pamap2_columns_and_nan_interpolation():
    ds = pamap2.parse_pamap2(FIXTURES / "pamap2")
    # per IMU block (hand 3-19, chest 20-36, ankle 37-53): acc ±16 g, gyro, mag
    assert pamap2.SIGNAL_COLUMNS == (4, 5, 6, 10, 11, 12, 13, 14, 15,
                                     21, 22, 23, 27, 28, 29, 30, 31, 32,
                                     38, 39, 40, 44, 45, 46, 47, 48, 49)
    raw = np.loadtxt(FIXTURES / "pamap2" / "Protocol" / "subject102.dat")
    np.testing.assert_allclose(ds.recordings[1].signals, raw[:, pamap2.SIGNAL_COLUMNS], rtol=1e-6)
    # subject101 hand acc x is 2*i with NaN at rows 0, 1 (edge), 6, 7 (inside), 29 (edge)
    x = ds.recordings[0].signals[:, 0]
    np.testing.assert_allclose(x[:3], [4, 4, 4])
    np.testing.assert_allclose(x[5:9], [10, 12, 14, 16])
    assert x[29] == 56
    # chest gyro z is NaN in the whole file: zeros and a note
    j = [c.name for c in ds.channels].index("chest_gyro_z")
    assert (ds.recordings[0].signals[:, j] == 0).all()
    assert ds.extra["notes"] == ["subject101.dat: chest_gyro_z is entirely missing; set to 0"]
    assert not np.isnan(ds.recordings[0].signals).any()


def test_pamap2_bad_row_names_file_and_line(tmp_path):
    (tmp_path / "Protocol").mkdir()
    lines = (FIXTURES / "pamap2" / "Protocol" / "subject102.dat").read_text().splitlines()
    lines[6] = " ".join(lines[6].split()[:53])
    (tmp_path / "Protocol" / "subject103.dat").write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"subject103\.dat, line 7: expected 54 fields, found 53"):
        pamap2.parse_pamap2(tmp_path)


def test_pamap2_no_subject_file(tmp_path):
    (tmp_path / "Protocol").mkdir()
    with pytest.raises(FileNotFoundError, match="subject101.dat"):
        pamap2.parse_pamap2(tmp_path)


@pytest.mark.parametrize("name, folder, n_samples", [
    ("pamap2", "pamap2", 50), ("wisdm", "wisdm", 60), ("daliac", "daliac", 50)])
def test_builders_find_fixture_through_harlib_data(env, tmp_path, name, folder, n_samples):
    env(FIXTURES / folder)
    ds = DATASETS.get(name).build()
    assert ds.n_samples == n_samples
    ds.save(tmp_path / "ds.npz")                                     # the parsed-array cache
    back = HARDataset.load(tmp_path / "ds.npz")
    assert back.channels == ds.channels and back.extra == ds.extra
    np.testing.assert_array_equal(back.recordings[-1].labels, ds.recordings[-1].labels)


# ---- OPPORTUNITY -------------------------------------------------------------------------

def _check_113(columns):
    numbers = [n for n, _ in columns]
    channels = [c for _, c in columns]
    assert len(channels) == 113
    # DeepConvLSTM's selection: 12 accelerometers x 3, 5 IMUs x 9 (quaternions dropped), 2 shoes x 16
    imus = [c for start in (38, 51, 64, 77, 90) for c in range(start, start + 9)]
    assert numbers == list(range(2, 38)) + imus + list(range(103, 135))
    assert len({c.name for c in channels}) == 113
    placements = {c.placement for c in channels}
    assert {"RKN^", "HIP", "BACK", "RUA", "RUA^", "RUA_", "LLA", "L-SHOE", "R-SHOE"} <= placements
    assert len(placements) == 12 + 7 - 1                            # BACK has both sensor kinds
    counts = {m: sum(c.modality == m for c in channels) for m in {c.modality for c in channels}}
    assert counts == {"acc": 36 + 15, "gyro": 15, "mag": 15, "euler": 6, "nav_acc": 6,
                      "body_acc": 6, "angvel_body": 6, "angvel_nav": 6, "compass": 2}
    assert channels[0] == Channel("ACC_RKN^_acc_x", "RKN^", "acc", "x", "milli g")
    by_name = {c.name: c for c in channels}
    assert by_name["IMU_BACK_mag_z"].placement == "BACK"
    assert by_name["IMU_L-SHOE_compass"].axis == ""
    assert by_name["IMU_R-SHOE_angvel_nav_z"].unit == "mm/s"


def test_opportunity_113_channels_on_real_metadata():
    columns, legend = opportunity.read_metadata(FIXTURES / "opportunity")
    _check_113(columns)
    assert len(legend) == 4 + 5 + 13 + 23 + 13 + 23 + 17
    ids, names = opportunity.task_classes(legend, "locomotion")
    assert ids == (1, 2, 4, 5) and names == ("Stand", "Walk", "Sit", "Lie")
    ids, names = opportunity.task_classes(legend, "gestures")
    assert len(names) == 17 and names[0] == "Open Door 1" and names[-1] == "Toggle Switch"
    assert ids[-2:] == (407521, 405506)
    ids, names = opportunity.task_classes(legend, "gestures", include_null=True)
    assert ids[0] == 0 and names[:2] == ("Null", "Open Door 1") and len(names) == 18


@pytest.mark.skipif(not (SHARED_DATA / "opportunity_metadata_only.tar.xz").is_file(),
                    reason="shared metadata archive not available")
def test_opportunity_metadata_from_archive(env):
    env(SHARED_DATA)
    columns, legend = opportunity.load_metadata()
    _check_113(columns)
    assert columns == opportunity.read_metadata(FIXTURES / "opportunity")[0]
    with pytest.raises(DatasetNotFoundError, match="S1-ADL1.dat"):   # metadata only, no .dat
        opportunity.load_opportunity("locomotion")


def test_opportunity_locomotion():
    ds = opportunity.parse_opportunity(FIXTURES / "opportunity", "locomotion", verify=False)
    assert ds.name == "opportunity_locomotion" and ds.sampling_rate == 30.0
    assert [(r.subject, r.session, r.signals.shape) for r in ds.recordings] == \
        [(1, "S1-ADL1", (48, 113)), (2, "S2-Drill", (30, 113))]
    assert ds.class_names == ("Stand", "Walk", "Sit", "Lie")
    lab = ds.recordings[0].labels
    assert (lab[:4] == UNLABELLED).all()                                      # null
    assert [ds.class_names[i] for i in lab[[4, 16, 28, 38]]] == ["Stand", "Walk", "Sit", "Lie"]
    assert (ds.recordings[1].labels[20:22] == UNLABELLED).all()               # id 3 is no class
    # column 2 (RKN^ accX) is 10*i with NaN at rows 0 (edge), 20-22 (inside), 47 (edge)
    x = ds.recordings[0].signals[:, 0]
    assert x[0] == 10 and x[47] == 460
    np.testing.assert_allclose(x[19:24], [190, 200, 210, 220, 230])
    # other channels are the raw values of their columns
    raw = np.loadtxt(FIXTURES / "opportunity" / "dataset" / "S2-Drill.dat")
    keep = [n - 1 for n, _ in opportunity.read_metadata(FIXTURES / "opportunity")[0]]
    j = [c.name for c in ds.channels].index("IMU_BACK_gyro_x")               # column 41
    others = [i for i in range(113) if i != j]
    np.testing.assert_array_equal(ds.recordings[1].signals[:, others], raw[:, keep][:, others])
    assert (ds.recordings[1].signals[:, j] == 0).all()
    assert ds.extra["notes"] == ["S2-Drill.dat: IMU_BACK_gyro_x is entirely missing; set to 0"]


def test_opportunity_gestures_with_and_without_null():
    ds = opportunity.parse_opportunity(FIXTURES / "opportunity", "gestures", verify=False)
    assert ds.n_classes == 17
    lab = ds.recordings[0].labels
    assert (lab[:10] == UNLABELLED).all() and (lab[44:] == UNLABELLED).all()  # null, unknown 999
    assert [ds.class_names[i] for i in lab[[10, 20, 30]]] == \
        ["Open Door 1", "Toggle Switch", "Close Drawer 3"]
    with_null = opportunity.parse_opportunity(FIXTURES / "opportunity", "gestures",
                                              include_null=True, verify=False)
    lab = with_null.recordings[0].labels
    assert with_null.n_classes == 18 and with_null.class_names[0] == "Null"
    assert (lab[:10] == 0).all() and (lab[44:] == UNLABELLED).all()
    assert with_null.class_names[lab[10]] == "Open Door 1"
    with pytest.raises(ValueError, match="unknown OPPORTUNITY task"):
        opportunity.parse_opportunity(FIXTURES / "opportunity", "objects", verify=False)


def test_opportunity_checksum_mismatch(env, tmp_path):
    with pytest.raises(CorruptArchiveError, match=r"S1-ADL1\.dat: checksum mismatch.*verify=False"):
        opportunity.parse_opportunity(FIXTURES / "opportunity", "locomotion")
    # same size as the known file but different content: the SHA-256 is compared
    path = tmp_path / "S1-ADL1.dat"
    with open(path, "wb") as f:
        f.truncate(opportunity.FILE_SHA256["S1-ADL1.dat"][0])
    with pytest.raises(CorruptArchiveError, match="found SHA-256 [0-9a-f]{64}"):
        opportunity.verify_file(path)
    # the registered builders verify too
    env(FIXTURES / "opportunity")
    with pytest.raises(CorruptArchiveError):
        DATASETS.get("opportunity_locomotion").build()
    ds = opportunity.load_opportunity("gestures", verify=False)
    ds.save(tmp_path / "opp.npz")
    assert HARDataset.load(tmp_path / "opp.npz").extra == ds.extra


def test_opportunity_bad_row(tmp_path):
    shutil.copytree(FIXTURES / "opportunity", tmp_path / "opp")
    path = tmp_path / "opp" / "dataset" / "S2-Drill.dat"
    lines = path.read_text().splitlines()
    lines[3] += " 7"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"S2-Drill\.dat, line 4: expected 250 fields, found 251"):
        opportunity.parse_opportunity(tmp_path / "opp", verify=False)


# ---- WISDM ---------------------------------------------------------------------------------

def test_wisdm_malformed_records():
    ds = wisdm.parse_wisdm(FIXTURES / "wisdm")
    # 65 candidate records; skipped: empty x, empty z, 4 fields, unknown activity, "abc"
    assert ds.extra["malformed_records"] == 5
    assert ds.extra["zero_timestamp_records"] == 1
    assert ds.n_samples == 60
    assert [(r.session, len(r)) for r in ds.recordings] == \
        [("u33_r0", 25), ("u17_r0", 25), ("u33_r1", 10)]
    assert ds.subjects == [17, 33]
    assert ds.channels[0].name == "pocket_acc_x" and ds.n_channels == 3
    assert ds.class_names == ("Walking", "Jogging", "Upstairs", "Downstairs", "Sitting", "Standing")
    first = ds.recordings[0]
    np.testing.assert_allclose(first.signals[12:15, 0], [0.51, 0.61, 0.71], rtol=1e-6)  # 3 on a line
    np.testing.assert_allclose(first.signals[15], [-1.1849703, 12.108489, 7.205164], rtol=1e-6)
    np.testing.assert_allclose(first.signals[16], [5.012288, 11.264028, 0.95342433], rtol=1e-6)
    assert [ds.class_names[i] for i in first.labels[[0, 16, 17]]] == ["Jogging", "Walking", "Upstairs"]
    second = ds.recordings[1]
    np.testing.assert_allclose(second.signals[8], [1.2, 9.3, 0.4], rtol=1e-6)   # no ';'
    assert ds.class_names[second.labels[10]] == "Sitting"                      # timestamp 0
    np.testing.assert_allclose(ds.recordings[2].signals[-1], [0.1, 9.9, 0.2], rtol=1e-6)
    assert (ds.recordings[2].labels == ds.class_names.index("Downstairs")).all()


def test_wisdm_split_records():
    text = ("1,Walking,5,1,2,3;1,Walking,6,1,2,3;\n1,Walking,7,1,\n2,3;\n"
            "1,Walking,8,1,2,3\n1,Walking,9,1,2,3,;")
    assert wisdm.split_records(text) == [
        "1,Walking,5,1,2,3", "1,Walking,6,1,2,3", "1,Walking,7,1,2,3",
        "1,Walking,8,1,2,3", "1,Walking,9,1,2,3,"]


@pytest.mark.skipif(not (SHARED_DATA / "wisdm_ar_v1.1_partial.tar.xz").is_file(),
                    reason="shared WISDM archive not available")
def test_wisdm_partial_mirror_is_reported(env):
    env(SHARED_DATA)
    with pytest.raises(DatasetNotFoundError) as err:
        DATASETS.get("wisdm").build()
    msg = str(err.value)
    assert "wisdm_ar_v1.1_partial.tar.xz" in msg and "partial copies" in msg
    assert "lacks WISDM_ar_v1.1_raw.txt" in msg


# ---- DaLiAc --------------------------------------------------------------------------------

def test_daliac():
    ds = daliac.parse_daliac(FIXTURES / "daliac")
    assert ds.sampling_rate == 204.8 and ds.n_classes == 13
    assert [(r.subject, r.signals.shape) for r in ds.recordings] == [(1, (30, 24)), (2, (20, 24))]
    assert list(ds.placements()) == list(daliac.SENSOR_ORDER) == ["wrist", "chest", "hip", "ankle"]
    assert [c.name for c in ds.channels[:7]] == [
        "wrist_acc_x", "wrist_acc_y", "wrist_acc_z", "wrist_gyro_x", "wrist_gyro_y",
        "wrist_gyro_z", "chest_acc_x"]
    np.testing.assert_array_equal(ds.recordings[0].signals[:, 0], np.arange(30))
    lab = ds.recordings[0].labels
    assert [ds.class_names[i] for i in lab[[0, 10, 29]]] == ["sitting", "walking", "rope jumping"]
    assert ds.class_names[ds.recordings[1].labels[-1]] == "bicycling on ergometer (50 W)"
    raw = np.loadtxt(FIXTURES / "daliac" / "dataset_2.txt", delimiter=",")
    np.testing.assert_allclose(ds.recordings[1].signals, raw[:, :24], rtol=1e-6)


def test_daliac_malformed(tmp_path):
    lines = (FIXTURES / "daliac" / "dataset_1.txt").read_text().splitlines()
    bad = lines.copy()
    bad[4] = bad[4].rsplit(",", 2)[0]
    (tmp_path / "dataset_1.txt").write_text("\n".join(bad) + "\n")
    with pytest.raises(ValueError, match=r"dataset_1\.txt, line 5: expected 25 fields, found 23"):
        daliac.parse_daliac(tmp_path)
    bad = lines.copy()
    bad[2] = "NaN" + bad[2][bad[2].index(","):]
    (tmp_path / "dataset_1.txt").write_text("\n".join(bad) + "\n")
    with pytest.raises(ValueError, match=r"dataset_1\.txt, line 3: missing value"):
        daliac.parse_daliac(tmp_path)


# ---- missing data ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, marker, url", [
    ("pamap2", "Protocol/subject101.dat", "https://archive.ics.uci.edu/dataset/231"),
    ("opportunity_locomotion", "dataset/S1-ADL1.dat", "https://archive.ics.uci.edu/dataset/226"),
    ("opportunity_gestures", "dataset/S1-ADL1.dat", "https://archive.ics.uci.edu/dataset/226"),
    ("wisdm", "WISDM_ar_v1.1_raw.txt", "https://www.cis.fordham.edu/wisdm/dataset.php"),
    ("daliac", "dataset_1.txt", "https://www.mad.tf.fau.de/research/activitynet/daliac"),
])
def test_missing_dataset_names_file_and_url(env, name, marker, url):
    with pytest.raises(DatasetNotFoundError) as err:
        DATASETS.get(name).build()
    assert marker in str(err.value) and url in str(err.value)
