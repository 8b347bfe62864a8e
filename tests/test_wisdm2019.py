"""WISDM 2019 (UCI 507): both layouts, the data's quirks, and the mirror's real counts."""
from __future__ import annotations

import numpy as np
import pytest

from harlib.data import load_dataset, wisdm2019
from harlib.data.windows import sliding_windows

from conftest import MIRROR, needs_mirror

KEY = "walking = A\njogging = B\nstairs = C\nsitting = D\nstanding = E\nkicking = M\n"


def write_official(root, subjects=(1600, 1601), letters="AB", n=40, device="watch",
                   sensor="accel", seed=0):
    """The official layout: wisdm-dataset/raw/<device>/<sensor>/data_<id>_<sensor>_<device>.txt."""
    rng = np.random.default_rng(seed)
    base = root / "wisdm-dataset"
    folder = base / "raw" / device / sensor
    folder.mkdir(parents=True)
    (base / "activity_key.txt").write_text(KEY)
    for s in subjects:
        lines = [f"{s},{a},{1_000_000 + i},{x:.6f},{y:.6f},{z:.6f};"
                 for a in letters for i, (x, y, z) in enumerate(rng.normal(size=(n, 3)))]
        (folder / f"data_{s}_{sensor}_{device}.txt").write_text("\n".join(lines) + "\n")
    return base


def test_official_layout_fixture(isolated):
    data, _ = isolated
    write_official(data)
    ds = load_dataset("wisdm2019_watch_accel")
    assert ds.class_names == ("walking", "jogging")          # only the activities present
    assert ds.subjects == [1600, 1601] and ds.n_samples == 2 * 2 * 40
    assert ds.extra["variant"] == "official layout"
    assert [c.name for c in ds.channels] == ["wrist_acc_x", "wrist_acc_y", "wrist_acc_z"]
    assert len(ds.recordings) == 4                            # one per subject × activity block


def test_quirks_are_handled_and_reported(tmp_path):
    f = tmp_path / "data_1629_accel_watch.txt"
    body = "1629,A,1.0,2.0,3.0;\n1629,B,4.0,5.0,6.0;\n"
    f.write_text(body + body + "1629,A,1.0,2.0,3.0\n\n")   # repeated, plus a line without ';'
    ds = wisdm2019.parse_wisdm2019([f], 5, wisdm2019.ACTIVITY_KEY, "watch", "accel", "t", "test")
    assert ds.n_samples == 2 and ds.extra["repeated_files"] == [f.name]
    assert ds.extra["lines_without_semicolon"] == 1


@pytest.mark.parametrize("line,match", [
    ("1629,A,1.0,2.0;", r"data_1629_accel_watch.txt:2: 4 fields, expected 5"),
    ("1629,A,1.0,nan,3.0;", r":2: non-finite value"),
    ("1629,A,1.0,x,3.0;", r":2: a value is not a number"),
    ("1629,N,1.0,2.0,3.0;", r":2: unknown activity letter 'N'"),
    ("1630,A,1.0,2.0,3.0;", r":2: subject 1630 in the file of subject 1629"),
])
def test_bad_lines_name_file_and_line(tmp_path, line, match):
    f = tmp_path / "data_1629_accel_watch.txt"
    f.write_text("1629,A,1.0,2.0,3.0;\n" + line + "\n")
    with pytest.raises(ValueError, match=match):
        wisdm2019.parse_file(f, 5, wisdm2019.ACTIVITY_KEY)


def test_manifest_size_mismatch(tmp_path):
    base = write_official(tmp_path, subjects=(1600,))
    f = base / "raw/watch/accel/data_1600_accel_watch.txt"
    manifest = tmp_path / "m.tsv"
    manifest.write_text(f"wisdm-dataset/raw/watch/accel/{f.name}\t{f.stat().st_size + 1}\tabc\n")
    with pytest.raises(ValueError, match="incomplete or altered"):
        wisdm2019.check_manifest(base, manifest, [f])


@needs_mirror
def test_real_reduced_variant_counts(monkeypatch, tmp_path):
    monkeypatch.setenv("HARLIB_DATA", str(MIRROR))
    monkeypatch.setenv("HARLIB_CACHE", str(tmp_path))
    ds = load_dataset("wisdm2019_watch_accel")
    assert len(ds.subjects) == 51 and ds.subjects[0] == 1600 and ds.subjects[-1] == 1650
    assert ds.class_names == ("walking", "jogging", "stairs", "sitting", "standing", "kicking")
    assert ds.extra["repeated_files"] == ["data_1629_accel_watch.txt"]
    # MANIFEST.md: 744,000 rows, of which data_1629's repeated half (14,400) is dropped;
    # data_1616 lacks jogging and data_1642 stairs
    assert ds.n_samples == 744_000 - 14_400
    assert ds.sample_counts() == {"walking": 122_400, "jogging": 120_000, "stairs": 120_000,
                                  "sitting": 122_400, "standing": 122_400, "kicking": 122_400}
    ws = sliding_windows(ds, 60, 30, policy="pure")              # WHAR Arena: 3 s, 50 % overlap
    assert ws.class_counts().tolist() == [4029, 3950, 3950, 4029, 4029, 4029]
    ws = sliding_windows(ds, 90, 45, policy="pure")              # paper B's WISDM windows
    assert ws.class_counts().tolist() == [2652, 2600, 2600, 2652, 2652, 2652]
