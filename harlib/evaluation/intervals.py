"""A number is a distribution: the mean of a claim's runs with its 95 % interval, paired
differences between two settings over the same folds and seeds, and the verdict a claim
gets from them (notebook 91).

The interval is Student's t over the runs (seeds × folds), ``mean ± t(0.975, n−1) · s/√n``:
runs of one protocol share their data, so the interval describes run-to-run spread under
that protocol (seeds and held-out subject groups), not the spread over datasets. A
difference between two settings (an ablation, a leak, a gain) is **paired**: each run of
one setting is matched with the run of the other on the same fold and seed, and the
interval is taken over those differences, which removes the fold-to-fold spread the two
settings share.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

LEVEL = 0.95
METHOD = "Student's t over runs (seeds × folds)"
PAIRED_METHOD = "Student's t over paired differences (same fold and seed)"
#: the fewest runs for which an interval is reported as a verdict's evidence
MIN_RUNS = 3


@dataclass(frozen=True)
class Interval:
    """``n`` values, their mean and the 95 % interval (NaN bounds when n < 2)."""
    n: int
    mean: float
    low: float
    high: float
    method: str = METHOD

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    @property
    def standard_error(self) -> float:
        """The standard error of the mean, s/√n, read back from the interval's half-width
        (NaN below two values): what a headline check's tolerance is made of
        (:func:`harlib.report.headlines.tolerance_for`)."""
        if self.n < 2 or not (math.isfinite(self.high) and math.isfinite(self.mean)):
            return math.nan
        from scipy.stats import t
        return (self.high - self.mean) / float(t.ppf(0.5 + LEVEL / 2, self.n - 1))

    def as_dict(self) -> dict:
        return asdict(self)


def interval(values: Iterable[float], method: str = METHOD) -> Interval:
    """Mean and 95 % t-interval of the finite ``values``; NaN bounds for fewer than two,
    and NaN everything for none."""
    v = np.asarray(list(values), dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return Interval(0, math.nan, math.nan, math.nan, method)
    m = float(v.mean())
    if len(v) < 2:
        return Interval(1, m, math.nan, math.nan, method)
    from scipy.stats import t
    h = float(t.ppf(0.5 + LEVEL / 2, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v)))
    return Interval(len(v), m, m - h, m + h, method)


def paired_differences(a: pd.DataFrame, b: pd.DataFrame, column: str,
                       on: Sequence[str] = ("fold", "seed")) -> pd.DataFrame:
    """``a[column] − b[column]`` for every pair of runs with equal ``on`` keys, one row per
    pair (``on``, ``a``, ``b``, ``difference``). A key present twice in one side raises:
    the pairing would be ambiguous. Runs without a partner are left out."""
    on = list(on)
    if not on:                       # no keys: one run a side is one pair
        if len(a) != 1 or len(b) != 1:
            raise ValueError(f"paired_differences without keys pairs one run with one; got {len(a)} and {len(b)}")
        a, b, on = a.assign(_pair=0), b.assign(_pair=0), ["_pair"]
    for side, df in (("a", a), ("b", b)):
        missing = set([*on, column]) - set(df.columns)
        if missing:
            raise KeyError(f"paired_differences: side {side} has no column(s) {sorted(missing)}")
        dup = df.duplicated(on)
        if dup.any():
            raise ValueError(f"paired_differences: side {side} holds {int(dup.sum())} runs with the same "
                             f"{on} as another; pair on more keys")
    pairs = a[[*on, column]].merge(b[[*on, column]], on=on, suffixes=("_a", "_b"))
    pairs = pairs.rename(columns={f"{column}_a": "a", f"{column}_b": "b"})
    pairs["difference"] = pairs["a"] - pairs["b"]
    return pairs


def paired_interval(a: pd.DataFrame, b: pd.DataFrame, column: str,
                    on: Sequence[str] = ("fold", "seed"), scale: float = 1.0) -> Interval:
    """The 95 % interval of the paired difference ``a − b`` (times ``scale``)."""
    d = paired_differences(a, b, column, on)
    return interval(scale * d["difference"].to_numpy(dtype=float), PAIRED_METHOD)


def noise_reading(ci: Interval) -> str:
    """How a difference's interval reads: :data:`NOISE` when it contains 0,
    :data:`OUTSIDE` when it excludes 0, :data:`FEW` where fewer than two values give no interval."""
    if not (math.isfinite(ci.low) and math.isfinite(ci.high)):
        return FEW
    return NOISE if ci.low <= 0 <= ci.high else OUTSIDE


def paired_comparisons(runs: pd.DataFrame, variant: str, reference, column: str,
                       by: Sequence[str] = (), on: Sequence[str] = ("fold", "seed"),
                       scale: float = 1.0) -> pd.DataFrame:
    """Every value of ``runs[variant]`` against ``reference`` (one value of that column; the
    name ``"best"``: the variant with the highest mean in each group; or ``"previous"``: each
    variant against the one before it in the runs' order, for cumulative steps), within each group
    of ``by``: one row per group and compared variant with ``pairs``, the paired mean of
    ``(variant − reference) · scale``, its 95 % interval and its ``reading``
    (:func:`noise_reading`). Runs are paired on ``on`` (:func:`paired_differences`)."""
    by = list(by)
    missing = {variant, column, *by} - set(runs.columns)
    if missing:
        raise KeyError(f"paired_comparisons: runs have no column(s) {sorted(missing)}")
    clash = {variant, *by} & {"minus", "pairs", "mean", "95 % CI low", "95 % CI high", "reading"}
    if clash:
        raise ValueError(f"paired_comparisons: rename column(s) {sorted(clash)}; the table uses those names")
    on = [k for k in on if k in runs.columns]
    rows = []
    groups = runs.groupby(by, sort=False) if by else [((), runs)]
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        names = list(g[variant].drop_duplicates())
        if reference == "previous":
            steps = list(zip(names[1:], names[:-1]))
        else:
            ref = g.groupby(variant, sort=False)[column].mean().idxmax() if reference == "best" else reference
            if ref not in names:
                raise ValueError(f"paired_comparisons: no {variant} = {ref!r} runs in group {dict(zip(by, key))}")
            steps = [(name, ref) for name in names if name != ref]
        for name, ref in steps:
            ci = paired_interval(g[g[variant] == name], g[g[variant] == ref], column, on=on, scale=scale)
            rows.append({**dict(zip(by, key)), variant: name, "minus": ref, "pairs": ci.n, "mean": ci.mean,
                         "95 % CI low": ci.low, "95 % CI high": ci.high, "reading": noise_reading(ci)})
    return pd.DataFrame(rows, columns=[*by, variant, "minus", "pairs", "mean", "95 % CI low", "95 % CI high",
                                       "reading"])


# ---- verdicts ---------------------------------------------------------------------------
REACHED = "reached"
BELOW = "below the paper"
NOISE = "inside noise"
#: a difference whose interval excludes 0 (not a verdict: it says nothing of the paper's figure)
OUTSIDE = "outside noise"
OPPOSITE = "opposite sign"
FEW = "too few runs"
UNTESTABLE = "not testable here"
VERDICTS = (REACHED, BELOW, NOISE, OPPOSITE, FEW, UNTESTABLE)


def verdict(paper: float, ours: Interval, kind: str) -> str:
    """The verdict on one claim under one protocol.

    kind ``level`` (a score the paper reports, higher is better): *reached* when our
    interval reaches the paper's figure (its upper bound ≥ the figure), else *below the
    paper*. kind ``difference`` (a gain or a drop the paper claims, positive when the
    paper's direction holds): *inside noise* when our interval contains 0, *reached* when
    it excludes 0 and reaches the paper's figure, *below the paper* when it excludes 0 on
    the paper's side but stays under the figure, *opposite sign* when it excludes 0 on the
    other side. kind ``untestable``: *not testable here* (e.g. a latency on other hardware).
    Fewer than :data:`MIN_RUNS` runs: *too few runs*, whatever the mean says.
    """
    if kind == "untestable" or ours.n == 0 or not math.isfinite(paper):
        return UNTESTABLE
    if kind not in ("level", "difference"):
        raise ValueError(f"unknown claim kind {kind!r}; choose level, difference or untestable")
    if ours.n < MIN_RUNS:
        return FEW
    if kind == "level":
        return REACHED if ours.high >= paper else BELOW
    if ours.contains(0.0):
        return NOISE
    if (ours.low > 0) != (paper > 0):
        return OPPOSITE
    return REACHED if abs(ours.high if paper > 0 else ours.low) >= abs(paper) else BELOW


__all__ = ["BELOW", "FEW", "Interval", "METHOD", "MIN_RUNS", "NOISE", "OPPOSITE", "OUTSIDE", "PAIRED_METHOD",
           "REACHED", "UNTESTABLE", "VERDICTS", "interval", "noise_reading", "paired_comparisons", "paired_differences",
           "paired_interval", "verdict"]
