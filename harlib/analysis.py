"""Tables the notebooks build from runs: our results beside published figures, and the
anchors retrained with a larger budget.

Every function takes the tidy run table of :func:`harlib.experiment.run_grid` (one row per
run) or a summary of it, and returns a DataFrame; the notebooks only narrate, save and show.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from .classical import CLASSICAL_MODELS
from .experiment import run_grid
from .published import has_whar_arena_figures, whar_arena_best, whar_arena_macro_f1
from .runs import RunStore
from .train import TrainConfig
from .windows import WindowSet

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
    figure for — the ``reference`` argument of :func:`harlib.plotting.protocol_comparison`."""
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
    """Per dataset, the best of our models (by ``metric`` in a :func:`harlib.experiment.summarize`
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
    dataset (with :func:`harlib.experiment.run_grid`, so stored runs load) and put their
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


def claim_values(ids: Iterable[str]) -> list[float]:
    """The paper's value of each claim id (NaN for an empty id)."""
    from .published import PAPER_CLAIMS
    return [PAPER_CLAIMS[i]["value"] if i else np.nan for i in ids]


def _in_order(table: pd.DataFrame, column: str, order: list, by: list[str], what: str) -> pd.DataFrame:
    """``table`` sorted by ``by`` then by the position of ``column``'s value in ``order``;
    a value not in ``order`` raises."""
    unknown = set(table[column]) - set(order)
    if unknown:
        raise ValueError(f"{what} {sorted(unknown)} are not in the given order")
    pos = table[column].map(order.index).rename("_pos")
    return table.assign(_pos=pos).sort_values([*by, "_pos"], kind="stable").drop(columns="_pos")


def beside_claims(table: pd.DataFrame, key: str, claims: Mapping[str, Mapping[str, str]],
                  ) -> pd.DataFrame:
    """``table`` with, for each metric named in ``claims`` (row value of ``key`` → {metric:
    claim id}), a column "the paper reports: <metric>" holding the claimed value (as the
    paper states it) and a column with the claim's id."""
    out = table.copy()
    metrics = sorted({m for per_row in claims.values() for m in per_row})
    for m in metrics:
        ids = [claims.get(v, {}).get(m, "") for v in out[key]]
        out[f"the paper reports: {m}"] = claim_values(ids)
        out[f"claim ({m})"] = ids
    return out


def histories(runs: pd.DataFrame, store: RunStore | None = None,
              columns: Iterable[str] = ()) -> pd.DataFrame:
    """The per-epoch history of every run in a run table, one row per epoch, with the run
    table's ``columns`` repeated on each row; an adaptive loss's ``loss_weights`` are spread
    into ``weight_0``, ``weight_1``, …"""
    store = store or RunStore()
    rows = []
    for _, r in runs.iterrows():
        for h in store.load_result(r["run_key"])["history"]:
            row = {c: r[c] for c in ("run_key", *columns)}
            row.update({k: v for k, v in h.items() if k != "loss_weights"})
            for i, w in enumerate(h.get("loss_weights", [])):
                row[f"weight_{i}"] = w
            rows.append(row)
    return pd.DataFrame(rows)


def factor_gap(runs: pd.DataFrame, factor: str, a, b, by: list[str],
               metrics: Iterable[str] = ("accuracy",)) -> pd.DataFrame:
    """Per group ``by``: each metric's mean over runs under ``factor == a`` and ``== b`` and
    the gap ``a − b`` (e.g. label-pure minus inter-class windows)."""
    rows = []
    for key, g in runs.groupby(by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        row = dict(zip(by, key))
        for m in metrics:
            va, vb = g.loc[g[factor] == a, m].mean(), g.loc[g[factor] == b, m].mean()
            row.update({f"{m} ({a})": va, f"{m} ({b})": vb, f"{m} gap": va - vb})
        rows.append(row)
    return pd.DataFrame(rows)



def headline_by_protocol(runs: pd.DataFrame, model: str, studies: Mapping[str, Mapping[str, str]],
                         claims: Mapping[str, str], stand_in: Mapping[str, str] | None = None,
                         metrics: Iterable[str] = ("accuracy", "f1_macro")) -> pd.DataFrame:
    """One row per dataset: the paper's claim beside ``model``'s mean score (in %) under each
    protocol. ``studies``: dataset → {protocol label: the ``study`` value of its runs};
    ``claims``: dataset → claim id; ``stand_in``: dataset → how the table header names it."""
    metrics = list(metrics)
    rows = []
    for dataset, by_protocol in studies.items():
        row = {"dataset": (stand_in or {}).get(dataset, dataset)}
        cid = claims.get(dataset, "")
        row["the paper reports: accuracy"] = claim_values([cid])[0]
        row["claim"] = cid
        for protocol, study in by_protocol.items():
            sel = runs[(runs.dataset == dataset) & (runs.model == model) & (runs.study == study)]
            if sel.empty:
                raise ValueError(f"no {model} runs of study {study!r} on {dataset}")
            for m in metrics:
                row[f"ours, {protocol}: {m}"] = 100 * sel[m].mean()
            row[f"runs ({protocol})"] = len(sel)
        rows.append(row)
    return pd.DataFrame(rows)


def leak_contributions(runs: pd.DataFrame, order: Iterable[str],
                       metrics: Iterable[str] = ("accuracy", "f1_macro")) -> pd.DataFrame:
    """Mean scores (in %) per model and leak-study row, in ``order`` (the first row is the
    no-leak reference), with Δ: the change from that model's reference row in points."""
    order, metrics = list(order), list(metrics)
    summary = (runs.groupby(["model", "study"], sort=False)[metrics].mean() * 100).reset_index()
    summary["runs"] = runs.groupby(["model", "study"], sort=False).size().values
    summary = _in_order(summary, "study", order, ["model"], "study rows")
    for m in metrics:
        ref = summary[summary.study == order[0]].set_index("model")[m]
        if set(summary.model) - set(ref.index):
            raise ValueError(f"no reference row {order[0]!r} for {sorted(set(summary.model) - set(ref.index))}")
        summary[f"Δ {m}"] = summary[m] - summary.model.map(ref)
    return summary.reset_index(drop=True)


TABLE2_METRICS = ("accuracy", "precision_macro", "recall_macro", "f1_macro", "g_mean", "auc_ovr_macro")


def ablation_table(runs: pd.DataFrame, order: Iterable[str], claims: Mapping[str, Mapping],
                   paper_dataset: Mapping[str, str], metrics: Iterable[str] = TABLE2_METRICS,
                   dataset: str = "dataset", variant: str = "variant") -> pd.DataFrame:
    """Paper-style results table: one row per dataset × protocol × variant (in ``order``),
    our mean scores in % (over folds and seeds), and the paper's accuracy and F1 from
    ``claims`` (variant → paper dataset → {metric: claim id}); ``paper_dataset`` maps our
    ``dataset`` column's values to the paper's dataset each stands in for. ``variant`` names
    the column of the rows (e.g. ``"model"`` for a comparison of models)."""
    order, metrics = list(order), list(metrics)
    g = runs.groupby([dataset, "protocol", variant], sort=False)
    table = (g[metrics].mean() * 100).reset_index()
    table["runs"] = g.size().values
    table = _in_order(table, variant, order, [dataset, "protocol"], "variants")
    for m in ("accuracy", "f1_macro"):
        ids = [claims.get(v, {}).get(paper_dataset.get(d, ""), {}).get(m, "")
               for d, v in zip(table[dataset], table[variant])]
        table[f"the paper reports: {m}"] = claim_values(ids)
    return table.reset_index(drop=True)


def ablation_steps(table: pd.DataFrame, steps: Iterable[tuple[str, str]],
                   metric: str = "f1_macro") -> pd.DataFrame:
    """The change in ``metric`` from one variant to another of an :func:`ablation_table`,
    per dataset and protocol: one column per step ``"a → b"``."""
    rows = []
    for (dataset, protocol), t in table.groupby(["dataset", "protocol"], sort=False):
        score = t.set_index("variant")[metric]
        row = {"dataset": dataset, "protocol": protocol}
        for a, b in steps:
            row[f"{a} → {b}"] = score[b] - score[a] if a in score and b in score else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def clustering_table(runs: pd.DataFrame, order: Iterable[str], claims: Mapping[str, list[str]],
                     model: str) -> pd.DataFrame:
    """Per dataset × protocol × model (in ``order``): mean accuracy, macro-F1, NMI and ARI in
    % (NMI/ARI only where a run clustered), with the paper's claims (dataset → claim ids)
    beside ``model``'s rows as "the paper reports"."""
    from .published import PAPER_CLAIMS
    order = list(order)
    cols = [c for c in ("accuracy", "f1_macro", "nmi", "ari") if c in runs]
    g = runs.groupby(["dataset", "protocol", "model"], sort=False)
    table = (g[cols].mean() * 100).reset_index()
    table["runs"] = g.size().values
    table = _in_order(table, "model", order, ["dataset", "protocol"], "models")
    table["the paper reports: accuracy"] = [
        ", ".join(f"{PAPER_CLAIMS[c]['value']:g} ({c})" for c in claims.get(d, []))
        if m == model else "" for d, m in zip(table.dataset, table.model)]
    return table.reset_index(drop=True)


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


def separability(runs: pd.DataFrame, store: RunStore | None = None) -> pd.DataFrame:
    """Per run of a run table: how well its test embeddings separate the true classes —
    silhouette (Euclidean, true labels) and paper B's Table 6 intra/inter-class distance
    ratio (lower: more separable). Runs without stored embeddings get NaN."""
    from .metrics import class_distance_ratio, silhouette
    store = store or RunStore()
    rows = []
    for key in runs["run_key"].drop_duplicates():     # a run shared by two rows is read once
        pred = store.load_predictions(key)
        if "embedding" not in pred:
            rows.append({"run_key": key, "silhouette": np.nan, "distance_ratio": np.nan})
            continue
        Z, y = pred["embedding"].astype(np.float64), pred["y_true"]
        rows.append({"run_key": key, "silhouette": silhouette(Z, y),
                     "distance_ratio": class_distance_ratio(Z, y)["ratio"]})
    return runs.merge(pd.DataFrame(rows), on="run_key", how="left")


def embedding_views(runs: pd.DataFrame, splits: Mapping[tuple[str, str], tuple[WindowSet, list]],
                    store: RunStore | None = None, probe_windows: int | None = 5000) -> pd.DataFrame:
    """Two more views of each label-free run's embeddings (paper A's evaluation besides
    k-means): a Gaussian mixture with one component per class on the stored test
    embeddings (``gmm_accuracy``, ``gmm_nmi``, ``gmm_ari``; Hungarian-matched, like the
    k-means scores), and a linear probe (:func:`harlib.metrics.linear_probe`) fitted on the
    embeddings of at most ``probe_windows`` training windows (stratified sample), scored on
    the test windows. The probe is the one place labels enter, after training.

    ``runs``: rows with ``run_key``, ``dataset``, ``protocol`` and ``fold``; ``splits``:
    ``(dataset, protocol)`` → (the window set the runs trained on, its splits). The window
    settings, the windows and the fold's split are checked against each run's record, so a
    run is never read with another window set or split. The mixture has as many components
    as the run's own clustering had clusters."""
    from .engine import predict_outputs, stratified_subsample
    from .metrics import clustering_report, linear_probe
    from .trainers import cluster, run_spec
    store = store or RunStore()
    rows = []
    for r in runs.drop_duplicates("run_key").itertuples():
        if (r.dataset, r.protocol) not in splits:
            raise KeyError(f"no window set and splits given for {(r.dataset, r.protocol)}")
        ws, folds = splits[(r.dataset, r.protocol)]
        run = store.result(r.run_key)
        pred = run.predictions
        if "embedding" not in pred:
            raise ValueError(f"run {r.run_key} ({run.record['model']}) stored no test embeddings")
        Z, y = pred["embedding"].astype(np.float64), pred["y_true"]
        fold = folds[int(r.fold)]
        spec = run_spec(ws, fold, run.record["model"], {}, {}, 0)
        for part, what in (("window", "window settings"), ("data", "windows"), ("split", "split")):
            if run.record[part] != spec[part]:
                raise ValueError(f"run {r.run_key}'s {what} are not those given for {(r.dataset, r.protocol)} "
                                 f"(fold {r.fold}): {run.record[part]} ≠ {spec[part]}; pass the window set and "
                                 "protocol settings the run was trained with")
        seed = int(run.record.get("seed", 0))
        k = int(run.record.get("clustering", {}).get("n_clusters", ws.n_classes))
        gmm = clustering_report(y, cluster(Z, k, "gmm", seed))
        train = stratified_subsample(fold.train, ws.y, probe_windows, seed)
        Z_train = predict_outputs(run.load_model(), run.standardizer().transform(ws.X[train]),
                                  precision=run.record["train"].get("precision", "fp32"),
                                  keys=("embedding",))["embedding"]
        rows.append({"run_key": r.run_key, "gmm_accuracy": gmm["cluster_accuracy"], "gmm_nmi": gmm["nmi"],
                     "gmm_ari": gmm["ari"], **linear_probe(Z_train, ws.y[train], Z, y, seed)})
    return runs.merge(pd.DataFrame(rows), on="run_key", how="left")


def ranks(table: pd.DataFrame, metric: str, by: list[str], item: str) -> pd.DataFrame:
    """Rank (1 = best, ties share the better rank) of each ``item`` by ``metric`` within each
    group of ``by``: one row per item, one column per group."""
    t = table.copy()
    t["rank"] = t.groupby(by)[metric].rank(ascending=False, method="min").astype(int)
    t["group"] = t[by].astype(str).agg(" / ".join, axis=1)
    out = t.pivot(index=item, columns="group", values="rank")
    return out.loc[t[item].drop_duplicates()].reset_index()


def per_class_f1(runs: pd.DataFrame, class_names, store: RunStore | None = None,
                 item: str = "model") -> pd.DataFrame:
    """Per-class F1 in % of each ``item``, from the stored test predictions of its runs,
    pooled over folds and seeds: one row per item, one column per class."""
    from sklearn.metrics import f1_score
    rows = []
    for name, p in pooled_predictions(runs, store, item).items():
        f1 = f1_score(p["y_true"], p["y_pred"], labels=range(len(class_names)), average=None,
                      zero_division=0)
        rows.append({item: name, **{c: 100 * v for c, v in zip(class_names, f1)}})
    return pd.DataFrame(rows)


def pooled_predictions(runs: pd.DataFrame, store: RunStore | None = None, item: str = "model"
                       ) -> dict[str, dict[str, np.ndarray]]:
    """Per ``item``: the stored test labels, predictions and embeddings of its runs,
    concatenated over folds and seeds (``embedding`` only where every run stored one)."""
    store = store or RunStore()
    out = {}
    for name, group in runs.groupby(item, sort=False):
        parts = [store.load_predictions(k) for k in group["run_key"]]
        pooled = {"y_true": np.concatenate([p["y_true"] for p in parts]),
                  "y_pred": np.concatenate([p["y_pred"] if "y_pred" in p else p["proba"].argmax(1)
                                            for p in parts])}
        if all("embedding" in p for p in parts):
            pooled["embedding"] = np.concatenate([p["embedding"] for p in parts])
        out[str(name)] = pooled
    return out


def class_distances(pooled: Mapping[str, Mapping[str, np.ndarray]]) -> pd.DataFrame:
    """Paper B's Table 6 for each model's embeddings: mean intra-class distance (windows to
    their class centroid), mean inter-class distance (between centroids) and B's ratio
    inter/intra (higher: more separable), with the scale-free silhouette beside. Distances
    are Euclidean in each model's own embedding space, so they compare across models only
    as far as the spaces' scales do."""
    from .metrics import class_distance_ratio, silhouette
    rows = []
    for name, p in pooled.items():
        if "embedding" not in p:
            continue
        d = class_distance_ratio(p["embedding"], p["y_true"])
        rows.append({"model": name, "intra": d["intra"], "inter": d["inter"],
                     "ratio (inter / intra)": d["inter"] / d["intra"],
                     "silhouette": silhouette(p["embedding"], p["y_true"])})
    return pd.DataFrame(rows)


def tsne_points(Z: np.ndarray, y: np.ndarray, max_points: int = 1500, seed: int = 0
                ) -> tuple[np.ndarray, np.ndarray]:
    """t-SNE (perplexity 30, PCA initialisation) of a class-stratified sample of at most
    ``max_points`` embeddings; returns the 2-D points and their labels."""
    from sklearn.manifold import TSNE
    from sklearn.model_selection import train_test_split
    Z, y = np.asarray(Z, dtype=np.float64), np.asarray(y)
    if len(Z) > max_points:
        keep, _ = train_test_split(np.arange(len(Z)), train_size=max_points, random_state=seed,
                                   stratify=y if np.bincount(y).min() >= 2 else None)
        Z, y = Z[np.sort(keep)], y[np.sort(keep)]
    xy = TSNE(2, perplexity=min(30.0, max(2.0, (len(Z) - 1) / 3)), init="pca",
              random_state=seed).fit_transform(Z)
    return xy, y


def with_paper_values(table: pd.DataFrame, item: str, claims: Mapping[str, Mapping[str, Mapping[str, str]]],
                      paper_dataset: str, fields: Iterable[str]) -> pd.DataFrame:
    """``table`` with a column "the paper reports: <field>" per field, looked up by the
    row's ``item`` in ``claims`` (item → paper dataset → {field: claim id}); NaN where the
    paper has no such value."""
    out = table.copy()
    for f in fields:
        ids = [claims.get(v, {}).get(paper_dataset, {}).get(f, "") for v in out[item]]
        out[f"the paper reports: {f}"] = claim_values(ids)
    return out


def clustering_findings(table: pd.DataFrame, dataset: str, model: str, plain: str, features: str,
                        supervised: str) -> str:
    """The comparisons notebook 11 narrates, from a :func:`clustering_table`, as text:
    per protocol, ``model``'s accuracy against the plain autoencoder, the feature k-means and
    the supervised reference, in points."""
    t = table[table.dataset == dataset].set_index(["protocol", "model"]).accuracy
    lines = []
    for protocol in t.index.get_level_values(0).unique():
        a = t[protocol]
        lines.append(f"{dataset}, {protocol}: {model} {a[model]:.1f} %; {plain} {a[plain] - a[model]:+.1f}; "
                     f"{features} {a[features] - a[model]:+.1f}; {supervised} (supervised) "
                     f"{a[supervised] - a[model]:+.1f} points")
    return "\n".join(lines)


def attention_by_class(attn: np.ndarray, y: np.ndarray, class_names, placement_names,
                       between: tuple[Iterable[str], Iterable[str]] | None = None) -> pd.DataFrame:
    """Per class, how a cross-sensor attention spreads over the ordered placement pairs
    (``attn``: ``(windows, P, P)``, zero diagonal, each window's matrix summing to 1):

    * ``entropy``: the mean normalised entropy of a window's P(P−1) pair weights (1 =
      uniform over the pairs, 0 = one pair), with its standard deviation over windows;
    * ``top pair``: the pair with the largest mean weight, and that weight;
    * with ``between=(A, B)``: ``share A↔B``, the mean total weight on pairs between a
      placement of A and one of B (both directions), its standard deviation over windows,
      and what a uniform attention would give.
    """
    attn, y = np.asarray(attn, dtype=np.float64), np.asarray(y)
    n, p, _ = attn.shape
    if p < 2 or len(placement_names) != p or len(y) != n:
        raise ValueError(f"attention must be (windows, P, P) with P >= 2 placements named and one label "
                         f"per window; got {attn.shape}, {len(placement_names)} names, {len(y)} labels")
    off = ~np.eye(p, dtype=bool)
    w = attn[:, off]                                          # (n, P(P-1))
    ent = -(w * np.log(np.clip(w, 1e-12, None))).sum(1) / np.log(p * (p - 1))
    pairs = [(placement_names[i], placement_names[j]) for i in range(p) for j in range(p) if i != j]
    mask = None
    if between is not None:
        a, b = set(between[0]), set(between[1])
        mask = np.array([(s in a and t in b) or (s in b and t in a) for s, t in pairs])
    rows = []
    for c in np.unique(y):
        sel = y == c
        mean = w[sel].mean(0)
        row = {"class": class_names[int(c)], "windows": int(sel.sum()),
               "entropy": ent[sel].mean(), "entropy std": ent[sel].std(),
               "top pair": " → ".join(pairs[int(mean.argmax())]), "top weight": mean.max()}
        if mask is not None:
            share = w[sel][:, mask].sum(1)
            row.update({"share A↔B": share.mean(), "share std": share.std(),
                        "uniform share": mask.mean()})
        rows.append(row)
    return pd.DataFrame(rows)


def attention_claims(table: pd.DataFrame, moving: Iterable[str], static: Iterable[str]) -> str:
    """Paper C's two attention claims checked on an :func:`attention_by_class` table: the
    arm↔leg share of the ``moving`` activities against uniform, and whether the ``static``
    postures' attention is nearer uniform (higher entropy) than the moving ones'."""
    t = table.set_index("class")
    moving, static = list(moving), list(static)
    missing = [c for c in moving + static if c not in t.index]
    if missing:
        raise KeyError(f"activities {missing} are not in the table; it has {list(t.index)}")
    uniform = float(t["uniform share"].iloc[0])
    lines = [f"arm ↔ leg share (uniform {uniform:.2f}):"]
    lines += [f"  {c}: {t.loc[c, 'arm ↔ leg share']:.3f} ± {t.loc[c, 'share std']:.3f}" for c in moving]
    e_static, e_moving = t.loc[static, "entropy"].mean(), t.loc[moving, "entropy"].mean()
    lines.append(f"mean entropy: static postures {e_static:.3f}, moving activities {e_moving:.3f} "
                 f"({'static nearer uniform' if e_static > e_moving else 'static not nearer uniform'})")
    return "\n".join(lines)


def sweep_table(runs: pd.DataFrame, defaults: Mapping[str, object], metrics: Iterable[str]) -> pd.DataFrame:
    """One row per ``setting`` × ``value`` of a one-at-a-time sweep: mean ``metrics`` over
    folds and seeds (accuracy and NMI in %), whether the value is the default, and the
    silhouette's gain over the default value of the same setting, in %."""
    metrics = list(metrics)
    g = runs.groupby(["setting", "value"], sort=False)
    table = g[metrics].mean().reset_index()
    for m in ("accuracy", "nmi"):
        if m in table:
            table[m] *= 100
    table["runs"] = g.size().values
    table["default"] = [defaults.get(s) == v for s, v in zip(table.setting, table.value)]
    if "silhouette" in table:
        base = {}
        for s in table.setting.unique():
            ref = table[(table.setting == s) & table.default]
            if ref.empty:
                raise ValueError(f"setting {s!r} has no run at its default value {defaults.get(s)!r}")
            base[s] = float(ref.silhouette.iloc[0])
        table["silhouette gain (%)"] = [100 * (v - base[s]) / abs(base[s]) for s, v in zip(table.setting, table.silhouette)]
    return table


def study_table(runs: pd.DataFrame, study: Mapping[str, Mapping], claims: Mapping[str, Mapping[str, str]],
                metrics: Iterable[str] = ("accuracy", "f1_macro", "precision_macro", "recall_macro", "ece"),
                ) -> pd.DataFrame:
    """A hyperparameter study's results: one row per ``study`` row (in its order) ×
    protocol, with the study's ``table``, our mean ``metrics`` in % over folds and seeds (ECE
    too, as paper B prints it), the run count, and "the paper reports: <metric>" for each
    metric ``claims`` (row → {metric: claim id}) names. ``runs`` holds a ``variant``
    column with the study's row labels."""
    metrics = list(metrics)
    unknown = sorted(set(runs["variant"]) - set(study))
    if unknown:
        raise KeyError(f"runs name variants {unknown} that the study does not have")
    g = runs.groupby(["variant", "protocol"], sort=False)
    table = (g[metrics].mean() * 100).reset_index()
    table["runs"] = g.size().values
    table = _in_order(table, "variant", list(study), ["protocol"], "study rows")
    table.insert(0, "table", [study[v]["table"] for v in table["variant"]])
    for m in sorted({m for c in claims.values() for m in c}, key=lambda m: metrics.index(m) if m in metrics else 99):
        table[f"the paper reports: {m}"] = claim_values([claims.get(v, {}).get(m, "") for v in table["variant"]])
    return table.reset_index(drop=True)


def study_best(table: pd.DataFrame, metric: str = "f1_macro") -> pd.DataFrame:
    """Per study table: the row the paper finds best by ``metric`` (its printed values) and the
    row that is best in ours under each protocol, with the scores; ``agrees`` says whether
    ours picks the paper's row."""
    paper_col = f"the paper reports: {metric}"
    rows = []
    for (name, protocol), t in table.groupby(["table", "protocol"], sort=False):
        ours = t.loc[t[metric].idxmax()]
        row = {"table": name, "protocol": protocol, "our best": ours["variant"], f"our {metric}": ours[metric]}
        if paper_col in t and t[paper_col].notna().any():
            paper = t.loc[t[paper_col].idxmax()]
            row.update({"paper's best": paper["variant"], f"paper's {metric}": paper[paper_col],
                        "agrees": ours["variant"] == paper["variant"]})
        rows.append(row)
    return pd.DataFrame(rows)


__all__ = [
    "BUDGET_FIELDS",
    "embedding_views",
    "TABLE2_METRICS",
    "published_column",
    "published_reference",
    "anchor_runs",
    "anchors_by_fold",
    "anchors_vs_published",
    "larger_budget",
    "budget_label",
    "budget_check",
    "claim_values",
    "beside_claims",
    "histories",
    "factor_gap",
    "headline_by_protocol",
    "leak_contributions",
    "ablation_table",
    "ablation_steps",
    "clustering_table",
    "ablation_drops",
    "separability",
    "ranks",
    "per_class_f1",
    "pooled_predictions",
    "class_distances",
    "tsne_points",
    "with_paper_values",
    "clustering_findings",
    "attention_by_class",
    "attention_claims",
    "sweep_table",
    "study_table",
    "study_best",
]
