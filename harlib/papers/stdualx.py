"""Paper C (STDual-X: per-IMU spatio-temporal dual attention, cross-sensor attention,
CE + triplet loss): its setting, its ablation variants and the tables its notebooks build
(the headline under each protocol, what each protocol leak contributes, cross-sensor
attention by class).

The setting lives here once, and every notebook of paper C calls it, so they share runs:
the official code's 1.2 s windows with a stride of a third of a window, two test subjects
held out, and two protocols on the same windows and splits: "paper-style" (the code's three
leaks on, :data:`LEAKS`) and "subject-independent" (none of them). DSADS stands in for
PAMAP2 (:data:`DATASET`). The code holds out one pair, PAMAP2's subjects 105 and 106; here
subjects 5 and 6 are that pair, and further disjoint pairs (:data:`HOLDOUT_PAIRS`) are
further folds, so that each number is a mean over several hold-outs with an interval.

Notebooks: 30 (architecture), 31 (results and leaks), 32 (ablation), 33 (embeddings), 34
(cross-sensor attention), 35 (robustness), 36 (efficiency). The model is
:mod:`harlib.models.stdualx`; its training recipe is in :mod:`harlib.papers.recipes`; the
protocol leaks are in :mod:`harlib.evaluation.leakage`."""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..data.base import HARDataset
from ..data.windows import WindowSet, sliding_windows
from ..evaluation.intervals import interval, paired_comparisons
from ..evaluation.leakage import LEAKS, leak_variant
from ..evaluation.splits import Split, make_splits
from ..training.experiment import run_grid
from .claims import claim_values, in_order

#: the multi-IMU dataset paper C's protocol runs on here (a stand-in for PAMAP2)
DATASET = "dsads"
#: held-out test subjects (the code's PAMAP2 hold-out: subjects 105 and 106)
TEST_SUBJECTS = [5, 6]
#: the hold-out's folds: the code's pair first, then DSADS's other subjects in disjoint pairs.
#: The paper evaluates one pair; more pairs are our choice, so that every claim is a mean
#: over hold-outs with an interval. A profile's ``max_folds`` says how many run (standard: 3)
HOLDOUT_PAIRS = ((5, 6), (1, 2), (3, 4), (7, 8))
#: the code's window length, in seconds; the stride is a third of a window
WINDOW_SECONDS = 1.2
#: the two protocols: which of the code's leaks (:mod:`harlib.evaluation.leakage`) are on
PROTOCOLS = {"paper-style": LEAKS, "subject-independent": ()}


def code_windows(ds: HARDataset) -> WindowSet:
    """``ds`` cut as paper C's code cuts PAMAP2: 1.2 s windows, a third of a window apart
    (30 samples, stride 10 on DSADS's 25 Hz)."""
    length = int(round(WINDOW_SECONDS * ds.sampling_rate))
    return sliding_windows(ds, length, length // 3)


def holdout_pairs(max_folds: int | None = None, pairs=None) -> list[list[int]]:
    """The test-subject sets of the hold-out's folds: ``pairs`` (default
    :data:`HOLDOUT_PAIRS`), the first ``max_folds`` of them (``None``: all). Fold ``i`` holds
    out ``pairs[i]``."""
    pairs = HOLDOUT_PAIRS if pairs is None else pairs
    out = [[int(s) for s in p] for p in pairs]
    if not out or any(not p for p in out):
        raise ValueError(f"hold-out pairs must be non-empty lists of subjects; got {pairs!r}")
    seen = [s for p in out for s in p]
    if len(seen) != len(set(seen)):
        raise ValueError(f"hold-out pairs must be disjoint (each subject tested once); got {out}")
    if max_folds is not None and max_folds < 1:
        raise ValueError(f"max_folds must be at least 1 (or None for all); got {max_folds}")
    return out if max_folds is None else out[:max_folds]


def holdout_runs(ws: WindowSet, pairs, leaks, models, seeds, config, **tags) -> pd.DataFrame:
    """:func:`~harlib.training.experiment.run_grid` on the ``holdout_subjects`` protocol once
    per test-subject set of ``pairs`` (:func:`holdout_pairs`), with ``leaks`` (any of
    :data:`LEAKS`) switched on. Fold ``i`` is ``pairs[i]``: the rows carry it in ``fold``
    (so paired differences match runs by hold-out and seed) and name it in
    ``test_subjects``; ``tags`` become further columns."""
    out = []
    for fold, pair in enumerate(pairs):
        ws_l, kw = leak_variant(ws, pair, leaks)
        out.append(run_grid(ws_l, "holdout_subjects", models, seeds, config, protocol_kwargs=kw)
                   .assign(fold=fold, test_subjects=" ".join(str(s) for s in kw["test_subjects"]),
                           leaks=", ".join(leaks) or "none", **tags))
    if not out:
        raise ValueError("holdout_runs needs at least one test-subject set")
    return pd.concat(out, ignore_index=True)


def protocol_windows(ws: WindowSet, protocol: str, test_subjects=None) -> tuple[WindowSet, dict]:
    """The windows and ``holdout_subjects`` protocol arguments of ``protocol`` (a key of
    :data:`PROTOCOLS`) with ``test_subjects`` (default :data:`TEST_SUBJECTS`) held out."""
    if protocol not in PROTOCOLS:
        raise KeyError(f"unknown protocol {protocol!r}; paper C's setting has {list(PROTOCOLS)}")
    return leak_variant(ws, TEST_SUBJECTS if test_subjects is None else test_subjects,
                        PROTOCOLS[protocol])


def protocol_split(ws: WindowSet, protocol: str, test_subjects=None) -> tuple[WindowSet, Split]:
    """The windows and the one split of ``protocol`` (:func:`protocol_windows`)."""
    ws_p, kw = protocol_windows(ws, protocol, test_subjects)
    (split,) = make_splits("holdout_subjects", ws_p, **kw)
    return ws_p, split


def headline_by_protocol(runs: pd.DataFrame, model: str, studies: Mapping[str, Mapping[str, str]],
                         claims: Mapping[str, str], stand_in: Mapping[str, str] | None = None,
                         metrics: Iterable[str] = ("accuracy", "f1_macro")) -> pd.DataFrame:
    """One row per dataset: the paper's claim beside ``model``'s mean score (in %) under each
    protocol. ``studies``: dataset → {protocol label: the ``study`` value of its runs};
    ``claims``: dataset → claim id; ``stand_in``: dataset → how the table header names it."""
    metrics = list(metrics)
    rows = []
    for dataset, by_protocol in studies.items():
        row = {"dataset": (stand_in or {}).get(dataset, dataset)}
        cid = claims.get(dataset, "")
        row["the paper reports: accuracy"] = claim_values([cid])[0]
        row["claim"] = cid
        for protocol, study in by_protocol.items():
            sel = runs[(runs.dataset == dataset) & (runs.model == model) & (runs.study == study)]
            if sel.empty:
                raise ValueError(f"no {model} runs of study {study!r} on {dataset}")
            for m in metrics:
                row[f"ours, {protocol}: {m}"] = 100 * sel[m].mean()
            row[f"runs ({protocol})"] = len(sel)
        rows.append(row)
    return pd.DataFrame(rows)


def leak_contributions(runs: pd.DataFrame, order: Iterable[str],
                       metrics: Iterable[str] = ("accuracy", "f1_macro")) -> pd.DataFrame:
    """Mean scores (in %) per model and leak-study row, in ``order`` (the first row is the
    no-leak reference), with Δ: the change from that model's reference row in points. The
    first metric's Δ also comes paired over runs with the same fold and seed: ``pairs``, its
    paired mean, 95 % interval and its ``reading``
    (:func:`~harlib.evaluation.intervals.noise_reading`: inside noise, outside noise, or too
    few runs where fewer than two pairs give no interval). Give every row the same folds and
    seeds for the unpaired Δ to be like for like."""
    order, metrics = list(order), list(metrics)
    summary = (runs.groupby(["model", "study"], sort=False)[metrics].mean() * 100).reset_index()
    summary["runs"] = runs.groupby(["model", "study"], sort=False).size().values
    summary = in_order(summary, "study", order, ["model"], "study rows")
    for m in metrics:
        ref = summary[summary.study == order[0]].set_index("model")[m]
        if set(summary.model) - set(ref.index):
            raise ValueError(f"no reference row {order[0]!r} for {sorted(set(summary.model) - set(ref.index))}")
        summary[f"Δ {m}"] = summary[m] - summary.model.map(ref)
    m = metrics[0]          # its Δ paired by fold and seed, against the reference row
    paired = paired_comparisons(runs, "study", order[0], m, by=["model"], scale=100.0)
    summary = summary.merge(paired.drop(columns="minus").rename(columns={"mean": f"Δ {m}, paired mean"}),
                            on=["model", "study"], how="left")
    summary["pairs"] = summary["pairs"].fillna(0).astype(int)       # the reference itself: no pair
    summary["reading"] = summary["reading"].fillna("")
    return summary.reset_index(drop=True)


def attention_by_class(attn: np.ndarray, y: np.ndarray, class_names, placement_names,
                       between: tuple[Iterable[str], Iterable[str]] | None = None,
                       share_name: str = "share A↔B") -> pd.DataFrame:
    """Per class, how a cross-sensor attention spreads over the ordered placement pairs
    (``attn``: ``(windows, P, P)``, zero diagonal, each window's matrix summing to 1):

    * ``entropy``: the mean normalised entropy of a window's P(P−1) pair weights (1 =
      uniform over the pairs, 0 = one pair), with its standard deviation over windows;
    * ``top pair``: the pair with the largest mean weight, and that weight;
    * with ``between=(A, B)``: the column ``share_name``, the mean total weight on pairs
      between a placement of A and one of B (both directions), its standard deviation over
      windows (``share std``), and what a uniform attention would give (``uniform share``).
    """
    attn, y = np.asarray(attn, dtype=np.float64), np.asarray(y)
    n, p, _ = attn.shape
    if p < 2 or len(placement_names) != p or len(y) != n:
        raise ValueError(f"attention must be (windows, P, P) with P >= 2 placements named and one label "
                         f"per window; got {attn.shape}, {len(placement_names)} names, {len(y)} labels")
    off = ~np.eye(p, dtype=bool)
    w = attn[:, off]                                          # (n, P(P-1))
    ent = -(w * np.log(np.clip(w, 1e-12, None))).sum(1) / np.log(p * (p - 1))
    pairs = [(placement_names[i], placement_names[j]) for i in range(p) for j in range(p) if i != j]
    mask = None
    if between is not None:
        a, b = set(between[0]), set(between[1])
        mask = np.array([(s in a and t in b) or (s in b and t in a) for s, t in pairs])
    rows = []
    for c in np.unique(y):
        sel = y == c
        mean = w[sel].mean(0)
        row = {"class": class_names[int(c)], "windows": int(sel.sum()),
               "entropy": ent[sel].mean(), "entropy std": ent[sel].std(),
               "top pair": " → ".join(pairs[int(mean.argmax())]), "top weight": mean.max()}
        if mask is not None:
            share = w[sel][:, mask].sum(1)
            row.update({share_name: share.mean(), "share std": share.std(),
                        "uniform share": mask.mean()})
        rows.append(row)
    return pd.DataFrame(rows)


def attention_over_runs(runs: pd.DataFrame, share_name: str = "share A↔B",
                        by: Sequence[str] = ("protocol", "class")) -> pd.DataFrame:
    """:func:`attention_by_class` tables of several trained runs (stacked, a row per run and
    class, a ``seed`` column) summarised per ``by``: the runs, the mean over runs of the mean
    window entropy and of ``share_name`` with their 95 % intervals over runs
    (:func:`harlib.evaluation.intervals.interval`; NaN bounds for one run), and the top pair
    most runs agree on with the number of runs in which it is the top pair. A single run's
    map is one draw: retrained on another machine or with another seed, the same model moves its
    per-activity entropies far beyond their recorded tolerance (notebook 34,
    ``tables/standard_rerun.md``)."""
    by = list(by)
    missing = {*by, "seed", "entropy", "top pair", share_name} - set(runs.columns)
    if missing:
        raise KeyError(f"attention_over_runs: the runs table has no column(s) {sorted(missing)}")
    rows = []
    for key, g in runs.groupby(by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        e, sh = interval(g["entropy"]), interval(g[share_name])
        top = g["top pair"].value_counts()
        rows.append({**dict(zip(by, key)), "runs": e.n, "entropy": e.mean, "entropy 95 % CI low": e.low,
                     "entropy 95 % CI high": e.high, share_name: sh.mean, f"{share_name} 95 % CI low": sh.low,
                     f"{share_name} 95 % CI high": sh.high, "top pair (most runs)": top.index[0],
                     "runs with that top pair": int(top.iloc[0])})
    return pd.DataFrame(rows)


def attention_groups(table: pd.DataFrame, groups: dict[str, Iterable[str]],
                     share_name: str = "share A↔B") -> pd.DataFrame:
    """Per group of activities (``groups``: name → activities of an :func:`attention_by_class`
    table), the mean over its activities of their mean ``entropy`` and mean ``share_name``,
    with the lowest and highest activity's entropy: the numbers behind paper C's claim that
    static postures attend nearly uniformly (notebook 34)."""
    t = table.set_index("class")
    missing = [c for acts in groups.values() for c in acts if c not in t.index]
    if missing:
        raise KeyError(f"activities {missing} are not in the table; it has {list(t.index)}")
    if share_name not in t.columns:
        raise KeyError(f"the table has no column {share_name!r} (attention_by_class writes it "
                       f"with between=... and the same share_name); columns: {list(t.columns)}")
    rows = []
    for name, acts in groups.items():
        acts = list(acts)
        if not acts:
            raise ValueError(f"attention_groups: group {name!r} names no activity")
        e = t.loc[acts, "entropy"]
        rows.append({"activities": name, "n": len(acts), "entropy": e.mean(), "lowest entropy": e.min(),
                     "highest entropy": e.max(), share_name: t.loc[acts, share_name].mean()})
    return pd.DataFrame(rows)


def stdualx_ablation() -> dict[str, dict]:
    """Paper C's ablation (abstract: "w/o STDAT", "w/o CSA", "w/o contrastive loss") as
    ``{"model_kwargs", "config"}`` overrides of the ``stdualx`` recipe. The abstract does not
    say what replaced each part; **assumed**: see :class:`~harlib.models.stdualx.STDualX`
    for the model switches, and the contrastive loss is removed by giving the triplet term
    weight 0, so the same triples train the same cross-entropy for the same steps and only
    the loss differs."""
    return {
        "STDual-X": {"model_kwargs": {}, "config": {}},
        "w/o STDAT": {"model_kwargs": {"stdat": False}, "config": {}},
        "w/o CSA": {"model_kwargs": {"cross_sensor_attention": False}, "config": {}},
        "w/o contrastive loss": {"model_kwargs": {}, "config": {"loss_kwargs": {"weight": 0.0}}},
    }
