"""Windowing policies, evaluation protocols and normalisation."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from harlib.data.base import UNLABELLED, Channel, HARDataset, Recording
from harlib.data.normalization import Standardizer
from harlib.evaluation.splits import make_splits, overlap_with_training
from harlib.data.windows import ScarceClassWarning, sliding_windows, window_starts


def toy_dataset(n_subjects=10, n=400, seed=0) -> HARDataset:
    """Each recording: 150 samples class 0, 20 unlabelled, 230 samples class 1."""
    rng = np.random.default_rng(seed)
    recs = []
    for s in range(n_subjects):
        labels = np.r_[np.zeros(150), np.full(20, UNLABELLED), np.ones(n - 170)].astype(np.int16)
        sig = rng.normal(size=(n, 2)).astype(np.float32) + s
        recs.append(Recording(100 + s, f"r{s}", sig, labels))
    return HARDataset("toy", 10.0, ("a", "b"), (Channel("c0", "p", "acc"), Channel("c1", "p", "gyro")),
                      recs, official_split={"train": list(range(100, 107)),
                                            "test": list(range(107, 110))})


def test_pure_windows_stay_inside_runs():
    labels = np.r_[np.zeros(150), np.full(20, UNLABELLED), np.ones(230)].astype(np.int16)
    st, y = window_starts(labels, 50, 25, "pure")
    # class 0 run [0,150): starts 0,25,50,75,100; class 1 run [170,400): 170..350
    assert st.tolist() == [0, 25, 50, 75, 100] + list(range(170, 351, 25))
    assert y.tolist() == [0] * 5 + [1] * 8
    for s, lab in zip(st, y):
        assert np.all(labels[s:s + 50] == lab)


def test_majority_windows_cross_changes_and_drop_unlabelled_majority():
    labels = np.r_[np.zeros(60), np.full(30, UNLABELLED), np.ones(60)].astype(np.int16)
    st, y = window_starts(labels, 40, 20, "majority")
    # [40,80): 20 class-0 vs 20 unlabelled and [60,100): 30 unlabelled → both dropped
    assert st.tolist() == [0, 20, 80, 100] and y.tolist() == [0, 0, 1, 1]
    # without the gap, windows across the change are kept with their majority label
    labels = np.r_[np.zeros(50), np.ones(70)].astype(np.int16)
    st, y = window_starts(labels, 40, 20, "majority")
    assert st.tolist() == [0, 20, 40, 60, 80] and y.tolist() == [0, 0, 1, 1, 1]
    assert window_starts(labels, 40, 20, "pure")[0].tolist() == [0, 50, 70]


def test_majority_label_is_computed_per_window():
    labels = np.r_[np.zeros(30), np.ones(70)].astype(np.int16)
    st, y = window_starts(labels, 40, 10, "majority")
    expected = [int(np.bincount(labels[s:s + 40]).argmax()) for s in st]
    assert y.tolist() == expected and len(st) == 7


def test_sliding_windows_shapes_and_seconds():
    ds = toy_dataset(n_subjects=2)
    ws = sliding_windows(ds, 5.0, 2.5, "pure")            # seconds at 10 Hz → 50 / 25
    assert ws.X.shape[1:] == (2, 50) and ws.info["stride"] == 25
    rec, start = ws.recording[3], ws.start[3]
    np.testing.assert_array_equal(ws.X[3], ds.recordings[rec].signals[start:start + 50].T)
    with pytest.raises(ValueError, match="unknown window policy"):
        sliding_windows(ds, 50, 25, "mode")
    with pytest.raises(ValueError, match="no window of 1000 samples"):
        sliding_windows(ds, 1000)


@pytest.mark.parametrize("protocol,kw", [("subject_groups", {"n_groups": 5}), ("loso", {}),
                                         ("official_holdout", {})])
def test_subject_independent_protocols_never_share_subjects(protocol, kw):
    ws = sliding_windows(toy_dataset(), 50, 25)
    splits = make_splits(protocol, ws, **kw)
    tested = set()
    for sp in splits:
        parts = [set(ws.subject[getattr(sp, p)]) for p in ("train", "val", "test")]
        assert all(parts), "every partition has windows"
        assert not (parts[0] & parts[1]) and not (parts[0] & parts[2]) and not (parts[1] & parts[2])
        assert len(sp.train) + len(sp.val) + len(sp.test) == len(ws)
        assert sp.subject_independent and overlap_with_training(ws, sp) == 0.0
        tested |= parts[2]
    if protocol != "official_holdout":
        assert tested == set(ws.subject.tolist()), "every subject is tested once"
    else:
        assert tested == {107, 108, 109}


def test_subject_groups_validation_fraction():
    ws = sliding_windows(toy_dataset(n_subjects=10), 50, 25)
    sp = make_splits("subject_groups", ws, n_groups=5, val_fraction=0.25)[0]
    assert len(set(ws.subject[sp.val])) == 2 and len(set(ws.subject[sp.test])) == 2
    with pytest.raises(ValueError, match="11 subject groups but only 10 subjects"):
        make_splits("subject_groups", ws, n_groups=11)


def test_random_split_leaks_overlapping_windows():
    ws = sliding_windows(toy_dataset(), 50, 25)
    sp = make_splits("random_windows", ws, test_fraction=0.3, seed=0)[0]
    assert not sp.subject_independent
    assert set(ws.subject[sp.train]) == set(ws.subject[sp.test])
    assert overlap_with_training(ws, sp) > 0.5
    assert len(np.intersect1d(sp.train, sp.test)) == 0


def test_overlap_with_training_counts_shared_samples():
    ws = sliding_windows(toy_dataset(n_subjects=1), 50, 25)   # class-0 starts 0,25,...,100
    from harlib.evaluation.splits import Split
    idx = {int(s): i for i, s in enumerate(ws.start) if ws.recording[i] == 0}
    sp = Split(np.array([idx[0]]), np.array([], int), np.array([idx[25], idx[50], idx[75]]),
               "x", 0, False)
    assert overlap_with_training(ws, sp) == pytest.approx(1 / 3)   # only start 25 overlaps [0,50)


def test_unknown_protocol():
    ws = sliding_windows(toy_dataset(n_subjects=3), 50, 25)
    with pytest.raises(KeyError, match="unknown protocol 'random'"):
        make_splits("random", ws)


def test_standardizer_uses_training_data_only():
    rng = np.random.default_rng(0)
    train = rng.normal(3.0, 2.0, size=(200, 4, 30)).astype(np.float32)
    test = rng.normal(100.0, 50.0, size=(50, 4, 30)).astype(np.float32)
    norm = Standardizer().fit(train)
    np.testing.assert_allclose(norm.mean_, train.mean(axis=(0, 2)), rtol=1e-5)
    z = norm.transform(np.concatenate([train, test]))
    np.testing.assert_allclose(z[:200].mean(axis=(0, 2)), 0, atol=1e-5)
    assert z[200:].mean() > 10                       # test statistics never reached the fit
    with pytest.raises(ValueError, match=r"expected \(n, 4, time\)"):
        norm.transform(train[:, :3])
    with pytest.raises(RuntimeError, match="before fit"):
        Standardizer().transform(train)


def test_standardizer_transforms_in_chunks_with_the_values_of_one_pass():
    rng = np.random.default_rng(3)
    X = (rng.normal(size=(2 * Standardizer.CHUNK + 37, 3, 11)) * 50 + 7).astype(np.float32)
    norm = Standardizer().fit(X[:300])
    one_pass = ((X - norm.mean_[None, :, None]) / norm.scale_[None, :, None]).astype(np.float32)
    z = norm.transform(X)
    assert z.dtype == np.float32 and z.shape == X.shape
    np.testing.assert_array_equal(z, one_pass)          # bit for bit, across the chunk borders
    assert norm.transform(X[:0]).shape == (0, 3, 11)


def test_window_units_are_explicit():
    ds = toy_dataset()
    with pytest.raises(ValueError, match="mix samples .int. and seconds .float."):
        sliding_windows(ds, 3, 1.5)
    with pytest.raises(ValueError, match=r"3 samples \(0.3 s at 10 Hz\) is too short.*seconds"):
        sliding_windows(ds, 3)
    a = sliding_windows(ds, 5, 2.5, unit="seconds")
    b = sliding_windows(ds, 50, 25)
    assert a.info == b.info and a.length == 50
    with pytest.raises(ValueError, match="unit must be one of"):
        sliding_windows(ds, 5, unit="minutes")
    with pytest.raises(ValueError, match="whole numbers"):
        sliding_windows(ds, 50.5, 25, unit="samples")


def _ramp_dataset(lengths=(100, 60)) -> HARDataset:
    """Recordings whose channel 0 is the sample index, channel 1 its negative, so every
    window shows where in its recording it was cut."""
    recs = []
    for r, n in enumerate(lengths):
        t = np.arange(n, dtype=np.float32) + 1000 * r         # recordings never share a value
        labels = np.where(np.arange(n) < n // 2, 0, 1).astype(np.int16)
        recs.append(Recording(r, f"rec{r}", np.stack([t, -t], axis=1), labels))
    return HARDataset("ramp", 10.0, ("a", "b"), (Channel("c0", "p", "acc"), Channel("c1", "p", "gyro")), recs)


@pytest.mark.parametrize("policy", ["pure", "majority"])
def test_history_windows_follow_the_recordings_order(policy):
    ds = _ramp_dataset()
    plain = sliding_windows(ds, 10, 5, policy=policy)
    hist = sliding_windows(ds, 10, 5, policy=policy, history=3)
    assert hist.history == 3 and hist.window_length == 10 and hist.X.shape[1:] == (2, 40)
    # the first 3 windows of each recording have too few predecessors
    assert (hist.start >= 15).all() and hist.info["history_dropped"] == int((plain.start < 15).sum())
    for x, s, r in zip(hist.X, hist.start, hist.recording):
        expected = 1000 * r + np.concatenate([np.arange(s - k * 5, s - k * 5 + 10) for k in (3, 2, 1, 0)])
        np.testing.assert_array_equal(x[0], expected)       # oldest first, one stride apart
        np.testing.assert_array_equal(x[1], -expected)
    # without the history: exactly the plain windows that have one, labels unchanged
    kept = np.isin(plain.start + 1000 * plain.recording, hist.start + 1000 * hist.recording)
    current = hist.without_history()
    np.testing.assert_array_equal(current.X, plain.X[kept])
    np.testing.assert_array_equal(current.y, plain.y[kept])
    assert current.history == 0 and "history_dropped" not in current.info and plain.without_history() is plain


def test_history_cannot_exceed_a_recording():
    ds = _ramp_dataset((100, 30))
    with pytest.raises(ValueError, match=r"1 recording\(s\) are shorter .*\(3 × 5 \+ 20 = 35 samples\): rec1 \(30 samples\)"):
        sliding_windows(ds, 20, 5, history=3)
    for bad in (-1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="history must be a whole number"):
            sliding_windows(ds, 10, 5, history=bad)


def test_history_errors_name_what_is_missing():
    from dataclasses import replace
    n = 100
    labels = np.full(n, UNLABELLED, np.int16)
    labels[:20] = 0                                   # every labelled window starts before sample 20
    rec = Recording(0, "early", np.zeros((n, 2), np.float32), labels)
    ds = HARDataset("early", 10.0, ("a",), (Channel("c0", "p", "acc"), Channel("c1", "p", "gyro")), [rec])
    with pytest.raises(ValueError, match=r"every window of 10 samples lacks 4 preceding windows .*3 dropped"):
        sliding_windows(ds, 10, 5, history=4)
    hist = sliding_windows(_ramp_dataset(), 10, 5, history=3)
    with pytest.raises(ValueError, match="cannot hold 3 preceding windows of 10 samples"):
        replace(hist, X=hist.X[:, :, :-1]).window_length


def test_overlap_counts_the_history_samples():
    from harlib.evaluation.splits import Split
    hist = sliding_windows(_ramp_dataset((200,)), 10, 5, policy="majority", history=2)   # spans of 20 samples
    start = dict(zip(hist.start.tolist(), range(len(hist))))
    one = lambda s: np.array([start[s]])                                              # noqa: E731
    # a test window at 60 covers samples 50..69 with its history; one at 75 covers 65..84
    split = Split(one(100), np.array([], int), np.concatenate([one(60), one(75), one(120)]), "manual", 0, False)
    # training window at 100 covers 90..109: none of the three test spans reaches it
    assert overlap_with_training(hist, split) == 0.0
    split = Split(one(80), np.array([], int), np.concatenate([one(60), one(75), one(120)]), "manual", 0, False)
    # training window at 80 covers 70..89: the test window at 75 (65..84) shares samples, 60 (50..69) does not
    assert overlap_with_training(hist, split) == pytest.approx(1 / 3)


def _classes_dataset(per_subject) -> HARDataset:
    """``per_subject[s][c]`` windows of 10 samples (stride 10) of class ``c`` for subject ``s``."""
    recs = []
    for s, counts in enumerate(per_subject):
        labels = np.repeat(np.arange(len(counts)), 10 * np.asarray(counts)).astype(np.int16)
        recs.append(Recording(s, f"r{s}", np.zeros((len(labels), 1), np.float32), labels))
    return HARDataset("toy3", 10.0, ("a", "b", "c"), (Channel("c0", "p", "acc"),), recs)


def test_a_class_with_one_window_is_warned_about():
    ds = _classes_dataset([[18, 18, 1], [18, 18, 0], [18, 18, 0], [18, 18, 0]])
    with pytest.warns(ScarceClassWarning, match=r"toy3: few windows of 10 samples for class 'c' \(1\), "
                                                r"against a median of 72 per class \(under 10 and under 5%"):
        ws = sliding_windows(ds, 10, 10)
    assert ws.class_counts().tolist() == [72, 72, 1]


def test_balanced_windows_raise_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sliding_windows(toy_dataset(), 50, 25)
        sliding_windows(_classes_dataset([[18, 18, 4]] * 4), 10, 10)    # 16 of 72: 22 %
        sliding_windows(_classes_dataset([[72, 72, 4]] * 4), 10, 10)    # 16 of 288: 5.6 %
        sliding_windows(_classes_dataset([[300, 300, 5]] * 4), 10, 10)  # 20 of 1200: 1.7 %


def test_run_grid_warns_about_folds_short_of_training_windows(tmp_path):
    from harlib.training.experiment import run_grid
    from harlib.training.runs import RunStore
    from harlib.training.train import TrainConfig

    def grid(ws):
        return run_grid(ws, "holdout_subjects", ["random_forest"], [0], TrainConfig(),
                        protocol_kwargs={"test_subjects": [0]}, store=RunStore(tmp_path),
                        log=None, stored_only=True)

    # two training subjects with 2 windows of 'c' each: 4, under the 5 a fold needs
    ws = sliding_windows(_classes_dataset([[18, 18, 2]] * 4), 10, 10)
    with pytest.warns(ScarceClassWarning, match=r"toy3, holdout_subjects fold 0: few training windows "
                                                r"for class 'c' \(4\), against a median of 36"):
        grid(ws)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grid(sliding_windows(_classes_dataset([[18, 18, 3]] * 4), 10, 10))   # 6 training windows
