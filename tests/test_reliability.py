"""Fault injection (issue 8): concurrent processes, poisoned and damaged caches, NaN and
malformed raw rows, killed processes and corrupt archives. Each test injects one fault on
small fixture data (or the tiny real BasicMotions set) and checks that harlib either
refuses it with a message naming the file, or recovers from it without a trace.

These back the README's reliability promises: atomic extraction
(``test_killed_extraction_is_cleaned_up_by_the_next_load``), resumable grids
(``test_damaged_stored_run_is_reported_and_retrained``,
``test_killed_run_save_is_cleaned_up_by_the_next_store``) and the parallel recipe
(``test_concurrent_loads_in_separate_processes``).

Only names that harlib had before these faults were fixed are imported at module level, so
that each test fails on its own account against the old code.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import textwrap
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from harlib.data import CorruptArchiveError, DatasetNotFoundError, HARDataset, load_dataset
from harlib.data import basicmotions, dsads, hapt, opportunity, pamap2, uci_har, wisdm
from harlib.data.archive import Source, extract_archive, locate
from harlib.training.runs import RunOutput, RunStore, cached_run, run_key

from conftest import REPO, flip_byte, write_dsads, write_hapt, write_uci_har

FIXTURES = Path(__file__).parent / "fixtures"


# ---- helpers ---------------------------------------------------------------------------
def make_zip(path: Path, folder: Path) -> Path:
    """``folder`` as a zip archive whose members start with ``folder.name/``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for f in sorted(folder.rglob("*")):
            zf.write(f, f.relative_to(folder.parent).as_posix())
    return path


def make_tar_xz(path: Path, folder: Path) -> Path:
    with tarfile.open(path, "w:xz", preset=0) as tf:
        tf.add(folder, arcname=folder.name)
    return path


def hidden(folder: Path) -> list[str]:
    """Names of the hidden entries (temporaries) in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) if folder.is_dir() else []


def spawn(code: str, *args: str) -> subprocess.Popen:
    """A separate Python process running ``code`` with this environment (one thread)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(paths, procs, timeout=120.0):
    """Wait until every path exists; fail early (with its stderr) if a process exits first."""
    deadline = time.monotonic() + timeout
    while not all(Path(p).exists() for p in paths):
        for p in procs:
            if p.poll() is not None:
                pytest.fail(f"child exited early ({p.returncode}): {p.stderr.read()[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail("children did not get ready in time")
        time.sleep(0.02)


def start_together(tmp_path: Path, code: str, args: list[tuple[str, ...]], timeout: float = 180) -> list[str]:
    """Run ``code`` in one process per tuple of ``args`` (each gets its ``ready`` and ``go``
    paths after them), release them all at the same instant once every one is ready, and
    return what they printed; a process that fails fails the test with its stderr."""
    go = tmp_path / "go"
    ready = [tmp_path / f"ready{i}" for i in range(len(args))]
    procs = [spawn(code, *a, str(r), str(go)) for a, r in zip(args, ready)]
    try:
        wait_for(ready, procs)
        go.touch()
        outs = [p.communicate(timeout=timeout) for p in procs]
    finally:
        for p in procs:
            p.kill()
    for p, (_, err) in zip(procs, outs):
        assert p.returncode == 0, err[-3000:]
    return [out for out, _ in outs]


def replace_line(path: Path, number: int, edit) -> None:
    """Rewrite 1-based line ``number`` of a text file with ``edit(line)``."""
    lines = path.read_text().splitlines()
    lines[number - 1] = edit(lines[number - 1])
    path.write_text("\n".join(lines) + "\n")


def names_line(fname: str, number: int) -> str:
    """Regex for an error naming ``fname`` and its line (``file, line N`` or ``file:N:``)."""
    return rf"{re.escape(fname)}(, line |:){number}\b"


# ---- 1. concurrent loads, concurrent writers ----------------------------------------------
_LOADER = """
    import hashlib, json, sys, time
    from pathlib import Path
    from harlib.data import load_dataset
    name, locks, ready, go = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
    if locks == "unlocked":          # as where fcntl is missing: only unique names and renames
        try:
            import harlib.core.atomic
            harlib.core.atomic.fcntl = None
        except ImportError:
            pass
    ready.touch()
    while not go.exists():
        time.sleep(0.001)
    ds = load_dataset(name)
    h = hashlib.sha256()
    for r in ds.recordings:
        h.update(r.signals.tobytes()); h.update(r.labels.tobytes())
    print(json.dumps({"name": name, "digest": h.hexdigest()}))
"""


@pytest.mark.parametrize("locks", ["locked", "unlocked"])
def test_concurrent_loads_in_separate_processes(isolated, tmp_path, locks):
    """The README's parallel recipe on a fresh cache: 'hapt' and 'uci_har_hapt' both need the
    HAPT archive; four processes start loading at the same instant. None may fail, all must
    see the same data, and nothing temporary may remain. ``unlocked``: without the
    inter-process locks, so that processes really race to rename their extraction and their
    parsed file into place (the losers must use the winner's copy)."""
    data, cache = isolated
    experiments = tuple((e, 1 + e % 3, 2500) for e in range(1, 9))
    make_zip(data / "HAPT Data Set.zip", write_hapt(tmp_path / "src", experiments))
    make_zip(data / "UCI HAR Dataset.zip", write_uci_har(tmp_path / "src"))
    outs = start_together(tmp_path, _LOADER, [(n, locks) for n in ["hapt", "uci_har_hapt"] * 2])
    digests = {}
    for out in outs:
        r = json.loads(out.strip().splitlines()[-1])
        digests.setdefault(r["name"], set()).add(r["digest"])
    assert all(len(d) == 1 for d in digests.values()), digests
    assert hidden(cache / "raw") == [] and hidden(cache / "parsed") == []
    assert sorted(p.name for p in (cache / "parsed").iterdir()) == ["hapt-v1.npz",
                                                                     "uci_har_hapt-v1.npz"]
    assert {r.session for r in load_dataset("hapt").recordings} == \
        {f"exp{e:02d}_user{u:02d}" for e, u, _ in experiments}


def test_extraction_rename_race_uses_the_winners_copy(tmp_path, monkeypatch):
    """Another process renames its complete extraction into place while this one extracts:
    this one must use that copy and leave no temporary folder."""
    archive = make_zip(tmp_path / "h.zip", write_hapt(tmp_path / "src"))
    dest = tmp_path / "raw" / "h"
    real = zipfile.ZipFile.extractall

    def racing(self, path=None, *a, **k):
        real(self, path, *a, **k)
        if not dest.exists():                  # the other process finishes first
            real(zipfile.ZipFile(archive), dest)

    monkeypatch.setattr(zipfile.ZipFile, "extractall", racing)
    assert extract_archive(archive, dest) == dest
    assert (dest / "HAPT Data Set" / "RawData" / "labels.txt").is_file()
    assert hidden(dest.parent) == []


def test_parsed_cache_writers_use_unique_temporaries(tmp_path, monkeypatch):
    """Two processes writing the same parsed dataset at once (one starts while the other is
    still writing) must both succeed and leave one complete file."""
    ds = hapt.parse_hapt(write_hapt(tmp_path / "src"))
    path = tmp_path / "parsed" / "hapt-v1.npz"
    path.parent.mkdir()
    real = np.savez
    state = {"nested": False}

    def interleaved(*a, **k):
        out = real(*a, **k)                    # this writer's temporary file is written ...
        if not state["nested"]:
            state["nested"] = True
            ds.save(path)                      # ... when the other writer runs start to finish
        return out

    monkeypatch.setattr(np, "savez", interleaved)
    ds.save(path)
    back = HARDataset.load(path)
    np.testing.assert_array_equal(back.recordings[0].signals, ds.recordings[0].signals)
    assert sorted(p.name for p in path.parent.iterdir()) == ["hapt-v1.npz"]


def _dummy_output(value: float = 1.0) -> RunOutput:
    return RunOutput({"test_metrics": {"f1": value}}, {"y_pred": np.arange(5)},
                     {"w": torch.full((3,), value)})


def test_run_store_tolerates_two_writers_of_one_key(tmp_path, monkeypatch):
    """Two processes finish the same run of a grid: the second renames onto the first's
    complete folder. Both succeed; the stored run is complete; no temporary remains."""
    store = RunStore(tmp_path / "runs")
    key = run_key({"run": 1})
    real = Path.rename
    state = {"nested": False}

    def racing_rename(self, target):
        if Path(target) == store.path(key) and not state["nested"]:
            state["nested"] = True
            out = _dummy_output()
            store.save(key, {"key": key, **out.record}, out.predictions, out.state_dict)
        return real(self, target)

    monkeypatch.setattr(Path, "rename", racing_rename)
    out = _dummy_output()
    store.save(key, {"key": key, **out.record}, out.predictions, out.state_dict)
    assert state["nested"]
    assert store.has(key) and store.load_result(key)["test_metrics"] == {"f1": 1.0}
    np.testing.assert_array_equal(store.load_predictions(key)["y_pred"], np.arange(5))
    assert torch.equal(store.load_state_dict(key)["w"], torch.ones(3))
    assert hidden(store.root) == []


# ---- 2. NaN and malformed rows --------------------------------------------------------------
def _hapt_case(tmp_path, fault):
    root = write_hapt(tmp_path)
    f = root / "RawData" / "acc_exp02_user01.txt"
    replace_line(f, 5, (lambda l: "NaN " + " ".join(l.split()[1:])) if fault == "nan"
                 else (lambda l: " ".join(l.split()[:2])))
    return lambda: hapt.parse_hapt(root), f.name, 5


def _dsads_case(tmp_path, fault):
    base = write_dsads(tmp_path, 1, 1, 2)
    f = base / "a01" / "p1" / "s02.txt"
    replace_line(f, 4, (lambda l: "NaN," + ",".join(l.split(",")[1:])) if fault == "nan"
                 else (lambda l: ",".join(l.split(",")[:-1])))
    return lambda: dsads.parse_dsads(base, 1, 1, 2), f.name, 4


def _uci_har_case(tmp_path, fault):
    base = write_uci_har(tmp_path)
    f = base / "train" / "Inertial Signals" / "body_acc_y_train.txt"
    replace_line(f, 2, (lambda l: " ".join(l.split()[:7] + ["nan"] + l.split()[8:]))
                 if fault == "nan" else (lambda l: " ".join(l.split()[:-1])))
    return lambda: uci_har.parse_uci_har(base), f.name, 2


def _basicmotions_case(tmp_path, fault):
    rows = [":".join(",".join(str(c + d + t / 10) for t in range(5)) for d in range(6)) + ":Walking"
            for c in range(3)]
    if fault == "nan":
        rows[1] = rows[1].replace("1.1", "NaN", 1)
    else:                                              # the row misses its last dimension
        rows[1] = ":".join(rows[1].split(":")[:5] + ["Walking"])
    f = tmp_path / "BasicMotions_TRAIN.ts"
    f.write_text("@problemName BasicMotions\n@dimensions 6\n@seriesLength 5\n"
                 "@classLabel true Walking Running\n@data\n" + "\n".join(rows) + "\n")
    return lambda: basicmotions.read_ts(f), f.name, 7


@pytest.mark.parametrize("fault", ["nan", "short"])
@pytest.mark.parametrize("case", [_hapt_case, _dsads_case, _uci_har_case, _basicmotions_case],
                         ids=["hapt", "dsads", "uci_har", "basicmotions"])
def test_nan_or_short_row_is_refused_naming_file_and_line(tmp_path, case, fault):
    """Datasets that document no missing values: a NaN token or a row missing its last field
    raises ValueError naming the file and the line."""
    parse, fname, line = case(tmp_path, fault)
    with pytest.raises(ValueError, match=names_line(fname, line)):
        parse()


def test_nan_raw_file_is_not_cached(isolated):
    """load_dataset on a HAPT copy with a NaN: an error, and nothing written to the cache."""
    data, cache = isolated
    root = write_hapt(data)
    replace_line(root / "RawData" / "gyro_exp01_user01.txt", 3, lambda l: "1.0 nan 2.0")
    with pytest.raises(ValueError, match=names_line("gyro_exp01_user01.txt", 3)):
        load_dataset("hapt")
    assert not any((cache / "parsed").glob("*.npz"))


@pytest.mark.parametrize("name", ["pamap2", "opportunity"])
def test_documented_gaps_keep_their_policy_and_infinite_values_are_refused(tmp_path, name):
    """PAMAP2 and OPPORTUNITY document NaN gaps (interpolated, by their stated policy);
    an infinite value is not a documented gap and is refused naming file and line."""
    shutil.copytree(FIXTURES / name, tmp_path / name)
    if name == "pamap2":
        f, col = tmp_path / name / "Protocol" / "subject102.dat", pamap2.SIGNAL_COLUMNS[4]
        parse = lambda: pamap2.parse_pamap2(tmp_path / name)  # noqa: E731
    else:
        f, col = tmp_path / name / "dataset" / "S2-Drill.dat", 40
        parse = lambda: opportunity.parse_opportunity(tmp_path / name, verify=False)  # noqa: E731

    def set_value(token):
        def edit(line):
            fields = line.split()
            fields[col] = token
            return " ".join(fields)
        return edit

    replace_line(f, 4, set_value("NaN"))
    ds = parse()
    assert all(np.isfinite(r.signals).all() for r in ds.recordings)
    replace_line(f, 6, set_value("inf"))
    with pytest.raises(ValueError, match=names_line(f.name, 6)):
        parse()


def test_wisdm_non_finite_records_are_skipped_and_counted(tmp_path):
    """WISDM's stated policy: malformed records are skipped and counted; NaN and infinite
    accelerations are malformed."""
    shutil.copy(FIXTURES / "wisdm" / wisdm.RAW_FILE, tmp_path / wisdm.RAW_FILE)
    before = wisdm.parse_wisdm(tmp_path)
    with open(tmp_path / wisdm.RAW_FILE, "a") as f:
        f.write("\n33,Jogging,49106012326000,inf,12.68,0.5;\n33,Jogging,49106062326000,NaN,1.0,0.5;\n")
    after = wisdm.parse_wisdm(tmp_path)
    assert after.extra["malformed_records"] == before.extra["malformed_records"] + 2
    assert after.n_samples == before.n_samples
    assert all(np.isfinite(r.signals).all() for r in after.recordings)


def test_repaired_raw_file_is_parsed_again(isolated):
    """The parsed cache follows the raw files: a raw file replaced after the first load is
    parsed again instead of the cache serving the old values."""
    data, _ = isolated
    root = write_hapt(data)
    f = root / "RawData" / "acc_exp01_user01.txt"
    first = load_dataset("hapt").recordings[0].signals[:, :3].copy()
    np.savetxt(f, np.loadtxt(f) + 1.0, fmt="%.16f")
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    again = load_dataset("hapt").recordings[0].signals[:, :3]
    np.testing.assert_allclose(again, first + 1.0, atol=1e-5)


def test_replaced_archive_is_extracted_and_parsed_again(isolated, tmp_path):
    """A corrected copy of an archive replaces the old one: the next load extracts and parses
    the new copy (neither the extracted folder nor the parsed cache of the old one is used)."""
    data, cache = isolated
    make_zip(data / "HAPT Data Set.zip", write_hapt(tmp_path / "v1", seed=1))
    first = load_dataset("hapt").recordings[0].signals.copy()
    time.sleep(0.01)
    new_tree = write_hapt(tmp_path / "v2", seed=2)
    make_zip(tmp_path / "new.zip", new_tree)
    os.replace(tmp_path / "new.zip", data / "HAPT Data Set.zip")
    again = load_dataset("hapt").recordings[0].signals
    assert not np.allclose(again, first)
    np.testing.assert_allclose(again[:, :3], np.loadtxt(new_tree / "RawData" / "acc_exp01_user01.txt"),
                               rtol=1e-6)
    assert hidden(cache / "raw") == []


class _Epochs:
    def __init__(self):
        self.rows = []

    def on_epoch_end(self, row):
        self.rows.append(row)


@pytest.mark.parametrize("model", ["cnn1d", "random_forest"])
def test_training_refuses_nan_windows_before_the_first_epoch(basicmotions_windows, tmp_path, model):
    """A NaN in a training window: a clear ValueError before any training, and no run stored."""
    from harlib.training.train import TrainConfig, fit
    ws, split = basicmotions_windows
    X = ws.X.copy()
    X[split.train[3], 2, 7] = np.nan
    bad = dataclasses.replace(ws, X=X)
    epochs, store = _Epochs(), RunStore(tmp_path / "runs")
    with pytest.raises(ValueError, match="NaN or infinite"):
        fit(model, bad, split, TrainConfig(max_epochs=2, batch_size=16), store=store,
            callbacks=[epochs])
    assert epochs.rows == [] and list(store.root.iterdir()) == []


# ---- 3. damaged caches --------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["truncated", "bit_flip"])
def test_corrupt_parsed_cache_is_reported_and_rebuilt(isolated, damage):
    """A truncated or bit-flipped parsed-dataset file: a warning naming it, then a rebuild from
    the raw files (the same data), and the next load reads a sound cache without a word."""
    import warnings
    data, cache = isolated
    write_hapt(data)
    first = load_dataset("hapt")
    path = cache / "parsed" / "hapt-v1.npz"
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:
        flip_byte(path, 0.6)
    with pytest.warns(UserWarning, match=re.escape(str(path))):
        again = load_dataset("hapt")
    for a, b in zip(first.recordings, again.recordings):
        np.testing.assert_array_equal(a.signals, b.signals)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_dataset("hapt")
    HARDataset.load(path)


def _damage_run(folder: Path, damage: str) -> None:
    if damage == "result_missing":
        (folder / "result.json").unlink()
    elif damage == "result_corrupt":
        (folder / "result.json").write_text('{"test_metrics": {"f1": 0.')
    elif damage == "predictions_truncated":
        p = folder / "predictions.npz"
        p.write_bytes(p.read_bytes()[:40])
    elif damage == "predictions_truncated_no_manifest":     # a run stored by an older harlib
        (folder / "manifest.json").unlink(missing_ok=True)
        p = folder / "predictions.npz"
        p.write_bytes(p.read_bytes()[:40])
    elif damage == "model_missing":
        (folder / "model.pt").unlink()
    elif damage == "model_bit_flip":
        flip_byte(folder / "model.pt", 0.9)


@pytest.mark.parametrize("damage", ["result_missing", "result_corrupt", "predictions_truncated",
                                    "predictions_truncated_no_manifest", "model_missing",
                                    "model_bit_flip"])
def test_damaged_stored_run_is_reported_and_retrained(tmp_path, damage):
    """A stored run with a missing or damaged file: cached_run (the one lookup every trainer
    uses) warns naming the run folder, trains it again and stores it; a grid goes on."""
    store, spec, calls = RunStore(tmp_path / "runs"), {"model": "m", "seed": 0}, []

    def train(key):
        calls.append(key)
        return _dummy_output()

    first = cached_run(spec, store, train)
    assert not first.cached and cached_run(spec, store, train).cached and len(calls) == 1
    folder = store.path(first.key)
    _damage_run(folder, damage)
    with pytest.warns(UserWarning, match=re.escape(str(folder))):
        again = cached_run(spec, store, train)
    assert not again.cached and len(calls) == 2
    third = cached_run(spec, store, train)
    assert third.cached and len(calls) == 2
    assert third.record["test_metrics"] == {"f1": 1.0}
    assert torch.equal(store.load_state_dict(first.key)["w"], torch.ones(3))
    assert hidden(store.root) == []


# ---- 4. killed processes ------------------------------------------------------------------
_KILLED_EXTRACTION = """
    import sys, time, zipfile
    from pathlib import Path
    from harlib.data import load_dataset
    ready = Path(sys.argv[1])
    def stalled(self, path=None, *a, **k):       # extract a few members, then hang
        for name in self.namelist()[:4]:
            self.extract(name, path)
        ready.touch()
        time.sleep(600)
    zipfile.ZipFile.extractall = stalled
    load_dataset("hapt")
"""


def test_killed_extraction_is_cleaned_up_by_the_next_load(isolated, tmp_path):
    """kill -9 in the middle of an extraction leaves a hidden partial folder; the next load
    removes it (its owner is dead) and succeeds."""
    data, cache = isolated
    make_zip(data / "HAPT Data Set.zip", write_hapt(tmp_path / "src"))
    ready = tmp_path / "ready"
    proc = spawn(_KILLED_EXTRACTION, str(ready))
    try:
        wait_for([ready], [proc])
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    assert hidden(cache / "raw") != []              # the debris the kill left
    assert len(load_dataset("hapt").recordings) == 3
    assert hidden(cache / "raw") == []
    assert sorted(p.name for p in (cache / "raw").iterdir()) == ["HAPT Data Set"]


_KILLED_SAVE = """
    import sys, time
    from pathlib import Path
    import numpy as np, torch
    from harlib.training import runs
    root, key, ready = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    real = torch.save
    def stalled(obj, f, *a, **k):               # write the weights, then hang
        real(obj, f, *a, **k)
        ready.touch()
        time.sleep(600)
    runs.torch.save = stalled
    runs.RunStore(root).save(key, {"key": key}, {"y_pred": np.arange(3)}, {"w": torch.ones(2)})
"""


def test_killed_run_save_is_cleaned_up_by_the_next_store(tmp_path):
    """kill -9 while a run is being saved leaves a hidden temporary folder; the next RunStore
    on that folder removes it, but never the temporary of a process still running."""
    root = tmp_path / "runs"
    root.mkdir()
    ready = [tmp_path / "ready-killed", tmp_path / "ready-alive"]
    procs = [spawn(_KILLED_SAVE, str(root), f"{i:016x}", str(r)) for i, r in enumerate(ready)]
    try:
        wait_for(ready, procs)
        procs[0].send_signal(signal.SIGKILL)
        procs[0].communicate()
        debris = hidden(root)
        assert len(debris) == 2 and all(n.startswith(".0000") for n in debris)
        store = RunStore(root)
        left = hidden(root)
        assert len(left) == 1 and left[0].startswith(f".{1:016x}.")   # the live one's
        assert not store.has(f"{0:016x}") and not store.has(f"{1:016x}")
    finally:
        for p in procs:
            p.kill()
            p.communicate()


# ---- 5. smaller -------------------------------------------------------------------------------
def test_corrupt_xz_archive_raises_corrupt_archive_error(isolated, tmp_path):
    """A .tar.xz with bytes altered and no known checksum: CorruptArchiveError naming the
    archive (not a raw lzma error), and no partial folder."""
    data, cache = isolated
    archive = make_tar_xz(data / "x.tar.xz", write_hapt(tmp_path / "src"))
    data_bytes = bytearray(archive.read_bytes())
    for i in range(len(data_bytes) // 2, len(data_bytes) // 2 + 64):
        data_bytes[i] ^= 0x5A
    archive.write_bytes(bytes(data_bytes))
    with pytest.raises(CorruptArchiveError, match=re.escape(str(archive))):
        locate(Source("t", marker="RawData/labels.txt", archives={"x.tar.xz": None}))
    assert list((cache / "raw").iterdir()) == []


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::torch.jit.TracerWarning")
def test_model_refuses_non_finite_input():
    """NaN or infinite input to a network: a ValueError that says so, not NaN logits."""
    from harlib.models import create_model
    torch.manual_seed(0)
    model = create_model("cnn1d", 6, 4, 50).eval()
    x = torch.randn(2, 6, 50)
    with torch.no_grad():
        assert torch.isfinite(model(x)).all()
        for bad in (float("nan"), float("inf")):
            y = x.clone()
            y[1, 3, 10] = bad
            with pytest.raises(ValueError, match="NaN or infinite"):
                model(y)
        traced = torch.jit.trace(model, x)             # tracing records no data-dependent check
        assert torch.allclose(traced(x), model(x))


def test_temporaries_of_older_harlib_versions_are_removed_once_a_day_old(isolated):
    """Temporaries named without a process id (left by older harlib versions) cannot be
    matched to a process: they are removed only once they are a day old."""
    _, cache = isolated
    runs, raw = cache / "runs", cache / "raw"
    old_run, new_run = runs / ".0123456789abcdef.k2j4h6g8", runs / ".fedcba9876543210.a1b2c3d4"
    old_raw = raw / ".hapt_v2.1.x1y2z3w4.partial"
    for d in (old_run, new_run, old_raw):
        d.mkdir(parents=True)
    day_ago = time.time() - 25 * 3600
    for d in (old_run, old_raw):
        os.utime(d, (day_ago, day_ago))
    RunStore(runs)
    with pytest.raises(DatasetNotFoundError):              # locate sweeps raw/ first
        locate(Source("t", marker="RawData/labels.txt", archives={"x.tar.xz": None}))
    assert hidden(runs) == [new_run.name] and hidden(raw) == []


# ---- 6. user datasets: the parsed cache never serves a builder's old arrays ------------------
def _user_dataset(values) -> HARDataset:
    from harlib.data import Channel, Recording
    x = np.asarray(values, np.float32).reshape(-1, 1)
    return HARDataset("MyWatch", 10.0, ("still",), (Channel("acc", "wrist", "acc"),),
                      [Recording(1, "s1", x, np.zeros(len(x), np.int16))])


def test_a_builder_without_sources_is_built_on_every_load(isolated):
    """Nothing tells when the files or the code of a builder without sources change, so its
    arrays are not cached: a changed builder in a new process is never served old arrays."""
    from harlib.data import register_dataset
    from harlib.data.registry import DATASETS
    _, cache = isolated
    try:
        register_dataset("MyWatch")(lambda: _user_dataset([1, 2]))
        assert load_dataset("MyWatch").n_samples == 2
        DATASETS.unregister("MyWatch")                 # as a new Python process: no registration yet
        register_dataset("MyWatch")(lambda: _user_dataset([1, 2, 3]))
        assert load_dataset("MyWatch").n_samples == 3
        assert list((cache / "parsed").glob("*.npz")) == []
    finally:
        DATASETS.unregister("MyWatch")


def test_re_registering_a_mixed_case_name_removes_its_cached_arrays(isolated):
    """Clean-up on re-registration matches the cache file's name as written (``MyWatch-v1.npz``)."""
    from harlib.data import register_dataset
    from harlib.data.registry import DATASETS
    data, cache = isolated
    (data / "mywatch").mkdir()
    (data / "mywatch" / "signals.txt").write_text("1\n2\n")
    source = Source("MyWatch", marker="signals.txt")

    def builder(offset):
        return lambda: _user_dataset(np.loadtxt(locate(source) / "signals.txt") + offset)
    try:
        register_dataset("MyWatch", sources=(source,))(builder(0))
        assert load_dataset("MyWatch").recordings[0].signals[0, 0] == 1
        assert [p.name for p in (cache / "parsed").iterdir()] == ["MyWatch-v1.npz"]
        register_dataset("MyWatch", sources=(source,), replace=True)(builder(10))
        assert list((cache / "parsed").iterdir()) == []
        assert load_dataset("MyWatch").recordings[0].signals[0, 0] == 11
    finally:
        DATASETS.unregister("MyWatch")


# ---- 7. the run store: one training per run across processes, shared permissions -------------
_GRID = """
    import sys, time
    from pathlib import Path
    import numpy as np, torch
    from harlib.training.runs import RunOutput, RunStore, cached_run
    root, log, ready, go = (Path(a) for a in sys.argv[1:5])
    def train(key):
        with open(log, "a") as f:
            f.write(key + "\\n")
        time.sleep(0.5)
        return RunOutput({"test_metrics": {"f1": 1.0}}, {"y_pred": np.arange(3)}, {"w": torch.ones(2)})
    store = RunStore(root)
    ready.touch()
    while not go.exists():
        time.sleep(0.001)
    print(sum(cached_run({"run": i}, store, train).cached for i in range(3)))
"""


def test_two_processes_running_one_grid_train_each_run_once(tmp_path):
    """Two processes start the same three runs on one store at the same instant: each run is
    trained once (a per-run lock); the other process waits and loads it. No lock file stays."""
    root, log = tmp_path / "runs", tmp_path / "trained.log"
    outs = start_together(tmp_path, _GRID, [(str(root), str(log))] * 2)
    trained = log.read_text().split()
    assert len(trained) == 3 and len(set(trained)) == 3, trained
    assert sum(int(out) for out in outs) == 3                     # every run loaded by the other
    assert hidden(root) == []


@pytest.mark.parametrize("umask,mode", [(0o022, 0o755), (0o002, 0o775)])
def test_run_folders_get_the_permissions_of_other_cache_files(tmp_path, umask, mode):
    """A stored run's folder is made as a plain new folder is (0777 less the umask), not
    0700, so the other users of a shared store can read it; so is an extracted archive."""
    import stat
    previous = os.umask(umask)
    try:
        store, out = RunStore(tmp_path / "runs"), _dummy_output()
        folder = store.save(run_key({"run": 1}), out.record, out.predictions, out.state_dict)
        extracted = extract_archive(make_zip(tmp_path / "h.zip", write_hapt(tmp_path / "src")), tmp_path / "raw" / "h")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(folder.stat().st_mode) == mode
    assert stat.S_IMODE(extracted.stat().st_mode) == mode


# ---- 8. messages that say what happened: unsafe archive, full disk ---------------------------
def _unsafe_member(kind: str) -> tarfile.TarInfo:
    if kind == "parent_path":
        return tarfile.TarInfo("../escaped.txt")
    info = tarfile.TarInfo(f"data/{kind}")
    if kind == "absolute_symlink":
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
    elif kind == "hardlink":
        info.type, info.linkname = tarfile.LNKTYPE, "/etc/passwd"
    else:
        info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
    return info


@pytest.mark.parametrize("kind", ["parent_path", "absolute_symlink", "hardlink", "device"])
def test_an_unsafe_archive_member_is_reported_as_unsafe_naming_it(tmp_path, kind):
    """A tar member that would land outside the folder, link out of it or create a device:
    refused as an unsafe archive naming the member (not 'corrupt, download it again'), and
    nothing extracted."""
    import io
    from harlib.data.archive import UnsafeArchiveError
    archive, dest = tmp_path / "evil.tar", tmp_path / "raw" / "evil"
    member = _unsafe_member(kind)
    with tarfile.open(archive, "w") as tf:
        tf.addfile(tarfile.TarInfo("data/readme.txt"), io.BytesIO(b""))
        tf.addfile(member, io.BytesIO(b"") if member.isfile() else None)
    with pytest.raises(UnsafeArchiveError, match=re.escape(f"{archive}: unsafe archive, refused: "
                                                           f"member {member.name!r}")) as err:
        extract_archive(archive, dest)
    assert "download it again" not in str(err.value)
    assert not dest.exists() and hidden(dest.parent) == [] and not (tmp_path / "escaped.txt").exists()


def _no_space(*args, **kwargs):
    import errno
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_during_extraction_is_reported_as_a_full_disk(tmp_path, monkeypatch):
    from harlib.core.atomic import DiskFullError
    archive, dest = make_zip(tmp_path / "h.zip", write_hapt(tmp_path / "src")), tmp_path / "raw" / "h"
    real = zipfile.ZipFile.extractall

    def fills_up(self, path=None, *a, **k):
        self.extract(self.namelist()[0], path)        # a first member lands, then the disk is full
        _no_space()

    monkeypatch.setattr(zipfile.ZipFile, "extractall", fills_up)
    with pytest.raises(DiskFullError, match=re.escape(f"disk full: no space left on the device of {dest.parent} "
                                                       f"while extracting {archive}")) as err:
        extract_archive(archive, dest)
    assert not isinstance(err.value, CorruptArchiveError)
    assert not dest.exists() and hidden(dest.parent) == []
    monkeypatch.setattr(zipfile.ZipFile, "extractall", real)
    assert extract_archive(archive, dest) == dest                        # space again: it extracts


def test_a_full_disk_while_saving_a_run_is_reported_as_a_full_disk(tmp_path, monkeypatch):
    from harlib.training import runs
    from harlib.core.atomic import DiskFullError
    store, spec = RunStore(tmp_path / "runs"), {"model": "m", "seed": 0}
    monkeypatch.setattr(runs.torch, "save", _no_space)
    with pytest.raises(DiskFullError, match=re.escape(f"disk full: no space left on the device of {store.root} "
                                                      f"while saving run {run_key(spec)}")):
        cached_run(spec, store, lambda key: _dummy_output())
    assert list(store.root.iterdir()) == []                              # nothing half-written
