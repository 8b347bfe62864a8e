"""Label-free clustering baselines (harlib.training.trainers.clustering)."""
from __future__ import annotations

import numpy as np
import pytest

from harlib.training.trainers.clustering import CLUSTERING_MODELS, clustering_features
from harlib.training.runs import RunStore
from harlib.evaluation.splits import make_splits
from harlib.training.train import TrainConfig, fit
from harlib.training.trainers.registry import trainer_for
from harlib.data.windows import sliding_windows
from harlib.papers import memae

from test_windows_splits import toy_dataset


@pytest.fixture
def ws():
    w = sliding_windows(toy_dataset(), 50, 25)
    # make the two classes separable by their level, so clustering has something to find
    w.X[w.y == 1] += 3.0
    return w


@pytest.mark.parametrize("name", CLUSTERING_MODELS)
def test_baselines_cluster_separable_classes_and_are_cached(ws, name, tmp_path):
    (split,) = make_splits("holdout_subjects", ws, test_subjects=[108, 109])
    store = RunStore(tmp_path)
    run = fit(name, ws, split, TrainConfig(max_epochs=1), store=store)
    m = run.metrics
    assert m["cluster_accuracy"] == pytest.approx(m["accuracy"]) and m["accuracy"] > 0.95
    assert run.record["trainer"] == "clustering" and run.record["n_windows"]["val"] == 0
    assert fit(name, ws, split, TrainConfig(max_epochs=1), store=store).cached


def test_features_are_fitted_on_training_windows_only(ws):
    rng = np.random.default_rng(0)
    X_train, X_test = rng.normal(size=(40, 2, 50)), rng.normal(size=(10, 2, 50))
    a = clustering_features("pca_kmeans", X_train, X_test)
    # a test window's representation does not depend on the other test windows
    np.testing.assert_allclose(clustering_features("pca_kmeans", X_train, X_test[:3]), a[:3], atol=1e-9)
    np.testing.assert_allclose(clustering_features("kmeans_features", X_train, X_test[:3]),
                               clustering_features("kmeans_features", X_train, X_test)[:3], atol=1e-9)
    assert a.shape == (10, 32)
    assert clustering_features("kmeans_features", X_train, X_test).shape == (10, 2 * 9)
    with pytest.raises(KeyError, match="unknown clustering baseline"):
        clustering_features("dbscan", X_train, X_test)
    with pytest.raises(ValueError, match="one window shape"):
        clustering_features("kmeans_raw", X_train, X_test[:, :1])


def test_routing_and_bad_settings(ws):
    assert trainer_for("pca_kmeans", TrainConfig()).name == "clustering"
    with pytest.raises(ValueError, match="clustering baseline"):
        trainer_for("kmeans_raw", TrainConfig(trainer="pretrain_finetune", augment="jitter_scale",
                                              pretrain_epochs=1))
    (split,) = make_splits("holdout_subjects", ws, test_subjects=[109])
    with pytest.raises(ValueError, match="n_clusters must be an integer >= 2"):
        fit("kmeans_raw", ws, split, TrainConfig(trainer_kwargs={"n_clusters": 1}), store=RunStore(None))
    with pytest.raises(ValueError, match="n_clusters must be an integer >= 2"):
        fit("lstm_autoencoder", ws, split, TrainConfig(trainer="unsupervised", trainer_kwargs={"n_clusters": 1}),
            store=RunStore(None))


def test_clustering_table_orders_models_and_sets_claims_beside_one():
    import pandas as pd
    rows = [{"dataset": d, "protocol": "subject_groups", "model": m, "accuracy": a, "f1_macro": a,
             "nmi": a / 2, "ari": a / 3}
            for d in ("dsads", "hapt") for m, a in (("pca_kmeans", 0.4), ("memae_lstm", 0.6))]
    t = memae.clustering_table(pd.DataFrame(rows), ["memae_lstm", "pca_kmeans"], {"dsads": ["A1", "A2"]},
                                  "memae_lstm")
    assert list(t.model) == ["memae_lstm", "pca_kmeans"] * 2
    assert t.accuracy.iloc[0] == pytest.approx(60.0) and t.nmi.iloc[0] == pytest.approx(30.0)
    assert t["the paper reports: accuracy"].tolist() == ["96.6 (A1), 98.4 (A2)", "", "", ""]
    with pytest.raises(ValueError, match="not in the given order"):
        memae.clustering_table(pd.DataFrame(rows), ["memae_lstm"], {}, "memae_lstm")


def test_separability_reads_stored_embeddings(ws, tmp_path):
    import pandas as pd
    from harlib.training.experiment import run_grid
    store = RunStore(tmp_path)
    cfg = TrainConfig(max_epochs=1, trainer="unsupervised", loss="reconstruction_mse")
    runs = pd.concat([run_grid(ws, "holdout_subjects", [m], [0], cfg, protocol_kwargs={"test_subjects": [108, 109]},
                               store=store, log=None) for m in ("lstm_autoencoder", "kmeans_raw")])
    sep = memae.separability(runs, store)
    ae, km = sep.iloc[0], sep.iloc[1]
    assert -1 <= ae.silhouette <= 1 and ae.distance_ratio > 0
    assert np.isnan(km.silhouette) and np.isnan(km.distance_ratio)


def test_clustering_findings_states_differences_in_points():
    import pandas as pd
    t = pd.DataFrame({"dataset": "d", "protocol": "p", "model": ["m", "ae", "km", "sup"],
                      "accuracy": [50.0, 49.0, 60.0, 90.0]})
    text = memae.clustering_findings(t, "d", "m", "ae", "km", "sup")
    assert text == "d, p: m 50.0 %; ae -1.0; km +10.0; sup (supervised) +40.0 points"


def test_sweep_table_measures_gain_over_the_default():
    import pandas as pd
    runs = pd.DataFrame({"setting": ["m"] * 3, "value": [10, 50, 200], "accuracy": [0.5, 0.6, 0.7],
                         "silhouette": [0.18, 0.2, 0.22]})
    t = memae.sweep_table(runs, {"m": 50}, ["accuracy", "silhouette"])
    assert t.default.tolist() == [False, True, False]
    assert t["silhouette gain (%)"].tolist() == pytest.approx([-10, 0, 10])
    assert t.accuracy.tolist() == pytest.approx([50, 60, 70])
    with pytest.raises(ValueError, match="no run at its default"):
        memae.sweep_table(runs, {"m": 20}, ["silhouette"])


def test_separability_keeps_one_row_per_run_row_when_runs_repeat(ws, tmp_path):
    import pandas as pd
    from harlib.training.experiment import run_grid
    store = RunStore(tmp_path)
    cfg = TrainConfig(max_epochs=1, trainer="unsupervised", loss="reconstruction_mse")
    one = run_grid(ws, "holdout_subjects", ["lstm_autoencoder"], [0], cfg,
                   protocol_kwargs={"test_subjects": [108, 109]}, store=store, log=None)
    twice = pd.concat([one.assign(setting="a"), one.assign(setting="b")], ignore_index=True)
    sep = memae.separability(twice, store)
    assert len(sep) == 2 and sep.silhouette.nunique() == 1


def test_linear_probe_scores_a_labelled_view_and_checks_its_input():
    from harlib.evaluation.metrics import linear_probe
    rng = np.random.default_rng(0)
    y_tr, y_te = np.repeat([0, 1, 2], 30), np.repeat([0, 1, 2], 10)
    centres = np.array([[0, 0], [5, 0], [0, 5]], float)
    Z_tr, Z_te = centres[y_tr] + rng.normal(size=(90, 2)) * 0.3, centres[y_te] + rng.normal(size=(30, 2)) * 0.3
    assert linear_probe(Z_tr, y_tr, Z_te, y_te) == {"probe_accuracy": 1.0, "probe_f1_macro": 1.0}
    shuffled = linear_probe(Z_tr, y_tr, Z_te, np.roll(y_te, 10))
    assert shuffled["probe_accuracy"] == 0.0
    with pytest.raises(ValueError, match="one dim"):
        linear_probe(Z_tr, y_tr, Z_te[:, :1], y_te)
    with pytest.raises(ValueError, match="one label per embedding"):
        linear_probe(Z_tr, y_tr[:-1], Z_te, y_te)
    with pytest.raises(ValueError, match="at least two classes"):
        linear_probe(Z_tr, np.zeros(90, int), Z_te, y_te)


def test_linear_probe_reaches_the_optimum_so_rounding_does_not_move_it():
    """On nearly collinear embeddings (an autoencoder's are), scikit-learn's default
    tolerance stops the fit short of the unique optimum: there its accuracy differs from the
    converged fit's, so rounding (threads, BLAS kernels) could move it. The probe's does not."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    from harlib.evaluation.metrics import linear_probe
    rng = np.random.default_rng(0)
    centres, mix = rng.normal(size=(12, 6)), rng.normal(size=(6, 64))

    def draw(n):
        y = rng.integers(0, 12, n)
        return (centres[y] + 0.8 * rng.normal(size=(n, 6))) @ mix + 0.01 * rng.normal(size=(n, 64)), y

    (Z_tr, y_tr), (Z_te, y_te) = draw(1000), draw(5000)
    scaler = StandardScaler().fit(Z_tr)

    def fit(tol):
        clf = LogisticRegression(max_iter=20000, tol=tol, random_state=0).fit(scaler.transform(Z_tr), y_tr)
        return float((clf.predict(scaler.transform(Z_te)) == y_te).mean()), int(clf.n_iter_[0])

    (optimum, iterations), (_, default_iterations) = fit(1e-12), fit(1e-4)
    assert default_iterations < iterations / 2             # the default stops far short here
    assert linear_probe(Z_tr, y_tr, Z_te, y_te)["probe_accuracy"] == optimum


def test_embedding_views_add_gmm_and_probe_scores_per_run(ws, tmp_path):
    import pandas as pd
    from harlib.training.experiment import run_grid
    from harlib.evaluation.metrics import clustering_report
    from harlib.evaluation.clustering import cluster
    store = RunStore(tmp_path)
    cfg = TrainConfig(max_epochs=1, trainer="unsupervised", loss="reconstruction_mse")
    kw = {"test_subjects": [108, 109]}
    runs = run_grid(ws, "holdout_subjects", ["lstm_autoencoder"], [0], cfg, protocol_kwargs=kw, store=store, log=None)
    splits = {("toy", "holdout_subjects"): (ws, make_splits("holdout_subjects", ws, **kw))}
    views = memae.embedding_views(pd.concat([runs, runs]), splits, store, probe_windows=40)
    assert len(views) == 2 and views.run_key.nunique() == 1
    pred = store.load_predictions(runs.run_key.iloc[0])
    direct = clustering_report(pred["y_true"], cluster(pred["embedding"].astype(np.float64), 2, "gmm", 0))
    assert views.gmm_accuracy.iloc[0] == pytest.approx(direct["cluster_accuracy"])
    assert 0.5 <= views.probe_accuracy.iloc[0] <= 1 and 0 <= views.probe_f1_macro.iloc[0] <= 1
    with pytest.raises(KeyError, match="no window set and splits"):
        memae.embedding_views(runs, {}, store)
    other = {("toy", "holdout_subjects"): (ws, make_splits("holdout_subjects", ws, test_subjects=[100, 101]))}
    with pytest.raises(ValueError, match="split are not those given"):
        memae.embedding_views(runs, other, store)
    shifted = sliding_windows(toy_dataset(), 50, 20)                 # same subjects, another stride
    other = {("toy", "holdout_subjects"): (shifted, make_splits("holdout_subjects", shifted, **kw))}
    with pytest.raises(ValueError, match="window settings are not those given"):
        memae.embedding_views(runs, other, store)
    km = run_grid(ws, "holdout_subjects", ["kmeans_raw"], [0], TrainConfig(), protocol_kwargs=kw, store=store, log=None)
    with pytest.raises(ValueError, match="stored no test embeddings"):
        memae.embedding_views(km, splits, store)
