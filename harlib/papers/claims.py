"""Our tables beside the papers' claims: each claim's value by id (from
:data:`harlib.papers.published.PAPER_CLAIMS`), rows put in a given order, and ablation drops
with the paper's claimed drop beside them (notebooks 14 and 32), and where each headline claim
is measured (:func:`claim_sources`; recorded by :mod:`harlib.report.claim_records`, read by
notebook 91)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from ..evaluation.intervals import Interval, noise_reading, paired_interval


def claim_values(ids: Iterable[str]) -> list[float]:
    """The paper's value of each claim id (NaN for an empty id)."""
    from .published import PAPER_CLAIMS
    return [PAPER_CLAIMS[i]["value"] if i else np.nan for i in ids]


def group_means(runs: pd.DataFrame, by: list[str], metrics: list[str]) -> pd.DataFrame:
    """One row per group of ``by`` (in the runs' order): the mean of each of ``metrics``, the
    number of ``runs``, and, where the runs carry ``test_overlap``, the mean ``test overlap``:
    a random split's defining property, shown beside its numbers."""
    g = runs.groupby(by, sort=False)
    table = g[metrics].mean().reset_index()
    table["runs"] = g.size().values
    if "test_overlap" in runs:
        table["test overlap"] = g["test_overlap"].mean().values
    return table


def in_order(table: pd.DataFrame, column: str, order: list, by: list[str], what: str) -> pd.DataFrame:
    """``table`` sorted by ``by`` then by the position of ``column``'s value in ``order``;
    a value not in ``order`` raises."""
    unknown = set(table[column]) - set(order)
    if unknown:
        raise ValueError(f"{what} {sorted(unknown)} are not in the given order")
    pos = table[column].map(order.index).rename("_pos")
    return table.assign(_pos=pos).sort_values([*by, "_pos"], kind="stable").drop(columns="_pos")


def ablation_drops(runs: pd.DataFrame, full: str, claims: Mapping[str, str],
                   metrics: Iterable[str] = ("accuracy", "f1_macro"),
                   percent: Iterable[str] | None = None) -> pd.DataFrame:
    """Per protocol × ``variant``: mean scores (and the mean ``test overlap`` where the runs
    carry ``test_overlap``), and the drop from the ``full`` variant (full minus variant),
    with the paper's claimed drop (variant → claim id) where one exists.
    ``percent``: the metrics shown in % (drops then in points); default all of them. The
    first metric's drop also comes as a paired difference over the runs of both variants
    with the same fold and seed: ``pairs``, the paired mean (the drop itself when every run
    has a partner; else the mean over the pairs only), its 95 % interval, and its reading
    (:func:`~harlib.evaluation.intervals.noise_reading`: inside noise, outside noise, or too few
    runs with fewer than two pairs, where no interval exists; empty for the full variant)."""
    metrics = list(metrics)
    percent = set(metrics if percent is None else percent)
    table = group_means(runs, ["protocol", "variant"], metrics)
    for m in percent:
        table[m] *= 100
    for m in metrics:
        ref = table[table.variant == full].set_index("protocol")[m]
        if set(table.protocol) - set(ref.index):
            raise ValueError(f"no {full!r} runs for protocol(s) {sorted(set(table.protocol) - set(ref.index))}")
        table[f"drop: {m}"] = table.protocol.map(ref) - table[m]
    for m in metrics[:1]:          # the first metric's drop as a paired difference, with its interval
        scale = 100.0 if m in percent else 1.0
        cis = []
        for protocol, variant in zip(table.protocol, table.variant):
            mine = runs[(runs.protocol == protocol) & (runs.variant == variant)]
            ref = runs[(runs.protocol == protocol) & (runs.variant == full)]
            cis.append(Interval(0, np.nan, np.nan, np.nan) if variant == full else   # itself: no comparison
                       paired_interval(ref, mine, m, on=[k for k in ("fold", "seed") if k in runs], scale=scale))
        table["pairs"] = [c.n for c in cis]
        table[f"drop: {m}, paired mean"] = [c.mean for c in cis]   # the drop itself when every run pairs
        table[f"drop: {m} 95 % CI low"] = [c.low for c in cis]
        table[f"drop: {m} 95 % CI high"] = [c.high for c in cis]
        table[f"drop: {m} reading"] = ["" if v == full else noise_reading(c) for c, v in zip(cis, table.variant)]
    table["the paper reports: accuracy drop"] = claim_values(claims.get(v, "") for v in table.variant)
    return table


def select_rows(table: pd.DataFrame, name: str, where: Mapping) -> pd.DataFrame:
    """The rows of ``table`` (called ``name`` in errors) whose columns equal ``where``'s values
    (a float compares numerically, anything else as text)."""
    mask = np.ones(len(table), dtype=bool)
    for k, v in where.items():
        if k not in table:
            raise KeyError(f"table {name} has no column {k!r}; it has {list(table.columns)}")
        col = table[k]
        if isinstance(v, float):
            mask &= pd.to_numeric(col, errors="coerce").to_numpy() == v
        else:
            mask &= (col.astype(str) == str(v)).to_numpy()
    return table[mask]


def measured_values(src: "ClaimSource", table: pd.DataFrame, protocol: str) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """The values of claim ``src`` under ``protocol`` in ``table``: one row per run for a
    level (the runs' ``fold``/``seed`` where the table has them), one per pair of runs with
    the same fold and seed for a difference (``where`` − ``minus``, relative or scaled), in a
    ``value`` column; the rows they were read from; and whether the values are paired."""
    from ..evaluation.intervals import paired_differences
    filt = src.protocols[protocol]
    rows = select_rows(table, src.table, {**filt, **src.where})
    if rows.empty:
        raise ValueError(f"claim {src.claim}: no rows of {src.table} match {dict(filt, **src.where)}")
    if src.minus is None:
        keys = [k for k in ("fold", "seed") if k in rows]
        return rows[keys].assign(value=rows[src.column].to_numpy(float) * src.scale), rows, False
    base = select_rows(table, src.table, {**filt, **src.minus})
    if base.empty:
        raise ValueError(f"claim {src.claim}: no rows of {src.table} match {dict(filt, **src.minus)}")
    d = paired_differences(rows, base, src.column)
    if d.empty:
        raise ValueError(f"claim {src.claim}: no run of {dict(src.where)} pairs with one of "
                         f"{dict(src.minus)} under {protocol} (same fold and seed)")
    value = d["difference"] / d["b"] * 100 if src.relative else d["difference"] * src.scale
    return d[["fold", "seed"]].assign(value=value.to_numpy(float)), pd.concat([rows, base]), True


# ---- where each claim is measured -------------------------------------------------------
@dataclass(frozen=True)
class ClaimSource:
    """Where one headline claim is measured: the notebook that records it, the table whose
    rows are its runs, and how to read them.

    ``paper_value``: the claim's id, or ``(a, b)`` for the difference of two claims (a
    Table 2 step). ``kind``: ``level`` (a score), ``difference`` (a gain or a drop, paired
    over fold and seed) or ``untestable`` (shown, not judged). ``protocols``: label
    (``paper-style``, ``subject-independent``, or ``measured``) → the row filter of that
    protocol. ``where``: the filter of the measured setting; ``minus``: for a difference,
    the filter of the setting it is paired with (ours = where − minus, times ``scale``;
    ``relative``: in % of the ``minus`` value). ``column``: the value read; ``scale``:
    fractions → %. A table without ``run_key`` (an aggregate) gives one value per protocol.
    An empty ``table``: not measured here (``note`` says why).
    ``note``: what the row cannot show (e.g. a property of the paper's data that the
    stand-in lacks)."""
    claim: str
    what: str
    paper_value: str | tuple[str, str]
    kind: str
    notebook: str
    table: str
    column: str
    data: str
    protocols: Mapping[str, Mapping]
    where: Mapping = field(default_factory=dict)
    minus: Mapping | None = None
    scale: float = 1.0
    relative: bool = False
    note: str = ""

    def paper(self) -> float:
        from .published import PAPER_CLAIMS
        if isinstance(self.paper_value, tuple):
            a, b = self.paper_value
            return PAPER_CLAIMS[a]["value"] - PAPER_CLAIMS[b]["value"]
        return PAPER_CLAIMS[self.paper_value]["value"]


def _two(paper_style: Mapping, independent: Mapping) -> dict:
    return {"paper-style": dict(paper_style), "subject-independent": dict(independent)}


_RANDOM_VS_GROUPS = _two({"protocol": "random_windows"}, {"protocol": "subject_groups"})
_NAMED = _two({"protocol": "paper-style"}, {"protocol": "subject-independent"})   # tables 32–35
_DSADS_A = "dsads (stand-in for {}: no inter-class windows, which the paper's figure includes)"


def _table2(row: str, dataset: str = "wisdm") -> str:
    from .published import USAD_TABLE2
    return USAD_TABLE2[row][dataset]["accuracy"]


def claim_sources() -> list[ClaimSource]:
    """Every headline claim of papers A, B and C and where it is measured, in the order of
    notebook 91's table."""
    a_model = {"dataset": "dsads", "model": "memae_lstm (preceding windows)"}
    # paper C's two protocols on the same 1.2 s windows and held-out subjects, differing only
    # in the code's three leaks (harlib.papers.stdualx.PROTOCOLS), as in notebooks 32–35
    stdualx_c1 = _two({"dataset": "dsads", "study": "all three (the official code's protocol)"},
                      {"dataset": "dsads", "study": "no leak (held-out subjects, validation subjects)"})
    stdualx_c3 = _two({"dataset": "uci_har_hapt", "study": "all three (the official code's protocol)"},
                      {"dataset": "uci_har_hapt", "study": "no leak (held-out subjects, validation subjects)"})
    out = [
        ClaimSource("A1", "paper A: unsupervised accuracy on DaLiAc", "A1", "level", "11_memae_results",
                    "11_memae_runs", "accuracy", _DSADS_A.format("DaLiAc"), _RANDOM_VS_GROUPS, a_model,
                    scale=100.0, note="one DSADS measurement stands in for A1 and A2"),
        ClaimSource("A2", "paper A: unsupervised accuracy on PAMAP2", "A2", "level", "11_memae_results",
                    "11_memae_runs", "accuracy", _DSADS_A.format("PAMAP2"), _RANDOM_VS_GROUPS, a_model,
                    scale=100.0, note="one DSADS measurement stands in for A1 and A2"),
        ClaimSource("A1 (linear probe)", "paper A on DaLiAc, read by a linear probe on the embeddings (labels "
                    "used after training, as A's predecessor HUF scores features)", "A1", "level", "11_memae_results",
                    "11_memae_views_runs", "probe_accuracy", _DSADS_A.format("DaLiAc"), _RANDOM_VS_GROUPS, a_model,
                    scale=100.0, note="one DSADS measurement stands in for A1 and A2"),
        ClaimSource("A2 (linear probe)", "paper A on PAMAP2, read by a linear probe on the embeddings",
                    "A2", "level", "11_memae_results", "11_memae_views_runs", "probe_accuracy",
                    _DSADS_A.format("PAMAP2"), _RANDOM_VS_GROUPS, a_model, scale=100.0,
                    note="one DSADS measurement stands in for A1 and A2"),
        ClaimSource("A3", "paper A: feature separability gained despite shorter windows (%; silhouette, 1 s vs 2 s)",
                    "A3", "difference", "13_memae_hyperparameters", "13_memae_hyperparameters_runs",
                    "silhouette", "dsads (the paper names neither dataset nor measure; silhouette of the "
                    "embeddings at 1 s windows relative to 2 s)",
                    {"subject-independent": {"protocol": "subject_groups"}},
                    {"setting": "window (s)", "value": 1.0}, minus={"setting": "window (s)", "value": 2.0},
                    relative=True),
        ClaimSource("A4", "paper A: accuracy lost to inter-class windows (points)", "A4", "difference",
                    "12_memae_segmentation", "12_memae_segmentation_runs", "accuracy",
                    "hapt (continuous recordings with transitions)", _RANDOM_VS_GROUPS,
                    {"reading": "preceding windows", "policy": "pure"},
                    minus={"reading": "preceding windows", "policy": "majority"}, scale=100.0),
        ClaimSource("B1", "paper B: USAD accuracy on WISDM", "B1", "level", "25_usad_comparison",
                    "25_usad_comparison_runs", "accuracy", "wisdm2019_watch_accel (stand-in for WISDM v1.1)",
                    _RANDOM_VS_GROUPS, {"setting": "wisdm", "model": "usad"}, scale=100.0),
        ClaimSource("B2", "paper B: USAD accuracy on PAMAP2", "B2", "level", "28_usad_comparison_pamap2",
                    "28_usad_comparison_pamap2_runs", "accuracy", "dsads (stand-in for PAMAP2)",
                    _RANDOM_VS_GROUPS, {"setting": "pamap2", "model": "usad"}, scale=100.0,
                    note="every training window drawn on, the diffusion stage budgeted by cost as the "
                         "classifiers are"),
        ClaimSource("B3", "paper B: USAD accuracy on OPPORTUNITY (abstract; Table 2's full-USAD row differs)",
                    "B3", "level", "23_usad_ablation", "23_usad_ablation_runs", "accuracy",
                    "hapt (stand-in for OPPORTUNITY: severe imbalance, rare classes)", _RANDOM_VS_GROUPS,
                    {"dataset": "hapt", "variant": "Data Augmentation"}, scale=100.0),
    ]
    # Table 2's two gains that the claims follow, on each column a notebook regenerates:
    # (B's column, its label, notebook, runs table, our dataset, what stands in)
    table2_columns = (("wisdm", "WISDM", "23_usad_ablation", "23_usad_ablation_runs", "wisdm2019_watch_accel",
                       "wisdm2019_watch_accel (stand-in for WISDM v1.1)"),
                      ("pamap2", "PAMAP2", "29_usad_pamap2_opportunity", "29_usad_ablation_pamap2_runs", "dsads",
                       "dsads (stand-in for PAMAP2)"))
    for column, label, notebook, table, dataset, data in table2_columns:
        for a, b, what in (("ACL", "Spatial and Temporal Attention", "the adaptive composite loss"),
                           ("Data Augmentation", "ACL", "diffusion augmentation")):
            out.append(ClaimSource(
                f"{_table2(a, column)} − {_table2(b, column)} (Table 2)",
                f"paper B: accuracy gain of {what} (Table 2, {label}; points)",
                (_table2(a, column), _table2(b, column)), "difference", notebook, table, "accuracy", data,
                _RANDOM_VS_GROUPS, {"dataset": dataset, "variant": a}, minus={"dataset": dataset, "variant": b},
                scale=100.0))
    out += [
        ClaimSource("C1", "paper C: STDual-X accuracy on PAMAP2", "C1", "level", "31_stdualx_results",
                    "31_stdualx_runs", "accuracy", "dsads (stand-in for PAMAP2)", stdualx_c1,
                    {"model": "stdualx", "sensors": "placement"}, scale=100.0),
        ClaimSource("C2", "paper C: STDual-X accuracy on OPPORTUNITY", "C2", "untestable", "31_stdualx_results",
                    "", "accuracy", "none offline", {},
                    note="no OPPORTUNITY data; DSADS stands in for the multi-IMU sets in the C1 row"),
        ClaimSource("C3", "paper C: STDual-X accuracy on UCI-HAR", "C3", "level", "31_stdualx_results",
                    "31_stdualx_runs", "accuracy", "uci_har_hapt (UCI-HAR rebuilt from HAPT)", stdualx_c3,
                    {"model": "stdualx", "sensors": "placement"}, scale=100.0),
    ]
    for c, label, variant in (("C4", "without STDAT", "w/o STDAT"),
                              ("C5", "without cross-sensor attention", "w/o CSA"),
                              ("C6", "without the triplet loss", "w/o contrastive loss")):
        out.append(ClaimSource(c, f"paper C: accuracy drop {label} (points)", c, "difference",
                               "32_stdualx_ablation", "32_stdualx_ablation_runs", "accuracy",
                               "dsads (stand-in for PAMAP2)", _NAMED, {"variant": "STDual-X"},
                               minus={"variant": variant}, scale=100.0))
    out += [
        ClaimSource("C7", "paper C: silhouette of STDual-X's embeddings", "C7", "level",
                    "33_stdualx_embeddings", "33_stdualx_silhouette", "silhouette (embedding)",
                    "dsads (stand-in for PAMAP2)", _NAMED, {"model": "stdualx"}),
        ClaimSource("C8", "paper C: accuracy with 10 % of the samples missing", "C8", "level",
                    "35_stdualx_robustness", "35_stdualx_robustness", "accuracy", "dsads (stand-in for PAMAP2)",
                    _NAMED, {"model": "stdualx", "perturbation": "missing samples", "level": 0.1}),
        ClaimSource("C9", "paper C: STDual-X latency per window (ms; theirs a Tesla P100, ours 1 CPU thread)",
                    "C9", "untestable", "36_stdualx_efficiency", "36_stdualx_efficiency",
                    "single window, ms (1 thread)", "the UCI-HAR window shape (9 × 128)",
                    {"measured": {"input": "uci_har_hapt, 2.56 s (one placement)"}},
                    note="other hardware: a GPU's latency is not a CPU thread's"),
        ClaimSource("C10", "paper C: STDual-X peak memory (MB; theirs a Tesla P100, ours a fresh CPU process)",
                    "C10", "untestable", "36_stdualx_efficiency", "36_stdualx_efficiency",
                    "fresh process peak RSS, MiB", "the UCI-HAR window shape (9 × 128)",
                    {"measured": {"input": "uci_har_hapt, 2.56 s (one placement)"}},
                    note="the paper does not say whether GPU or host memory, nor the batch; ours is a "
                         "CPU process's peak resident memory, torch included"),
    ]
    return out
