"""The companion's own benchmark beside WHAR Arena v1: published figures as a column, the
anchors (the models WHAR Arena also publishes) per fold and against the published
figure, the training budget each model got, and the anchors retrained with a larger
budget.

Notebooks: 01 (evaluation protocols), 02 (the baseline zoo). Every function takes the tidy
run table of :func:`harlib.training.experiment.run_grid` (one row per run) or a summary of
it, and returns a DataFrame; the notebooks only narrate, save and show."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from ..data.windows import WindowSet
from ..models.classical import CLASSICAL_MODELS
from ..training.experiment import run_grid
from ..training.runs import RunStore
from ..training.train import TrainConfig
from .published import has_whar_arena_figures, whar_arena_best, whar_arena_macro_f1

# the TrainConfig fields a larger-budget check changes (Profile.budget_check also holds "folds")
BUDGET_FIELDS = ("max_train_windows", "max_epochs", "patience")


def _published(model: str, dataset: str) -> float:
    """The published figure, or NaN for a dataset WHAR Arena v1 does not cover (a user's own)."""
    return whar_arena_macro_f1(model, dataset) if has_whar_arena_figures(dataset) else np.nan


def published_column(df: pd.DataFrame, dataset: str = "dataset", model: str = "model"
                     ) -> pd.Series:
    """WHAR Arena v1's published macro-F1 for each row's dataset and model (NaN where it
    publishes none), indexed like ``df``."""
    return pd.Series([_published(m, d) for d, m in zip(df[dataset], df[model])],
                     index=df.index, dtype=float, name="published")


def published_reference(datasets: Iterable[str], models: Iterable[str]
                        ) -> dict[tuple[str, str], float]:
    """``{(dataset, model): published macro-F1}`` for the pairs WHAR Arena v1 publishes a
    figure for — the ``reference`` argument of :func:`harlib.report.plotting.protocol_comparison`."""
    models = list(models)
    ref = {}
    for d in datasets:
        for m in models:
            value = _published(m, d)
            if not np.isnan(value):
                ref[(d, m)] = value
    return ref


def anchor_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs of models WHAR Arena v1 also publishes on the same dataset (the anchors)."""
    return runs[published_column(runs).notna().to_numpy()]


def anchors_by_fold(runs: pd.DataFrame, metric: str = "f1_macro") -> pd.DataFrame:
    """The anchors' ``metric`` per fold: rows (dataset, model), one column per fold."""
    return anchor_runs(runs).pivot_table(index=["dataset", "model"], columns="fold", values=metric)


def anchors_vs_published(runs: pd.DataFrame, max_epochs: int | None = None,
                         tolerance: float = 0.03) -> pd.DataFrame:
    """Our anchors' macro-F1 beside WHAR Arena v1's published figure, per dataset × model.

    Columns: ``dataset``, ``model``, ``ours`` (mean over the runs), ``std``, ``groups`` (number
    of runs), ``lowest``, ``highest``, ``standard_error`` (std / √groups), ``published``,
    ``ours_minus_published``, ``within_{tolerance}`` (|difference| ≤ tolerance) and
    ``stopped_by_epoch_cap``: the fraction of runs whose best epoch was the last one allowed
    (``max_epochs``; ``None``: each run's own cap, the ``epoch_cap`` column, which differs
    per model under a budget by model cost), i.e. still improving when the cap stopped them;
    NaN for the classical models, which have no epochs. Rows in order of first appearance
    in ``runs``.
    """
    anchors_ = anchor_runs(runs)
    out = (anchors_.groupby(["dataset", "model"], sort=False)["f1_macro"]
           .agg(ours="mean", std="std", groups="count", lowest="min", highest="max").reset_index())
    out["standard_error"] = out["std"] / np.sqrt(out["groups"])
    out["published"] = published_column(out)
    out["ours_minus_published"] = out["ours"] - out["published"]
    out[f"within_{tolerance}"] = out["ours_minus_published"].abs() <= tolerance
    if max_epochs is None and "epoch_cap" not in anchors_:
        raise ValueError("anchors_vs_published needs max_epochs, or runs with an epoch_cap column")
    cap = anchors_["epoch_cap"] if max_epochs is None else max_epochs
    capped = anchors_.assign(capped=(anchors_.best_epoch == cap))
    out["stopped_by_epoch_cap"] = capped.groupby(["dataset", "model"], sort=False)["capped"].mean().values
    out.loc[out.model.isin(CLASSICAL_MODELS), "stopped_by_epoch_cap"] = np.nan
    return out


def budget_allocation(runs: pd.DataFrame) -> pd.DataFrame:
    """What each model trained on, per dataset: ``"windows × epochs"`` (the epoch cap its
    budget allowed) in the first fold of ``runs``, and ``"windows"`` for the classical
    models. Index: model, in order of first appearance; columns: datasets."""
    first = runs[runs.fold == runs.groupby("dataset").fold.transform("min")]
    cells = [f"{int(r.n_train)}" if r.model in CLASSICAL_MODELS else
             f"{int(r.n_train)} × {int(r.epoch_cap)}" for r in first.itertuples()]
    wide = first.assign(trained_on=cells).pivot_table(index="model", columns="dataset",
                                                      values="trained_on", aggfunc="first", sort=False)
    wide.columns.name = None
    return wide


def best_vs_published_best(summary: pd.DataFrame, metric: str = "f1_macro_mean") -> pd.DataFrame:
    """Per dataset, the best of our models (by ``metric`` in a :func:`harlib.training.experiment.summarize`
    table) beside WHAR Arena v1's best published model on the dataset it stands for (NaN for
    a dataset WHAR Arena does not cover). Columns: ``dataset``, ``our_best``, ``ours``,
    ``published_best``, ``published``, ``ours_minus_published``."""
    rows = []
    for dataset, part in summary.groupby("dataset", sort=False):
        top = part.loc[part[metric].idxmax()]
        whar_model, value = whar_arena_best(dataset) if has_whar_arena_figures(dataset) else ("", np.nan)
        rows.append({"dataset": dataset, "our_best": top["model"], "ours": top[metric],
                     "published_best": whar_model, "published": value,
                     "ours_minus_published": top[metric] - value})
    return pd.DataFrame(rows)


def larger_budget(config: TrainConfig, budget: Mapping) -> TrainConfig:
    """``config`` with the training windows, epochs and patience of ``budget`` (a profile's
    ``budget_check``; other keys, such as ``folds``, are ignored), and no budget by model
    cost: every model gets the same windows and epochs."""
    return replace(config, budget_seconds=None, budget_keep_windows_to_epochs=None,
                   **{k: budget[k] for k in BUDGET_FIELDS})


def budget_label(config: TrainConfig) -> str:
    """How a budget column is headed: ``"≤ 1000 windows, ≤ 10 epochs"``, or for a budget
    by model cost ``"30 s by model cost, ≤ 30 epochs"``."""
    if config.budget_seconds is not None:
        return f"{config.budget_seconds:g} s by model cost, ≤ {config.max_epochs} epochs"
    windows = "all" if config.max_train_windows is None else f"≤ {config.max_train_windows}"
    return f"{windows} windows, ≤ {config.max_epochs} epochs"


def budget_check(runs: pd.DataFrame, windows: Mapping[str, WindowSet], config: TrainConfig,
                 larger: TrainConfig, models: Mapping[str, list[str]] | list[str],
                 seeds: Iterable[int], *, folds: int | None = 1,
                 protocol: str = "subject_groups",
                 protocol_kwargs: Mapping[str, dict] | None = None,
                 store: RunStore | None = None,
                 log: Callable[[str], None] | None = print) -> pd.DataFrame:
    """Retrain ``models`` under the ``larger`` budget on the first ``folds`` folds of each
    dataset (with :func:`harlib.training.experiment.run_grid`, so stored runs load) and put their
    macro-F1 beside the same runs under ``config`` (taken from ``runs``).

    models: one list for every dataset, or a mapping dataset → list (a dataset it does not
        name is skipped).
    protocol_kwargs: dataset → keyword arguments of the protocol (e.g. ``{"n_groups": 10}``).
    Returns a table indexed by (dataset, model), one column per budget headed by
    :func:`budget_label` (the runs' budget first), and ``published`` (WHAR Arena v1).
    """
    seeds = list(seeds)
    protocol_kwargs = protocol_kwargs or {}
    grids = []
    for name, ws in windows.items():
        wanted = models.get(name, []) if isinstance(models, Mapping) else models
        grids.append(run_grid(ws, protocol, wanted, seeds, larger,
                              protocol_kwargs=protocol_kwargs.get(name, {}), max_folds=folds,
                              store=store, log=log))
    bigger = pd.concat(grids, ignore_index=True)
    keys = ["dataset", "model", "fold", "seed"]
    base = runs.merge(bigger[keys], on=keys)
    table = (pd.concat([base.assign(budget=budget_label(config)),
                        bigger.assign(budget=budget_label(larger))])
             .pivot_table(index=["dataset", "model"], columns="budget", values="f1_macro", sort=False))
    table["published"] = [_published(m, d) for d, m in table.index]
    return table
