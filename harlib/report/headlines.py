"""Headline numbers: what each notebook records, checked against recorded values.

Each notebook ends by calling :func:`check_headlines` with its headline numbers (a flat
mapping name → float). They are compared with the values recorded for the profile in
``notebooks/recorded/<notebook>.json``, and the call raises if any differs, is missing or
is new, so a changed number fails the notebook (and CI, which executes every notebook
under the smoke profile) until it is re-recorded on purpose: run the notebook with
``HARLIB_RECORD_HEADLINES=1``.

Two kinds of number are checked:

* **Invariants** (:mod:`harlib.evaluation.invariants`): the runs the notebook trained or loaded, their
  data fingerprints, window counts, split membership, test overlap with training and
  parameter counts. No CPU can move them, so they must be equal, exactly.
* **Headline values**, trained numbers. Each is recorded with its own tolerance and where
  that tolerance came from. The profile decides it when the value is recorded
  (:attr:`~harlib.training.profiles.Profile.headline_tolerance`): a stated floor, measured for the
  profile, and, where the profile gives a multiple of the standard error
  (``headline_se_multiple``) and the value is a mean over runs that carries its spread
  (:func:`mean_values`, :func:`table_values`), that multiple of the standard error of the
  difference between two executions' means (:func:`difference_se`: √2 × the measured
  seed × fold standard error) when it is larger.
  A value passes when it differs from the recorded one by no more than the larger of two
  tolerances: the recorded one and the one the profile gives the new execution from its own
  spread. Both spreads estimate the same noise, and one from three runs can fall far below
  it by chance (runs that happened to agree get the floor), so the larger estimate is
  used, as :func:`rerun_differences` does.

The values are recorded per CPU level (:func:`harlib.core.numerics.level`): under the
profile's name for CPUs with AVX2 (x86-64-v3), and under ``<profile>@x86-64-v2`` for CPUs
without it, which compute alike among themselves but not as AVX2 CPUs do. The x86-64-v2
values are recorded on an emulated SSE4.2 CPU (``tools/record_headlines.sh``) and keep a
digest of the x86-64-v3 values they were recorded beside (:func:`values_digest`), so that
re-recording one level without the other shows (``tests/test_quoted_numbers.py``). A
profile whose tolerance is statistical (``headline_se_multiple``) without x86-64-v2 values
is checked against the x86-64-v3 ones within that tolerance.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..core import numerics
from ..evaluation import invariants
from ..training.profiles import Profile, get_profile
from .tables import project_root

if TYPE_CHECKING:
    import pandas as pd

RECORD_ENV = "HARLIB_RECORD_HEADLINES"


class HeadlineValues(dict):
    """Headline values (name → mean) that carry their spread: ``spread[name] = (standard
    error, runs)`` over the rows each mean came from (what :func:`mean_values` returns)."""

    def __init__(self, values=(), spread: dict | None = None):
        super().__init__(values)
        self.spread = dict(spread or {})

    def __or__(self, other):
        return HeadlineValues({**self, **other},
                              {**self.spread, **getattr(other, "spread", {})})

    def update(self, other=(), **kw):
        super().update(other, **kw)
        self.spread.update(getattr(other, "spread", {}))


def section(profile: Profile, level: str | None = None) -> str:
    """The recorded file's section for ``profile`` at CPU ``level`` (default: this process's)."""
    level = numerics.level() if level is None else level
    if level not in numerics.LEVELS:
        raise ValueError(f"unknown CPU level {level!r}; choose one of {', '.join(numerics.LEVELS)}")
    return profile.name if level == numerics.V3 else f"{profile.name}@{level}"


def values_digest(entries: dict) -> str:
    """A digest of recorded headline values (names and values, not tolerances)."""
    blob = json.dumps({k: e["value"] for k, e in sorted(entries.items())}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _differences(a: dict, b: dict) -> dict:
    """How the recorded entries ``b`` (name → ``{"value", ...}``) differ from ``a``: values in
    both, how many differ at all and how many by more than their tolerance (the larger of
    the two entries' tolerances, each estimated from its own execution's spread), the
    largest absolute difference and its value's name, and the largest difference as a
    share of its value's tolerance."""
    common = sorted(set(a) & set(b))
    delta = {k: abs(float(a[k]["value"]) - float(b[k]["value"])) for k in common}
    delta = {k: d for k, d in delta.items() if d > 0 or math.isnan(d)}
    worst = max(delta, key=lambda k: -1 if math.isnan(delta[k]) else delta[k]) if delta else ""
    tol = {k: max(float(a[k]["tolerance"]), float(b[k].get("tolerance", 0.0))) for k in delta}
    beyond = [k for k, d in delta.items() if math.isnan(d) or d > tol[k]]
    share = max((d / tol[k] for k, d in delta.items() if tol[k] > 0), default=0.0)
    return {"values": len(common), "differ": len(delta), "beyond tolerance": len(beyond),
            "largest |Δ|": delta[worst] if worst else 0.0, "value with the largest |Δ|": worst,
            "largest |Δ| / tolerance": share}


def _with_total(rows: list[dict], flags: list[str]) -> list[dict]:
    """``rows`` and a last row ``all``: counts summed, the largest difference over all rows,
    and each of ``flags`` true only where it is true in every row."""
    if not rows:
        return rows
    worst = max(rows, key=lambda r: r["largest |Δ|"])
    total = {"notebook": "all", **{c: sum(r[c] for r in rows) for c in ("values", "differ", "beyond tolerance")},
             "largest |Δ|": worst["largest |Δ|"],
             "value with the largest |Δ|": (f"{worst['notebook']}: {worst['value with the largest |Δ|']}"
                                            if worst["largest |Δ|"] else ""),
             "largest |Δ| / tolerance": max(r["largest |Δ| / tolerance"] for r in rows),
             **{f: all(r[f] is not False for r in rows) for f in flags}}
    return rows + [total]


def level_differences(profile: str = "smoke", folder: Path | None = None) -> pd.DataFrame:
    """Per notebook (``folder``: default ``notebooks/recorded``), how the headline values
    recorded for ``profile`` at CPU level x86-64-v2 differ from the x86-64-v3 ones: how many
    values each level has, how many differ at all and how many by more than their recorded
    tolerance, the largest absolute difference and the value it belongs to, and whether the
    invariants (runs, splits, window counts) are equal; a last row ``all`` sums the counts
    over the notebooks."""
    import pandas as pd
    folder = Path(folder) if folder is not None else project_root() / "notebooks" / "recorded"
    beside = "recorded beside these x86-64-v3 values"
    rows = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text())
        v3, v2 = data.get(profile), data.get(f"{profile}@{numerics.V2}")
        if v3 is None or v2 is None:
            continue
        rows.append({"notebook": path.stem, **_differences(v3["values"], v2["values"]),
                     "invariants equal": v3.get("invariants") == v2.get("invariants"),
                     beside: v2.get("recorded beside") == values_digest(v3["values"])})
    columns = ["notebook", "values", "differ", "beyond tolerance", "largest |Δ|", "value with the largest |Δ|",
               "invariants equal", beside]
    return pd.DataFrame(_with_total(rows, ["invariants equal", beside]), columns=columns)


def rerun_differences(rerun: Path, profile: str = "standard", folder: Path | None = None) -> pd.DataFrame:
    """Per notebook recorded in ``rerun`` (a folder of ``<notebook>.json`` files written by
    executing notebooks again with ``$HARLIB_RECORD_HEADLINES=1`` and ``$HARLIB_OUTPUT``
    pointing above it; start it empty, since a copy of a committed file would read as an
    exact reproduction), how its ``profile`` values differ from the committed ones in
    ``folder`` (default ``notebooks/recorded``), within the committed tolerances: the counts
    and largest difference of :func:`level_differences`, the largest difference as a share
    of its tolerance, and whether the invariants are equal (``None`` where the committed
    recording predates them and the re-execution has some); a last row ``all``."""
    import pandas as pd
    folder = Path(folder) if folder is not None else project_root() / "notebooks" / "recorded"
    rows = []
    for path in sorted(Path(rerun).glob("*.json")):
        committed_path = folder / path.name
        if not committed_path.is_file():
            raise FileNotFoundError(f"{path.name}: no committed recording {committed_path} to compare with")
        again, committed = json.loads(path.read_text()).get(profile), json.loads(committed_path.read_text()).get(profile)
        if again is None or committed is None:
            continue
        if "invariants" in committed or not again.get("invariants"):
            same = committed.get("invariants", {}) == again.get("invariants", {})
        else:
            same = None                 # recorded before invariants were: nothing to compare
        rows.append({"notebook": path.stem, **_differences(committed["values"], again["values"]),
                     "invariants equal": same})
    columns = ["notebook", "values", "differ", "beyond tolerance", "largest |Δ|", "value with the largest |Δ|",
               "largest |Δ| / tolerance", "invariants equal"]
    return pd.DataFrame(_with_total(rows, ["invariants equal"]), columns=columns)


def describe_machine() -> dict:
    """The machine a re-execution ran on (:func:`rerun_differences`' table records it): CPU
    model and vendor, its generation (:func:`harlib.core.numerics.cpu_generation`), CPU
    level, the torch and NumPy versions, and the numerics' state."""
    import platform
    import numpy
    import torch
    model, vendor = numerics.cpu_model()
    return {"cpu": model, "vendor": vendor, "generation": numerics.cpu_generation(), "level": numerics.level(),
            "python": platform.python_version(), "torch": torch.__version__, "numpy": numpy.__version__,
            "numerics": numerics.state()}


def recorded_path(notebook: str) -> Path:
    return project_root() / "notebooks" / "recorded" / f"{notebook}.json"


def tolerance_for(name: str, values: dict, profile: Profile) -> tuple[float, str]:
    """The tolerance ``profile`` gives the headline ``name`` of ``values``, and its source."""
    tol, source = profile.headline_tolerance, profile.headline_tolerance_source
    k = profile.headline_se_multiple
    se, n = getattr(values, "spread", {}).get(name, (float("nan"), 1))
    if k is not None and n >= 2 and math.isfinite(se) and k * difference_se(se) > tol:
        return k * difference_se(se), se_source(k, n)
    return tol, source


def difference_se(se: float) -> float:
    """The standard error of the difference between two executions' means of the same runs,
    each with standard error ``se``: a re-execution that trains its runs again (another
    CPU moves them) draws a second mean, and the recorded one is a draw too, so the two
    differ by √2 × ``se`` at one standard error, not by ``se``."""
    return math.sqrt(2.0) * se


def se_source(k: float, n: int) -> str:
    """Where a statistical tolerance comes from (:func:`tolerance_for`)."""
    return (f"{k:g} standard errors of the difference between two executions' means "
            f"(√2 × the standard error over {n} runs, seeds × folds)")


def compare(values: dict[str, float], recorded: dict[str, dict],
            now_tolerances: dict[str, tuple[float, str]] | None = None) -> list[str]:
    """Human-readable differences between ``values`` and the ``recorded`` entries (each
    ``{"value", "tolerance", ...}``); empty when every value is within its tolerance: the
    recorded one, or the tolerance ``now_tolerances`` gives the value (name → (tolerance,
    source), :func:`tolerance_for` of this execution) where that is larger."""
    entries = {}
    for name, entry in recorded.items():
        tol, source = (now_tolerances or {}).get(name, (0.0, ""))
        entries[name] = ({**entry, "tolerance": tol, "source": f"this execution's tolerance: {source}"}
                         if tol > float(entry["tolerance"]) else entry)

    def differ(now, entry):
        a, b, tol = float(now), float(entry["value"]), float(entry["tolerance"])
        if math.isclose(a, b, rel_tol=0.0, abs_tol=tol) or (math.isnan(a) and math.isnan(b)):
            return None
        return (f"{a:.6f} now, {b:.6f} recorded (|Δ| {abs(a - b):.2e} > {tol:g}, "
                f"{entry.get('source', 'no source')})")
    return invariants.differences(values, entries, differ)


def check_headlines(notebook: str, values: dict[str, float], profile: str | Profile,
                    record: bool | None = None) -> str:
    """Compare a notebook's headline numbers and the invariants of its runs with those
    recorded for ``profile`` (or record them, with ``record=True`` or
    ``$HARLIB_RECORD_HEADLINES=1``). Returns a one-line report; raises ``AssertionError``
    listing every difference."""
    profile = profile if isinstance(profile, Profile) else get_profile(profile)
    spread = getattr(values, "spread", {})
    values = HeadlineValues({str(k): float(v) for k, v in values.items()}, spread)
    if not values:
        raise ValueError(f"{notebook}: no headline numbers given")
    now_invariants = invariants.summary()
    record = os.environ.get(RECORD_ENV) == "1" if record is None else record
    path = recorded_path(notebook)
    data = json.loads(path.read_text()) if path.is_file() else {}
    key = section(profile)
    if record:
        entries = {}
        for name, v in sorted(values.items()):
            tol, source = tolerance_for(name, values, profile)
            entries[name] = {"value": v, "tolerance": tol, "source": source}
        data[key] = {"values": entries, "invariants": now_invariants}
        if key != profile.name:                       # beside the x86-64-v3 values
            if profile.name not in data:
                raise AssertionError(f"{notebook}: record the {profile.name} profile's values on a CPU "
                                     f"with AVX2 first; the {key} values are recorded beside them")
            data[key]["recorded beside"] = values_digest(data[profile.name]["values"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        return (f"recorded {len(values)} headline numbers and {len(now_invariants)} invariants "
                f"of {notebook} for the {key} profile")
    if key not in data and key != profile.name and profile.headline_se_multiple is not None:
        key = profile.name                            # a statistical tolerance covers the CPU
    if key not in data:
        if profile.headlines_required:
            how = (f"record them with {RECORD_ENV}=1" if key == profile.name else
                   f"record them on an emulated SSE4.2 CPU: bash tools/record_headlines.sh --level "
                   f"{numerics.V2} {notebook}")
            raise AssertionError(f"{notebook}: no headline numbers recorded for the {key} profile in "
                                 f"{path}; {how}")
        return f"no headline numbers recorded for the {key} profile; nothing compared"
    recorded = data[key]
    problems = compare(values, recorded["values"], {name: tolerance_for(name, values, profile) for name in values})
    if "invariants" in recorded:
        problems += invariants.compare(now_invariants, recorded["invariants"])
    if problems:
        hint = "".join(f"\nNumerics: {p}" for p in numerics.check())
        how = (f"re-record with {RECORD_ENV}=1" if key == profile.name else
               f"re-record both CPU levels: bash tools/record_headlines.sh {notebook}")
        raise AssertionError(f"{notebook} ({key} profile): {len(problems)} number(s) "
                             f"differ from {path.name}:\n  " + "\n  ".join(problems) + hint +
                             f"\nIf the change is intended, {how}.")
    n_inv = len(recorded.get("invariants", {}))
    return (f"{len(values)} headline numbers match the values recorded for the {key} "
            f"profile within their tolerances, and {n_inv} invariants exactly")


def table_values(table: "pd.DataFrame", key: str, columns: list[str], n: str = "n") -> HeadlineValues:
    """Headline values read off a summary table whose rows are means over runs:
    ``"{row[key]}:{column}"`` → the row's value in each of ``columns`` (NaN cells left out),
    carrying the standard error the table gives in ``"{column}: standard error"`` and the
    runs in column ``n``, so that the profile gives them a statistical tolerance
    (:func:`tolerance_for`) as it gives :func:`mean_values`' means (notebook 90's table)."""
    missing = [c for c in [key, n, *columns, *(f"{c}: standard error" for c in columns)] if c not in table]
    if missing:
        raise KeyError(f"table_values: the table has no column(s) {missing}")
    out, spread = {}, {}
    for _, row in table.iterrows():
        for c in columns:
            if not math.isfinite(float(row[c])):
                continue
            name = f"{row[key]}:{c}"
            if name in out:
                raise ValueError(f"table_values: two rows give {name!r}; {key!r} must name each row once")
            out[name] = float(row[c])
            spread[name] = (float(row[f"{c}: standard error"]), int(row[n]))
    return HeadlineValues(out, spread)


def mean_values(df, keys: list[str], value: str, name: str | None = None, scale: float = 1.0) -> HeadlineValues:
    """``{"k1/k2:value": mean}`` over the rows of ``df`` grouped by ``keys`` (e.g. mean
    macro-F1 per dataset and model over folds and seeds, from a notebook's runs table),
    carrying each mean's standard error and number of rows in ``.spread``. ``name``: a
    format string over the key columns instead (``"{setting}={value}:silhouette"``);
    ``scale`` multiplies the means and their standard errors (``0.01``: percent to a share)."""
    missing = [c for c in [*keys, value] if c not in df]
    if missing:
        raise KeyError(f"mean_values: the table has no column(s) {missing}")
    groups = df.groupby(keys, sort=True)[value]
    means, sds, counts = groups.mean(), groups.std(ddof=1), groups.count()
    out, spread = {}, {}
    for k, m in means.items():
        parts = k if isinstance(k, tuple) else (k,)
        label = ("/".join(map(str, parts)) + f":{value}" if name is None
                 else name.format(**dict(zip(keys, parts))))
        if label in out:
            raise ValueError(f"mean_values: two groups are named {label!r}; the name must tell them apart")
        out[label] = scale * float(m)
        n = int(counts[k])
        spread[label] = (abs(scale) * float(sds[k]) / np.sqrt(n) if n >= 2 else float("nan"), n)
    return HeadlineValues(out, spread)


__all__ = ["HeadlineValues", "RECORD_ENV", "check_headlines", "compare", "mean_values", "table_values",
           "recorded_path", "tolerance_for", "difference_se", "se_source"]
