"""Headline runs that kept an early checkpoint, trained again to the epoch cap (notebook 91).

Under a subject-independent protocol the best epoch is chosen on the validation subjects,
one or two people on DSADS. Where their score peaks in the first epochs, early stopping ends
the run ``patience`` epochs later and keeps that early checkpoint, so the claim then rests
on weights that saw one or two passes over the data. This module

1. finds the claim records whose runs kept a median best epoch of at most
   :data:`EARLY_EPOCH` (:func:`early_records`; the records are
   :mod:`harlib.report.claim_records`'),
2. trains those runs again with ``checkpoint="last"`` (every epoch the profile allows, the
   last one kept, nothing chosen on validation; :class:`~harlib.training.train.TrainConfig`)
   on the same windows, folds and seeds (:func:`rebuild`), and
3. sets the two side by side (:func:`compare`): the claim's value under each checkpoint,
   and the paired difference (last − best) over the same fold and seed, with its interval.

How a claim's runs are trained is its notebook's choice; :data:`REBUILDS` repeats, per claim,
the calls that notebook makes (25 for B2; 31 for C1; 32 for C5 and C6), with the checkpoint as
the one change. :func:`compare` checks that each pair of runs saw the same test windows,
training windows and epoch cap, so a rebuild that drifted from its notebook fails there.

Notebook: 91.
"""
from __future__ import annotations

from typing import Callable

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


def early_records(records: pd.DataFrame, early_epoch: int = EARLY_EPOCH) -> pd.DataFrame:
    """The claim records (:func:`harlib.report.claim_records.read_claim_records`) whose runs
    kept a median best epoch of at most ``early_epoch``."""
    missing = {"claim", "protocol", "best epoch (median)", "run_keys"} - set(records.columns)
    if missing:
        raise KeyError(f"early_records: records have no column(s) {sorted(missing)}")
    best = pd.to_numeric(records["best epoch (median)"], errors="coerce")
    return records[best <= early_epoch].reset_index(drop=True)


# ---- the runs of each claim, as its notebook trains them -------------------------------------
def _b2(profile: Profile, checkpoint: str, pairs=None) -> pd.DataFrame:
    """Notebook 25's USAD runs on the DSADS stand-in for B's PAMAP2 column (43-sample windows
    at half overlap, a capped share of 1) under subject groups."""
    from ..data import load_dataset
    from ..data.windows import sliding_windows
    from ..training.experiment import run_grid
    from . import protocols, usad
    if pairs is not None:
        raise ValueError("B2's runs are subject groups; pairs only select hold-out pairs of paper C")
    ws = sliding_windows(load_dataset("dsads"), 43, 43 // 2)
    full = usad.usad_ablation(profile)["Data Augmentation"]
    config = usad.comparison_config(profile, ws, 1.0, False, **full["config"], checkpoint=checkpoint)
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


#: claim → the function that trains its subject-independent runs with a given checkpoint
REBUILDS: dict[str, Callable[..., pd.DataFrame]] = {
    "B2": _b2, "C1": _c1, "C5": _c_ablation("w/o CSA"), "C6": _c_ablation("w/o contrastive loss")}


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
    last epoch."""
    from .claims import claim_sources, measured_values
    sources = {s.claim: s for s in claim_sources()}
    rows = []
    for rec in early.itertuples(index=False):
        if rec.claim not in rebuilt or rec.protocol != PROTOCOL:
            continue
        src = sources[rec.claim]
        table = committed[rec.claim]
        best = table[table["run_key"].astype(str).isin(set(map(str, rec.run_keys)))]
        if len(best) != len(rec.run_keys):
            raise ValueError(f"{rec.claim}: the runs table of {src.notebook} holds {len(best)} of the "
                             f"record's {len(rec.run_keys)} runs; re-run {src.notebook}")
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
            "best epoch (median), notebook": float(best["best_epoch"].median()),
            "ours, best epoch": ci_best.mean, "best: 95 % CI low": ci_best.low, "best: 95 % CI high": ci_best.high,
            "best: verdict": verdict(paper, ci_best, src.kind),
            "epochs (median), last": float(last["epochs"].median()),
            "ours, last epoch": ci_last.mean, "last: 95 % CI low": ci_last.low, "last: 95 % CI high": ci_last.high,
            "last: verdict": verdict(paper, ci_last, src.kind),
            "last − best": diff.mean, "last − best: 95 % CI low": diff.low,
            "last − best: 95 % CI high": diff.high, "last − best: reading": noise_reading(diff),
            "pairs": diff.n, "notebook": src.notebook})
    return pd.DataFrame(rows)


__all__ = ["EARLY_EPOCH", "PROTOCOL", "CHECKPOINTS", "REBUILDS", "early_records", "rebuild", "compare"]
