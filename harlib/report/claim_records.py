"""Claims recorded by id: each paper notebook ends by recording the claims it measures
(:func:`record_claims`), and notebook 91 reads the records (:func:`read_claim_records`)
instead of searching results tables by name.

A record is one claim under one protocol: the paper's figure, our mean with its 95 %
interval over the runs (a paired interval for a difference; :mod:`harlib.evaluation.intervals`),
n, the verdict, the run keys, each run's best and last epoch, the training windows and the
test windows that overlap a training window (the defining property of a random split).
Where each claim is measured is :func:`harlib.papers.claims.claim_sources`. The records are
a function of the notebook's committed runs table alone, so they can be rebuilt from
``tables/`` without training (``tools/record_claims.py``).

Records live in ``tables/[profile/]claims/<notebook>.json``.

The claims table (notebook 91) reads them through :func:`headline_records`: a
subject-independent record whose runs kept one of their first epochs is measured instead on
the same runs trained to the epoch cap, last epoch kept (notebook 90,
:mod:`harlib.papers.early_checkpoints`).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from ..evaluation.intervals import PAIRED_METHOD, UNTESTABLE, Interval, interval, verdict
from ..papers.claims import ClaimSource, claim_sources, measured_values
from ..papers.early_checkpoints import EARLY_EPOCH, PROTOCOL, REBUILDS, early_records
from .tables import output_dir

#: the columns of :func:`read_claim_records`, in order
RECORD_COLUMNS = ["claim", "protocol", "what", "kind", "the paper reports", "n", "ours", "standard error",
                  "95 % CI low", "95 % CI high", "verdict", "why ours may differ", "method", "checkpoint",
                  "best epoch (median)", "runs ending on their best epoch", "training windows (median)", "test overlap",
                  "data", "notebook", "note", "run_keys"]


def _runs_facts(runs: pd.DataFrame) -> dict:
    """What a record says about its runs: best epoch, whether they ended on it, windows,
    overlap, keys (absent columns → NaN)."""
    def med(c):
        return float(runs[c].median()) if c in runs and runs[c].notna().any() else math.nan
    # a run that kept its last epoch (TrainConfig(checkpoint="last")) chose nothing on validation
    last = len(runs) > 0 and "checkpoint" in runs and bool((runs["checkpoint"] == "last").all())
    ended = (runs["best_epoch"] == runs["epochs"]).sum() if {"best_epoch", "epochs"} <= set(runs) and not last else None
    return {"checkpoint": "" if runs.empty else "last epoch" if last else "best validation epoch",
            "best epoch (median)": med("best_epoch"),
            "runs ending on their best epoch": "" if ended is None else f"{int(ended)} of {len(runs)}",
            "training windows (median)": med("n_train"),
            "test overlap": float(runs["test_overlap"].mean()) if "test_overlap" in runs else math.nan,
            "run_keys": sorted(map(str, runs["run_key"])) if "run_key" in runs else []}


def _why(src: ClaimSource, protocol: str, facts: dict, ours: Interval, paper: float,
         random_split: bool) -> str:
    """The factors that can separate ours from the paper's figure (stated, not weighed)."""
    if src.kind == "untestable":
        return src.note
    if ours.n and ours.high >= paper and src.kind == "level":
        return ""
    why = []
    if "stand-in" in src.data or "names neither" in src.data:
        why.append("stand-in data")
    ended = facts["runs ending on their best epoch"]
    if ended and not ended.startswith("0 of"):
        why.append(f"budget: {ended} runs were still improving at their last epoch")
    if facts["checkpoint"] == "last epoch":
        why.append("budget: trained to the epoch cap, the last epoch kept (notebook 90), as early stopping "
                   "had kept one of the first epochs")
    elif math.isfinite(facts["best epoch (median)"]) and facts["best epoch (median)"] <= EARLY_EPOCH:
        why.append(f"budget: kept an early epoch (median best epoch ≤ {EARLY_EPOCH})")
    if random_split and math.isfinite(facts["test overlap"]) and facts["test overlap"] < 0.5:
        why.append(f"protocol: only {facts['test overlap']:.0%} of test windows overlap training")
    if protocol == "subject-independent":
        why.append("protocol: unseen subjects")
    return "; ".join(why)


def measure(src: ClaimSource, table: pd.DataFrame, protocols=None) -> list[dict]:
    """The records of one claim from its table: one per protocol of ``src`` (``protocols``:
    those only)."""
    out = []
    paper = src.paper()
    unknown = sorted(set(protocols or ()) - set(src.protocols))
    if unknown:
        raise KeyError(f"claim {src.claim} is measured under {list(src.protocols)}, not {unknown}")
    for protocol in (src.protocols if protocols is None else protocols):
        values, used, paired = measured_values(src, table, protocol)
        ours = interval(values["value"], PAIRED_METHOD) if paired else interval(values["value"])
        facts = _runs_facts(used if "run_key" in table else used.iloc[0:0])   # an aggregate: no runs
        random_split = "protocol" in used and bool((used["protocol"] == "random_windows").all())
        out.append({"claim": src.claim, "protocol": protocol, "what": src.what, "kind": src.kind,
                    "the paper reports": paper, "n": ours.n, "ours": ours.mean,
                    "standard error": ours.standard_error, "95 % CI low": ours.low,
                    "95 % CI high": ours.high, "verdict": verdict(paper, ours, src.kind),
                    "why ours may differ": _why(src, protocol, facts, ours, paper, random_split),
                    "method": ours.method,
                    **facts, "data": src.data, "notebook": src.notebook, "note": src.note})
    return out


def _unmeasured(src: ClaimSource) -> dict:
    return {"claim": src.claim, "protocol": "", "what": src.what, "kind": src.kind,
            "the paper reports": src.paper(), "n": 0, "ours": math.nan, "standard error": math.nan,
            "95 % CI low": math.nan, "95 % CI high": math.nan, "verdict": UNTESTABLE, "why ours may differ": src.note,
            "method": "", "run_keys": [], "data": src.data, "notebook": src.notebook, "note": src.note}


def records_path(notebook: str, profile: str) -> Path:
    return output_dir("tables", profile) / "claims" / f"{notebook}.json"


def record_claims(notebook: str, profile: str, tables: Path | None = None) -> pd.DataFrame:
    """Record every claim ``notebook`` measures, read from its results tables in ``tables``
    (default: the profile's folder), to ``tables/[profile/]claims/<notebook>.json``; returns
    the records. A notebook that measures no claim raises."""
    sources = [s for s in claim_sources() if s.notebook == notebook]
    if not sources:
        raise KeyError(f"no claim is measured in notebook {notebook!r}; see harlib.papers.claims.claim_sources")
    folder = Path(tables) if tables is not None else output_dir("tables", profile)
    records = []
    for src in sources:
        if not src.table:
            records.append(_unmeasured(src))
            continue
        path = folder / f"{src.table}.csv"
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing: notebook {notebook} writes it before recording its claims")
        records += measure(src, pd.read_csv(path))
    path = records_path(notebook, profile)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean = [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in records]
    path.write_text(json.dumps({"profile": profile, "notebook": notebook, "records": clean},
                               indent=1, ensure_ascii=False) + "\n")
    return pd.DataFrame(records).reindex(columns=RECORD_COLUMNS)


def read_claim_records(profile: str, tables: Path | None = None) -> pd.DataFrame:
    """Every recorded claim of ``profile``, in the order of ``claim_sources()``. A claim
    whose notebook has not recorded it raises, naming the notebook to run."""
    folder = (Path(tables) if tables is not None else output_dir("tables", profile)) / "claims"
    by_notebook: dict[str, list] = {}
    rows = []
    for src in claim_sources():
        if src.notebook not in by_notebook:
            path = folder / f"{src.notebook}.json"
            if not path.is_file():
                raise FileNotFoundError(f"{path} is missing: run notebook {src.notebook} under the "
                                        f"{profile} profile (or tools/record_claims.py) first")
            by_notebook[src.notebook] = json.loads(path.read_text())["records"]
        mine = [r for r in by_notebook[src.notebook] if r["claim"] == src.claim]
        if not mine:
            raise ValueError(f"{folder / src.notebook}.json records no {src.claim}; re-run its notebook")
        rows += mine
    df = pd.DataFrame(rows).reindex(columns=RECORD_COLUMNS)
    numeric = ["the paper reports", "n", "ours", "standard error", "95 % CI low", "95 % CI high",
               "best epoch (median)", "training windows (median)", "test overlap"]
    df[numeric] = df[numeric].apply(pd.to_numeric, errors="coerce")   # JSON null → NaN
    return df.fillna({"why ours may differ": "", "note": "", "runs ending on their best epoch": "",
                      "checkpoint": ""})


#: notebook 90's table of the early-checkpoint runs trained again to the epoch cap
TO_THE_CAP_RUNS = "90_early_checkpoints_runs"


def headline_records(profile: str, tables: Path | None = None) -> pd.DataFrame:
    """The records the claims table shows (notebook 91): :func:`read_claim_records`, where
    each :data:`~harlib.papers.early_checkpoints.PROTOCOL` record whose runs kept a median
    best epoch of at most :data:`~harlib.papers.early_checkpoints.EARLY_EPOCH` and that
    notebook 90 trains again (:data:`~harlib.papers.early_checkpoints.REBUILDS`) is measured
    on those runs, trained to the epoch cap with the last epoch kept (its ``checkpoint`` says
    so). Notebook 90's table gives both readings side by side. A missing rebuild raises."""
    records = read_claim_records(profile, tables)
    early = early_records(records)
    early = early[(early.protocol == PROTOCOL) & early.claim.isin(list(REBUILDS))]
    if early.empty:
        return records
    path = (Path(tables) if tables is not None else output_dir("tables", profile)) / f"{TO_THE_CAP_RUNS}.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: claims {sorted(set(early.claim))} kept an early checkpoint; "
                                f"run notebook 90_early_checkpoints under the {profile} profile first")
    rebuilt = pd.read_csv(path)
    sources = {s.claim: s for s in claim_sources()}
    out = records.copy()
    for claim in early.claim:
        runs = rebuilt[rebuilt["claim"] == claim] if "claim" in rebuilt else rebuilt.iloc[0:0]
        if runs.empty:
            raise ValueError(f"{path} holds no runs of {claim}, whose {PROTOCOL} runs kept an early checkpoint; "
                             "run notebook 90_early_checkpoints with claims=None")
        new = measure(sources[claim], runs, [PROTOCOL])[0]
        row = out.index[(out.claim == claim) & (out.protocol == PROTOCOL)][0]
        for col in RECORD_COLUMNS:
            out.at[row, col] = new[col]
    return out


__all__ = ["RECORD_COLUMNS", "TO_THE_CAP_RUNS", "headline_records", "measure", "read_claim_records", "record_claims",
           "records_path"]
