"""Paper B (USAD: diffusion augmentation, multi-branch spatio-temporal attention, adaptive
composite loss): its training settings (Table 2's rows, the synthetic-ratio sweep,
App. C's loss study) and the tables its notebooks build (ablation steps, ranks, per-class
results beside Table 4, class distances, Table 5's embedded setting).

Notebooks: 20 (augmentation), 21 (architecture), 22 (loss), 23 (ablation), 24 (imbalance),
25 (comparison: WISDM), 26 (deployment), 27 (loss hyperparameters), 28 (comparison: PAMAP2,
all and half of the training data), 29 (Table 2's PAMAP2 column, Table 6's PAMAP2 and
OPPORTUNITY columns). The model is
:mod:`harlib.models.usad`, the augmenter :mod:`harlib.training.diffusion`, the loss
:class:`harlib.training.losses.AdaptiveCompositeLoss`."""
from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from ..deploy.efficiency import efficiency_report, fresh_process_memory_mb, latency_rounds
from ..training.augment import DEFAULT_AMOUNT
from ..training.profiles import Profile
from ..training.runs import RunStore
from .claims import claim_values, group_means, in_order


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


#: Table 2's metrics; its G-mean is undefined in the paper, so both readings stand side by
#: side: ``g_mean`` (geometric mean of recalls) and ``g_mean_ovr`` (per-class √(sensitivity ×
#: specificity), the reading that lets G-mean exceed accuracy as in the paper's rows)
TABLE2_METRICS = ("accuracy", "precision_macro", "recall_macro", "f1_macro", "g_mean", "g_mean_ovr",
                  "auc_ovr_macro")


def ablation_table(runs: pd.DataFrame, order: Iterable[str], claims: Mapping[str, Mapping],
                   paper_dataset: Mapping[str, str], metrics: Iterable[str] = TABLE2_METRICS,
                   dataset: str = "dataset", variant: str = "variant") -> pd.DataFrame:
    """Paper-style results table: one row per dataset × protocol × variant (in ``order``),
    our mean scores in % (over folds and seeds), and the paper's accuracy and F1 from
    ``claims`` (variant → paper dataset → {metric: claim id}); ``paper_dataset`` maps our
    ``dataset`` column's values to the paper's dataset each stands in for. ``variant`` names
    the column of the rows (e.g. ``"model"`` for a comparison of models). Where ``runs``
    has a ``test_overlap`` column, the mean fraction of test windows that overlap a training
    window comes beside the scores (it is what makes a random split paper-style)."""
    order, metrics = list(order), list(metrics)
    table = group_means(runs, [dataset, "protocol", variant], metrics)
    table[metrics] *= 100
    table = in_order(table, variant, order, [dataset, "protocol"], "variants")
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


#: Table 2's rows in the order they build USAD up (§4.4), each adding one part to the row before
BUILD_UP = ("Backbone Only", "Spatial and Temporal Attention", "ACL", "Data Augmentation")


def build_up_pairs(variants: Iterable[str]) -> list[tuple[str, str]]:
    """The steps of Table 2's build-up that ``variants`` hold both ends of: each row of
    :data:`BUILD_UP` against the row before it, then the whole build-up (first row → last)."""
    have = set(variants)
    steps = [*zip(BUILD_UP, BUILD_UP[1:]), (BUILD_UP[0], BUILD_UP[-1])]
    return [(a, b) for a, b in steps if a in have and b in have]


def build_up_steps(runs: pd.DataFrame, metrics: Iterable[str] = ("f1_macro",),
                   by: Iterable[str] = ("protocol",)) -> pd.DataFrame:
    """Table 2's build-up as paired differences: for each metric and each step of
    :func:`build_up_pairs` over ``runs``' ``variant`` column, the later row minus the earlier
    in points (:func:`harlib.evaluation.intervals.paired_comparisons`, paired by fold and
    seed within ``by``), with a ``metric`` column. Notebooks 23 and 29."""
    from ..evaluation.intervals import paired_comparisons
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    missing = sorted({"variant", *metrics, *by} - set(runs.columns))
    if missing:
        raise KeyError(f"build_up_steps: runs has no column {missing}; it takes a runs table of Table 2's rows")
    steps = build_up_pairs(runs["variant"].unique())
    if not steps:
        raise ValueError(f"build_up_steps: runs holds no two consecutive rows of {list(BUILD_UP)}; "
                         f"its variants are {sorted(runs['variant'].unique())}")
    return pd.concat([paired_comparisons(runs[runs.variant.isin([a, b])], "variant", a, metric, by=list(by),
                                         scale=100).assign(metric=metric)
                      for metric in metrics for a, b in steps], ignore_index=True)


def ranks(table: pd.DataFrame, metric: str, by: list[str], item: str) -> pd.DataFrame:
    """Rank (1 = best, ties share the better rank) of each ``item`` by ``metric`` within each
    group of ``by``: one row per item, one column per group."""
    t = table.copy()
    t["rank"] = t.groupby(by)[metric].rank(ascending=False, method="min").astype(int)
    t["group"] = t[by].astype(str).agg(" / ".join, axis=1)
    out = t.pivot(index=item, columns="group", values="rank")
    return out.loc[t[item].drop_duplicates()].reset_index()


#: the WISDM stand-in's classes for paper B's Table 4 classes (WISDM v1.1's six activities):
#: WISDM 2019 pools the two stair directions into one class; its sixth class, kicking, has
#: no counterpart in B
WISDM2019_FOR_TABLE4 = {"Walking": "walking", "Jogging": "jogging", "Upstairs": "stairs",
                        "Downstairs": "stairs", "Sitting": "sitting", "Standing": "standing"}


def per_class_table(runs: pd.DataFrame, class_names, claims: Mapping[str, Mapping[str, Mapping[str, str]]],
                    stand_in: Mapping[str, str], store: RunStore | None = None,
                    item: str = "model") -> pd.DataFrame:
    """Paper B's Table 4 beside ours: for each protocol in ``runs``, each ``item`` with
    claims and each of the paper's classes (``stand_in``: paper class → our class name), our
    recall and F1 of that class in % (test predictions pooled over folds and seeds) and the
    paper's "Acc." and F1 (``claims``: item → paper class → {"accuracy", "f1": claim id}).
    B does not define a class's "Acc."; it is read here as the class's recall (the share of
    its windows classified right), an assumption: its values, 77.2–99.8 %, are lower than a
    one-vs-rest accuracy of six classes at such F1 scores would be."""
    from sklearn.metrics import f1_score, recall_score
    names = list(class_names)
    missing = sorted({c for c in stand_in.values() if c not in names})
    if missing:
        raise ValueError(f"per_class_table: stand_in names classes {missing} that the data does not "
                         f"have (its classes: {names})")
    labels = list(range(len(names)))
    rows = []
    for protocol, part in runs.groupby("protocol", sort=False):
        part = part[part[item].astype(str).isin(claims)]
        for name, p in pooled_predictions(part, store, item).items():
            rec = recall_score(p["y_true"], p["y_pred"], labels=labels, average=None, zero_division=0)
            f1 = f1_score(p["y_true"], p["y_pred"], labels=labels, average=None, zero_division=0)
            for paper_class, ours in stand_in.items():
                ids = claims[name].get(paper_class, {})
                acc_id, f1_id = ids.get("accuracy", ""), ids.get("f1", "")
                paper_acc, paper_f1 = claim_values([acc_id, f1_id])
                i = names.index(ours)
                rows.append({"protocol": protocol, item: name, "class (paper)": paper_class,
                             "class (ours)": ours, "recall": 100 * rec[i], "f1": 100 * f1[i],
                             "the paper reports: accuracy": paper_acc, "the paper reports: f1": paper_f1,
                             "claim (accuracy)": acc_id, "claim (f1)": f1_id})
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
    as far as the spaces' scales do. Each entry of ``pooled`` must hold one embedding space
    (one run): embeddings of different runs are different spaces and are not pooled
    (:func:`class_distances_by_run`)."""
    from ..evaluation.metrics import class_distance_ratio, silhouette
    rows = []
    for name, p in pooled.items():
        if "embedding" not in p:
            continue
        d = class_distance_ratio(p["embedding"], p["y_true"])
        rows.append({"model": name, "intra": d["intra"], "inter": d["inter"],
                     "ratio (inter / intra)": d["inter"] / d["intra"],
                     "silhouette": silhouette(p["embedding"], p["y_true"])})
    return pd.DataFrame(rows)


#: the columns of :func:`class_distances` that :func:`distance_table` gives intervals for
DISTANCE_COLUMNS = ("intra", "inter", "ratio (inter / intra)", "silhouette")


def class_distances_by_run(runs: pd.DataFrame, store: RunStore | None = None,
                           item: str = "model") -> pd.DataFrame:
    """:func:`class_distances` of every run in ``runs`` (columns ``run_key``, ``item``,
    ``protocol``, ``fold``, ``seed``), each in its own run's embedding space: one row per run
    with a stored test embedding (runs without one, such as classical models, give none)."""
    missing = sorted({"run_key", item, "protocol", "fold", "seed"} - set(runs.columns))
    if missing:
        raise ValueError(f"class_distances_by_run: runs lacks the columns {missing}")
    store = store or RunStore()
    rows = []
    for r in runs.itertuples(index=False):
        d = class_distances({str(getattr(r, item)): store.load_predictions(r.run_key)})
        if len(d):
            rows.append(d.drop(columns="model").assign(**{item: str(getattr(r, item))}, protocol=r.protocol,
                                                       fold=r.fold, seed=r.seed, run_key=r.run_key))
    cols = [item, "protocol", "fold", "seed", "run_key", *DISTANCE_COLUMNS]
    return pd.concat(rows, ignore_index=True)[cols] if rows else pd.DataFrame(columns=cols)


def distance_table(by_run: pd.DataFrame, item: str = "model") -> pd.DataFrame:
    """Per protocol and ``item`` of :func:`class_distances_by_run`: the number of runs and
    the mean of each distance column over them, with the 95 % t-interval
    (:func:`harlib.evaluation.intervals.interval`) of the ratio and the silhouette."""
    from ..evaluation.intervals import interval
    rows = []
    for (protocol, name), g in by_run.groupby(["protocol", item], sort=False):
        row = {"protocol": protocol, item: name, "n": len(g)}
        for c in DISTANCE_COLUMNS:
            ci = interval(g[c])
            row[c] = ci.mean
            if c in ("ratio (inter / intra)", "silhouette"):
                row[f"{c}: 95 % CI low"], row[f"{c}: 95 % CI high"] = ci.low, ci.high
        rows.append(row)
    return pd.DataFrame(rows)


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


def study_table(runs: pd.DataFrame, study: Mapping[str, Mapping], claims: Mapping[str, Mapping[str, str]],
                metrics: Iterable[str] = ("accuracy", "f1_macro", "precision_macro", "recall_macro", "ece"),
                ) -> pd.DataFrame:
    """A hyperparameter study's results: one row per ``study`` row (in its order) ×
    protocol, with the study's ``table``, our mean ``metrics`` in % over folds and seeds (ECE
    too, as paper B prints it), the run count, the mean ``test overlap`` where the runs carry
    ``test_overlap``, and "the paper reports: <metric>" for each
    metric ``claims`` (row → {metric: claim id}) names. ``runs`` holds a ``variant``
    column with the study's row labels."""
    metrics = list(metrics)
    unknown = sorted(set(runs["variant"]) - set(study))
    if unknown:
        raise KeyError(f"runs name variants {unknown} that the study does not have")
    table = group_means(runs, ["variant", "protocol"], metrics)
    table[metrics] *= 100
    table = in_order(table, "variant", list(study), ["protocol"], "study rows")
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


def _table5_models(models):
    """``(name, setting, (channels, length, classes, sampling rate), model)`` for every
    model of ``models`` that paper B's Table 5 lists, built at each of its input shapes."""
    from ..models import create_model
    from .published import USAD_TABLE5, USAD_TABLE5_INPUT
    for m in [m for m in USAD_TABLE5 if m in models]:
        for setting, shape in USAD_TABLE5_INPUT.items():
            c, n, k, hz = shape["channels"], shape["length"], shape["classes"], shape["sampling_rate"]
            yield m, setting, (c, n, k, hz), create_model(m, c, k, n)


def table5_setting(models, repeats: int = 50, *, threads: int = 1,
                   memory_repeats: int = 100):
    """Paper B's Table 5 setting: every model of ``models`` that Table 5 lists
    (:data:`harlib.papers.published.USAD_TABLE5`), built at the two input shapes of
    :data:`harlib.papers.published.USAD_TABLE5_INPUT`, beside B's parameter count and memory.

    Columns: ``model``, ``setting`` ("wisdm (3 × 90)"), ``params``, ``paper_B_params``,
    ``params_ratio``, ``process_memory_mb`` (:func:`fresh_process_memory_mb`, peak RSS of a
    fresh process running ``memory_repeats`` single-window inferences), ``paper_B_memory_mb``,
    ``latency_median_ms`` (``repeats`` timed calls, ``threads`` threads), ``budget_ms`` and
    ``realtime_ok`` (paper B's 5 % rule)."""
    import pandas as pd

    from .published import USAD_TABLE5

    rows = []
    for m, setting, (c, n, k, hz), model in _table5_models(models):
        rep = efficiency_report(model, c, n, hz, threads=threads, warmup=max(2, repeats // 5),
                                repeats=repeats)
        b_memory, b_params = USAD_TABLE5[m][setting]
        rows.append({"model": m, "setting": f"{setting} ({c} × {n})", "params": rep["params"],
                     "paper_B_params": b_params, "params_ratio": rep["params"] / b_params,
                     "process_memory_mb": fresh_process_memory_mb(
                         m, c, k, n, repeats=memory_repeats, threads=threads),
                     "paper_B_memory_mb": b_memory,
                     "latency_median_ms": rep["latency_median_ms"],
                     "budget_ms": rep["budget_ms"], "realtime_ok": rep["realtime_ok"]})
    return pd.DataFrame(rows, columns=["model", "setting", "params", "paper_B_params",
                                       "params_ratio", "process_memory_mb", "paper_B_memory_mb",
                                       "latency_median_ms", "budget_ms", "realtime_ok"])


def table5_rounds(models, *, rounds: int = 10, per_round: int = 100, threads: int = 1,
                  fraction: float = 0.05):
    """:func:`latency_rounds` for every model of ``models`` that paper B's Table 5 lists, at
    both of its input shapes (:data:`harlib.papers.published.USAD_TABLE5_INPUT`): one row per model ×
    setting × round, with the real-time budget (``fraction`` of the window, B's 5 % rule) and
    whether the round's single-window latency is under it. This is B's Fig. 7."""
    import pandas as pd

    parts = []
    for m, setting, (c, n, k, hz), model in _table5_models(models):
        df = latency_rounds(model, c, n, rounds=rounds, per_round=per_round, threads=threads)
        budget = fraction * n / hz * 1000.0
        parts.append(df.assign(model=m, setting=f"{setting} ({c} × {n})", budget_ms=budget,
                               realtime_ok=df.single_ms < budget))
    cols = ["model", "setting", "round", "single_ms", "consecutive_ms", "budget_ms", "realtime_ok"]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)


#: synthetic labels of the "Data Augmentation" row: ``"uniform"`` draws them evenly over the
#: classes (paper B's eq. 13, class-balanced sampling), ``"proportional"`` in proportion to
#: the classes' training windows (the setting of the runs committed before eq. 13 was followed)
SYNTHETIC_LABELS = ("uniform", "proportional")


def synthetic_amount(ratio: float, synthetic_labels: str) -> dict | float:
    """The augmenter's ``amount`` for ``ratio`` synthetic windows per real training window,
    their labels drawn as ``synthetic_labels`` says (:data:`SYNTHETIC_LABELS`). The
    proportional amount is the bare number, as the earlier runs spelled it, so their keys
    still hold."""
    return {"ratio": float(ratio), "labels": "uniform"} if synthetic_labels == "uniform" else float(ratio)


def usad_ablation(profile: Profile, *, class_weighted: bool = False,
                  synthetic_labels: str = "uniform") -> dict[str, dict]:
    """Paper B's Table 2 rows (§4.1) as ``{"model_kwargs", "config"}`` per row, cumulative
    as in the paper: the backbone, each attention, both, the adaptive composite loss (ACL),
    the three fixed weightings (on the network with both attentions) and, last, USAD
    itself — ACL plus pre-training on diffusion-synthesised windows and fine-tuning on real
    ones (eq. 17–18).

    **Assumed** where B is silent: the rows before "ACL" train with plain cross-entropy;
    the augmenter synthesises one window per real training window (``amount`` 1.0; B gives
    no ratio) for ``profile.augment_epochs`` denoiser epochs (and the profile's
    ``augment_sample_steps`` and ``augment_fit_windows`` where it sets them), and the
    classifier pre-trains
    on them for ``profile.pretrain_epochs`` epochs. The loss rows use the same settings as
    notebook 22, so the two notebooks share those runs.

    Paper B's settings are the defaults: unweighted losses (``class_weighted=False``; B
    weights no loss by class frequency) and synthetic labels drawn evenly over the classes
    (``synthetic_labels="uniform"``, eq. 13: one synthetic window per real training window
    in all, the same number for every class). ``class_weighted=True`` with
    ``synthetic_labels="proportional"`` gives inverse class-frequency weights and synthetic
    labels in proportion to class size, the setting of earlier committed runs (no notebook
    trains it now).
    """
    if not isinstance(class_weighted, bool):
        raise TypeError(f"usad_ablation: class_weighted must be True or False, got {class_weighted!r}")
    if synthetic_labels not in SYNTHETIC_LABELS:
        raise ValueError(f"usad_ablation: synthetic_labels must be one of {SYNTHETIC_LABELS}, "
                         f"got {synthetic_labels!r}")
    composite = "adaptive_composite"
    both: dict = {}
    amount = synthetic_amount(1.0, synthetic_labels)
    steps = {} if profile.augment_sample_steps is None else {"sample_steps": profile.augment_sample_steps}
    if profile.augment_fit_windows is not None:      # a sample of the training windows (smoke)
        steps["fit_windows"] = profile.augment_fit_windows
    rows = {
        "Backbone Only": {"model_kwargs": {"spatial_attention": False, "temporal_attention": False},
                          "config": {"loss": "cross_entropy"}},
        "Spatial Attention": {"model_kwargs": {"temporal_attention": False},
                              "config": {"loss": "cross_entropy"}},
        "Temporal Attention": {"model_kwargs": {"spatial_attention": False},
                               "config": {"loss": "cross_entropy"}},
        "Spatial and Temporal Attention": {"model_kwargs": both, "config": {"loss": "cross_entropy"}},
        "ACL": {"model_kwargs": both, "config": {"loss": composite}},
        "Compound Loss": {"model_kwargs": both, "config": {
            "loss": composite, "loss_kwargs": {"weights": [1, 1, 1], "step": 0.0}}},
        "Combinations 1": {"model_kwargs": both, "config": {
            "loss": composite, "loss_kwargs": {"weights": [0.3, 0.4, 0.3], "step": 0.0}}},
        "Combinations 2": {"model_kwargs": both, "config": {
            "loss": composite, "loss_kwargs": {"weights": [0.15, 0.7, 0.15], "step": 0.0}}},
        "Data Augmentation": {"model_kwargs": both, "config": {
            "loss": composite, "trainer": "pretrain_finetune", "augment": "diffusion",
            "augment_kwargs": {"amount": amount, "epochs": profile.augment_epochs, **steps},
            "pretrain_epochs": profile.pretrain_epochs}},
    }
    for row in rows.values():
        row["config"]["class_weighted"] = class_weighted
    return rows


def pretrain_cnn_rows(profile: Profile, **settings) -> dict[str, dict]:
    """Paper B's §3.1.3 classifier (:mod:`harlib.models.sf_cnn`) in Table 2's "Data
    Augmentation" setting: the same diffusion pre-training and fine-tuning, loss and
    settings (``settings``: :func:`usad_ablation`'s), with the network of §3.1.3 in place of
    USAD, reading the raw signal with its eq. 16 statistics channels and without them. Each
    row is ``{"model", "model_kwargs", "config"}``; the augmentation runs are USAD's own (the
    augmenter's key does not depend on the classifier), so only the classifiers train.

    Notebook 23."""
    da = usad_ablation(profile, **settings)["Data Augmentation"]
    return {"§3.1.3 CNN, raw + statistics (eq. 16)": {"model": "sf_cnn", "model_kwargs": {"features": True},
                                                      "config": da["config"]},
            "§3.1.3 CNN, raw only": {"model": "sf_cnn", "model_kwargs": {"features": False},
                                     "config": da["config"]}}


def comparison_config(profile: Profile, ws, share: float, every_window: bool, **config):
    """The training configuration of Table 3's and Table 6's runs (notebooks 24, 25, 28 and
    29; :func:`run_against_baselines` builds it for the last three) for one model (``config``: its
    :class:`~harlib.training.train.TrainConfig` fields, e.g. a Table 2 row's) on ``ws``. Both
    layouts run the protocols of :func:`harlib.papers.protocols.compared` (as many random
    splits as subject-group folds); they differ in the training windows. The notebooks draw
    on every window; the cap is the layout that notebook 25 used for the PAMAP2 stand-in
    before notebook 28 replaced it (notebook 90's committed B2 rows).

    ``every_window=True`` draws each epoch's windows from every training window
    (:func:`harlib.papers.protocols.alike`), or from a class-stratified ``share`` of them
    (``TrainConfig.train_share``, drawn once per run): B's PAMAP2 (50 %) column is
    ``share=0.5``. ``False`` caps the training windows at ``share`` of the profile's
    ``grid_train_windows`` (all of them where the profile sets no cap), at least 2. The cap
    keeps few of the training windows that overlap a test window of a random split, so its
    paper-style numbers are not the paper-style protocol's; the run tables give the overlap."""
    from ..training.train import TrainConfig
    from . import protocols
    if not isinstance(every_window, bool):
        raise TypeError(f"comparison_config: every_window must be True or False, got {every_window!r}")
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
        raise ValueError(f"comparison_config: share must be a number in (0, 1], got {share!r}")
    if every_window:
        extra = {} if share == 1 else {"train_share": float(share)}
        return protocols.alike(TrainConfig.from_profile(profile, **extra, **config), profile)
    cap = max(2, int(round(share * (profile.grid_train_windows or len(ws)))))
    return TrainConfig.from_profile(profile, max_train_windows=cap, **config)


def per_epoch_augmenter(config: dict, profile: Profile) -> dict:
    """``config`` (the :class:`~harlib.training.train.TrainConfig` fields of a row with a
    diffusion stage, e.g. :func:`usad_ablation`'s "Data Augmentation") with the augmenter
    budgeted the way :func:`harlib.papers.protocols.alike` budgets the classifiers: by cost,
    not by dropping windows. The denoiser fits on every training window, each of its epochs
    on ``grid_train_windows`` of them drawn afresh (``epoch_windows``), and it samples at most
    the synthetic windows that pre-training can draw (``pretrain_epochs`` × that many,
    ``amount["at_most"]``). A profile without a window cap (``paper``) keeps ``config``.

    Why: on DSADS, fitting every one of a fold's 32,466 training windows for every epoch and
    sampling one synthetic window per real one costs about fifteen times as much
    (``tables/bench_diffusion_cost.md``, from ``benchmarks/diffusion_cost.py``), and the
    pre-training of the standard profile draws 5 × 1,000 synthetic windows.
    **Assumed**: B states neither the denoiser's epochs nor how many of its windows
    pre-training sees. Notebook 28."""
    if config.get("augment") != "diffusion":
        raise ValueError(f"per_epoch_augmenter: config has no diffusion stage (augment={config.get('augment')!r})")
    if profile.grid_train_windows is None:
        return config
    kwargs = dict(config.get("augment_kwargs", {}))
    amount = kwargs.get("amount", DEFAULT_AMOUNT)     # what the augmentation stage would draw
    if amount == "balance":
        raise ValueError("per_epoch_augmenter: amount 'balance' tops classes up; it has no ratio to cap")
    if not isinstance(amount, dict):
        amount = {"ratio": float(amount), "labels": "proportional"}
    windows = int(profile.grid_train_windows)
    kwargs["amount"] = {**amount, "at_most": int(config.get("pretrain_epochs", profile.pretrain_epochs)) * windows}
    kwargs["epoch_windows"] = windows
    return {**config, "augment_kwargs": kwargs}


#: synthetic:real ratios of :func:`usad_ratio_sweep`: a quarter, B's one (notebook 23), and
#: the 1:4 real:synthetic blend that paper B cites as best for diffusion augmentation (B4)
SYNTHETIC_RATIOS = (0.25, 1.0, 4.0)


def column_config(profile: Profile, ws, config: dict, budget_augmenter: bool):
    """Notebook 29's training configuration for one model or Table 2 row (``config``: its
    :class:`~harlib.training.train.TrainConfig` fields) on a stand-in column, the way the
    notebook that holds that stand-in's other runs trains it, so that the runs they share
    are found again in the run store: every training window drawn on
    (:func:`comparison_config` with all of them) and, where ``budget_augmenter`` is set and
    the row has a diffusion stage, that stage budgeted by cost (:func:`per_epoch_augmenter`,
    notebook 28's DSADS runs). Without it the diffusion stage runs as in notebooks 23 and 24
    (HAPT, WISDM 2019)."""
    if not isinstance(budget_augmenter, bool):
        raise TypeError(f"column_config: budget_augmenter must be True or False, got {budget_augmenter!r}")
    if budget_augmenter and config.get("augment") == "diffusion":
        config = per_epoch_augmenter(config, profile)
    return comparison_config(profile, ws, 1.0, True, **config)


def run_against_baselines(profile: Profile, ws, baselines: Iterable[str], *, share: float = 1.0,
                          budget_augmenter: bool = False, store: RunStore | None = None, log=print,
                          **labels) -> pd.DataFrame:
    """Tables 3 and 6's runs on one stand-in: each of ``baselines`` as notebook 02 trains it
    (cross-entropy, the profile's epochs, nothing else set) and USAD as Table 2's last row
    with paper B's settings (:func:`usad_ablation`), under both protocols on the same folds
    (:func:`harlib.papers.protocols.run_compared`), each epoch drawn from every training
    window or from a class-stratified ``share`` of them (:func:`comparison_config`).
    ``budget_augmenter`` budgets USAD's diffusion stage by cost (:func:`per_epoch_augmenter`,
    as notebooks 28 and 29 train DSADS); without it the stage runs as in notebooks 23–25.

    One row per run, the baselines' first, then USAD's, each labelled with ``labels``. Run
    keys are those the notebooks' own loops gave, so stored runs are found again.
    Notebooks 24, 25, 28 and 29."""
    from . import protocols
    if isinstance(baselines, str) or not all(isinstance(m, str) for m in baselines):
        raise TypeError(f"run_against_baselines: baselines must be a list of model names, got {baselines!r}")
    baselines = list(baselines)
    if "usad" in baselines:
        raise ValueError("run_against_baselines: baselines names 'usad'; USAD is trained with Table 2's settings "
                         "after the baselines, so leave it out")
    if not isinstance(budget_augmenter, bool):
        raise TypeError(f"run_against_baselines: budget_augmenter must be True or False, got {budget_augmenter!r}")
    full = usad_ablation(profile)["Data Augmentation"]
    usad_config = per_epoch_augmenter(full["config"], profile) if budget_augmenter else full["config"]
    trained = [(baselines, {})] if baselines else []
    trained.append(({"usad": full["model_kwargs"]}, usad_config))
    return pd.concat([protocols.run_compared(profile, ws, models, comparison_config(profile, ws, share, True, **config),
                                             store=store, log=log, **labels)
                      for models, config in trained], ignore_index=True)


def usad_ratio_sweep(profile: Profile, ratios=SYNTHETIC_RATIOS, *, class_weighted: bool = False,
                     synthetic_labels: str = "uniform") -> dict[str, dict]:
    """USAD with diffusion pre-training at several synthetic:real ratios (the augmenter's
    ``amount``: synthetic windows per real training window), beside the same network and
    loss without augmentation (Table 2's "ACL" row, ratio 0). Every other setting is
    :func:`usad_ablation`'s "Data Augmentation" row with the same ``class_weighted`` and
    ``synthetic_labels``, so ratio 1 is that row's run."""
    rows = usad_ablation(profile, class_weighted=class_weighted, synthetic_labels=synthetic_labels)
    da = rows["Data Augmentation"]
    sweep = {"0 (no augmentation)": rows["ACL"]}
    for r in ratios:
        amount = synthetic_amount(r, synthetic_labels)
        config = {**da["config"], "augment_kwargs": {**da["config"]["augment_kwargs"], "amount": amount}}
        sweep[f"{r:g}"] = {"model_kwargs": da["model_kwargs"], "config": config}
    return sweep


#: App. C's per-loss optima from its first stage (C.1, "Table 9"): the settings the composite
#: loss starts from in C.2 and keeps for the two losses not being varied in C.3
APPC_OPTIMA = {"label_smoothing": 0.05, "gamma": 1.0, "alpha": 0.25, "beta": 0.9}


APPC_TERMS = ("label_smoothing", "focal", "class_balanced")


#: App. C's rows whose loss acts on class imbalance, C.1's class-balanced β and focal α (at
#: γ = 1), with plain cross-entropy (ε = 0) as their reference: the rows to run on an
#: imbalanced stand-in (HAPT), since on a balanced one the class-balanced weights are equal
#: for every β
APPC_IMBALANCE_ROWS = ("label smoothing ε=0", "focal γ=1 α=0.25", "focal γ=1 α=0.5", "focal γ=1 α=0.75",
                       "CB β=0.9", "CB β=0.99", "CB β=0.999")


def loss_study_rows(rows: Iterable[str]) -> dict[str, dict]:
    """The rows ``rows`` (labels of :func:`usad_loss_study`) of App. C's study, in the given
    order; an unknown label raises a ``KeyError`` that lists the study's labels."""
    study = usad_loss_study()
    rows = list(rows)
    unknown = [r for r in rows if r not in study]
    if unknown:
        raise KeyError(f"loss_study_rows: App. C's study has no row(s) {unknown}; its rows are {list(study)}")
    return {r: study[r] for r in rows}


def usad_loss_study() -> dict[str, dict]:
    """Paper B's App. C (PAMAP2) as ``{"table", "config"}`` per row, in the paper's order:
    each basic loss alone (C.1, which the text calls Table 9), the composite loss's weights,
    temperature and bounds (C.2, Table 10), and each basic loss's setting again inside the
    composite (C.3, the interleaved tables 11–13). Row labels are the keys of
    :data:`harlib.papers.published.USAD_APPC`.

    **Assumed** where B is silent: App. C's composite is label smoothing + focal +
    class-balanced loss (the three losses C.1 tunes; Table 13's "F-beta loss" has the CB β
    values), with its weights in that order; it starts from C.1's optima
    (:data:`APPC_OPTIMA`), and in each interleaved table the two losses not varied stay at
    those optima. Under that reading, Table 10's first row and the optimum rows of Tables
    11–13 are one configuration (one run here); the paper prints four different results
    for them. The composite's temperature is read as in
    :class:`~harlib.training.losses.AdaptiveCompositeLoss`. Every row trains unweighted
    (``class_weighted=False``), so each loss does its own balancing.
    """
    ls = {"label_smoothing": APPC_OPTIMA["label_smoothing"]}
    focal = {"gamma": APPC_OPTIMA["gamma"], "alpha": APPC_OPTIMA["alpha"]}
    composite = {"terms": list(APPC_TERMS), "weights": [0.33, 0.33, 0.34], "temperature": 1.0,
                 "min_weight": 0.1, "max_weight": 0.8, **ls, **focal, "beta": APPC_OPTIMA["beta"]}

    def row(table, loss, **kwargs):
        return {"table": table, "config": {"loss": loss, "loss_kwargs": kwargs, "class_weighted": False}}

    # each table's values, the same in C.1 and C.3
    smoothing = (0.0, 0.05, 0.1, 0.2)
    focal_pairs = ((1, 0.25), (2, 0.25), (3, 0.25), (1, 0.5), (1, 0.75))
    betas = (0.9, 0.99, 0.999)
    study = {}
    for e in smoothing:
        study[f"label smoothing ε={e:g}"] = row("C.1 label smoothing", "cross_entropy", label_smoothing=e)
    for g, a in focal_pairs:
        study[f"focal γ={g} α={a:g}"] = row("C.1 focal", "focal", gamma=float(g), alpha=a)
    for b in betas:
        study[f"CB β={b:g}"] = row("C.1 class-balanced", "class_balanced", beta=b)
    c2 = {"weights [0.33, 0.33, 0.34]": {}, "weights [0.6, 0.2, 0.2]": {"weights": [0.6, 0.2, 0.2]},
          "weights [0.2, 0.6, 0.2]": {"weights": [0.2, 0.6, 0.2]},
          "temperature 0.5": {"temperature": 0.5}, "temperature 2": {"temperature": 2.0},
          "bounds [0.3, 0.6]": {"min_weight": 0.3, "max_weight": 0.6},
          "bounds [0.05, 0.9]": {"min_weight": 0.05, "max_weight": 0.9}}
    for label, change in c2.items():
        study[label] = row("C.2 composite (Table 10)", "adaptive_composite", **{**composite, **change})
    for e in smoothing:
        study[f"composite, ε={e:g}"] = row("C.3 composite: label smoothing", "adaptive_composite",
                                            **{**composite, "label_smoothing": e})
    for g, a in focal_pairs:
        study[f"composite, γ={g} α={a:g}"] = row("C.3 composite: focal (Table 12)", "adaptive_composite",
                                                  **{**composite, "gamma": float(g), "alpha": a})
    for b in betas:
        study[f"composite, β={b:g}"] = row("C.3 composite: class-balanced (Table 13)", "adaptive_composite",
                                            **{**composite, "beta": b})
    return study
