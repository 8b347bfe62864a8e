"""Headline runs that kept an early checkpoint, trained again to the epoch cap (notebook 90).

Under a subject-independent protocol the best epoch is chosen on the validation subjects,
one or two people on DSADS. Where their score peaks in the first epochs, early stopping ends
the run ``patience`` epochs later and keeps that early checkpoint, so the claim then rests
on weights that saw one or two passes over the data. This module

1. finds the claim records whose runs kept a median best epoch of at most
   :data:`EARLY_EPOCH` (:func:`early_records`; the records are
   :mod:`harlib.report.claim_records`'), and the claims measured on those runs by another
   notebook (:data:`READ_FROM`: C7's silhouette in 33 and C8's robustness in 35 read C1's
   runs),
2. trains those runs again with ``checkpoint="last"`` (every epoch the profile allows, the
   last one kept, nothing chosen on validation; :class:`~harlib.training.train.TrainConfig`)
   on the same windows, folds and seeds (:func:`rebuild`), and
3. sets the two side by side (:func:`compare`): the claim's value under each checkpoint,
   and the paired difference (last − best) over the same fold and seed, with its interval.

How a claim's runs are trained is its notebook's choice; :data:`REBUILDS` repeats, per claim,
the calls that notebook makes (28 for B2; 31 for C1; 32 for C5 and C6), with the checkpoint
as the one change; C7 and C8 are measured again, as 33 and 35 measure them, on C1's runs
(:func:`read_again`). :func:`compare` checks that each
pair of runs saw the same test windows, training windows and epoch cap, so a rebuild that
drifted from its notebook fails there. The claims table (notebook 91) shows the last-epoch readings
(:func:`harlib.report.claim_records.headline_records`).

Notebooks: 90, and 91 through the claim records.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from ..evaluation.intervals import PAIRED_METHOD, interval, noise_reading, verdict
from ..training.profiles import Profile

#: a claim "kept an early checkpoint" when its runs' median best epoch is at most this (the
#: claim records name it among the reasons why ours may differ)
EARLY_EPOCH = 2
#: the protocol whose runs :data:`REBUILDS` train again (validation on held-out subjects)
PROTOCOL = "subject-independent"
#: the two checkpoints compared: the notebooks' (best validation epoch, early stopping) and
#: the cap's (every epoch, the last kept)
CHECKPOINTS = ("best", "last")
#: columns on which the two runs of a pair must agree (same test windows, training windows
#: and epoch budget), where the runs tables have them
SAME_IN_A_PAIR = ("n_test", "n_train", "epoch_cap", "test_subjects")
#: claims that a notebook measures on another claim's runs, with no runs of their own: claim →
#: the claim whose runs it reads (33's silhouette and 35's robustness read notebook 31's
#: subject-independent STDual-X runs, C1's). Their records carry no epochs; they kept an early
#: checkpoint when the claim they read did.
READ_FROM = {"C7": "C1", "C8": "C1"}
#: notebook 35's reading of C8: test windows scored per run (its ``max_windows``, a
#: class-stratified sample, seed 0) and the share of samples missing
C8_TEST_WINDOWS = 2000
C8_MISSING = 0.1


def early_records(records: pd.DataFrame, early_epoch: int = EARLY_EPOCH) -> pd.DataFrame:
    """The claim records (:func:`harlib.report.claim_records.read_claim_records`) whose runs
    kept a median best epoch of at most ``early_epoch``, and those of :data:`READ_FROM`'s
    claims under a protocol where the claim they read is among them."""
    missing = {"claim", "protocol", "best epoch (median)", "run_keys"} - set(records.columns)
    if missing:
        raise KeyError(f"early_records: records have no column(s) {sorted(missing)}")
    best = pd.to_numeric(records["best epoch (median)"], errors="coerce")
    early = best <= early_epoch
    flagged = set(zip(records.claim[early], records.protocol[early]))
    reads = [(READ_FROM.get(c), p) in flagged for c, p in zip(records.claim, records.protocol)]
    return records[early | np.array(reads, dtype=bool)].reset_index(drop=True)


# ---- the runs of each claim, as its notebook trains them -------------------------------------
def _b2(profile: Profile, checkpoint: str, pairs=None) -> pd.DataFrame:
    """The USAD runs on the DSADS stand-in for B's PAMAP2 column (43-sample windows at half
    overlap, all of the training data) under subject groups, as notebook 28 trains them:
    every training window drawn on, the diffusion stage budgeted by cost."""
    from ..data import load_dataset
    from ..data.windows import sliding_windows
    from ..training.experiment import run_grid
    from . import protocols, usad
    if pairs is not None:
        raise ValueError("B2's runs are subject groups; pairs only select hold-out pairs of paper C")
    ws = sliding_windows(load_dataset("dsads"), 43, 43 // 2)
    full = usad.usad_ablation(profile)["Data Augmentation"]
    row = usad.per_epoch_augmenter(full["config"], profile)
    config = usad.comparison_config(profile, ws, 1.0, True, **row, checkpoint=checkpoint)
    how = protocols.compared(profile, ws)[protocols.SUBJECT_INDEPENDENT]
    return run_grid(ws, protocols.SUBJECT_INDEPENDENT, {"usad": full["model_kwargs"]}, profile.grid_seeds,
                    config, **how).assign(setting="pamap2")


def _stdualx(profile: Profile, checkpoint: str, variants: list[str], pairs=None, **tags) -> pd.DataFrame:
    """Paper C's no-leak runs (notebooks 31 and 32) of the named ablation ``variants`` on the
    code's windows, one fold per hold-out pair (``pairs``: a subset of the profile's, for
    training them in parallel; the folds keep their numbers)."""
    from ..data import load_dataset
    from . import stdualx
    from .recipes import recipe
    every = stdualx.holdout_pairs(profile.max_folds)
    chosen = every if pairs is None else [[int(s) for s in p] for p in pairs]
    unknown = [p for p in chosen if p not in every]
    if unknown:
        raise ValueError(f"pairs {unknown} are not among the profile's hold-out pairs {every}")
    ws = stdualx.code_windows(load_dataset(stdualx.DATASET))
    ablation = stdualx.stdualx_ablation()
    out = []
    for label in variants:
        v = ablation[label]
        config = recipe("stdualx", profile, **v["config"], checkpoint=checkpoint)
        runs = stdualx.holdout_runs(ws, chosen, stdualx.PROTOCOLS["subject-independent"],
                                    {"stdualx": v["model_kwargs"]}, profile.grid_seeds, config,
                                    variant=label, **tags)
        out.append(runs.assign(fold=[every.index([int(s) for s in t.split()]) for t in runs.test_subjects]))
    return pd.concat(out, ignore_index=True)


def _c1(profile, checkpoint, pairs=None):
    from ..evaluation.leakage import LEAK_STUDY
    no_leak = next(k for k, v in LEAK_STUDY.items() if v == ())
    return _stdualx(profile, checkpoint, ["STDual-X"], pairs, study=no_leak, sensors="placement")


def _c_ablation(variant: str) -> Callable:
    def rebuild(profile, checkpoint, pairs=None):
        return _stdualx(profile, checkpoint, ["STDual-X", variant], pairs, protocol="subject-independent")
    rebuild.__doc__ = f"Notebook 32's subject-independent runs of the full model and {variant!r}."
    return rebuild


def read_again(claim: str, runs: pd.DataFrame, profile: Profile) -> pd.DataFrame:
    """``claim`` (C7 or C8, a key of :data:`READ_FROM`) measured on ``runs``, the stored
    subject-independent STDual-X runs of C1 (:func:`_c1`), as notebook 33 (the silhouette of
    the test embeddings) or 35 (accuracy with :data:`C8_MISSING` of the samples missing, on
    :data:`C8_TEST_WINDOWS` test windows) measures it: one row per run, in that notebook's
    columns, with the run's key, epochs and checkpoint. Each run's test windows are checked
    to be the hold-out's, as the trainer sampled them."""
    from ..data import load_dataset
    from ..evaluation import robustness
    from ..evaluation.metrics import silhouette
    from ..training.engine import stratified_subsample, test_windows
    from ..training.runs import RunStore
    from . import stdualx
    if claim not in READ_FROM:
        raise KeyError(f"read_again: {claim!r} is not read from another claim's runs; those are {list(READ_FROM)}")
    ws = stdualx.code_windows(load_dataset(stdualx.DATASET))
    store = RunStore()
    carried = [c for c in ("fold", "seed", "run_key", "epochs", "best_epoch", "epoch_cap", "n_train", "n_test",
                           "train_seconds", "checkpoint") if c in runs]
    rows = []
    for r in runs.to_dict("records"):
        ws_p, split = stdualx.protocol_split(ws, PROTOCOL, [int(s) for s in str(r["test_subjects"]).split()])
        run = store.result(str(r["run_key"]))
        test = run.predictions["test_index"]
        tested = test_windows(split, ws_p.y, run.record["train"].get("max_test_windows"), run.record["seed"])
        if not np.array_equal(np.sort(test), np.sort(tested)):
            raise ValueError(f"run {r['run_key']} was not tested on hold-out {r['test_subjects']}'s windows")
        row = {**{c: r[c] for c in carried}, "test subjects": r["test_subjects"], "protocol": PROTOCOL,
               "model": "stdualx"}
        if claim == "C7":
            row["silhouette (embedding)"] = silhouette(run.predictions["embedding"], run.predictions["y_true"])
        else:
            idx = stratified_subsample(test, ws_p.y, C8_TEST_WINDOWS, 0)
            mean = run.standardizer().mean_
            scores = robustness.perturbed_scores(
                run, ws_p.X[idx], ws_p.y[idx],
                lambda X: robustness.missing_samples(X, C8_MISSING, mean, np.random.default_rng(0)))
            row |= {"perturbation": "missing samples", "level": C8_MISSING, "accuracy": 100 * scores["accuracy"]}
        rows.append(row)
    return pd.DataFrame(rows)


def _read_from_c1(claim: str) -> Callable:
    def rebuild(profile, checkpoint, pairs=None):
        return read_again(claim, _c1(profile, checkpoint, pairs).assign(checkpoint=checkpoint), profile)
    rebuild.__doc__ = f"{claim} measured again on C1's runs (:func:`read_again`)."
    return rebuild


#: claim → the function that trains its subject-independent runs with a given checkpoint
#: (C7, C8: measures it on C1's runs)
REBUILDS: dict[str, Callable[..., pd.DataFrame]] = {
    "B2": _b2, "C1": _c1, "C5": _c_ablation("w/o CSA"), "C6": _c_ablation("w/o contrastive loss"),
    "C7": _read_from_c1("C7"), "C8": _read_from_c1("C8")}


def rebuild(claim: str, profile: Profile, checkpoint: str = "last", pairs=None) -> pd.DataFrame:
    """Train (or load from the run store) ``claim``'s subject-independent runs with
    ``checkpoint`` (``"last"``: every epoch, the last kept; ``"best"``: as its notebook).
    ``pairs``: paper C's hold-out pairs to run (default: all of the profile's)."""
    if claim not in REBUILDS:
        raise KeyError(f"no rebuild for claim {claim!r}; rebuilds exist for {', '.join(REBUILDS)}")
    if checkpoint not in CHECKPOINTS:
        raise ValueError(f"checkpoint must be one of {CHECKPOINTS}, got {checkpoint!r}")
    return REBUILDS[claim](profile, checkpoint, pairs).assign(checkpoint=checkpoint)


# ---- the comparison ------------------------------------------------------------------------
def _check_pairs(claim: str, best: pd.DataFrame, last: pd.DataFrame) -> None:
    cols = [c for c in SAME_IN_A_PAIR if c in best and c in last]
    keys = [k for k in ("fold", "seed", "variant") if k in best and k in last]
    both = best[[*keys, *cols]].merge(last[[*keys, *cols]], on=keys, suffixes=("_best", "_last"))
    if len(both) != len(best):
        raise ValueError(f"{claim}: {len(best)} committed runs but {len(both)} rebuilt partners on {keys}")
    for c in cols:
        differ = both[both[f"{c}_best"].astype(str) != both[f"{c}_last"].astype(str)]
        if len(differ):
            raise ValueError(f"{claim}: the rebuilt runs differ from the committed ones in {c!r} "
                             f"({differ[f'{c}_best'].tolist()} vs {differ[f'{c}_last'].tolist()}): "
                             "the rebuild no longer trains what the notebook trains")


def compare(early: pd.DataFrame, committed: dict[str, pd.DataFrame],
            rebuilt: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per early :data:`PROTOCOL` record (:func:`early_records`) whose claim has
    ``rebuilt`` runs: the
    claim under the notebook's checkpoint (``committed[claim]``: its runs table; the record's
    own runs are picked by run key) and under the last epoch, each with n, mean and 95 %
    interval, the median best epoch of each, the paired difference last − best over the same
    fold and seed with its interval and reading, and the verdict against the paper at the
    last epoch. Each reading carries its standard error over the runs, from which the
    notebook's headline check takes its tolerance
    (:func:`harlib.report.headlines.table_values`): the last-epoch runs are trained again
    by whoever executes the notebook, and another CPU moves them."""
    from .claims import claim_sources, measured_values
    sources = {s.claim: s for s in claim_sources()}
    rows = []
    for rec in early.itertuples(index=False):
        if rec.claim not in rebuilt or rec.protocol != PROTOCOL:
            continue
        src = sources[rec.claim]
        table = committed[rec.claim]
        if rec.claim in READ_FROM:      # a table of readings, not of runs: the claim's own rows
            best = measured_values(src, table, rec.protocol)[1]
            best = best.drop_duplicates([k for k in ("fold", "seed", "model") if k in best])
            best_epoch = early.loc[(early.claim == READ_FROM[rec.claim]) & (early.protocol == rec.protocol),
                                   "best epoch (median)"]
            best_epoch = float(best_epoch.iloc[0]) if len(best_epoch) else float("nan")
        else:
            best = table[table["run_key"].astype(str).isin(set(map(str, rec.run_keys)))]
            if len(best) != len(rec.run_keys):
                raise ValueError(f"{rec.claim}: the runs table of {src.notebook} holds {len(best)} of the "
                                 f"record's {len(rec.run_keys)} runs; re-run {src.notebook}")
            best_epoch = float(best["best_epoch"].median())
        last = rebuilt[rec.claim]
        _check_pairs(rec.claim, best, last)
        v_best, v_last = (measured_values(src, r, rec.protocol)[0] for r in (best, last))
        d = v_last.merge(v_best, on=["fold", "seed"], suffixes=("_last", "_best"))
        ci_best, ci_last = interval(v_best["value"]), interval(v_last["value"])
        diff = interval(d["value_last"] - d["value_best"], PAIRED_METHOD)
        paper = src.paper()
        rows.append({
            "claim": rec.claim, "protocol": rec.protocol, "kind": src.kind, "the paper reports": paper,
            "n": ci_last.n,
            "best epoch (median), notebook": best_epoch,
            "ours, best epoch": ci_best.mean, "ours, best epoch: standard error": ci_best.standard_error,
            "best: 95 % CI low": ci_best.low, "best: 95 % CI high": ci_best.high,
            "best: verdict": verdict(paper, ci_best, src.kind),
            "epochs (median), last": float(last["epochs"].median()),
            "ours, last epoch": ci_last.mean, "ours, last epoch: standard error": ci_last.standard_error,
            "last: 95 % CI low": ci_last.low, "last: 95 % CI high": ci_last.high,
            "last: verdict": verdict(paper, ci_last, src.kind),
            "last − best": diff.mean, "last − best: 95 % CI low": diff.low,
            "last − best: 95 % CI high": diff.high, "last − best: reading": noise_reading(diff),
            "pairs": diff.n, "notebook": src.notebook})
    return pd.DataFrame(rows)


__all__ = ["EARLY_EPOCH", "PROTOCOL", "CHECKPOINTS", "READ_FROM", "C8_TEST_WINDOWS", "C8_MISSING", "REBUILDS",
           "early_records", "read_again", "rebuild", "compare"]
