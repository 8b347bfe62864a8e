"""What a notebook's runs are made of, as numbers no CPU can change.

Every run that :func:`harlib.training.train.fit` trains or loads in this process is noted here (its
specification, which the run key hashes, and its parameter count). :func:`summary` turns
the notes into the invariants a notebook's headline check asserts exactly, on any machine:
how many runs, the digest of their keys (data, split, model and training settings), each
dataset's fingerprint and window count, each split's membership, size and test overlap
with training, and each model's parameter count. A trained number may move within its
stated tolerance on another machine; none of these may move at all.
"""
from __future__ import annotations

import hashlib

from .splits import overlap_with_training

_NOTES: dict[str, dict] = {}
_OVERLAPS: dict[tuple[str, str], float] = {}


def note(spec: dict, key: str, n_parameters: int, ws=None, split=None) -> None:
    """Remember run ``key`` (its ``spec`` as :func:`harlib.training.trainers.base.run_spec` builds it).
    With ``ws`` and ``split``, the split's test overlap with training is measured once."""
    _NOTES[key] = {"dataset": spec["dataset"], "data": spec["data"], "protocol": spec["protocol"],
                   "fold": spec["fold"], "split": spec["split"], "model": spec["model"],
                   "n_parameters": int(n_parameters),
                   "n_windows": None if ws is None else len(ws),
                   "n_test": None if split is None else len(split.test)}
    pair = (spec["data"], spec["split"])
    if ws is not None and split is not None and pair not in _OVERLAPS:
        _OVERLAPS[pair] = overlap_with_training(ws, split)


def reset() -> None:
    """Forget every run noted so far (a test, or a kernel that starts a new notebook)."""
    _NOTES.clear()
    _OVERLAPS.clear()


def summary() -> dict[str, str | float]:
    """The invariants of every run noted in this process (empty if none was)."""
    if not _NOTES:
        return {}
    notes = sorted(_NOTES.items())
    out: dict[str, str | float] = {
        "runs": float(len(notes)),
        "run keys": hashlib.sha256("".join(k for k, _ in notes).encode()).hexdigest()[:16],
    }
    models: dict[str, set] = {}
    for _, n in notes:
        models.setdefault(n["model"], set()).add(n["n_parameters"])
        d = n["dataset"]
        out[f"{d}:data fingerprint"] = n["data"]
        if n["n_windows"] is not None:
            out[f"{d}:windows"] = float(n["n_windows"])
        where = f"{d}/{n['protocol']}/{n['fold']}"
        out[f"{where}:split fingerprint"] = n["split"]
        if n["n_test"] is not None:
            out[f"{where}:test windows"] = float(n["n_test"])
        overlap = _OVERLAPS.get((n["data"], n["split"]))
        if overlap is not None:
            out[f"{where}:test overlap"] = round(float(overlap), 12)
    for m, counts in models.items():
        out[f"{m}:parameters"] = " ".join(str(c) for c in sorted(counts))
    return out


def differences(now: dict, recorded: dict, differ, label: str = "") -> list[str]:
    """Every name missing on one side of two mappings, and every name for which
    ``differ(now_value, recorded_value)`` returns a message (``None`` when they agree)."""
    problems = []
    for name in sorted(set(now) | set(recorded)):
        if name not in recorded:
            problems.append(f"{label}{name}: {now[name]!r} has no recorded value")
        elif name not in now:
            problems.append(f"{label}{name}: recorded {recorded[name]!r} but not produced")
        else:
            message = differ(now[name], recorded[name])
            if message:
                problems.append(f"{label}{name}: {message}")
    return problems


def compare(now: dict, recorded: dict) -> list[str]:
    """Every invariant that differs, is missing or is new (empty: all equal, exactly)."""
    return differences(now, recorded, lambda a, b: None if a == b else f"{a!r} now, {b!r} recorded",
                       label="invariant ")


__all__ = ["compare", "differences", "note", "reset", "summary"]
