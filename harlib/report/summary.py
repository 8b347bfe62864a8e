"""The claims-versus-reproduced summary (notebook 90): every headline claim of papers A, B
and C beside our number under each protocol, read from the results tables the paper
notebooks wrote (``tables/[profile/]<name>.csv``), so the summary never retypes a number.

:data:`HEADLINES` says, for each claim, which table and which rows hold ours. A claim the
notebooks do not measure keeps its row, with no number and the reason.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..papers.published import PAPER_CLAIMS, USAD_TABLE2
from .tables import output_dir

_T2 = {row: USAD_TABLE2[row]["wisdm"]["accuracy"] for row in ("Spatial and Temporal Attention", "ACL",
                                                              "Data Augmentation")}

def _by_protocol(where: dict, paper_style: str = "random_windows",
                 independent: str = "subject_groups") -> dict:
    """The two row filters of a claim: ``where`` with the table's name for each protocol."""
    return {"paper-style": {**where, "protocol": paper_style},
            "subject-independent": {**where, "protocol": independent}}


_NAMED = {"paper_style": "paper-style", "independent": "subject-independent"}   # tables 32–35's names

#: one entry per headline claim. ``paper_value``: the claim's id, or (a, b) for the
#: difference a − b of two claims. ``rows``: protocol label → row filter of ``table``;
#: ``column`` holds ours; ``scale`` multiplies it (fractions → %); ``minus``: a second
#: filter whose value is subtracted (a gain between two rows).
HEADLINES: list[dict] = [
    {"claim": "A1", "what": "paper A: unsupervised accuracy on DaLiAc", "paper_value": "A1",
     "table": "11_memae_results", "column": "accuracy", "notebook": "11_memae_results",
     "data": "dsads (stand-in for DaLiAc)",
     "rows": _by_protocol({"dataset": "dsads", "model": "memae_lstm (preceding windows)"})},
    {"claim": "A2", "what": "paper A: unsupervised accuracy on PAMAP2", "paper_value": "A2",
     "table": "11_memae_results", "column": "accuracy", "notebook": "11_memae_results",
     "data": "dsads (stand-in for PAMAP2)",
     "rows": _by_protocol({"dataset": "dsads", "model": "memae_lstm (preceding windows)"})},
    {"claim": "A4", "what": "paper A: accuracy lost to inter-class windows (points)", "paper_value": "A4",
     "table": "12_memae_segmentation_gap", "column": "accuracy gap", "scale": 100.0,
     "notebook": "12_memae_segmentation", "data": "hapt (continuous recordings with transitions)",
     "rows": _by_protocol({"reading": "preceding windows"})},
    {"claim": "B1", "what": "paper B: USAD accuracy on WISDM", "paper_value": "B1",
     "table": "25_usad_comparison", "column": "accuracy", "notebook": "25_usad_comparison",
     "data": "wisdm2019_watch_accel (stand-in for WISDM v1.1)",
     "rows": _by_protocol({"setting": "wisdm", "model": "usad"})},
    {"claim": "B2", "what": "paper B: USAD accuracy on PAMAP2", "paper_value": "B2",
     "table": "25_usad_comparison", "column": "accuracy", "notebook": "25_usad_comparison",
     "data": "dsads (stand-in for PAMAP2)",
     "rows": _by_protocol({"setting": "pamap2", "model": "usad"})},
    {"claim": "B3", "what": "paper B: USAD accuracy on OPPORTUNITY (abstract; Table 2's full-USAD row differs)",
     "paper_value": "B3", "table": "23_usad_ablation", "column": "accuracy", "notebook": "23_usad_ablation",
     "data": "hapt (stand-in for OPPORTUNITY: severe imbalance, rare classes)",
     "rows": _by_protocol({"dataset": "hapt", "variant": "Data Augmentation"})},
    {"claim": f"{_T2['ACL']} − {_T2['Spatial and Temporal Attention']} (Table 2)",
     "what": "paper B: accuracy gain of the adaptive composite loss (Table 2, WISDM; points)",
     "paper_value": (_T2["ACL"], _T2["Spatial and Temporal Attention"]),
     "table": "23_usad_ablation", "column": "accuracy", "notebook": "23_usad_ablation",
     "data": "wisdm2019_watch_accel (stand-in for WISDM v1.1)",
     "rows": _by_protocol({"dataset": "wisdm2019_watch_accel", "variant": "ACL"}),
     "minus": {"variant": "Spatial and Temporal Attention"}},
    {"claim": f"{_T2['Data Augmentation']} − {_T2['ACL']} (Table 2)",
     "what": "paper B: accuracy gain of diffusion augmentation (Table 2, WISDM; points)",
     "paper_value": (_T2["Data Augmentation"], _T2["ACL"]),
     "table": "23_usad_ablation", "column": "accuracy", "notebook": "23_usad_ablation",
     "data": "wisdm2019_watch_accel (stand-in for WISDM v1.1)",
     "rows": _by_protocol({"dataset": "wisdm2019_watch_accel", "variant": "Data Augmentation"}),
     "minus": {"variant": "ACL"}},
    {"claim": "C1", "what": "paper C: STDual-X accuracy on PAMAP2", "paper_value": "C1",
     "table": "31_stdualx_headline", "notebook": "31_stdualx_results", "data": "dsads (stand-in for PAMAP2)",
     "rows": {"paper-style": {"claim": "C1", "_column": "ours, paper-style: accuracy"},
              "subject-independent": {"claim": "C1", "_column": "ours, subject-independent: accuracy"}}},
    {"claim": "C2", "what": "paper C: STDual-X accuracy on OPPORTUNITY", "paper_value": "C2",
     "notebook": "31_stdualx_results", "data": "none offline",
     "missing": "no OPPORTUNITY data; DSADS stands in for the multi-IMU sets in the C1 row"},
    {"claim": "C3", "what": "paper C: STDual-X accuracy on UCI-HAR", "paper_value": "C3",
     "table": "31_stdualx_headline", "notebook": "31_stdualx_results", "data": "uci_har_hapt (UCI-HAR rebuilt from HAPT)",
     "rows": {"paper-style": {"claim": "C3", "_column": "ours, paper-style: accuracy"},
              "subject-independent": {"claim": "C3", "_column": "ours, subject-independent: accuracy"}}},
    *[{"claim": c, "what": f"paper C: accuracy drop {label} (points)", "paper_value": c,
       "table": "32_stdualx_ablation", "column": "drop: accuracy", "notebook": "32_stdualx_ablation",
       "data": "dsads (stand-in for PAMAP2)",
       "rows": _by_protocol({"variant": v}, **_NAMED)}
      for c, label, v in (("C4", "without STDAT", "w/o STDAT"), ("C5", "without cross-sensor attention", "w/o CSA"),
                          ("C6", "without the triplet loss", "w/o contrastive loss"))],
    {"claim": "C7", "what": "paper C: silhouette of STDual-X's embeddings", "paper_value": "C7",
     "table": "33_stdualx_silhouette", "column": "silhouette (embedding)", "notebook": "33_stdualx_embeddings",
     "data": "dsads (stand-in for PAMAP2)",
     "rows": _by_protocol({"model": "stdualx"}, **_NAMED)},
    {"claim": "C8", "what": "paper C: accuracy with 10 % of the samples missing", "paper_value": "C8",
     "table": "35_stdualx_robustness", "column": "accuracy", "notebook": "35_stdualx_robustness",
     "data": "dsads (stand-in for PAMAP2)",
     "rows": _by_protocol({"model": "stdualx", "perturbation": "missing samples", "level": 0.1}, **_NAMED)},
    {"claim": "C9", "what": "paper C: STDual-X latency per window (ms; theirs a Tesla P100, ours 1 CPU thread)",
     "paper_value": "C9", "table": "36_stdualx_efficiency", "column": "single window, ms (1 thread)",
     "notebook": "36_stdualx_efficiency", "data": "the UCI-HAR window shape (9 × 128)",
     "rows": {"measured": {"shape": "9 × 128"}}},
]

COLUMNS = ["claim", "what", "the paper reports", "ours, paper-style", "ours, subject-independent",
           "ours (any protocol)", "difference (subject-independent − paper)", "data", "notebook", "note"]


def _paper_value(ref) -> float:
    if isinstance(ref, tuple):
        return PAPER_CLAIMS[ref[0]]["value"] - PAPER_CLAIMS[ref[1]]["value"]
    return PAPER_CLAIMS[ref]["value"]


def _pick(table: pd.DataFrame, name: str, where: dict, column: str | None) -> float:
    where = dict(where)
    column = where.pop("_column", column)
    mask = np.ones(len(table), dtype=bool)
    for k, v in where.items():
        if k not in table:
            raise KeyError(f"table {name} has no column {k!r}; it has {list(table.columns)}")
        col = table[k]
        if isinstance(v, float):
            mask &= pd.to_numeric(col, errors="coerce").to_numpy() == v
        else:
            mask &= (col.astype(str) == str(v)).to_numpy()
    rows = table[mask]
    if len(rows) != 1:
        raise ValueError(f"table {name}: {len(rows)} rows match {where}, expected exactly one")
    return float(rows[column].iloc[0])


def claims_vs_reproduced(profile: str, tables: Path | None = None) -> pd.DataFrame:
    """The summary table for ``profile``, read from its results tables (``tables``: the
    folder, default the profile's). A missing table names the notebook that writes it."""
    folder = Path(tables) if tables is not None else output_dir("tables", profile)
    loaded: dict[str, pd.DataFrame] = {}
    out = []
    for h in HEADLINES:
        row = {"claim": h["claim"], "what": h["what"], "the paper reports": _paper_value(h["paper_value"]),
               "data": h["data"], "notebook": h["notebook"], "note": h.get("missing", "")}
        if "table" in h:
            name = h["table"]
            if name not in loaded:
                path = folder / f"{name}.csv"
                if not path.is_file():
                    raise FileNotFoundError(f"{path} is missing: run notebook {h['notebook']} under the "
                                            f"{profile} profile first")
                loaded[name] = pd.read_csv(path)
            t = loaded[name]
            for label, where in h["rows"].items():
                value = _pick(t, name, where, h.get("column")) * h.get("scale", 1.0)
                if "minus" in h:
                    value -= _pick(t, name, {**where, **h["minus"]}, h.get("column")) * h.get("scale", 1.0)
                key = "ours (any protocol)" if label == "measured" else f"ours, {label}"
                row[key] = value
        out.append(row)
    df = pd.DataFrame(out).reindex(columns=COLUMNS)
    df["difference (subject-independent − paper)"] = df["ours, subject-independent"] - df["the paper reports"]
    df["note"] = df["note"].fillna("")
    return df


def notebook_times(notebooks: Path, tables: Path) -> pd.DataFrame:
    """The reproduction report: per numbered notebook, the minutes of its committed
    execution (papermill's record in the notebook, with stored runs loaded where present)
    and the training time its runs cost when first trained (the sum of ``train_seconds``
    over the distinct runs of its ``<number>_*runs*.csv`` tables)."""
    import json
    rows = []
    for nb in sorted(Path(notebooks).glob("[0-9][0-9]_*.ipynb")):
        meta = json.loads(nb.read_text()).get("metadata", {}).get("papermill", {})
        duration = meta.get("duration")
        runs = [pd.read_csv(p) for p in sorted(Path(tables).glob(f"{nb.stem[:2]}_*runs*.csv"))]
        runs = [r for r in runs if {"train_seconds", "run_key"} <= set(r.columns)]
        train = (pd.concat(runs).drop_duplicates("run_key").train_seconds.sum() / 60) if runs else np.nan
        rows.append({"notebook": nb.stem, "committed execution (min)": np.nan if duration is None else duration / 60,
                     "training of its runs (min)": train,
                     "runs": int(sum(len(r.drop_duplicates("run_key")) for r in runs)) if runs else 0})
    return pd.DataFrame(rows)


#: the paper-profile queue's headline table (``tools/gpu_papers.py``), in a profile's folder
PAPER_PROFILE_HEADLINE = "gpu_queue_headline.csv"
#: the columns :func:`paper_profile_headline` returns (besides its index, claim and protocol)
PAPER_PROFILE_COLUMNS = ["row", "stand_in", "n", "accuracy", "accuracy 95 % CI low",
                         "accuracy 95 % CI high", "f1_macro", "ours, as the paper states it",
                         "the paper reports", "device", "torch"]


def paper_profile_headline(tables: Path | None = None, wide: bool = False) -> pd.DataFrame:
    """The paper profile's GPU numbers (``tools/gpu_papers.py``'s queue), read from
    ``gpu_queue_headline.csv`` in ``tables`` (default: the paper profile's folder).

    Long form (default): one row per claim id (or ablation row) and protocol, indexed by
    ``(claim, protocol)``, with :data:`PAPER_PROFILE_COLUMNS`: the number of runs, the mean
    accuracy (%) and its 95 % t-interval over seeds and folds (NaN for one run), macro-F1,
    "ours, as the paper states it" (the accuracy, or the drop for an ablation claim), the
    paper's figure, device and torch version. ``wide=True``: one row per claim with
    ``paper profile, <protocol>``, ``n, <protocol>`` and the interval's bounds per protocol,
    to set beside :func:`claims_vs_reproduced`'s columns. No table yet: an empty frame
    with the same columns."""
    folder = Path(tables) if tables is not None else output_dir("tables", "paper")
    path = folder / PAPER_PROFILE_HEADLINE
    if path.is_file():
        t = pd.read_csv(path)
        missing = {"claim", "protocol", *PAPER_PROFILE_COLUMNS} - set(t.columns)
        if missing:
            raise ValueError(f"{path} lacks the column(s) {sorted(missing)}; rewrite it with "
                             f"tools/gpu_papers.py --tables")
        t = t.astype({"claim": str, "protocol": str})
    else:
        t = pd.DataFrame(columns=["claim", "protocol", *PAPER_PROFILE_COLUMNS])
    long = t.set_index(["claim", "protocol"])[PAPER_PROFILE_COLUMNS]
    if not wide:
        return long
    values = {"paper profile": "ours, as the paper states it", "n": "n",
              "95 % CI low": "accuracy 95 % CI low", "95 % CI high": "accuracy 95 % CI high"}
    claims = list(dict.fromkeys(long.index.get_level_values("claim")))
    seen = list(dict.fromkeys(long.index.get_level_values("protocol")))
    protocols = [p for p in ("paper-style", "subject-independent") if p in seen]
    protocols += [p for p in seen if p not in protocols]
    out = pd.DataFrame({"claim": claims})
    for protocol in protocols:
        for name, column in values.items():
            sel = long.xs(protocol, level="protocol")[column]
            out[f"{name}, {protocol}"] = out.claim.map(sel[~sel.index.duplicated()])
    paper = long["the paper reports"].groupby(level="claim", sort=False).first()
    out["the paper reports"] = out.claim.map(paper)
    return out


__all__ = ["COLUMNS", "HEADLINES", "PAPER_PROFILE_COLUMNS", "claims_vs_reproduced",
           "notebook_times", "paper_profile_headline"]
