"""Paper A (memory-augmented LSTM autoencoder, unsupervised HAR): the tables its notebooks
build from runs — clustering accuracy beside the claims, how well embeddings separate the
classes, a Gaussian mixture and a linear probe as second readings, the hyperparameter
sweep.

Notebooks: 10 (the method), 11 (results), 12 (segmentation: inter-class windows), 13
(hyperparameters), 14 (ablation). The model is :mod:`harlib.models.memae`; its trainer is
:mod:`harlib.training.trainers.unsupervised`."""
from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from ..data.windows import WindowSet
from ..training.profiles import Profile
from ..training.runs import RunStore
from ..training.train import TrainConfig
from .claims import in_order

#: Paper A's two protocols (the abstract states none; both are our choice): the windows split
#: at random 70/30 ("paper-style"), and three subject groups ("subject-independent"), each
#: fold's test subjects clustered **together**, as one pooled test set. One subject at a
#: time is easier (its clusters need only separate activities, not people too);
#: :func:`embedding_views` gives that reading beside, labelled per-subject. Notebooks 11 and
#: 14 run both alike (:func:`compared`); notebook 13 runs the three groups only, on a capped
#: sample of training windows. Notebook 12 (HAPT, 30 subjects) runs the two
#: protocols of :mod:`harlib.papers.protocols` instead: ten groups of three subjects, pooled
#: too, beside as many random splits, both on every training window.
PROTOCOLS = {"random_windows": {"test_fraction": 0.3}, "subject_groups": {"n_groups": 3}}


def compared(profile: Profile, ws: WindowSet) -> dict[str, dict]:
    """Paper A's two protocols (:data:`PROTOCOLS`) as :func:`harlib.papers.protocols.compared`
    runs them side by side (notebook 11): the three subject groups, pooled, and as many
    independent 70/30 random splits as the profile runs subject-group folds. Protocol name →
    the keyword arguments of :func:`harlib.training.experiment.run_grid`. With a config from
    :func:`harlib.papers.protocols.alike`, both draw each epoch from every training window."""
    from . import protocols
    return protocols.compared(profile, ws, test_fraction=PROTOCOLS["random_windows"]["test_fraction"],
                              n_groups=PROTOCOLS["subject_groups"]["n_groups"])


def protocol_kwargs(ws: WindowSet, protocol: str) -> dict:
    """The arguments of ``protocol`` (a key of :data:`PROTOCOLS`) for ``ws``: at most as many
    subject groups as ``ws`` has subjects."""
    if protocol not in PROTOCOLS:
        raise KeyError(f"unknown protocol {protocol!r}; paper A's setting has {list(PROTOCOLS)}")
    kw = dict(PROTOCOLS[protocol])
    if "n_groups" in kw:
        kw["n_groups"] = min(kw["n_groups"], len(set(ws.subject)))
    return kw


def unsupervised_config(profile: Profile, loss: str = "reconstruction_memory", **overrides) -> TrainConfig:
    """Paper A's training and scoring under ``profile``, the one setting notebooks 11–14 share
    (so they share runs): the ``unsupervised`` trainer with ``loss`` (the memory autoencoder's
    reconstruction + entropy loss), at most the profile's ``grid_train_windows`` training
    windows, the profile's layer-wise pre-training epochs, and k-means with one cluster per
    class to score. ``overrides`` win (e.g. ``pretrain_epochs=0`` for the plain LSTM
    autoencoder, which has no layers to pre-train)."""
    return TrainConfig.from_profile(profile, **{
        "max_train_windows": profile.grid_train_windows, "trainer": "unsupervised", "loss": loss,
        "pretrain_epochs": profile.pretrain_epochs, "trainer_kwargs": {"clusterer": "kmeans"},
        **overrides})


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
    table = in_order(table, "model", order, ["dataset", "protocol"], "models")
    table["the paper reports: accuracy"] = [
        ", ".join(f"{PAPER_CLAIMS[c]['value']:g} ({c})" for c in claims.get(d, []))
        if m == model else "" for d, m in zip(table.dataset, table.model)]
    return table.reset_index(drop=True)


def separability(runs: pd.DataFrame, store: RunStore | None = None) -> pd.DataFrame:
    """Per run of a run table: how well its test embeddings separate the true classes —
    silhouette (Euclidean, true labels) and paper B's Table 6 intra/inter-class distance
    ratio (lower: more separable). Runs without stored embeddings get NaN."""
    from ..evaluation.metrics import class_distance_ratio, silhouette
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
    k-means scores), and a linear probe (:func:`harlib.evaluation.metrics.linear_probe`) fitted on the
    embeddings of at most ``probe_windows`` training windows (stratified sample), scored on
    the test windows. The probe is the one place labels enter, after training.

    ``runs``: rows with ``run_key``, ``dataset``, ``protocol`` and ``fold``; ``splits``:
    ``(dataset, protocol)`` → (the window set the runs trained on, its splits). The window
    settings, the windows and the fold's split are checked against each run's record, so a
    run is never read with another window set or split. The mixture has as many components
    as the run's own clustering had clusters. ``per_subject_accuracy``: k-means run on each
    test subject's embeddings alone (:func:`subject_clustering_accuracy`), the easier reading
    the pooled headline is not."""
    from ..evaluation.clustering import cluster
    from ..evaluation.metrics import clustering_report, linear_probe
    from ..models.inference import predict_outputs
    from ..training.engine import stratified_subsample
    from ..training.trainers.base import run_spec
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
        per_subject = subject_clustering_accuracy(Z, y, ws.subject[pred["test_index"]], k, seed)
        train = stratified_subsample(fold.train, ws.y, probe_windows, seed)
        Z_train = predict_outputs(run.load_model(), run.standardizer().transform(ws.X[train]),
                                  precision=run.record["train"].get("precision", "fp32"),
                                  keys=("embedding",))["embedding"]
        rows.append({"run_key": r.run_key, "per_subject_accuracy": per_subject,
                     "gmm_accuracy": gmm["cluster_accuracy"], "gmm_nmi": gmm["nmi"],
                     "gmm_ari": gmm["ari"], **linear_probe(Z_train, ws.y[train], Z, y, seed)})
    return runs.merge(pd.DataFrame(rows), on="run_key", how="left")


def subject_clustering_accuracy(Z: np.ndarray, y: np.ndarray, subject: np.ndarray, k: int,
                                seed: int) -> float:
    """Accuracy when each test subject's windows are clustered on their own (k-means with
    ``k`` clusters, or fewer for a subject with fewer windows; Hungarian-matched per
    subject), pooled over the subjects' windows."""
    from ..evaluation.clustering import cluster
    from ..evaluation.metrics import match_clusters
    Z, y, subject = np.asarray(Z), np.asarray(y), np.asarray(subject)
    if not (len(Z) == len(y) == len(subject)):
        raise ValueError(f"one label and subject per embedding needed; got {len(Z)}, {len(y)}, {len(subject)}")
    correct = 0
    for s in np.unique(subject):
        sel = subject == s
        clusters = cluster(Z[sel], min(k, int(sel.sum())), "kmeans", seed)
        mapping = match_clusters(y[sel], clusters)
        correct += int(sum(mapping.get(int(c), -1) == t for c, t in zip(clusters, y[sel])))
    return correct / max(1, len(y))


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
