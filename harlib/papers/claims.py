"""Our tables beside the papers' claims: each claim's value by id (from
:data:`harlib.papers.published.PAPER_CLAIMS`), rows put in a given order, and ablation drops
with the paper's claimed drop beside them (notebooks 14 and 32)."""
from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import pandas as pd


def claim_values(ids: Iterable[str]) -> list[float]:
    """The paper's value of each claim id (NaN for an empty id)."""
    from .published import PAPER_CLAIMS
    return [PAPER_CLAIMS[i]["value"] if i else np.nan for i in ids]


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
    """Per protocol × ``variant``: mean scores, and the drop from the ``full`` variant (full
    minus variant), with the paper's claimed drop (variant → claim id) where one exists.
    ``percent``: the metrics shown in % (drops then in points); default all of them."""
    metrics = list(metrics)
    percent = set(metrics if percent is None else percent)
    g = runs.groupby(["protocol", "variant"], sort=False)
    table = g[metrics].mean().reset_index()
    for m in percent:
        table[m] *= 100
    table["runs"] = g.size().values
    for m in metrics:
        ref = table[table.variant == full].set_index("protocol")[m]
        if set(table.protocol) - set(ref.index):
            raise ValueError(f"no {full!r} runs for protocol(s) {sorted(set(table.protocol) - set(ref.index))}")
        table[f"drop: {m}"] = table.protocol.map(ref) - table[m]
    table["the paper reports: accuracy drop"] = claim_values(claims.get(v, "") for v in table.variant)
    return table
