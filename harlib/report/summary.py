"""The claims-versus-reproduced summary (notebook 91): every headline claim of papers A, B
and C beside our number under each protocol, with n, a 95 % interval and a verdict, read
from the claim records the paper notebooks wrote (:mod:`harlib.report.claim_records`), so
the summary never retypes a number. A claim the notebooks do not measure keeps its row,
with no number and the reason.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .claim_records import headline_records
from .headlines import HeadlineValues
from .tables import output_dir

PROTOCOLS = ("paper-style", "subject-independent")
#: the columns of :func:`claims_vs_reproduced`: per protocol our mean, n, its 95 % interval
#: and the verdict; "ours (any protocol)" holds a measurement without protocols (latency)
COLUMNS = ["claim", "what", "the paper reports",
           *[f"{c}, {p}" for p in PROTOCOLS for c in ("ours", "n", "95 % CI", "verdict")],
           "test overlap, paper-style", "ours (any protocol)", "why ours may differ", "data", "notebook", "note"]


def _ci(low: float, high: float, digits: int = 2) -> str:
    return "" if not (np.isfinite(low) and np.isfinite(high)) else f"[{low:.{digits}f}, {high:.{digits}f}]"


def claims_vs_reproduced(profile: str, tables: Path | None = None) -> pd.DataFrame:
    """One row per headline claim, from the claim records the paper notebooks wrote
    (:func:`harlib.report.claim_records.headline_records`: a record whose runs kept an early
    checkpoint is read from the same runs trained to the epoch cap): the paper's figure, and under
    each protocol our mean, n runs, the 95 % interval and the verdict, and the share of the
    paper-style test windows that overlap a training window. "why ours may differ"
    gives the subject-independent row's reasons (else the measured or paper-style row's). A
    claim no notebook measures keeps its row, with the reason in ``note``."""
    rec = headline_records(profile, tables)
    out = []
    for claim, g in rec.groupby("claim", sort=False):
        first = g.iloc[0]
        row = {"claim": claim, "what": first["what"], "the paper reports": first["the paper reports"],
               "data": first["data"], "notebook": first["notebook"], "note": first["note"] or ""}
        for _, r in g.iterrows():
            if r["protocol"] in PROTOCOLS:
                p = r["protocol"]
                row.update({f"ours, {p}": r["ours"], f"n, {p}": int(r["n"]),
                            f"95 % CI, {p}": _ci(r["95 % CI low"], r["95 % CI high"]),
                            f"verdict, {p}": r["verdict"]})
                if p == "paper-style":     # a random split's defining property, where it is one
                    row["test overlap, paper-style"] = r["test overlap"]
            elif r["protocol"] == "measured":
                row["ours (any protocol)"] = r["ours"]
        pick = g[g.protocol == "subject-independent"]
        row["why ours may differ"] = (pick if len(pick) else g).iloc[-1]["why ours may differ"]
        if not g.protocol.isin(PROTOCOLS).any():          # measured once, or not at all
            row.update({f"verdict, {p}": first["verdict"] for p in PROTOCOLS})
        out.append(row)
    df = pd.DataFrame(out).reindex(columns=COLUMNS)
    for p in PROTOCOLS:
        df[f"n, {p}"] = df[f"n, {p}"].astype("Int64")
    text = [c for c in COLUMNS if c.startswith(("95 % CI", "verdict")) or c in ("why ours may differ", "note")]
    return df.fillna({c: "" for c in text})


def headline_values(profile: str, tables: Path | None = None) -> HeadlineValues:
    """Notebook 91's headline values: ``"{claim}:ours, {protocol}"`` → our mean under each of
    :data:`PROTOCOLS`, from the records the claims table shows (:func:`claims_vs_reproduced`'s),
    each carrying its standard error and n, so that a re-execution after the paper notebooks
    were trained again is checked within their spread, not against the one-run floor."""
    rec = headline_records(profile, tables)
    rec = rec[rec.protocol.isin(PROTOCOLS) & np.isfinite(rec["ours"].astype(float))]
    values, spread = {}, {}
    for _, r in rec.iterrows():
        name = f"{r['claim']}:ours, {r['protocol']}"
        if name in values:
            raise ValueError(f"headline_values: two records of {r['claim']} under {r['protocol']}")
        values[name] = float(r["ours"])
        spread[name] = (float(r["standard error"]), int(r["n"]))
    return HeadlineValues(values, spread)


def notebook_times(notebooks: Path, tables: Path) -> pd.DataFrame:
    """The reproduction report: per numbered notebook, the minutes of its committed
    execution (papermill's record in the notebook, with stored runs loaded where present)
    and the training time its runs cost when first trained (the sum of ``train_seconds``
    over the distinct runs of its ``<number>_*runs*.csv`` tables, plus ``augment_seconds``
    over their distinct augmentation runs where a table has them), and how many distinct
    runs those are (an augmentation run counts as a run of its own, once, as its minutes do)."""
    import json
    rows = []
    for nb in sorted(Path(notebooks).glob("[0-9][0-9]_*.ipynb")):
        meta = json.loads(nb.read_text()).get("metadata", {}).get("papermill", {})
        duration = meta.get("duration")
        runs = [pd.read_csv(p) for p in sorted(Path(tables).glob(f"{nb.stem[:2]}_*runs*.csv"))]
        runs = [r for r in runs if {"train_seconds", "run_key"} <= set(r.columns)]
        train, n_runs = np.nan, 0
        if runs:
            every = pd.concat(runs)
            distinct = every.drop_duplicates("run_key")
            train, n_runs = distinct.train_seconds.sum() / 60, len(distinct)
            if "augment_run_key" in every:
                aug = every.dropna(subset=["augment_run_key"]).drop_duplicates("augment_run_key")
                train += aug.augment_seconds.sum() / 60
                n_runs += len(aug)
        rows.append({"notebook": nb.stem, "committed execution (min)": np.nan if duration is None else duration / 60,
                     "training of its runs (min)": train, "runs": n_runs})
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


#: the README's claims table: its header, between these markers (``tools/readme_claims.py``)
README_CLAIMS_BEGIN = "<!-- quotes: tables/91_claims_vs_reproduced.csv -->"
README_CLAIMS_END = "<!-- end quotes -->"
README_CLAIMS_HEADER = ("| claim | the paper reports | ours, paper-style | n | 95 % CI | verdict | test overlap "
                        "| ours, subject-independent | n | 95 % CI | verdict | data | notebook |")


def readme_claims_table(table: pd.DataFrame) -> str:
    """The README's claims table (Markdown) from notebook 91's :func:`claims_vs_reproduced`
    table: one line per claim, a measurement without protocols marked "(any)", and beside the
    paper-style number the fraction of its test windows that overlap a training window."""
    def num(v):
        return "—" if pd.isna(v) or v == "" else f"{float(v):.2f}"

    def text(v):
        return "" if pd.isna(v) else str(v)

    def count(v):
        return "" if pd.isna(v) or v == "" else str(int(v))

    lines = [README_CLAIMS_HEADER, "|---|---:|---:|---:|---|---|---:|---:|---:|---|---|---|---|"]
    for _, r in table.iterrows():
        ps = num(r["ours, paper-style"])
        if not pd.isna(r["ours (any protocol)"]) and r["ours (any protocol)"] != "":
            ps = f'{num(r["ours (any protocol)"])} (any)'
        what = r["what"].split(": ", 1)[1] if ": " in r["what"] else r["what"]
        nb = r["notebook"]
        cells = [f'**{r["claim"]}** {what}', num(r["the paper reports"]), ps]
        for p in PROTOCOLS:
            if p == "subject-independent":
                cells.append(num(r[f"ours, {p}"]))
            cells += [count(r[f"n, {p}"]), text(r[f"95 % CI, {p}"]), text(r[f"verdict, {p}"])]
            if p == "paper-style":
                cells.append(num(r["test overlap, paper-style"]))
        cells += [text(r["data"]), f"[{nb[:2]}](notebooks/{nb}.ipynb)"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def readme_with_claims(readme: str, table: pd.DataFrame) -> str:
    """``readme`` with its claims table (the quote block that starts with
    :data:`README_CLAIMS_BEGIN`) replaced by :func:`readme_claims_table`."""
    start = readme.find(README_CLAIMS_BEGIN)
    if start < 0:
        raise ValueError(f"the README has no claims block starting with {README_CLAIMS_BEGIN!r}")
    body = start + len(README_CLAIMS_BEGIN)
    end = readme.find(README_CLAIMS_END, body)
    if end < 0:
        raise ValueError("the README's claims block is not closed")
    return readme[:body] + "\n" + readme_claims_table(table) + "\n\n" + readme[end:]


__all__ = ["COLUMNS", "PAPER_PROFILE_COLUMNS", "PROTOCOLS", "README_CLAIMS_BEGIN", "README_CLAIMS_END",
           "README_CLAIMS_HEADER", "claims_vs_reproduced", "notebook_times", "paper_profile_headline",
           "headline_values", "readme_claims_table", "readme_with_claims"]
