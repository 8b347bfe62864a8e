"""Dataset plumbing: locating, verifying and extracting archives; the raw-format parsers."""
from __future__ import annotations

import hashlib
import tarfile

import numpy as np
import pytest

from harlib.data import (CorruptArchiveError, DatasetNotFoundError, HARDataset, UNLABELLED,
                         load_dataset)
from harlib.data import basicmotions, dsads, hapt, uci_har
from harlib.data.archive import Source, extract_archive, locate
from harlib.core.registry import Registry

from conftest import MIRROR, write_dsads, write_hapt, write_uci_har


def make_tar(path, folder):
    with tarfile.open(path, "w:xz") as tf:
        tf.add(folder, arcname=folder.name)
    return path


def test_hapt_parser_labels_and_channels(tmp_path):
    root = write_hapt(tmp_path)
    ds = hapt.parse_hapt(root)
    assert ds.n_channels == 6 and ds.sampling_rate == 50
    assert [r.session for r in ds.recordings] == ["exp01_user01", "exp02_user01", "exp03_user02"]
    assert ds.subjects == [1, 2]
    lab = ds.recordings[0].labels
    # labels.txt is 1-based and inclusive: walking covers samples 11..140 → indices 10..139
    assert lab[9] == UNLABELLED and lab[10] == 0 and lab[139] == 0
    assert lab[140] == 6 and lab[169] == 6 and lab[170] == 3
    assert lab[-10] == UNLABELLED and lab[-11] == 3
    acc = np.loadtxt(root / "RawData" / "acc_exp01_user01.txt")
    np.testing.assert_allclose(ds.recordings[0].signals[:, :3], acc, rtol=1e-6)
    assert ds.placements() == {"waist": list(range(6))}


def test_hapt_rejects_mismatched_lengths_and_bad_segments(tmp_path):
    root = write_hapt(tmp_path)
    gyro = root / "RawData" / "gyro_exp01_user01.txt"
    gyro.write_text("\n".join(gyro.read_text().splitlines()[:-5]) + "\n")
    with pytest.raises(ValueError, match="acc_exp01_user01.txt has 300 rows"):
        hapt.parse_hapt(root)
    root2 = write_hapt(tmp_path / "b")
    (root2 / "RawData" / "labels.txt").write_text("1 1 1 250 400\n")
    with pytest.raises(ValueError, match="outside its 300 samples"):
        hapt.parse_hapt(root2)


def test_hapt_malformed_row_names_file(tmp_path):
    root = write_hapt(tmp_path)
    path = root / "RawData" / "acc_exp02_user01.txt"
    lines = path.read_text().splitlines()
    lines[5] = "0.1 abc 0.3"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match="acc_exp02_user01.txt"):
        hapt.parse_hapt(root)


def test_uci_har_official_parser(tmp_path):
    base = write_uci_har(tmp_path)
    ds = uci_har.parse_uci_har(base)
    assert len(ds.recordings) == 8 and ds.n_channels == 9
    assert all(len(r) == 128 for r in ds.recordings)
    first = np.loadtxt(base / "train" / "Inertial Signals" / "total_acc_y_train.txt")[0]
    ch = [c.name for c in ds.channels].index("waist_total_acc_y")
    np.testing.assert_allclose(ds.recordings[0].signals[:, ch], first, rtol=1e-6)
    assert [int(r.labels[0]) for r in ds.recordings] == [0, 1, 2, 3, 4, 0, 1, 2]
    assert ds.official_split == {"train": [1, 3], "test": [2, 4]}


def test_uci_har_official_parser_checks_row_length(tmp_path):
    base = write_uci_har(tmp_path)
    bad = base / "test" / "Inertial Signals" / "body_gyro_z_test.txt"
    np.savetxt(bad, np.zeros((3, 100)))
    with pytest.raises(ValueError, match="body_gyro_z_test.txt, line 1: expected 128 fields"):
        uci_har.parse_uci_har(base)
    np.savetxt(bad, np.zeros((2, 128)))
    with pytest.raises(ValueError, match="body_gyro_z_test.txt: expected 3 rows of 128"):
        uci_har.parse_uci_har(base)


def test_uci_har_gravity_separation_removes_constant():
    fs = 50.0
    t = np.arange(2000) / fs
    motion = 0.2 * np.sin(2 * np.pi * 2.0 * t)               # 2 Hz body motion
    acc = np.stack([motion + 1.0, np.full_like(t, -0.5), motion], axis=1)  # + gravity
    total, body = uci_har.separate_gravity(acc.astype(np.float32), fs)
    mid = slice(300, -300)                                     # away from filter edges
    np.testing.assert_allclose(body[mid, 0], motion[mid], atol=0.02)
    np.testing.assert_allclose(body[mid, 1], 0.0, atol=1e-3)
    np.testing.assert_allclose(total[mid], acc[mid], atol=0.02)


def test_dsads_parser_joins_segments(tmp_path):
    base = write_dsads(tmp_path, n_activities=3, n_subjects=2, n_segments=4)
    ds = dsads.parse_dsads(base, 3, 2, 4)
    assert len(ds.recordings) == 3 * 2 and ds.n_channels == 45 and ds.n_classes == 19
    rec = ds.recordings[0]
    assert rec.session == "a01_p1" and len(rec) == 4 * 125
    assert [r.subject for r in ds.recordings] == [1, 2, 1, 2, 1, 2]
    seg2 = np.loadtxt(base / "a01" / "p1" / "s02.txt", delimiter=",")
    np.testing.assert_allclose(rec.signals[125:250], seg2, rtol=1e-6)
    assert list(ds.placements()) == ["torso", "right_arm", "left_arm", "right_leg", "left_leg"]
    assert ds.channels[9].name == "right_arm_acc_x" and ds.channels[44].modality == "mag"


def test_dsads_segment_with_wrong_size(tmp_path):
    base = write_dsads(tmp_path, n_activities=3, n_subjects=2, n_segments=4)
    (base / "a03" / "p2" / "s03.txt").write_text("1,2,3\n")
    with pytest.raises(ValueError, match=r"a03/p2/s03.txt: expected 125 rows"):
        dsads.parse_dsads(base, 3, 2, 4)
    (base / "a02" / "p1" / "s04.txt").unlink()
    with pytest.raises(FileNotFoundError, match=r"a02/p1/s04.txt: missing"):
        dsads.parse_dsads(base, 3, 2, 4)


def test_basicmotions_ts_parser(tmp_path):
    ts = tmp_path / "BasicMotions_TRAIN.ts"
    row = lambda v, lab: ":".join(",".join(str(v + d) for _ in range(4)) for d in range(6)) + f":{lab}"
    header = "#c\n@problemName X\n@dimensions 6\n@seriesLength 4\n@classLabel true Standing Running\n@data\n"
    ts.write_text(header + row(1, "Running") + "\n" + row(2, "Standing") + "\n")
    meta, X, labels = basicmotions.read_ts(ts)
    assert X.shape == (2, 4, 6) and labels == ["Running", "Standing"]
    assert X[1, 0, 3] == 5.0 and meta["dimensions"] == "6"
    ts.write_text(header + "1,2:3,4,5:Running\n")
    with pytest.raises(ValueError, match="BasicMotions_TRAIN.ts:7: dimensions have unequal"):
        basicmotions.read_ts(ts)


# ---- locating, verifying, extracting --------------------------------------------------
def test_missing_dataset_error_names_file_and_url(isolated):
    with pytest.raises(DatasetNotFoundError) as err:
        load_dataset("hapt")
    msg = str(err.value)
    assert "RawData/labels.txt" in msg and "archive.ics.uci.edu/dataset/341" in msg
    assert str(isolated[0]) in msg and "hapt_v2.1.tar.xz" in msg


def test_archive_is_verified_extracted_and_cached(isolated, tmp_path):
    data, cache = isolated
    tree = write_hapt(tmp_path / "src")
    archive_path = make_tar(data / "hapt_v2.1.tar.xz", tree)
    digest = hashlib.sha256(archive_path.read_bytes()).hexdigest()
    (data / "SHA256SUMS").write_text(f"{digest}  hapt_v2.1.tar.xz\n")
    src = Source("t", marker="RawData/labels.txt", archives={"hapt_v2.1.tar.xz": None})
    root = locate(src)
    assert root.is_relative_to(cache / "raw") and (root / "RawData" / "labels.txt").is_file()
    archive_path.unlink()                       # the extracted copy is found next time
    assert locate(src) == root


def test_checksum_mismatch_is_refused_and_leaves_nothing(isolated, tmp_path):
    data, cache = isolated
    tree = write_hapt(tmp_path / "src")
    make_tar(data / "x.tar.xz", tree)
    (data / "SHA256SUMS").write_text("0" * 64 + "  x.tar.xz\n")
    src = Source("t", marker="RawData/labels.txt", archives={"x.tar.xz": None})
    with pytest.raises(CorruptArchiveError, match="x.tar.xz: SHA-256 is"):
        locate(src)
    assert not (cache / "raw" / "x").exists()


def test_truncated_archive_leaves_no_partial_folder(isolated, tmp_path):
    data, cache = isolated
    tree = write_hapt(tmp_path / "src")
    full = make_tar(tmp_path / "full.tar.xz", tree).read_bytes()
    (data / "x.tar.xz").write_bytes(full[: len(full) // 2])
    src = Source("t", marker="RawData/labels.txt", archives={"x.tar.xz": None})
    with pytest.raises(CorruptArchiveError, match="corrupt or truncated"):
        locate(src)
    assert list((cache / "raw").iterdir()) == []


def test_partial_archive_is_reported(isolated, tmp_path):
    data, _ = isolated
    tree = write_uci_har(tmp_path / "src")
    for f in (tree / "train" / "Inertial Signals").iterdir():
        f.unlink()
    make_tar(data / "uci_har_partial.tar.xz", tree)
    with pytest.raises(DatasetNotFoundError, match="found but do not contain it"):
        locate(uci_har.SOURCE.__class__(**{**uci_har.SOURCE.__dict__,
                                            "archives": {"uci_har_partial.tar.xz": None}}))


def test_extracted_folder_in_data_dir_is_used_directly(isolated):
    data, _ = isolated
    write_hapt(data)
    ds = load_dataset("hapt")
    assert len(ds.recordings) == 3


def test_parsed_cache_roundtrip_and_atomicity(isolated):
    data, cache = isolated
    write_hapt(data)
    first = load_dataset("hapt")
    files = list((cache / "parsed").iterdir())
    assert [f.name for f in files] == ["hapt-v1.npz"]
    second = HARDataset.load(files[0])
    assert second.class_names == first.class_names and second.channels == first.channels
    for a, b in zip(first.recordings, second.recordings):
        np.testing.assert_array_equal(a.signals, b.signals)
        np.testing.assert_array_equal(a.labels, b.labels)
        assert (a.subject, a.session) == (b.subject, b.session)


def test_extract_archive_refuses_path_traversal(tmp_path):
    evil = tmp_path / "evil.tar.xz"
    payload = tmp_path / "payload.txt"
    payload.write_text("x")
    with tarfile.open(evil, "w:xz") as tf:
        tf.add(payload, arcname="../escaped.txt")
    with pytest.raises(CorruptArchiveError):
        extract_archive(evil, tmp_path / "out")
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "out").exists()


def test_unknown_names_suggest_alternatives():
    with pytest.raises(KeyError, match="unknown dataset 'dsad'. Did you mean 'dsads'"):
        load_dataset("dsad")
    reg = Registry("thing")
    reg.register("a")(1)
    with pytest.raises(ValueError, match="already registered"):
        reg.register("A")(2)


def test_select_channels_by_placement_and_modality(tmp_path):
    ds = dsads.parse_dsads(write_dsads(tmp_path, 1, 1, 2), 1, 1, 2)
    sub = ds.select_channels(placements=["torso", "left_leg"], modalities=["gyro"])
    assert [c.name for c in sub.channels] == [f"{p}_gyro_{a}" for p in ("torso", "left_leg")
                                              for a in "xyz"]
    np.testing.assert_array_equal(sub.recordings[0].signals[:, 0], ds.recordings[0].signals[:, 3])
    with pytest.raises(ValueError, match="no channel matches"):
        ds.select_channels(modalities=["baro"])


def test_imu_channels_is_exported_from_the_package():
    import harlib.data
    from harlib.data import Channel, imu_channels

    assert "imu_channels" in harlib.data.__all__
    chans = imu_channels("wrist", ["acc"], {"acc": "g"}, axes="xy")
    assert chans == [Channel("wrist_acc_x", "wrist", "acc", "x", "g"),
                     Channel("wrist_acc_y", "wrist", "acc", "y", "g")]


# ---- the real mirror, where present (verified counts from its MANIFEST) -----------------
needs_mirror = pytest.mark.skipif(not (MIRROR / "SHA256SUMS").is_file(),
                                  reason="offline data mirror not present")


@needs_mirror
def test_real_hapt_counts(monkeypatch):
    monkeypatch.setenv("HARLIB_DATA", str(MIRROR))
    ds = load_dataset("hapt")
    assert len(ds.recordings) == 61 and len(ds.subjects) == 30
    assert ds.n_samples == 1_122_772
    assert ds.sample_counts()["walking"] > 0 and ds.n_classes == 12


@needs_mirror
def test_real_dsads_and_basicmotions_counts(monkeypatch):
    monkeypatch.setenv("HARLIB_DATA", str(MIRROR))
    ds = load_dataset("dsads")
    assert len(ds.recordings) == 152 and ds.n_samples == 9120 * 125
    assert set(ds.sample_counts().values()) == {8 * 60 * 125}
    bm = load_dataset("basicmotions")
    assert len(bm.recordings) == 80 and bm.n_classes == 4
    assert {k: len(v) for k, v in bm.official_split.items()} == {"train": 40, "test": 40}


@needs_mirror
def test_real_uci_har_reconstruction_split(monkeypatch):
    monkeypatch.setenv("HARLIB_DATA", str(MIRROR))
    ds = load_dataset("uci_har_hapt")
    assert ds.official_split["test"] == [2, 4, 9, 10, 12, 13, 18, 20, 24]
    assert len(ds.official_split["train"]) == 21
    counts = uci_har.official_label_counts(locate(uci_har.SPLIT_SOURCE))
    assert counts["train"].tolist() == [1226, 1073, 986, 1286, 1374, 1407]
    with pytest.raises(DatasetNotFoundError, match="Inertial Signals"):
        load_dataset("uci_har")
