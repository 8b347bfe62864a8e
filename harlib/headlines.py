"""Headline numbers: what each notebook records, checked against recorded values.

Each notebook ends by calling :func:`check_headlines` with its headline numbers (a flat
mapping name → float). They are compared with the values recorded for the profile in
``notebooks/recorded/<notebook>.json``, within the profile's stated tolerance, and the
call raises if any differs, is missing or is new — so a changed number fails the notebook
(and CI, which executes every notebook under the smoke profile) until it is re-recorded on
purpose: run the notebook with ``HARLIB_RECORD_HEADLINES=1``.

Tolerances: ``smoke`` 1e-6 (CPU runs on one thread are deterministic); ``standard`` 0.02
(the committed numbers come from stored runs; retraining them on another thread count or
CPU moves macro-F1 by up to about a seed's spread); other profiles are checked only where
values were recorded for them.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

from .reporting import project_root

TOLERANCE = {"smoke": 1e-6, "standard": 0.02, "paper": 0.02}
RECORD_ENV = "HARLIB_RECORD_HEADLINES"


def recorded_path(notebook: str) -> Path:
    return project_root() / "notebooks" / "recorded" / f"{notebook}.json"


def compare(values: dict[str, float], recorded: dict[str, float], tolerance: float) -> list[str]:
    """Human-readable differences between ``values`` and ``recorded`` (empty: they agree)."""
    problems = []
    for name in sorted(set(values) | set(recorded)):
        if name not in recorded:
            problems.append(f"{name}: {values[name]!r} has no recorded value")
        elif name not in values:
            problems.append(f"{name}: recorded {recorded[name]!r} but not produced")
        else:
            a, b = float(values[name]), float(recorded[name])
            if not (math.isclose(a, b, rel_tol=0.0, abs_tol=tolerance)
                    or (math.isnan(a) and math.isnan(b))):
                problems.append(f"{name}: {a:.6f} now, {b:.6f} recorded (|Δ| {abs(a - b):.2e} > {tolerance:g})")
    return problems


def check_headlines(notebook: str, values: dict[str, float], profile: str,
                    record: bool | None = None) -> str:
    """Compare a notebook's headline numbers with those recorded for ``profile`` (or record
    them, with ``record=True`` or ``$HARLIB_RECORD_HEADLINES=1``). Returns a one-line report;
    raises ``AssertionError`` listing every difference."""
    values = {str(k): float(v) for k, v in values.items()}
    if not values:
        raise ValueError(f"{notebook}: no headline numbers given")
    record = os.environ.get(RECORD_ENV) == "1" if record is None else record
    path = recorded_path(notebook)
    data = json.loads(path.read_text()) if path.is_file() else {}
    if record:
        data[profile] = {"tolerance": TOLERANCE.get(profile, 0.02), "values": values}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        return f"recorded {len(values)} headline numbers of {notebook} for the {profile} profile"
    if profile not in data:
        if profile in ("smoke", "standard"):
            raise AssertionError(f"{notebook}: no headline numbers recorded for the {profile} "
                                 f"profile in {path}; record them with {RECORD_ENV}=1")
        return f"no headline numbers recorded for the {profile} profile; nothing compared"
    tol = data[profile]["tolerance"]
    problems = compare(values, data[profile]["values"], tol)
    if problems:
        raise AssertionError(f"{notebook} ({profile} profile): {len(problems)} headline number(s) "
                             f"differ from {path.name}:\n  " + "\n  ".join(problems) +
                             f"\nIf the change is intended, re-record with {RECORD_ENV}=1.")
    return f"{len(values)} headline numbers match the values recorded for the {profile} profile (± {tol:g})"


def mean_values(df, keys: list[str], value: str) -> dict[str, float]:
    """``{"k1/k2:value": mean}`` over the rows of ``df`` grouped by ``keys`` — e.g. mean
    macro-F1 per dataset and model over folds and seeds, from a notebook's runs table."""
    means = df.groupby(keys, sort=True)[value].mean()
    return {"/".join(map(str, k if isinstance(k, tuple) else (k,))) + f":{value}": float(v)
            for k, v in means.items()}
