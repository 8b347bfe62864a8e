"""Grids of training runs → tidy tables, the glue between notebooks and the engine."""
from __future__ import annotations

import time
import warnings
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from ..data.windows import ScarceClassWarning, WindowSet, scarce_note
from ..evaluation.splits import make_splits
from .profiles import Profile
from .runs import RunStore
from .train import TrainConfig, fit
from .trainers.registry import trainer_for

METRICS = ("accuracy", "f1_macro", "f1_weighted", "balanced_accuracy", "g_mean")
#: also tabulated where a run has them (AUC needs class probabilities; NMI and ARI a clustering)
OPTIONAL_METRICS = ("precision_macro", "recall_macro", "auc_ovr_macro", "ece", "nmi", "ari", "g_mean_ovr")


_FROM_PROFILE = object()
#: run_grid warns about a fold whose training windows hold fewer than this many windows of a
#: class the window set has (none at all included)
MIN_TRAIN_WINDOWS = 5


def warn_scarce_training(ws: WindowSet, splits) -> None:
    """One :class:`~harlib.data.windows.ScarceClassWarning` per split whose training windows hold
    fewer than ``MIN_TRAIN_WINDOWS`` of a class present in ``ws``. A class with no window at all
    is left to :func:`~harlib.data.windows.sliding_windows`'s warning, so it is named once, not
    once per fold."""
    present = ws.class_counts() > 0
    for split in splits:
        counts = np.bincount(ws.y[split.train], minlength=ws.n_classes)
        scarce = present & (counts < MIN_TRAIN_WINDOWS)
        if scarce.any():
            warnings.warn(f"{ws.dataset}, {split.protocol} fold {split.fold}: few training windows "
                          f"for class {scarce_note(ws.class_names, counts, scarce)} (under "
                          f"{MIN_TRAIN_WINDOWS}); this fold's models barely learn it",
                          ScarceClassWarning, stacklevel=3)


def run_grid(ws: WindowSet, protocol: str, models: dict[str, dict] | Iterable[str],
             seeds: Iterable[int] | None, config: TrainConfig, *,
             protocol_kwargs: dict | None = None, max_folds=_FROM_PROFILE,
             store: RunStore | None = None, log: Callable[[str], None] | None = print,
             profile: Profile | None = None, stored_only: bool = False,
             executor=None) -> pd.DataFrame:
    """Train every model × fold × seed (loading stored runs) and return one row per run.
    Before anything trains, each fold whose training windows hold fewer than
    ``MIN_TRAIN_WINDOWS`` (5) of a class is warned about (:func:`warn_scarce_training`).

    models: names (deep models from the registry, or ``random_forest``/``knn``/``svm``), or a
        mapping name → model keyword arguments. Every name is checked against its trainer
        before the first run starts.
    max_folds: run only the first folds of the protocol (``None``: all of them).
    profile: where ``seeds`` is ``None`` or ``max_folds`` is not given, the profile's seeds
        and fold limit are used (without a profile: all folds; seeds are then required).
    stored_only: collect the runs already in the store and train nothing (the rows of
        missing runs are left out; the log says which).
    executor: where the missing runs train. ``None`` trains them here, one after another.
        Otherwise an object with ``submit(fn, *args)`` returning futures: a
        ``concurrent.futures`` executor, or a Dask ``distributed.Client`` (the window set is
        then scattered to the workers once). The workers must share the run store's folder
        (:func:`train_missing`); the table is then assembled here from the stored runs, and
        the runs the executor trained in this call are labelled as trained (``cached``
        False), as they would be here.
    """
    if max_folds is _FROM_PROFILE:
        max_folds = profile.max_folds if profile is not None else None
    if seeds is None:
        if profile is None:
            raise ValueError("run_grid needs seeds, or a profile to take them from")
        seeds = profile.seeds
    models = dict(models) if isinstance(models, dict) else {m: {} for m in models}
    for name in models:
        trainer_for(name, config).resolve(config)
    seeds = list(seeds)
    if not seeds:
        raise ValueError("run_grid needs at least one seed")
    splits = make_splits(protocol, ws, **(protocol_kwargs or {}))[:max_folds]
    warn_scarce_training(ws, splits)
    jobs = [(split, name, kwargs, seed) for split in splits for name, kwargs in models.items()
            for seed in seeds]
    found: dict[int, object] = {}
    trained: set[str] = set()                           # keys the executor trained in this call
    if executor is not None and not stored_only:       # each stored run is read once
        found = {i: fit(name, ws, split, config, seed=seed, model_kwargs=kwargs, store=store,
                        stored_only=True) for i, (split, name, kwargs, seed) in enumerate(jobs)}
        trained = train_missing(executor, ws, [j for i, j in enumerate(jobs) if found[i] is None],
                                config, store or RunStore(), log)
    rows = []
    for i, (split, name, kwargs, seed) in enumerate(jobs):
        t0 = time.perf_counter()
        res = found.get(i) or fit(name, ws, split, config, seed=seed, model_kwargs=kwargs,
                                  store=store, stored_only=stored_only or executor is not None)
        if res is None:
            if log:
                log(f"{ws.dataset:>14} {protocol:>16} fold {split.fold} {name:>14} "
                    f"seed {seed}: not stored, left out")
            continue
        rec, cached = res.record, res.cached and res.key not in trained
        row = {"dataset": ws.dataset, "protocol": protocol,
               "subject_independent": split.subject_independent, "fold": split.fold,
               "model": name, "seed": seed, "profile": config.profile,
               **{m: res.metrics[m] for m in METRICS},
               **{m: res.metrics.get(m, float("nan")) for m in OPTIONAL_METRICS},
               "test_overlap": rec["test_overlap_with_train"],
               "n_train": rec["n_windows"]["train"], "n_test": rec["n_windows"]["test"],
               "epochs": rec["epochs_run"], "best_epoch": rec["best_epoch"],
               "epoch_cap": rec["train"].get("max_epochs", np.nan),
               "train_seconds": rec["train_seconds"], "cached": cached,
               "run_key": res.key}
        if rec.get("augmentation"):      # the augmentation stage: a run of its own, shared
            row.update(augmentation_cost(rec["augmentation"]["run_key"], store or RunStore()))
        rows.append(row)
        if log:
            how = ("stored" if cached else "trained by the executor" if res.key in trained
                   else f"trained in {time.perf_counter() - t0:.0f} s")
            log(f"{ws.dataset:>14} {protocol:>16} fold {split.fold} {name:>14} seed {seed}: "
                f"macro-F1 {row['f1_macro']:.3f} acc {row['accuracy']:.3f} ({how})")
    return pd.DataFrame(rows)


def augmentation_cost(key: str, store: RunStore) -> dict:
    """The columns a run table gives a run with an augmentation stage: the augmentation run's
    key and the seconds it took (it is stored as a run of its own, which the classifier
    run's ``train_seconds`` do not include; runs that share it count it once)."""
    seconds = store.load_result(key).get("seconds", float("nan")) if store.has(key) else float("nan")
    return {"augment_run_key": key, "augment_seconds": seconds}


def _train_one(ws: WindowSet, split, name: str, config: TrainConfig, seed: int, kwargs: dict,
               store_root: str) -> tuple[str, bool]:
    """One run on a worker, stored in the shared run store: its key, and whether the worker
    trained it (``False``: another process had stored it meanwhile, and it was loaded)."""
    res = fit(name, ws, split, config, seed=seed, model_kwargs=kwargs, store=RunStore(store_root))
    return res.key, not res.cached


def train_missing(executor, ws: WindowSet, jobs, config: TrainConfig, store: RunStore,
                  log: Callable[[str], None] | None = print) -> set[str]:
    """Train ``jobs`` (``(split, model name, model kwargs, seed)`` tuples, the runs of a grid
    that ``store`` does not hold yet) on ``executor`` and wait for them; returns the keys of
    the runs it trained (a run another process stored meanwhile is loaded, not trained).
    :func:`run_grid` submits only the missing runs, so an interrupted grid resumes where it
    stopped, and the store's per-run locks (:meth:`~harlib.training.runs.RunStore.lock`) keep two
    workers from training one run twice. Every worker must see ``store.root`` (a shared
    folder on a cluster)."""
    if not jobs:
        return set()
    data = executor.scatter(ws, broadcast=True) if hasattr(executor, "scatter") else ws
    futures = [executor.submit(_train_one, data, split, name, config, seed, kwargs, str(store.root))
               for split, name, kwargs, seed in jobs]
    if log:
        log(f"{ws.dataset}: {len(jobs)} runs submitted to {type(executor).__name__}")
    return {key for key, trained in (f.result() for f in futures) if trained}


def summarize(df: pd.DataFrame, by: list[str], metrics: Iterable[str] = ("accuracy", "f1_macro"),
              ) -> pd.DataFrame:
    """Mean, standard deviation and count of each metric per group (over folds and seeds)."""
    agg = df.groupby(by, sort=False)[list(metrics)].agg(["mean", "std", "count"])
    agg.columns = [f"{m}_{s}" for m, s in agg.columns]
    return agg.reset_index()


def mean_pm_std(df: pd.DataFrame, metric: str, digits: int = 3) -> pd.Series:
    """'0.912 ± 0.008' strings from the ``{metric}_mean``/``{metric}_std`` columns."""
    std = df[f"{metric}_std"].fillna(0.0)
    return df[f"{metric}_mean"].map(lambda v: f"{v:.{digits}f}") + " ± " + std.map(
        lambda v: f"{v:.{digits}f}")


def protocol_gap(summary: pd.DataFrame, metric: str = "f1_macro",
                 by: tuple[str, ...] = ("dataset", "model")) -> pd.DataFrame:
    """Per dataset and model: the metric under the split that is *not* subject-independent,
    under the subject-independent one, and the gap between them.

    ``summary`` needs a boolean ``subject_independent`` column and ``{metric}_mean``.
    """
    col = f"{metric}_mean"
    wide = summary.pivot_table(index=list(by), columns="subject_independent", values=col)
    if not {True, False} <= set(wide.columns):
        raise ValueError("protocol_gap needs runs of both a random and a subject-independent split")
    out = pd.DataFrame({f"{metric} (random split)": wide[False],
                        f"{metric} (subject-independent)": wide[True],
                        "gap": wide[False] - wide[True]})
    return out.reset_index()


__all__ = ["METRICS", "run_grid", "warn_scarce_training", "summarize", "mean_pm_std", "protocol_gap",
           "paired_difference"]


def paired_difference(runs: pd.DataFrame, factor: str, a, b, by: list[str],
                      metric: str = "f1_macro", pair_on: tuple[str, ...] = ("fold", "seed"),
                      ) -> pd.DataFrame:
    """Per group ``by``: the mean of ``metric`` under ``factor == a`` and ``== b``, the mean
    and largest paired difference (b − a, runs paired on ``pair_on``), and the
    seed-to-seed spread under ``a`` (the standard deviation over seeds within a fold,
    averaged over folds) — the yardstick a difference is judged against."""
    keys = [*by, *pair_on]
    wide = runs.pivot_table(index=keys, columns=factor, values=metric)
    if a not in wide.columns or b not in wide.columns:
        raise ValueError(f"runs need both {factor}={a!r} and {factor}={b!r}")
    wide = wide.dropna(subset=[a, b]).reset_index()
    wide["diff"] = wide[b] - wide[a]
    rows = []
    for key, g in wide.groupby(by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        spread = g.groupby("fold")[a].std().mean() if "seed" in pair_on else float("nan")
        rows.append({**dict(zip(by, key)), f"{metric} ({a})": g[a].mean(), f"{metric} ({b})": g[b].mean(),
                     "mean_diff": g["diff"].mean(), "max_abs_diff": g["diff"].abs().max(),
                     "seed_spread": spread, "pairs": len(g),
                     "within_spread": abs(g["diff"].mean()) <= spread})
    return pd.DataFrame(rows)


def histories(runs: pd.DataFrame, store: RunStore | None = None,
              columns: Iterable[str] = ()) -> pd.DataFrame:
    """The per-epoch history of every run in a run table, one row per epoch, with the run
    table's ``columns`` repeated on each row; an adaptive loss's ``loss_weights`` are spread
    into ``weight_0``, ``weight_1``, …"""
    store = store or RunStore()
    rows = []
    for _, r in runs.iterrows():
        for h in store.load_result(r["run_key"])["history"]:
            row = {c: r[c] for c in ("run_key", *columns)}
            row.update({k: v for k, v in h.items() if k != "loss_weights"})
            for i, w in enumerate(h.get("loss_weights", [])):
                row[f"weight_{i}"] = w
            rows.append(row)
    return pd.DataFrame(rows)


def factor_gap(runs: pd.DataFrame, factor: str, a, b, by: list[str],
               metrics: Iterable[str] = ("accuracy",)) -> pd.DataFrame:
    """Per group ``by``: each metric's mean over runs under ``factor == a`` and ``== b`` and
    the gap ``a − b`` (e.g. label-pure minus inter-class windows)."""
    rows = []
    for key, g in runs.groupby(by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        row = dict(zip(by, key))
        for m in metrics:
            va, vb = g.loc[g[factor] == a, m].mean(), g.loc[g[factor] == b, m].mean()
            row.update({f"{m} ({a})": va, f"{m} ({b})": vb, f"{m} gap": va - vb})
        rows.append(row)
    return pd.DataFrame(rows)
