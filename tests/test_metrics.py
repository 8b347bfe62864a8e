"""Our metrics against scikit-learn / direct computation."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from harlib.evaluation import metrics as M


@pytest.fixture
def preds():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 300)
    logits = rng.normal(size=(300, 4)) + 2.0 * np.eye(4)[y]
    proba = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    return y, proba.argmax(1), proba


def test_classification_report_matches_sklearn(preds):
    y, p, proba = preds
    r = M.classification_report(y, p, proba)
    assert r["accuracy"] == pytest.approx(skm.accuracy_score(y, p))
    assert r["f1_macro"] == pytest.approx(skm.f1_score(y, p, average="macro"))
    assert r["f1_weighted"] == pytest.approx(skm.f1_score(y, p, average="weighted"))
    assert r["precision_macro"] == pytest.approx(skm.precision_score(y, p, average="macro"))
    assert r["auc_ovr_macro"] == pytest.approx(skm.roc_auc_score(y, proba, multi_class="ovr"))
    assert r["n"] == 300


def test_g_mean_is_geometric_mean_of_recalls(preds):
    y, p, _ = preds
    rec = skm.recall_score(y, p, average=None)
    assert M.g_mean(y, p) == pytest.approx(np.prod(rec) ** (1 / 4))
    assert M.g_mean([0, 1, 1], [1, 1, 1]) == 0.0


def test_ece_direct():
    y = np.array([0, 0, 1, 1])
    proba = np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.8, 0.2]])
    # bins of width 1/15: confidences 0.9, 0.6, 0.7, 0.8 land in separate bins
    # |acc - conf|: 0.1, 0.4, 0.3, 0.8 → mean = 0.4
    assert M.expected_calibration_error(y, proba) == pytest.approx(0.4)
    perfect = np.eye(2)[y]
    assert M.expected_calibration_error(y, perfect) == pytest.approx(0.0)


def test_clustering_accuracy_hungarian():
    y = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    c = np.array([5, 5, 7, 7, 7, 9, 9, 5])        # best map: 5→0, 7→1, 9→2 → 6/8 correct
    assert M.clustering_accuracy(y, c) == pytest.approx(6 / 8)
    assert M.clustering_accuracy(y, y + 10) == 1.0
    r = M.clustering_report(y, c)
    assert r["nmi"] == pytest.approx(skm.normalized_mutual_info_score(y, c))
    assert r["ari"] == pytest.approx(skm.adjusted_rand_score(y, c))


def test_embedding_separability():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 50)
    tight = rng.normal(size=(150, 8)) * 0.1 + 5 * np.eye(8)[y]
    loose = rng.normal(size=(150, 8)) * 3.0 + 5 * np.eye(8)[y]
    assert M.class_distance_ratio(tight, y)["ratio"] < M.class_distance_ratio(loose, y)["ratio"]
    d = M.class_distance_ratio(np.array([[0.0], [2.0], [10.0], [12.0]]), np.array([0, 0, 1, 1]))
    assert d == {"intra": 1.0, "inter": 10.0, "ratio": 0.1}
    assert M.silhouette(tight, y) == pytest.approx(skm.silhouette_score(tight, y))


def test_bad_shapes():
    with pytest.raises(ValueError, match="equal length"):
        M.classification_report([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="proba must be"):
        M.expected_calibration_error([0, 1], np.ones(2))


def test_window_features_and_random_forest(tmp_path):
    from harlib.models.classical import feature_names, window_features
    from harlib.training.runs import RunStore
    from harlib.evaluation.splits import make_splits
    from harlib.training.train import TrainConfig, fit
    from harlib.data.windows import sliding_windows
    from test_windows_splits import toy_dataset

    X = np.array([[[1.0, -3.0, 2.0]]])
    f = window_features(X)[0]
    assert f.tolist() == pytest.approx([0.0, 1.0, 0.0, np.std([1, -3, 2]), np.var([1, -3, 2]),
                                        np.sqrt(14 / 3), 2.0, 3.0, -3.0])
    assert feature_names(["ax"])[0] == "ax__sum"
    ws = sliding_windows(toy_dataset(n_subjects=6), 50, 25)
    split = make_splits("subject_groups", ws, n_groups=3)[0]
    r = fit("random_forest", ws, split, TrainConfig(), store=RunStore(tmp_path))
    again = fit("random_forest", ws, split, TrainConfig(), store=RunStore(tmp_path))
    assert again.cached and again.metrics == r.metrics
    assert r.predictions["proba"].shape == (len(split.test), 2)
    with pytest.raises(KeyError, match="unknown model 'xgboost'.*random_forest, knn, svm"):
        fit("xgboost", ws, split, TrainConfig(), store=RunStore(tmp_path))


def test_report_averages_over_classes_present_without_warning():
    # The model predicts class 2, which this test group lacks (as a HAPT group may lack a
    # rare transition): macro averages run over classes 0 and 1 only, silently.
    import warnings

    y_true = np.array([0, 0, 1, 1])
    y_pred = np.array([0, 2, 1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rep = M.classification_report(y_true, y_pred)
    assert rep["balanced_accuracy"] == pytest.approx((0.5 + 1.0) / 2)
    assert rep["f1_macro"] == pytest.approx((2 / 3 + 1.0) / 2)


def test_one_vs_rest_g_mean_reads_paper_b_ordering():
    """Paper B's G-mean exceeds its accuracy in 26 of 27 Table 2 rows. The geometric mean of
    recalls never exceeds their mean (and is 0 when one class is never recalled); the
    one-vs-rest reading, per class √(sensitivity × specificity), does exceed accuracy."""
    from harlib.evaluation.metrics import g_mean, g_mean_ovr
    accuracy_score = skm.accuracy_score
    y = np.repeat(np.arange(6), 50)
    pred = y.copy()
    pred[::7] = (pred[::7] + 1) % 6                  # ~14 % errors spread over the classes
    acc = accuracy_score(y, pred)
    assert g_mean(y, pred) <= acc < g_mean_ovr(y, pred)
    missed = np.where(y == 5, 0, pred)               # class 5 never recalled
    assert g_mean(y, missed) == 0.0 and 0 < g_mean_ovr(y, missed) < 1
    assert g_mean_ovr(y, y) == 1.0
    # by hand for two classes: sens 0.5 and spec 1 for class 0; sens 1, spec 0.5 for class 1
    assert g_mean_ovr([0, 0, 1, 1], [0, 1, 1, 1]) == pytest.approx(np.sqrt(0.5))
