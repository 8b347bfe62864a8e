"""Evaluation protocols: which windows train, validate and test a model.

Subject-independent protocols never put one subject in two partitions, and draw the
validation set from the training subjects. The "paper-style" random window split does not:
with overlapping windows, near-copies of test windows sit in the training set — the
leakage that notebook 01 measures.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split

from ..core.checks import is_int
from ..core.registry import Registry
from ..data.windows import WindowSet


@dataclass(frozen=True)
class Split:
    """Index arrays into a :class:`WindowSet`."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    protocol: str
    fold: int
    subject_independent: bool

    def describe(self, ws: WindowSet) -> dict:
        return {"protocol": self.protocol, "fold": self.fold,
                **{f"{p} windows": len(getattr(self, p)) for p in ("train", "val", "test")},
                **{f"{p} subjects": len(np.unique(ws.subject[getattr(self, p)]))
                   for p in ("train", "val", "test")}}


PROTOCOLS: Registry = Registry("protocol")


def _subject_partition(ws: WindowSet, test_subjects, val_fraction: float, rng: np.random.Generator,
                       protocol: str, fold: int) -> Split:
    subjects = np.unique(ws.subject)
    test_subjects = np.intersect1d(subjects, np.asarray(list(test_subjects)))
    rest = np.setdiff1d(subjects, test_subjects)
    if len(test_subjects) == 0 or len(rest) < 2:
        raise ValueError(f"{protocol}: need ≥1 test subject and ≥2 others, got "
                         f"{len(test_subjects)} test and {len(rest)} remaining")
    n_val = min(len(rest) - 1, max(1, int(round(val_fraction * len(rest)))))
    val_subjects = rng.choice(rest, size=n_val, replace=False)
    train_subjects = np.setdiff1d(rest, val_subjects)
    pick = lambda s: np.flatnonzero(np.isin(ws.subject, s))  # noqa: E731
    return Split(pick(train_subjects), pick(val_subjects), pick(test_subjects),
                 protocol, fold, True)


@PROTOCOLS.register("subject_groups")
def subject_groups(ws: WindowSet, n_groups: int = 10, val_fraction: float = 0.2,
                   seed: int = 0) -> list[Split]:
    """k subject groups (WHAR Arena v1): subjects shuffled into ``n_groups`` groups, each
    group is the test set once; validation = ``val_fraction`` of the remaining subjects."""
    subjects = np.unique(ws.subject)
    if n_groups > len(subjects):
        raise ValueError(f"{n_groups} subject groups but only {len(subjects)} subjects")
    rng = np.random.default_rng(seed)
    groups = np.array_split(rng.permutation(subjects), n_groups)
    return [_subject_partition(ws, g, val_fraction, np.random.default_rng([seed, i]),
                               "subject_groups", i) for i, g in enumerate(groups)]


@PROTOCOLS.register("loso")
def leave_one_subject_out(ws: WindowSet, val_fraction: float = 0.2, seed: int = 0) -> list[Split]:
    """Leave one subject out: one fold per subject."""
    return [_subject_partition(ws, [s], val_fraction, np.random.default_rng([seed, i]), "loso", i)
            for i, s in enumerate(np.unique(ws.subject))]


@PROTOCOLS.register("official_holdout")
def official_holdout(ws: WindowSet, val_fraction: float = 0.2, seed: int = 0,
                     test_subjects=None) -> list[Split]:
    """A fixed subject hold-out: ``test_subjects``, or the dataset's official test subjects
    (UCI-HAR: 9 of 30)."""
    if test_subjects is None:
        official = ws.info.get("official_split") or {}
        if "test" not in official:
            raise ValueError(f"{ws.dataset} has no official subject split; pass test_subjects")
        test_subjects = official["test"]
    return [_subject_partition(ws, test_subjects, val_fraction, np.random.default_rng(seed),
                               "official_holdout", 0)]


@PROTOCOLS.register("holdout_subjects")
def holdout_subjects(ws: WindowSet, test_subjects, val_fraction: float = 0.2, seed: int = 0,
                     validation: str = "subjects", select_on_test: bool = False) -> list[Split]:
    """Fixed test subjects, with switchable leaks in how the model is selected (paper C's
    official protocol, :mod:`harlib.evaluation.leakage`).

    ``validation="subjects"``: ``val_fraction`` of the other subjects validate (subject-
    independent). ``"random_windows"``: a random, class-stratified ``val_fraction`` of the
    other subjects' windows validates — windows that overlap training windows.
    ``select_on_test=True``: the validation partition is the test partition, so the best
    epoch is chosen on test data (the test set stays the same)."""
    if validation not in ("subjects", "random_windows"):
        raise ValueError(f"holdout_subjects: validation must be 'subjects' or 'random_windows', "
                         f"got {validation!r}")
    subjects = np.unique(ws.subject)
    missing = sorted(set(int(s) for s in test_subjects) - set(int(s) for s in subjects))
    if missing:
        raise ValueError(f"holdout_subjects: test subject(s) {missing} not in {ws.dataset} "
                         f"(subjects {', '.join(str(int(s)) for s in subjects)})")
    rng = np.random.default_rng(seed)
    split = _subject_partition(ws, test_subjects, val_fraction, rng, "holdout_subjects", 0)
    train, val = split.train, split.val
    if validation == "random_windows":
        rest = np.sort(np.concatenate([split.train, split.val]))
        train, val = train_test_split(rest, test_size=val_fraction, random_state=seed,
                                      stratify=ws.y[rest])
        train, val = np.sort(train), np.sort(val)
    if select_on_test:
        val = split.test
    independent = validation == "subjects" and not select_on_test
    return [Split(train, val, split.test, "holdout_subjects", 0, independent)]


@PROTOCOLS.register("random_windows")
def random_windows(ws: WindowSet, test_fraction: float = 0.3, val_fraction: float = 0.1,
                   seed: int = 0, repeats: int = 1) -> list[Split]:
    """The common "paper-style" split: windows shuffled at random (stratified by class),
    regardless of subject or overlap. Not subject-independent.

    ``repeats``: that many independent random splits, as folds 0, 1, …; fold ``i`` draws its
    test windows with ``random_state = seed + 2 i`` and its validation windows with
    ``seed + 2 i + 1``, so fold 0 is the single split of ``repeats=1``."""
    if not is_int(repeats, 1):
        raise ValueError(f"random_windows: repeats must be an integer >= 1, got {repeats!r}")
    if not 0 < test_fraction < 1 or not 0 < val_fraction < 1 - test_fraction:
        raise ValueError(f"random_windows: need 0 < test_fraction < 1 and 0 < val_fraction < 1 - test_fraction, "
                         f"got test_fraction={test_fraction!r}, val_fraction={val_fraction!r}")
    idx = np.arange(len(ws))
    splits = []
    for fold in range(repeats):
        state = seed + 2 * fold
        trainval, test = train_test_split(idx, test_size=test_fraction, random_state=state,
                                          stratify=ws.y)
        train, val = train_test_split(trainval, test_size=val_fraction / (1 - test_fraction),
                                      random_state=state + 1, stratify=ws.y[trainval])
        splits.append(Split(np.sort(train), np.sort(val), np.sort(test), "random_windows", fold, False))
    return splits


def make_splits(protocol: str, ws: WindowSet, **kwargs) -> list[Split]:
    """Splits of ``ws`` under a protocol named by string (see ``PROTOCOLS.names()``)."""
    return PROTOCOLS.get(protocol)(ws, **kwargs)


def overlap_with_training(ws: WindowSet, split: Split) -> float:
    """Fraction of test windows that share at least one sample with a training window
    (a window's samples include those of its preceding windows, where it carries a history)."""
    L = ws.window_length + ws.history * ws.info.get("stride", 0)
    train_keys: dict[int, np.ndarray] = {}
    for r in np.unique(ws.recording[split.train]):
        train_keys[int(r)] = np.sort(ws.start[split.train][ws.recording[split.train] == r])
    hits = 0
    for r, s in zip(ws.recording[split.test], ws.start[split.test]):
        starts = train_keys.get(int(r))
        if starts is None:
            continue
        i = np.searchsorted(starts, s - L + 1)
        hits += bool(i < len(starts) and starts[i] < s + L)
    return hits / max(1, len(split.test))
