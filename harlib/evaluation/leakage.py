"""Leaks: the ways a paper-style protocol lets test information into training, one switch each.

Paper C's official code (its notes, §2.5–2.6 and §3) evaluates with three leaks on top of a
two-subject hold-out. Each can be turned on alone here, so its contribution is measured:

``recording_scaling``
    A StandardScaler fitted per (subject, activity) recording, test subjects included
    (:func:`scale_per_recording`). Test preprocessing then needs the test labels: each
    activity's windows are centred on that activity's own mean.
``random_validation``
    The validation set is a random 20 % of the training subjects' windows, which overlap the
    training windows (67 % overlap in the code's PAMAP2 windows), instead of held-out
    validation subjects. Early stopping then selects on near-copies of training data.
``test_selection``
    The checkpoint is chosen on the test set: the code evaluates every saved checkpoint on
    the test subjects and reports the best one. Here the validation partition *is* the test
    partition, so the engine's best-epoch selection looks at test data.

Not reproduced, and said so where used: the code's |FFT| features taken over each whole
per-activity recording (harlib's STDual-X takes the FFT per window), and its per-metric
maxima that may come from different checkpoints.

:func:`leak_variant` gives, for a set of leaks, the window set and the ``holdout_subjects``
protocol arguments to run; :data:`LEAK_STUDY` lists the rows of the measurement (none,
each alone, all together).

Explained in notebook 31 (results and leaks); notebooks 32–35 and 40 run both protocols.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..data.windows import WindowSet

LEAKS = ("recording_scaling", "random_validation", "test_selection")

#: rows of the leak study: label → leaks switched on
LEAK_STUDY: dict[str, tuple[str, ...]] = {
    "no leak (held-out subjects, validation subjects)": (),
    "+ per-recording scaling (test included)": ("recording_scaling",),
    "+ random-window validation": ("random_validation",),
    "+ checkpoint chosen on the test set": ("test_selection",),
    "all three (the official code's protocol)": LEAKS,
}


def scale_per_recording(ws: WindowSet, eps: float = 1e-8) -> WindowSet:
    """Standardise each (subject, activity) group of windows with its own per-channel mean
    and standard deviation — paper C's per-recording StandardScaler, test subjects included.

    The statistics are taken over the group's windows (overlapping windows count their
    shared samples more than once; on a recording cut into windows this is within a few per
    cent of the scaler fitted on the raw stream). Channels constant within a group are only
    centred. The result is a new window set whose ``info["scaling"]`` says what was done,
    so its run keys differ from the unscaled set's.
    """
    if len(ws) == 0:
        raise ValueError(f"{ws.dataset}: no windows to scale")
    X = np.empty_like(ws.X, dtype=np.float32)
    keys = np.stack([ws.subject, ws.y], axis=1)
    _, group = np.unique(keys, axis=0, return_inverse=True)
    group = group.ravel()
    for g in range(group.max() + 1):
        idx = np.flatnonzero(group == g)
        block = ws.X[idx].astype(np.float64)
        mean = block.mean(axis=(0, 2), keepdims=True)
        std = block.std(axis=(0, 2), keepdims=True)
        X[idx] = ((block - mean) / np.where(std > eps, std, 1.0)).astype(np.float32)
    info = {**ws.info, "scaling": "per (subject, activity) recording, test subjects included"}
    return replace(ws, X=X, info=info)


def leak_variant(ws: WindowSet, test_subjects, leaks=(), val_fraction: float = 0.2,
                 seed: int = 0) -> tuple[WindowSet, dict]:
    """The window set and ``holdout_subjects`` protocol arguments for ``leaks`` switched on
    (any of :data:`LEAKS`) with ``test_subjects`` held out."""
    unknown = set(leaks) - set(LEAKS)
    if unknown:
        raise KeyError(f"unknown leak(s) {sorted(unknown)}; known: {', '.join(LEAKS)}")
    out = scale_per_recording(ws) if "recording_scaling" in leaks else ws
    kwargs = {"test_subjects": [int(s) for s in test_subjects], "val_fraction": val_fraction,
              "validation": "random_windows" if "random_validation" in leaks else "subjects",
              "select_on_test": "test_selection" in leaks, "seed": seed}
    return out, kwargs


__all__ = ["LEAKS", "LEAK_STUDY", "scale_per_recording", "leak_variant"]
