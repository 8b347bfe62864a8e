"""Evaluation metrics for classification, clustering (paper A) and embeddings (papers B, C).

Where scikit-learn already computes a metric it is used; the rest (G-mean, expected
calibration error, Hungarian clustering accuracy, class-distance ratio) are implemented here
and tested against direct computations.
"""
from __future__ import annotations

import warnings

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn import metrics as skm


def _check(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(f"y_true and y_pred must be 1-D of equal length, got {y_true.shape} "
                         f"and {y_pred.shape}")
    return y_true, y_pred


def g_mean(y_true, y_pred, labels=None) -> float:
    """Geometric mean of the per-class recalls (0 if any class is never recalled); harlib's
    ``g_mean``. Paper B's reading is :func:`g_mean_ovr` (``g_mean_ovr`` beside it)."""
    y_true, y_pred = _check(y_true, y_pred)
    labels = np.unique(y_true) if labels is None else np.asarray(labels)
    recalls = skm.recall_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    return float(np.prod(recalls) ** (1 / len(recalls))) if len(recalls) else 0.0


def g_mean_ovr(y_true, y_pred, labels=None) -> float:
    """The one-vs-rest G-mean: per class, √(sensitivity × specificity) with the class against
    all others, averaged over the classes (macro). The imbalanced-learning literature's
    binary G-mean extended class by class; a reading of paper B's G-mean (Table 2, whose
    G-mean exceeds its accuracy in 26 of 27 rows, which :func:`g_mean` — the geometric mean
    of the recalls, never above their arithmetic mean — cannot give; the paper does not
    define it). Specificity is high for every class of a many-class problem, so this is
    usually above the accuracy, as in the paper."""
    y_true, y_pred = _check(y_true, y_pred)
    labels = np.unique(y_true) if labels is None else np.asarray(labels)
    if not len(labels):
        return 0.0
    scores = []
    for c in labels:
        pos, hit = y_true == c, y_pred == c
        sens = (pos & hit).sum() / max(1, pos.sum())
        spec = (~pos & ~hit).sum() / max(1, (~pos).sum())
        scores.append(np.sqrt(sens * spec))
    return float(np.mean(scores))


def expected_calibration_error(y_true, proba, n_bins: int = 15) -> float:
    """ECE (Guo et al. 2017): Σ_b |B_b|/n · |acc(B_b) − conf(B_b)| over equal-width
    confidence bins of the top-class probability."""
    y_true, proba = np.asarray(y_true), np.asarray(proba)
    if proba.ndim != 2 or len(proba) != len(y_true):
        raise ValueError(f"proba must be (n, classes) with n={len(y_true)}, got {proba.shape}")
    conf, pred = proba.max(axis=1), proba.argmax(axis=1)
    correct = (pred == y_true).astype(float)
    bins = np.clip(np.ceil(conf * n_bins).astype(int) - 1, 0, n_bins - 1)
    ece = 0.0
    for b in range(n_bins):
        m = bins == b
        if m.any():
            ece += m.mean() * abs(correct[m].mean() - conf[m].mean())
    return float(ece)


def classification_report(y_true, y_pred, proba=None) -> dict:
    """Accuracy, macro/weighted precision-recall-F1, balanced accuracy, two G-means
    (:func:`g_mean`, :func:`g_mean_ovr`) and — with
    probabilities ``(n, classes)`` — one-vs-rest macro AUC and ECE. Averages run over the
    classes present in ``y_true``."""
    y_true, y_pred = _check(y_true, y_pred)
    present = np.unique(y_true)
    with warnings.catch_warnings():
        # A test group may lack a class the model predicts (HAPT's rare transitions): the
        # average is then over the classes present, as documented, which is what sklearn does.
        warnings.filterwarnings("ignore", "y_pred contains classes not in y_true")
        balanced = skm.balanced_accuracy_score(y_true, y_pred)
    out = {"accuracy": skm.accuracy_score(y_true, y_pred), "balanced_accuracy": balanced}
    for avg in ("macro", "weighted"):
        p, r, f, _ = skm.precision_recall_fscore_support(y_true, y_pred, labels=present,
                                                         average=avg, zero_division=0)
        out.update({f"precision_{avg}": p, f"recall_{avg}": r, f"f1_{avg}": f})
    out["g_mean"] = g_mean(y_true, y_pred, present)
    out["g_mean_ovr"] = g_mean_ovr(y_true, y_pred, present)
    if proba is not None:
        proba = np.asarray(proba)
        out["ece"] = expected_calibration_error(y_true, proba)
        if len(present) > 1:
            p = proba[:, present] / np.clip(proba[:, present].sum(1, keepdims=True), 1e-12, None)
            out["auc_ovr_macro"] = (skm.roc_auc_score(y_true, p, multi_class="ovr",
                                                      labels=present, average="macro")
                                    if len(present) > 2 else skm.roc_auc_score(y_true, p[:, 1]))
    out = {k: float(v) for k, v in out.items()}
    out["n"] = int(len(y_true))
    return out


def confusion_matrix(y_true, y_pred, n_classes: int, normalize: str | None = None) -> np.ndarray:
    return skm.confusion_matrix(y_true, y_pred, labels=np.arange(n_classes), normalize=normalize)


# ---- clustering (paper A: unsupervised HAR) ---------------------------------
def match_clusters(y_true, clusters) -> dict[int, int]:
    """The best one-to-one matching of cluster ids to class labels (Hungarian, on the
    contingency table); clusters left unmatched (more clusters than classes) are absent."""
    y_true, clusters = _check(y_true, clusters)
    classes, t = np.unique(y_true, return_inverse=True)
    cl, c = np.unique(clusters, return_inverse=True)
    table = np.zeros((len(cl), len(classes)), dtype=np.int64)
    np.add.at(table, (c, t), 1)
    rows, cols = linear_sum_assignment(-table)
    return {int(cl[r]): int(classes[k]) for r, k in zip(rows, cols)}


def clustering_accuracy(y_true, clusters) -> float:
    """Accuracy after the best one-to-one matching of clusters to classes (Hungarian)."""
    y_true, clusters = _check(y_true, clusters)
    mapping = match_clusters(y_true, clusters)
    pred = np.array([mapping.get(int(c), -1) for c in clusters])
    return float((pred == y_true).mean())


def clustering_report(y_true, clusters) -> dict:
    return {"cluster_accuracy": clustering_accuracy(y_true, clusters),
            "nmi": float(skm.normalized_mutual_info_score(y_true, clusters)),
            "ari": float(skm.adjusted_rand_score(y_true, clusters))}


#: the linear probe's solver tolerance and iteration cap (see :func:`linear_probe`)
PROBE_TOL = 1e-8
PROBE_MAX_ITER = 20000


def linear_probe(Z_train, y_train, Z_test, y_test, seed: int = 0) -> dict:
    """A labelled view of label-free embeddings: multinomial logistic regression fitted on
    the training embeddings (standardised on them) and scored on the test embeddings, as
    ``probe_accuracy`` and ``probe_f1_macro``.

    The fit runs to a tight tolerance (:data:`PROBE_TOL`): the L2-regularised problem has one
    optimum, and stopping near it at scikit-learn's default tolerance (1e-4) left the
    predictions depending on rounding: embeddings computed with one or two torch threads
    (differing by 5e-7) flipped 20 of 17,043 test predictions of a notebook 11 run, and BLAS
    kernels of another CPU level flipped others. At 1e-8 none flipped."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    Z_train, Z_test = np.asarray(Z_train, np.float64), np.asarray(Z_test, np.float64)
    if Z_train.ndim != 2 or Z_test.ndim != 2 or Z_train.shape[1] != Z_test.shape[1]:
        raise ValueError(f"embeddings must be (windows, dim) of one dim, got {Z_train.shape} and {Z_test.shape}")
    if len(Z_train) != len(y_train) or len(Z_test) != len(y_test):
        raise ValueError(f"one label per embedding: {len(Z_train)} vs {len(y_train)}, "
                         f"{len(Z_test)} vs {len(y_test)}")
    if len(np.unique(y_train)) < 2:
        raise ValueError("a linear probe needs at least two classes in its training labels")
    scaler = StandardScaler().fit(Z_train)
    clf = LogisticRegression(max_iter=PROBE_MAX_ITER, tol=PROBE_TOL, random_state=seed).fit(
        scaler.transform(Z_train), y_train)
    pred = clf.predict(scaler.transform(Z_test))
    return {"probe_accuracy": float(skm.accuracy_score(y_test, pred)),
            "probe_f1_macro": float(skm.f1_score(y_test, pred, average="macro", zero_division=0))}


# ---- embeddings (papers B App. B and C) --------------------------------------
def class_distance_ratio(Z, y) -> dict:
    """Mean intra-class distance (samples to their class centroid), mean inter-class distance
    (between class centroids) and their ratio — lower ratio = more separable."""
    Z, y = np.asarray(Z, dtype=np.float64), np.asarray(y)
    classes = np.unique(y)
    if len(classes) < 2:
        raise ValueError("class_distance_ratio needs at least two classes")
    cents = np.stack([Z[y == c].mean(0) for c in classes])
    intra = np.mean([np.linalg.norm(Z[y == c] - cents[i], axis=1).mean()
                     for i, c in enumerate(classes)])
    d = np.linalg.norm(cents[:, None] - cents[None], axis=-1)
    inter = d[np.triu_indices(len(classes), 1)].mean()
    return {"intra": float(intra), "inter": float(inter), "ratio": float(intra / inter)}


def silhouette(Z, y, sample_size: int | None = 5000, seed: int = 0) -> float:
    """Silhouette score (Euclidean) of embeddings ``Z`` under labels ``y``."""
    Z = np.asarray(Z)
    if sample_size is not None and len(Z) > sample_size:
        return float(skm.silhouette_score(Z, y, sample_size=sample_size, random_state=seed))
    return float(skm.silhouette_score(Z, y))
