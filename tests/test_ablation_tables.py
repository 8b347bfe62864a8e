"""Paper B's Table 2 rows (harlib.papers.usad.usad_ablation) and the ablation tables."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from harlib.models import create_model
from harlib.training.profiles import get_profile
from harlib.papers.published import PAPER_CLAIMS, USAD_TABLE2
from harlib.papers.usad import usad_ablation
from harlib.training.train import TrainConfig
from harlib.evaluation import embeddings
from harlib.papers import protocols, usad


def test_usad_ablation_rows_follow_table2_and_build():
    P = get_profile("smoke")
    rows = usad_ablation(P)
    assert list(rows) == list(USAD_TABLE2)          # the paper's nine rows, in its order
    for label, row in rows.items():
        cfg = TrainConfig.from_profile(P, **row["config"])      # every row is a valid config
        assert cfg.trainer == row["config"].get("trainer", cfg.trainer)
        model = create_model("usad", 3, 6, 90, **row["model_kwargs"])
        assert model(__import__("torch").zeros(2, 3, 90)).shape == (2, 6)
    assert rows["Backbone Only"]["model_kwargs"] == {"spatial_attention": False, "temporal_attention": False}
    da = rows["Data Augmentation"]["config"]
    assert da["trainer"] == "pretrain_finetune" and da["augment"] == "diffusion"
    assert da["augment_kwargs"]["epochs"] == P.augment_epochs and da["pretrain_epochs"] == P.pretrain_epochs
    # the claims behind the table exist and hold the paper's values
    assert PAPER_CLAIMS[USAD_TABLE2["Data Augmentation"]["wisdm"]["accuracy"]]["value"] == 98.28
    assert PAPER_CLAIMS[USAD_TABLE2["ACL"]["opportunity"]["f1_macro"]]["value"] == 75.44


#: the other setting the USAD row builders take: losses weighted by inverse class frequency,
#: synthetic labels in proportion to class size (paper B: unweighted, even over the classes)
WEIGHTED_PROPORTIONAL = {"class_weighted": True, "synthetic_labels": "proportional"}


def test_usad_ablation_follows_paper_b_unless_told_otherwise():
    P = get_profile("standard")
    rows = usad_ablation(P)                       # B: unweighted losses, eq. 13's even labels
    assert all(r["config"]["class_weighted"] is False for r in rows.values())
    assert rows["Data Augmentation"]["config"]["augment_kwargs"]["amount"] == {"ratio": 1.0, "labels": "uniform"}
    earlier = usad_ablation(P, **WEIGHTED_PROPORTIONAL)
    assert all(TrainConfig.from_profile(P, **r["config"]).class_weighted for r in earlier.values())
    assert earlier["Data Augmentation"]["config"]["augment_kwargs"]["amount"] == 1.0
    # the two settings give different runs, and a default TrainConfig is the weighted one
    assert TrainConfig.from_profile(P, **rows["ACL"]["config"]) != TrainConfig.from_profile(P, **earlier["ACL"]["config"])
    assert TrainConfig.from_profile(P, **{k: v for k, v in earlier["ACL"]["config"].items()
                                          if k != "class_weighted"}) == TrainConfig.from_profile(P, **earlier["ACL"]["config"])
    # the profile's sampling steps reach the augmenter only where it sets them
    assert "sample_steps" not in rows["Data Augmentation"]["config"]["augment_kwargs"]
    smoke = usad_ablation(get_profile("smoke"))["Data Augmentation"]["config"]["augment_kwargs"]
    assert smoke["sample_steps"] == get_profile("smoke").augment_sample_steps == 2
    with pytest.raises(ValueError, match="synthetic_labels must be one of"):
        usad_ablation(P, synthetic_labels="balanced")
    with pytest.raises(TypeError, match="class_weighted must be True or False"):
        usad_ablation(P, class_weighted=1)


def test_pretrain_cnn_rows_swap_only_the_network():
    P = get_profile("standard")
    da = usad_ablation(P)["Data Augmentation"]
    rows = usad.pretrain_cnn_rows(P)
    assert [r["model_kwargs"] for r in rows.values()] == [{"features": True}, {"features": False}]
    for r in rows.values():
        assert r["model"] == "sf_cnn" and r["config"] == da["config"]
        model = create_model(r["model"], 3, 6, 90, **r["model_kwargs"])
        assert model(__import__("torch").zeros(2, 3, 90)).shape == (2, 6)
    earlier = usad.pretrain_cnn_rows(P, **WEIGHTED_PROPORTIONAL)
    assert all(r["config"]["class_weighted"] for r in earlier.values())


def test_even_synthetic_labels_give_every_class_the_same_count():
    from harlib.training.augment import counts_per_class
    P = get_profile("standard")
    y = np.array([0] * 90 + [1] * 9 + [2])          # 90:9:1, like HAPT's rare transitions
    amount = usad_ablation(P)["Data Augmentation"]["config"]["augment_kwargs"]["amount"]
    assert counts_per_class(y, 3, amount).tolist() == [34, 33, 33]       # eq. 13: 100 in all, evenly
    earlier = usad_ablation(P, **WEIGHTED_PROPORTIONAL)["Data Augmentation"]["config"]["augment_kwargs"]["amount"]
    assert counts_per_class(y, 3, earlier).tolist() == [90, 9, 1]


def test_ablation_table_gives_the_test_overlap_beside_the_scores():
    runs = _runs().assign(test_overlap=lambda d: np.where(d.fold == 0, 0.8, 0.9))
    t = usad.ablation_table(runs, ["Backbone Only", "ACL", "Data Augmentation"], USAD_TABLE2, {"w": "wisdm"})
    assert t["test overlap"].tolist() == pytest.approx([0.85, 0.85, 0.85])
    assert "test overlap" not in usad.ablation_table(_runs(), ["Backbone Only", "ACL", "Data Augmentation"],
                                                     USAD_TABLE2, {"w": "wisdm"})


def _runs():
    rows = []
    for i, v in enumerate(["Backbone Only", "ACL", "Data Augmentation"]):
        for fold in range(2):
            rows.append({"dataset": "w", "protocol": "subject_groups", "variant": v, "fold": fold,
                         **{m: 0.5 + 0.1 * i + 0.01 * fold for m in usad.TABLE2_METRICS}})
    return pd.DataFrame(rows).sample(frac=1, random_state=1)


def test_ablation_table_orders_rows_and_sets_claims_beside():
    order = ["Backbone Only", "ACL", "Data Augmentation"]
    t = usad.ablation_table(_runs(), order, USAD_TABLE2, {"w": "wisdm"})
    assert list(t.variant) == order
    assert t.accuracy.tolist() == pytest.approx([50.5, 60.5, 70.5])
    assert t["the paper reports: accuracy"].tolist() == [97.74, 98.01, 98.28]
    assert t["the paper reports: f1_macro"].tolist() == [97.15, 97.87, 98.16]
    assert (t.runs == 2).all()
    with pytest.raises(ValueError, match="not in the given order"):
        usad.ablation_table(_runs(), order[:2], USAD_TABLE2, {"w": "wisdm"})
    steps = usad.ablation_steps(t, [("Backbone Only", "Data Augmentation"), ("ACL", "missing")])
    assert steps.iloc[0]["Backbone Only → Data Augmentation"] == pytest.approx(20.0)
    assert np.isnan(steps.iloc[0]["ACL → missing"])


def test_ranks_put_the_best_first_per_group():
    t = pd.DataFrame({"model": ["a", "b", "c"] * 2, "protocol": ["p"] * 3 + ["q"] * 3,
                      "f1_macro": [0.5, 0.9, 0.7, 0.8, 0.8, 0.1]})
    r = usad.ranks(t, "f1_macro", by=["protocol"], item="model")
    assert r.set_index("model")["p"].tolist() == [3, 1, 2]
    assert r.set_index("model")["q"].tolist() == [1, 1, 3]


def test_per_class_table_gives_recall_and_f1_beside_table4(tmp_path):
    from sklearn.metrics import f1_score, recall_score
    from harlib.training.runs import RunStore
    from harlib.evaluation.splits import make_splits
    from harlib.training.train import fit
    from harlib.data.windows import sliding_windows
    from test_windows_splits import toy_dataset
    ws = sliding_windows(toy_dataset(), 50, 25)
    store = RunStore(tmp_path)
    keys = [fit("random_forest", ws, s, TrainConfig(), store=store).key
            for s in make_splits("subject_groups", ws, n_groups=2)]
    runs = pd.DataFrame({"model": ["random_forest"] * 2, "run_key": keys, "protocol": "subject_groups"})
    claims = {"random_forest": {"Up": {"accuracy": "B341", "f1": "B342"}}}
    t = usad.per_class_table(runs, ws.class_names, claims, {"Up": "b", "Down": "b"}, store)
    assert t["class (paper)"].tolist() == ["Up", "Down"] and set(t["class (ours)"]) == {"b"}
    preds = [store.load_predictions(k) for k in keys]
    y = np.concatenate([p["y_true"] for p in preds])
    yhat = np.concatenate([p["y_pred"] if "y_pred" in p else p["proba"].argmax(1) for p in preds])
    assert t.loc[0, "recall"] == pytest.approx(100 * recall_score(y, yhat, labels=[1], average=None)[0])
    assert t.loc[0, "f1"] == pytest.approx(100 * f1_score(y, yhat, labels=[1], average=None)[0])
    assert t.loc[0, "the paper reports: accuracy"] == PAPER_CLAIMS["B341"]["value"]
    assert np.isnan(t.loc[1, "the paper reports: f1"]) and t.loc[1, "claim (f1)"] == ""
    assert usad.per_class_table(runs, ws.class_names, {}, {"Up": "b"}, store).empty
    with pytest.raises(ValueError, match="'stairs'"):
        usad.per_class_table(runs, ws.class_names, claims, {"Up": "stairs"}, store)


def test_table4_ids_are_held_and_cover_wisdm_six_classes():
    from harlib.papers.published import USAD_TABLE4, USAD_TABLE3
    assert len(USAD_TABLE4) == 11 and set(USAD_TABLE4) <= set(USAD_TABLE3)
    for per_class in USAD_TABLE4.values():
        assert set(per_class) == set(usad.WISDM2019_FOR_TABLE4)
        assert all(PAPER_CLAIMS[i]["unit"] == "%" for ids in per_class.values() for i in ids.values())
    assert PAPER_CLAIMS[USAD_TABLE4["usad"]["Walking"]["accuracy"]]["where"].startswith("Table 4, USAD, Walking")


def test_comparison_config_caps_or_draws_on_every_window_or_a_share():
    from types import SimpleNamespace
    P = get_profile("standard")
    ws = SimpleNamespace(dataset="toy")
    every = usad.comparison_config(P, ws, 1.0, True, loss="adaptive_composite")
    assert every.max_train_windows is None and every.sampler_kwargs["epoch_windows"] == P.grid_train_windows
    assert every.loss == "adaptive_composite" and every.train_share == 1
    half = usad.comparison_config(P, ws, 0.5, True)      # B's 50 % column, drawn on as the protocols are
    assert half.train_share == 0.5 and half.max_train_windows is None
    assert half.sampler_kwargs["epoch_windows"] == P.grid_train_windows
    assert half.identity() == {**every.identity(), "train_share": 0.5, "loss": None}
    capped = usad.comparison_config(P, ws, 0.5, False)
    assert capped.max_train_windows == P.grid_train_windows // 2 and "epoch_windows" not in capped.sampler_kwargs
    for share in (0, 1.5, True, "1"):
        for every_window in (True, False):
            with pytest.raises(ValueError, match="share"):
                usad.comparison_config(P, ws, share, every_window)
    with pytest.raises(TypeError, match="every_window"):
        usad.comparison_config(P, ws, 1.0, "yes")


def test_per_epoch_augmenter_budgets_the_diffusion_stage_like_the_classifiers():
    P = get_profile("standard")
    row = usad.usad_ablation(P)["Data Augmentation"]["config"]
    budgeted = usad.per_epoch_augmenter(row, P)
    kw = budgeted["augment_kwargs"]
    assert kw["epoch_windows"] == P.grid_train_windows
    assert kw["amount"] == {**row["augment_kwargs"]["amount"], "at_most": P.pretrain_epochs * P.grid_train_windows}
    assert {k: v for k, v in budgeted.items() if k != "augment_kwargs"} == \
        {k: v for k, v in row.items() if k != "augment_kwargs"}
    assert "at_most" not in row["augment_kwargs"]["amount"]          # the row itself is not changed
    float_amount = {**row, "augment_kwargs": {**row["augment_kwargs"], "amount": 0.5}}
    assert usad.per_epoch_augmenter(float_amount, P)["augment_kwargs"]["amount"] == \
        {"ratio": 0.5, "labels": "proportional", "at_most": P.pretrain_epochs * P.grid_train_windows}
    paper = get_profile("paper")                                     # no window cap: every window
    paper_row = usad.usad_ablation(paper)["Data Augmentation"]["config"]
    assert usad.per_epoch_augmenter(paper_row, paper) == paper_row
    with pytest.raises(ValueError, match="no diffusion stage"):
        usad.per_epoch_augmenter({"loss": "cross_entropy"}, P)
    balance = {**row, "augment_kwargs": {**row["augment_kwargs"], "amount": "balance"}}
    with pytest.raises(ValueError, match="balance"):
        usad.per_epoch_augmenter(balance, P)
    unset = {**row, "augment_kwargs": {k: v for k, v in row["augment_kwargs"].items() if k != "amount"}}
    with pytest.raises(ValueError, match="balance"):          # no amount: the stage tops classes up
        usad.per_epoch_augmenter(unset, P)


def test_column_config_trains_as_the_notebook_that_holds_the_other_runs():
    """Notebook 29 shares runs with 28 (DSADS, diffusion stage budgeted) and 23 (HAPT): the
    same TrainConfig, hence the same run keys."""
    from types import SimpleNamespace
    P = get_profile("standard")
    ws = SimpleNamespace(dataset="toy")
    rows = usad.usad_ablation(P)
    da = rows["Data Augmentation"]["config"]
    assert usad.column_config(P, ws, da, True).identity() == \
        usad.comparison_config(P, ws, 1.0, True, **usad.per_epoch_augmenter(da, P)).identity()    # notebook 28
    assert usad.column_config(P, ws, da, False).identity() == \
        protocols.alike(TrainConfig.from_profile(P, **da), P).identity()                           # notebook 23
    assert usad.column_config(P, ws, da, True).identity() != usad.column_config(P, ws, da, False).identity()
    acl = rows["ACL"]["config"]                  # no diffusion stage: the budget flag changes nothing
    assert usad.column_config(P, ws, acl, True).identity() == usad.column_config(P, ws, acl, False).identity()
    assert usad.column_config(P, ws, {}, True).identity() == usad.comparison_config(P, ws, 1.0, True).identity()
    with pytest.raises(TypeError, match="budget_augmenter must be True or False"):
        usad.column_config(P, ws, da, "yes")


def test_run_against_baselines_trains_as_the_notebooks_loops(monkeypatch):
    """The baselines, then USAD with Table 2's last row: the configurations that notebooks 24,
    25, 28 and 29 built in their own loops, hence the same run keys."""
    from types import SimpleNamespace
    P = get_profile("standard")
    ws = SimpleNamespace(dataset="toy")
    calls = []

    def fake_run_compared(profile, ws_, models, config, *, store=None, log=None, **labels):
        calls.append((models, config.identity(), labels))
        names = list(models)
        return pd.DataFrame({"model": names, **{k: [v] * len(names) for k, v in labels.items()}})

    monkeypatch.setattr(protocols, "run_compared", fake_run_compared)
    full = usad.usad_ablation(P)["Data Augmentation"]
    runs = usad.run_against_baselines(P, ws, ["cnn_zeng", "lstm"], share=0.5, budget_augmenter=True,
                                      setting="pamap2_50")
    assert list(runs.model) == ["cnn_zeng", "lstm", "usad"] and set(runs.setting) == {"pamap2_50"}
    (base, base_id, _), (u, usad_id, _) = calls
    assert base == ["cnn_zeng", "lstm"] and u == {"usad": full["model_kwargs"]}
    assert base_id == usad.comparison_config(P, ws, 0.5, True).identity()                      # notebook 28
    assert usad_id == usad.comparison_config(P, ws, 0.5, True,
                                             **usad.per_epoch_augmenter(full["config"], P)).identity()
    calls.clear()
    usad.run_against_baselines(P, ws, ["cnn_zeng"])            # notebooks 24 and 25: the stage as in 23
    assert calls[1][1] == usad.comparison_config(P, ws, 1.0, True, **full["config"]).identity()
    assert calls[1][1] == usad.column_config(P, ws, full["config"], False).identity()         # notebook 29, HAPT
    calls.clear()
    usad.run_against_baselines(P, ws, [])                       # USAD alone
    assert [c[0] for c in calls] == [{"usad": full["model_kwargs"]}]
    with pytest.raises(TypeError, match="list of model names"):
        usad.run_against_baselines(P, ws, "cnn_zeng")
    with pytest.raises(ValueError, match="leave it out"):
        usad.run_against_baselines(P, ws, ["cnn_zeng", "usad"])
    with pytest.raises(TypeError, match="budget_augmenter"):
        usad.run_against_baselines(P, ws, ["cnn_zeng"], budget_augmenter="yes")


def test_build_up_steps_pairs_each_row_with_the_one_before():
    rng = np.random.default_rng(1)
    rows = []
    for i, variant in enumerate(usad.BUILD_UP):
        for protocol in ("random_windows", "subject_groups"):
            for fold in range(3):
                rows.append({"variant": variant, "protocol": protocol, "fold": fold, "seed": 0,
                             "accuracy": 0.5 + 0.1 * i + 0.01 * rng.normal(), "f1_macro": 0.4 + 0.1 * i})
    runs = pd.DataFrame(rows)
    steps = usad.build_up_steps(runs, ("accuracy", "f1_macro"))
    pairs = [("Backbone Only", "Spatial and Temporal Attention"), ("Spatial and Temporal Attention", "ACL"),
             ("ACL", "Data Augmentation"), ("Backbone Only", "Data Augmentation")]
    assert usad.build_up_pairs(usad.BUILD_UP) == pairs
    assert len(steps) == 2 * len(pairs) * 2 and list(steps.metric.unique()) == ["accuracy", "f1_macro"]
    f1 = steps[steps.metric == "f1_macro"]
    assert np.allclose(f1["mean"], np.repeat([10.0, 10.0, 10.0, 30.0], 2))        # later − earlier, points
    # a missing row drops the steps that need it, not the others
    assert usad.build_up_pairs(["Backbone Only", "ACL", "Data Augmentation"]) == \
        [("ACL", "Data Augmentation"), ("Backbone Only", "Data Augmentation")]
    with pytest.raises(ValueError, match="no two consecutive rows"):
        usad.build_up_steps(runs[runs.variant == "ACL"])
    with pytest.raises(KeyError, match="no column"):
        usad.build_up_steps(runs.drop(columns="protocol"))


def test_paper_values_and_class_distances():
    from harlib.papers.published import USAD_TABLE6
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 30)
    tight = rng.normal(size=(90, 4)) * 0.1 + np.eye(4)[y] * 5
    loose = rng.normal(size=(90, 4)) * 2.0 + np.eye(4)[y] * 5
    d = usad.class_distances({"usad": {"y_true": y, "embedding": tight},
                                  "lstm": {"y_true": y, "embedding": loose},
                                  "svm": {"y_true": y}})
    assert list(d.model) == ["usad", "lstm"]                 # no embedding, no row
    assert d.loc[0, "ratio (inter / intra)"] > d.loc[1, "ratio (inter / intra)"]
    assert d.loc[0, "silhouette"] > d.loc[1, "silhouette"]
    t = usad.with_paper_values(d, "model", USAD_TABLE6, "wisdm", ["ratio"])
    assert t["the paper reports: ratio"].tolist() == [17.063, 5.961]
    xy, yy = embeddings.tsne_points(tight, y, max_points=60)
    assert xy.shape == (60, 2) and np.bincount(yy).tolist() == [20, 20, 20]


class _Predictions:
    """A run store that holds only test predictions, by run key."""
    def __init__(self, by_key):
        self.by_key = by_key

    def load_predictions(self, key):
        return self.by_key[key]


def test_class_distances_are_taken_per_run_then_summarised():
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1, 2], 30)

    def space(spread, shift):      # one run's embedding space: classes at shifted centres
        return rng.normal(size=(90, 4)) * spread + np.eye(4)[y] * 5 + shift

    preds = {"u0": {"y_true": y, "embedding": space(0.1, 0)}, "u1": {"y_true": y, "embedding": space(0.1, 50)},
             "l0": {"y_true": y, "embedding": space(2.0, 0)}, "l1": {"y_true": y, "embedding": space(2.0, -50)},
             "rf": {"y_true": y, "y_pred": y}}
    runs = pd.DataFrame({"model": ["usad", "usad", "lstm", "lstm", "rf"], "run_key": list(preds),
                         "protocol": "subject_groups", "fold": [0, 1, 0, 1, 0], "seed": 0})
    by_run = usad.class_distances_by_run(runs, _Predictions(preds))
    assert by_run.run_key.tolist() == ["u0", "u1", "l0", "l1"]          # no embedding, no row
    # each run in its own space: shifting a run's whole space changes nothing
    one = usad.class_distances({"usad": preds["u0"]}).iloc[0]
    assert by_run.loc[0, "silhouette"] == pytest.approx(one["silhouette"])
    pooled = usad.class_distances({"usad": {"y_true": np.r_[y, y],
                                            "embedding": np.r_[preds["u0"]["embedding"], preds["u1"]["embedding"]]}})
    assert pooled.loc[0, "silhouette"] < by_run.silhouette.iloc[:2].min()   # pooling two spaces blurs them
    t = usad.distance_table(by_run)
    assert t.model.tolist() == ["usad", "lstm"] and t.n.tolist() == [2, 2]
    assert t.loc[0, "silhouette"] == pytest.approx(by_run.silhouette.iloc[:2].mean())
    lo, hi = t.loc[0, "silhouette: 95 % CI low"], t.loc[0, "silhouette: 95 % CI high"]
    assert lo <= t.loc[0, "silhouette"] <= hi
    with pytest.raises(ValueError, match=r"lacks the columns \['fold', 'seed'\]"):
        usad.class_distances_by_run(runs.drop(columns=["fold", "seed"]), _Predictions(preds))


def test_app_c_study_rows_match_the_paper_claims_and_build_configs():
    from harlib.papers.published import USAD_APPC
    from harlib.papers.usad import APPC_OPTIMA, usad_loss_study
    from harlib.training.train import TrainConfig
    study = usad_loss_study()
    assert list(study) == list(USAD_APPC) and len(study) == 31
    assert all(i in PAPER_CLAIMS for c in USAD_APPC.values() for i in c.values())
    for label, row in study.items():
        cfg = TrainConfig(**row["config"])                   # every row is a valid configuration
        assert cfg.class_weighted is False
        if cfg.loss == "adaptive_composite":
            assert cfg.loss_kwargs["terms"] == ["label_smoothing", "focal", "class_balanced"]
    base = study["weights [0.33, 0.33, 0.34]"]["config"]
    for same in ("composite, ε=0.05", "composite, γ=1 α=0.25", "composite, β=0.9"):
        assert study[same]["config"] == base                 # the C.1 optima, as stated
    assert base["loss_kwargs"]["beta"] == APPC_OPTIMA["beta"]
    assert study["composite, β=0.999"]["config"]["loss_kwargs"]["beta"] == 0.999
    assert study["temperature 0.5"]["config"]["loss_kwargs"]["temperature"] == 0.5


def test_the_imbalance_rows_are_app_c_rows_whose_loss_acts_on_imbalance():
    from harlib.papers.usad import APPC_IMBALANCE_ROWS, loss_study_rows, usad_loss_study
    rows = loss_study_rows(APPC_IMBALANCE_ROWS)
    assert list(rows) == list(APPC_IMBALANCE_ROWS)           # the given order
    study = usad_loss_study()
    assert all(rows[r] == study[r] for r in rows)            # the study's own rows, unchanged
    losses = {r: v["config"]["loss"] for r, v in rows.items()}
    assert losses["label smoothing ε=0"] == "cross_entropy"
    assert rows["label smoothing ε=0"]["config"]["loss_kwargs"] == {"label_smoothing": 0.0}
    assert sorted(v["config"]["loss_kwargs"]["beta"] for r, v in rows.items() if losses[r] == "class_balanced") \
        == [0.9, 0.99, 0.999]
    focal = [v["config"]["loss_kwargs"] for r, v in rows.items() if losses[r] == "focal"]
    assert {f["gamma"] for f in focal} == {1.0} and sorted(f["alpha"] for f in focal) == [0.25, 0.5, 0.75]
    with pytest.raises(KeyError, match=r"no row\(s\) \['CB β=0\.5'\]"):
        loss_study_rows(["CB β=0.9", "CB β=0.5"])


def _study_runs(scores):
    rows = []
    for (variant, protocol), values in scores.items():
        for v in values:
            rows.append({"variant": variant, "protocol": protocol, "accuracy": v, "f1_macro": v - 0.01,
                         "precision_macro": v, "recall_macro": v, "ece": 0.05})
    return pd.DataFrame(rows)


def test_study_table_and_best_rows():
    study = {"a": {"table": "T"}, "b": {"table": "T"}, "c": {"table": "U"}}
    claims = {"a": {"accuracy": "B541", "f1_macro": "B542"}, "b": {"accuracy": "B544", "f1_macro": "B545"}}
    runs = _study_runs({("b", "random_windows"): [0.9, 0.8], ("a", "random_windows"): [0.7],
                               ("c", "random_windows"): [0.5]})
    table = usad.study_table(runs, study, claims)
    assert list(table.variant) == ["a", "b", "c"] and list(table.runs) == [1, 2, 1]
    assert table.loc[1, "accuracy"] == pytest.approx(85.0) and table.loc[1, "ece"] == pytest.approx(5.0)
    assert table.loc[0, "the paper reports: f1_macro"] == PAPER_CLAIMS["B542"]["value"]
    assert np.isnan(table.loc[2, "the paper reports: accuracy"])
    best = usad.study_best(table).set_index("table")
    assert best.loc["T", "our best"] == "b"
    assert best.loc["T", "paper's best"] == "a"              # B542 (85.68) > B545 (85.58)
    assert not best.loc["T", "agrees"] and np.isnan(best.loc["U", "agrees"])
    with pytest.raises(KeyError, match="does not have"):
        usad.study_table(runs.assign(variant="z"), study, claims)
    assert "test overlap" not in table                       # only where the runs carry it
    overlap = usad.study_table(runs.assign(test_overlap=[0.8, 0.9, 0.5, 0.0]), study, claims)
    assert overlap["test overlap"].tolist() == pytest.approx([0.5, 0.85, 0.0])   # in the study's order


def test_ratio_sweep_shares_table2_rows():
    from harlib.papers.usad import usad_ratio_sweep
    P = get_profile("standard")
    earlier = WEIGHTED_PROPORTIONAL
    sweep, rows = usad_ratio_sweep(P, ratios=(0.5, 1.0), **earlier), usad_ablation(P, **earlier)
    assert list(sweep) == ["0 (no augmentation)", "0.5", "1"]
    assert sweep["0 (no augmentation)"] == rows["ACL"]
    assert sweep["1"] == rows["Data Augmentation"]           # notebook 23's run, shared
    assert sweep["0.5"]["config"]["augment_kwargs"]["amount"] == 0.5
    assert rows["Data Augmentation"]["config"]["augment_kwargs"]["amount"] == 1.0   # not mutated
    paper = usad_ratio_sweep(P, ratios=(0.5, 1.0))       # B's even labels at every ratio
    assert paper["0.5"]["config"]["augment_kwargs"]["amount"] == {"ratio": 0.5, "labels": "uniform"}
    assert paper["1"] == usad_ablation(P)["Data Augmentation"]
