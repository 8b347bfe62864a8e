"""Paper C's leaks (harlib.evaluation.leakage), the holdout_subjects protocol and the recipes."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from harlib.evaluation.leakage import LEAK_STUDY, LEAKS, leak_variant, scale_per_recording
from harlib.training.profiles import get_profile
from harlib.papers.recipes import recipe
from harlib.evaluation.splits import make_splits
from harlib.training.train import TrainConfig, apply_budget
from harlib.data.windows import sliding_windows
from harlib.papers import claims, stdualx

from test_windows_splits import toy_dataset


@pytest.fixture
def ws():
    return sliding_windows(toy_dataset(), 50, 25)


def test_per_recording_scaling_standardises_each_subject_activity(ws):
    scaled = scale_per_recording(ws)
    assert scaled.X.shape == ws.X.shape and scaled.X.dtype == np.float32
    for s in np.unique(ws.subject):
        for c in np.unique(ws.y):
            block = scaled.X[(ws.subject == s) & (ws.y == c)]
            np.testing.assert_allclose(block.mean(axis=(0, 2)), 0, atol=1e-5)
            np.testing.assert_allclose(block.std(axis=(0, 2)), 1, atol=1e-4)
    # the subject offset (+s) that a global scaler keeps is gone: it used test labels
    assert abs(ws.X[ws.subject == 109].mean() - ws.X[ws.subject == 100].mean()) > 5
    assert "test subjects included" in scaled.info["scaling"]
    assert "scaling" not in ws.info            # the input is untouched


def test_holdout_without_leaks_is_subject_independent(ws):
    (split,) = make_splits("holdout_subjects", ws, test_subjects=[104, 105])
    assert split.subject_independent
    assert set(ws.subject[split.test]) == {104, 105}
    parts = [set(ws.subject[getattr(split, p)]) for p in ("train", "val", "test")]
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])


def test_random_validation_shares_subjects_and_overlaps(ws):
    (split,) = make_splits("holdout_subjects", ws, test_subjects=[104, 105],
                           validation="random_windows")
    assert not split.subject_independent
    assert set(ws.subject[split.val]) & set(ws.subject[split.train])
    assert not set(ws.subject[split.val]) & {104, 105}
    assert len(np.intersect1d(split.train, split.val)) == 0
    assert len(split.train) + len(split.val) + len(split.test) == len(ws)


def test_selection_on_test_makes_validation_the_test_set(ws):
    (split,) = make_splits("holdout_subjects", ws, test_subjects=[104], select_on_test=True)
    np.testing.assert_array_equal(split.val, split.test)
    assert not split.subject_independent


def test_holdout_rejects_bad_arguments(ws):
    with pytest.raises(ValueError, match="not in toy"):
        make_splits("holdout_subjects", ws, test_subjects=[1])
    with pytest.raises(ValueError, match="validation must be"):
        make_splits("holdout_subjects", ws, test_subjects=[104], validation="windows")


def test_leak_variant_switches_each_leak(ws):
    out, kw = leak_variant(ws, [104], ())
    assert out is ws and kw["validation"] == "subjects" and not kw["select_on_test"]
    out, kw = leak_variant(ws, [104], LEAKS)
    assert out is not ws and kw["validation"] == "random_windows" and kw["select_on_test"]
    assert len(LEAK_STUDY) == 5 and list(LEAK_STUDY.values())[0] == ()
    with pytest.raises(KeyError, match="unknown leak"):
        leak_variant(ws, [104], ("peeking",))


def test_recipe_is_the_official_code_and_budgets_triplets_threefold(ws):
    P = get_profile("standard")
    cfg = recipe("stdualx", P)
    assert (cfg.optimizer, cfg.lr, cfg.batch_size, cfg.sampler) == ("adam", 1e-3, 128, "triplet")
    assert cfg.loss == "ce_triplet" and cfg.loss_kwargs == {"weight": 0.1} and not cfg.class_weighted
    assert cfg.budget_seconds == P.budget_seconds
    assert recipe("stdualx", P, loss="cross_entropy").loss == "cross_entropy"
    with pytest.raises(KeyError, match="no training recipe"):
        recipe("cnn1d", P)
    (split,) = make_splits("holdout_subjects", ws, test_subjects=[104])
    costs = {"reference": {"channels": 2, "length": 50}, "seconds_per_window": {"stdualx": {"fp32": 0.01}}}
    plain = TrainConfig(max_epochs=10, budget_seconds=10.0)
    _, a1 = apply_budget(plain, "stdualx", ws, split, costs)
    _, a3 = apply_budget(TrainConfig(max_epochs=10, budget_seconds=10.0, sampler="triplet"),
                         "stdualx", ws, split, costs)
    assert a3["seconds_per_window"] == pytest.approx(3 * a1["seconds_per_window"])


def _runs():
    rows = []
    for model, base in (("stdualx", 0.6), ("tinyhar", 0.5)):
        for i, study in enumerate(LEAK_STUDY):
            if model == "tinyhar" and 0 < i < 4:
                continue
            for seed in (0, 1):
                rows.append({"dataset": "d", "model": model, "study": study, "seed": seed,
                             "accuracy": base + 0.05 * i + 0.01 * seed, "f1_macro": base + 0.04 * i})
    return pd.DataFrame(rows)


def test_leak_contributions_are_differences_from_the_reference_row():
    t = stdualx.leak_contributions(_runs(), list(LEAK_STUDY))
    s = t[t.model == "stdualx"].reset_index(drop=True)
    assert list(s.study) == list(LEAK_STUDY)
    assert s.accuracy.iloc[0] == pytest.approx(60.5)
    assert s["Δ accuracy"].tolist() == pytest.approx([0, 5, 10, 15, 20])
    tiny = t[t.model == "tinyhar"]
    assert tiny["Δ f1_macro"].tolist() == pytest.approx([0, 16])
    with pytest.raises(ValueError, match="not in the given order"):
        stdualx.leak_contributions(_runs(), list(LEAK_STUDY)[:3])


def test_headline_by_protocol_sets_claim_beside_each_protocol():
    runs = _runs()
    first, last = list(LEAK_STUDY)[0], list(LEAK_STUDY)[-1]
    t = stdualx.headline_by_protocol(runs, "stdualx", {"d": {"paper-style": last, "subject-independent": first}},
                                      {"d": "C1"}, {"d": "d (stand-in)"})
    row = t.iloc[0]
    assert row["dataset"] == "d (stand-in)" and row["the paper reports: accuracy"] == 97.02
    assert row["ours, paper-style: accuracy"] == pytest.approx(80.5)
    assert row["ours, subject-independent: accuracy"] == pytest.approx(60.5)
    with pytest.raises(ValueError, match="no stdualx runs"):
        stdualx.headline_by_protocol(runs, "stdualx", {"d": {"x": "nothing"}}, {})


def test_ablation_drops_subtract_from_the_full_model():
    rows = [{"protocol": p, "variant": v, "accuracy": a, "f1_macro": a}
            for p, off in (("paper-style", 0.2), ("subject-independent", 0.0))
            for v, a in (("STDual-X", 0.7 + off), ("w/o CSA", 0.65 + off))]
    t = claims.ablation_drops(pd.DataFrame(rows), "STDual-X", {"w/o CSA": "C5"})
    assert t["drop: accuracy"].tolist() == pytest.approx([0, 5, 0, 5])
    assert t["the paper reports: accuracy drop"].iloc[1] == 2.34 and np.isnan(t["the paper reports: accuracy drop"].iloc[0])
    assert t["pairs"].tolist() == [0, 1, 0, 1] and t["drop: accuracy 95 % CI low"].isna().all()   # 0: the full model itself
    with pytest.raises(ValueError, match="no 'full'"):
        claims.ablation_drops(pd.DataFrame(rows), "full", {})
    # three folds: the drop is a paired difference; fold effects cancel, so a steady 5-point
    # drop is outside the noise while a drop that changes sign is inside it
    rows = [{"protocol": "p", "fold": f, "seed": 0, "variant": v, "accuracy": 0.5 + 0.1 * f + d, "f1_macro": 0.5}
            for f in range(3) for v, d in (("full", 0.0), ("steady", -0.05 + 0.001 * f), ("noisy", (-0.04, 0.05, -0.02)[f]))]
    t = claims.ablation_drops(pd.DataFrame(rows), "full", {}).set_index("variant")
    assert t.loc["steady", "pairs"] == 3 and t.loc["steady", "drop: accuracy reading"] == "outside noise"
    assert t.loc["steady", "drop: accuracy 95 % CI low"] > 4
    assert t.loc["noisy", "drop: accuracy reading"] == "inside noise"
    assert t.loc["full", "drop: accuracy reading"] == ""
    assert "test overlap" not in t                     # only where the runs carry it
    overlaps = pd.DataFrame(rows).assign(test_overlap=lambda r: 0.9 + 0.01 * r["fold"])
    t = claims.ablation_drops(overlaps, "full", {}).set_index("variant")
    assert t["test overlap"].tolist() == pytest.approx([0.91] * 3)   # each variant's mean over its folds


def test_stdualx_ablation_variants_build():
    from harlib.models import create_model
    from harlib.papers.stdualx import stdualx_ablation
    P = get_profile("smoke")
    for label, v in stdualx_ablation().items():
        cfg = recipe("stdualx", P, **v["config"])
        assert cfg.sampler == "triplet"              # every variant sees the same triples
        create_model("stdualx", 6, 3, 30, **v["model_kwargs"])
    assert recipe("stdualx", P, **stdualx_ablation()["w/o contrastive loss"]["config"]).loss_kwargs == {"weight": 0.0}


def test_leak_contributions_pair_runs_by_fold_and_seed():
    runs = _runs().assign(fold=0)
    t = stdualx.leak_contributions(runs, list(LEAK_STUDY))
    s = t[t.model == "stdualx"].reset_index(drop=True)
    # seeds 0 and 1 both differ by exactly 5 points per step: paired mean 5 i, a zero-width interval
    assert s["pairs"].tolist() == [0, 2, 2, 2, 2]
    assert s["Δ accuracy, paired mean"].iloc[1:].tolist() == pytest.approx([5, 10, 15, 20])
    assert s["95 % CI low"].iloc[1:].tolist() == pytest.approx([5, 10, 15, 20])
    assert s["reading"].tolist() == [""] + ["outside noise"] * 4
    # a seed with the opposite effect puts 0 inside the interval
    noisy = runs.copy()
    flip = (noisy.model == "stdualx") & (noisy.seed == 1) & (noisy.study == list(LEAK_STUDY)[1])
    noisy.loc[flip, "accuracy"] -= 0.2
    s = stdualx.leak_contributions(noisy, list(LEAK_STUDY)).query("model == 'stdualx'")
    assert s["reading"].iloc[1] == "inside noise" and s["Δ accuracy, paired mean"].iloc[1] == pytest.approx(-5)


def test_holdout_pairs_are_the_first_max_folds_disjoint_pairs():
    assert stdualx.holdout_pairs(None) == [list(p) for p in stdualx.HOLDOUT_PAIRS]
    assert stdualx.holdout_pairs(1) == [stdualx.TEST_SUBJECTS]      # the code's pair comes first
    assert stdualx.holdout_pairs(3, [(2, 3), (4, 5), (6, 7), (8, 1)]) == [[2, 3], [4, 5], [6, 7]]
    with pytest.raises(ValueError, match="disjoint"):
        stdualx.holdout_pairs(None, [(1, 2), (2, 3)])
    with pytest.raises(ValueError, match="non-empty"):
        stdualx.holdout_pairs(None, [])
    with pytest.raises(ValueError, match="at least 1"):
        stdualx.holdout_pairs(0)
