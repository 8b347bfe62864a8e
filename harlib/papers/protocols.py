"""The two protocols that the paper notebooks set side by side, and how both are run alike.

* **paper-style**: the windows split at random (``random_windows``, 30 % of them test), the
  protocol papers A and B imply. Overlapping windows put near-copies of test windows in
  the training set;
* **subject-independent**: WHAR Arena's subject groups (``subject_groups``): the test
  subjects are never seen in training or validation.

So that the two columns differ only in the protocol:

* **the same folds.** Both run the profile's ``max_folds`` folds: the first subject groups,
  and as many independent random splits (``random_windows(repeats=…)``). A paper-style
  number is then a mean over folds with an interval, like the subject-independent one.
* **every training window, the same compute.** Both draw on all of their training windows,
  and both get the same compute: each epoch trains on ``grid_train_windows`` windows drawn
  afresh from all of them (the ``random`` sampler's ``epoch_windows``), for the profile's
  epochs with its early stopping. A fixed cap on training windows would instead drop most
  of the training windows that overlap a test window, i.e. the random split's defining
  property: with 1,000 training windows only 6–15 % of its test windows overlap a training
  window, with all of them 80–98 % (notebook 01). Each run table carries the measured
  overlap (``test_overlap``). A budget counted in whole epochs of all windows would not do:
  rounding gives two settings with slightly different window counts one epoch or two.

The layer-wise pre-training of paper A's model draws its epochs the same way. A profile
without a window cap (``paper``) trains every window in every epoch.

Notebooks 11, 12, 14, 20, 22, 23, 24, 25, 27, 28 and 29 run their grids this way (11 and
14 with paper A's three subject groups, :func:`harlib.papers.memae.compared`; 28, and 29 on
DSADS, with USAD's diffusion stage budgeted alike,
:func:`harlib.papers.usad.per_epoch_augmenter`). Notebook 13 runs subject groups only.
:func:`run_compared` runs both protocols for one setting (notebooks 12, 14 and 22, and
through :func:`harlib.papers.usad.run_against_baselines` notebooks 25, 28 and 29); the other
notebooks write the same loop out.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Iterable

import pandas as pd

from ..core.checks import is_int
from ..data.windows import WindowSet
from ..training.experiment import run_grid
from ..training.profiles import Profile
from ..training.runs import RunStore
from ..training.train import TrainConfig

PAPER_STYLE = "random_windows"
SUBJECT_INDEPENDENT = "subject_groups"
#: the protocols' own settings: a 70/30 random split; ten subject groups (fewer where a
#: dataset has fewer subjects)
TEST_FRACTION = 0.3
N_GROUPS = 10


def compared(profile: Profile, ws: WindowSet, *, test_fraction: float = TEST_FRACTION,
             n_groups: int = N_GROUPS) -> dict[str, dict]:
    """Protocol name → the keyword arguments of :func:`harlib.training.experiment.run_grid`
    (``protocol_kwargs`` and ``max_folds``) that run it on ``ws`` under ``profile``: as many
    random splits as subject-group folds."""
    subjects = len(set(ws.subject.tolist()))
    if not is_int(n_groups, 2):
        raise ValueError(f"compared: n_groups must be an integer >= 2, got {n_groups!r}")
    if subjects < 3:
        raise ValueError(f"compared: {ws.dataset} has {subjects} subject(s); subject groups need at least 3")
    groups = min(n_groups, subjects)
    folds = groups if profile.max_folds is None else min(profile.max_folds, groups)
    return {PAPER_STYLE: {"protocol_kwargs": {"test_fraction": test_fraction, "repeats": folds},
                          "max_folds": folds},
            SUBJECT_INDEPENDENT: {"protocol_kwargs": {"n_groups": groups}, "max_folds": folds}}


def alike(config: TrainConfig, profile: Profile) -> TrainConfig:
    """``config`` drawing on every training window of a split, with the profile's
    ``grid_train_windows`` of them per epoch (see the module docstring); its other settings
    are kept. Only the ``random`` sampler draws windows this way."""
    if config.sampler != "random":
        raise ValueError(f"alike: the {config.sampler!r} sampler does not draw epochs from all windows; "
                         "use the 'random' sampler")
    if config.budget_seconds is not None:
        raise ValueError("alike: config has budget_seconds; a run is budgeted either in seconds "
                         "(the cost table) or in windows per epoch, not both")
    kwargs = {k: v for k, v in config.sampler_kwargs.items() if k != "epoch_windows"}
    if profile.grid_train_windows is not None:
        kwargs["epoch_windows"] = int(profile.grid_train_windows)
    return replace(config, max_train_windows=None, sampler_kwargs=kwargs)


#: the columns of a run table that a label given to :func:`run_compared` may not replace
RUN_COLUMNS = ("dataset", "protocol", "subject_independent", "fold", "model", "seed", "profile", "run_key")


def run_compared(profile: Profile, ws: WindowSet, models: dict[str, dict] | Iterable[str], config: TrainConfig, *,
                 folds: dict[str, dict] | None = None, store: RunStore | None = None,
                 log: Callable[[str], None] | None = print, **labels) -> pd.DataFrame:
    """Every run of ``models`` on ``ws`` under both protocols, with the profile's seeds: one
    row per run (:func:`harlib.training.experiment.run_grid`), the paper-style runs first,
    each row labelled with ``labels`` (column name → value, e.g. ``setting="pamap2"``).

    folds: protocol name → ``run_grid``'s ``protocol_kwargs`` and ``max_folds``; ``None``:
        :func:`compared` (``profile``, ``ws``). Paper A's notebooks pass
        :func:`harlib.papers.memae.compared`.

    Run keys are those of ``run_grid`` called for each protocol, so stored runs are found
    again."""
    folds = compared(profile, ws) if folds is None else folds
    if not isinstance(folds, dict) or not folds:
        raise ValueError(f"run_compared: folds must be a non-empty dict protocol → run_grid keyword arguments, "
                         f"got {folds!r}")
    unknown = sorted(set(folds) - {PAPER_STYLE, SUBJECT_INDEPENDENT})
    if unknown:
        raise ValueError(f"run_compared: folds names protocols other than {PAPER_STYLE!r} and "
                         f"{SUBJECT_INDEPENDENT!r}: {unknown}")
    clash = sorted(set(labels) & set(RUN_COLUMNS))
    if clash:
        raise ValueError(f"run_compared: the labels {clash} would overwrite columns of the run table; "
                         "name them otherwise")
    order = [p for p in (PAPER_STYLE, SUBJECT_INDEPENDENT) if p in folds]
    return pd.concat([run_grid(ws, protocol, models, profile.grid_seeds, config, store=store, log=log,
                               **folds[protocol]).assign(**labels)
                      for protocol in order], ignore_index=True)


__all__ = ["PAPER_STYLE", "SUBJECT_INDEPENDENT", "TEST_FRACTION", "N_GROUPS", "RUN_COLUMNS", "compared", "alike",
           "run_compared"]
