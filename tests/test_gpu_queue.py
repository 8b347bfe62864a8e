"""The paper-profile GPU queue (tools/gpu_papers.py): its order, its ids, the ledger's
resume logic, the tables it writes, and that an augmentation item makes the augmentation
run its fine-tuning item uses. Nothing here needs a GPU."""
from __future__ import annotations

import importlib.util
import json
import math
import sys

import numpy as np
import pandas as pd
import pytest
from scipy.stats import t as student_t

from harlib.report.summary import PAPER_PROFILE_COLUMNS, paper_profile_headline
from conftest import REPO


@pytest.fixture(scope="module")
def gp():
    spec = importlib.util.spec_from_file_location("gpu_papers", REPO / "tools" / "gpu_papers.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["gpu_papers"] = module       # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules["gpu_papers"]
        raise
    return module


# ---- the queue ----------------------------------------------------------------------------
def test_claims_come_before_seeds_before_ablations(gp):
    q = gp.build_queue()
    tiers = [gp.TIERS.index(i.tier) for i in q]
    assert tiers == sorted(tiers) and set(i.tier for i in q) == set(gp.TIERS)
    head = [i for i in q if i.tier == "headline"]
    assert head[0].kind == "latency"
    assert {(i.setting, i.protocol) for i in head if i.kind == "train"} == {
        (k, p) for k in gp.HEADLINE_SETTINGS for p in gp.PROTOCOL_LABELS}
    assert {i.seed for i in head} == {0} and {i.fold for i in head} == {0}
    seeds = [i for i in q if i.tier == "seeds"]
    assert [i.seed for i in seeds] == sorted(i.seed for i in seeds)       # seed 1's before seed 2's
    assert {i.seed for i in seeds} == set(gp.EXTRA_SEEDS)
    assert {i.setting for i in q if i.tier == "ablation"} == set(gp.ABLATION_SETTINGS)
    assert {"C4.wo-stdat", "C6.wo-triplet", "T2.acl", "T2.backbone-only"} <= set(gp.ABLATION_SETTINGS)
    assert all(i.protocol == "subject-independent" and i.fold > 0 for i in q if i.tier == "folds")


def test_item_ids_are_unique_and_stable(gp):
    q = gp.build_queue()
    ids = [i.id for i in q]
    assert len(ids) == len(set(ids))
    assert ids == [i.id for i in gp.build_queue()]
    assert ids[:6] == ["latency", "C3/paper-style/f0/s0", "C3/subject-independent/f0/s0",
                       "B1/paper-style/f0/s0/augment", "B1/paper-style/f0/s0",
                       "B1/subject-independent/f0/s0/augment"]
    assert "T2.acl/subject-independent/f0/s0" in ids and "A/subject-independent/f4/s0" in ids
    for i in q:        # the id says what the item is
        if i.kind != "latency":
            assert i.id.split("/")[:4] == [i.setting, i.protocol, f"f{i.fold}", f"s{i.seed}"]


def test_an_augmentation_item_is_followed_by_its_fine_tuning(gp):
    q = gp.build_queue()
    augments = [n for n, i in enumerate(q) if i.kind == "augment"]
    assert augments and {q[n].setting for n in augments} == {"B1", "B3"}
    for n in augments:
        a, f = q[n], q[n + 1]
        assert f.kind == "train" and f.id + "/augment" == a.id
        assert (a.setting, a.protocol, a.fold, a.seed) == (f.setting, f.protocol, f.fold, f.seed)
    assert all(q[n - 1].kind == "augment" for n, i in enumerate(q)
               if i.kind == "train" and gp.SETTINGS[i.setting].augmented)


def test_augmentation_and_fine_tuning_items_get_one_configuration(gp):
    from harlib.training.profiles import get_profile
    P = get_profile("paper")
    q = gp.build_queue()
    for n, item in enumerate(q):
        if item.kind != "augment":
            continue
        for quick in (False, True):
            a = gp.config_for(item, P, "cpu", quick)
            f = gp.config_for(q[n + 1], P, "cpu", quick)
            assert a == f and a[1].augment == "diffusion" and a[1].trainer == "pretrain_finetune"
            assert a[1].augment_kwargs["epochs"] == (1 if quick else P.augment_epochs)
    acl = gp.config_for(next(i for i in q if i.setting == "T2.acl"), P, "cpu", False)
    assert acl[1].augment is None and acl[1].loss == "adaptive_composite"
    wo = gp.config_for(next(i for i in q if i.setting == "C6.wo-triplet"), P, "cpu", False)
    assert wo[1].loss == "ce_triplet" and wo[1].loss_kwargs == {"weight": 0.0}


def test_select_by_prefix(gp):
    q = gp.build_queue()
    assert {i.setting for i in gp.select(q, ["T2"])} == {k for k in gp.SETTINGS if k.startswith("T2.")}
    assert [i.id for i in gp.select(q, ["B1/paper-style/f0/s0"])][:2] == [
        "B1/paper-style/f0/s0/augment", "B1/paper-style/f0/s0"]
    with pytest.raises(SystemExit, match="'Z9'"):
        gp.select(q, ["Z9"])


# ---- the ledger ---------------------------------------------------------------------------
class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def items(gp, *guesses, one_family=True):
    """Items of one family (a measured one estimates the others) or each of its own."""
    return [gp.Item(f"X/paper-style/f0/s{n}", "headline", "train", "C3" if one_family else f"S{n}",
                    "paper-style", 0, n, g)
            for n, g in enumerate(guesses)]


def runner(clock, seconds, calls):
    def execute(item):
        calls.append(item.id)
        clock.now += seconds[item.id] if isinstance(seconds, dict) else seconds
        return {"claim": "C3"}
    return execute


ENV = {"device": "test device", "torch": "0"}


def test_the_ledger_skips_finished_items_and_records_each_one(gp, tmp_path):
    path = tmp_path / "ledger.json"
    q = items(gp, 10, 10, 10)
    clock, calls = Clock(), []
    led = gp.Ledger(path)
    led.finish(q[0], {"seconds": 10.0})
    out = gp.run_queue(q, gp.Ledger(path), 1000, runner(clock, 5, calls), ENV, clock=clock, log=lambda s: None)
    assert calls == [q[1].id, q[2].id] and out["ran"] == calls
    saved = json.loads(path.read_text())
    entry = saved["done"][q[2].id]
    assert entry["seconds"] == 5 and entry["device"] == "test device" and entry["torch"] == "0"
    assert entry["date"] and entry["family"] == q[2].family
    calls.clear()
    gp.run_queue(q, gp.Ledger(path), 1000, runner(clock, 5, calls), ENV, clock=clock, log=lambda s: None)
    assert calls == []                                             # all done: nothing runs again


def test_the_budget_stops_new_items(gp, tmp_path):
    q = items(gp, 10, 10, 10, 10)
    clock, calls = Clock(), []
    out = gp.run_queue(q, gp.Ledger(tmp_path / "l.json"), 250, runner(clock, 100, calls), ENV,
                       clock=clock, log=lambda s: None)
    # starts at 0 and 100; at 200 the estimate (the 100 s measured) no longer fits 250 s
    assert calls == [q[0].id, q[1].id] and out["stopped_before"] == q[2].id
    calls.clear()
    out = gp.run_queue(q, gp.Ledger(tmp_path / "l.json"), 250, runner(clock, 100, calls), ENV,
                       clock=clock, log=lambda s: None)
    assert calls == [q[2].id, q[3].id]                             # the next command resumes


def test_the_first_item_of_a_command_starts_whatever_its_estimate(gp, tmp_path):
    q = items(gp, 900, 900, one_family=False)
    clock, calls = Clock(), []
    out = gp.run_queue(q, gp.Ledger(tmp_path / "l.json"), 420, runner(clock, 30, calls), ENV,
                       clock=clock, log=lambda s: None)
    assert calls == [q[0].id] and out["stopped_before"] == q[1].id   # a 900 s guess does not fit
    out = gp.run_queue(q, gp.Ledger(tmp_path / "l.json"), 0, runner(clock, 30, calls), ENV,
                       clock=clock, log=lambda s: None)
    assert calls == [q[0].id] and out["stopped_before"] == q[1].id   # a spent budget starts nothing


def test_a_fine_tuning_without_its_stored_augmentation_counts_its_seconds(gp, tmp_path):
    aug, ft = gp.Item("B1/x/augment", "headline", "augment", "B1", "paper-style", 0, 0, 300), \
        gp.Item("B1/x", "headline", "train", "B1", "paper-style", 0, 0, 200)
    first = gp.Item("C3/x", "headline", "train", "C3", "paper-style", 0, 0, 10)
    path = tmp_path / "l.json"
    gp.Ledger(path).finish(aug, {"family": aug.family, "seconds": 300.0, "run_key": "k"})
    logs, calls, clock = [], [], Clock()
    out = gp.run_queue([first, aug, ft], gp.Ledger(path), 400, runner(clock, 10, calls), ENV,
                       clock=clock, log=logs.append)
    assert calls == [first.id] and out["stopped_before"] == ft.id     # 10 + 200 + 300 > 400
    assert "its augmentation" in logs[-1]
    other = gp.Item("C3/y", "headline", "train", "C3", "paper-style", 0, 1, 10)
    gp.run_queue([other, aug, ft], gp.Ledger(path), 400, runner(clock, 10, calls), ENV,
                 clock=clock, log=logs.append, in_store=lambda key: key == "k")
    assert calls == [first.id, other.id, ft.id]                        # stored: 10 + 200 fits


def test_a_killed_item_is_retried_then_left_out(gp, tmp_path):
    path = tmp_path / "l.json"
    q = items(gp, 10, 10)

    def killed(item):
        raise KeyboardInterrupt      # the command is killed while the item trains

    for attempt in (1, 2):
        with pytest.raises(KeyboardInterrupt):
            gp.run_queue(q, gp.Ledger(path), 1000, killed, ENV, log=lambda s: None)
        assert gp.Ledger(path).unfinished_attempts(q[0].id) == attempt
    led = gp.Ledger(path)
    assert led.status(q[0]) == "stuck" and led.status(q[1]) == "pending"
    clock, calls = Clock(), []
    out = gp.run_queue(q, led, 1000, runner(clock, 1, calls), ENV, clock=clock, log=lambda s: None)
    assert calls == [q[1].id] and out["skipped"] == [q[0].id]
    gp.run_queue(q, gp.Ledger(path), 1000, runner(clock, 1, calls), ENV, clock=clock,
                 log=lambda s: None, retry=True)
    assert calls == [q[1].id, q[0].id] and gp.Ledger(path).status(q[0]) == "done"


def test_a_failing_item_is_recorded_and_the_queue_goes_on(gp, tmp_path):
    q = items(gp, 10, 10)
    clock, calls = Clock(), []

    def execute(item):
        if item is q[0]:
            raise ValueError("out of memory")
        return runner(clock, 1, calls)(item)

    out = gp.run_queue(q, gp.Ledger(tmp_path / "l.json"), 1000, execute, ENV, clock=clock,
                       log=lambda s: None)
    assert out["failed"] == [q[0].id] and calls == [q[1].id]
    led = gp.Ledger(tmp_path / "l.json")
    assert led.data["attempts"][0]["error"] == "ValueError: out of memory"
    assert led.status(q[0]) == "pending (tried 1×)"


def test_a_corrupt_ledger_names_its_file(gp, tmp_path):
    path = tmp_path / "gpu_queue.json"
    path.write_text('{"format": 1, "done": {')
    with pytest.raises(gp.LedgerError, match=f"{path}.*unreadable"):
        gp.Ledger(path)
    path.write_text('{"format": 1, "done": [], "attempts": []}')
    with pytest.raises(gp.LedgerError, match=f"{path}.*not a ledger"):
        gp.Ledger(path)


def test_quick_and_real_ledgers_stay_apart(gp, tmp_path):
    gp.Ledger(tmp_path / "q.json", quick=True).save()
    with pytest.raises(gp.LedgerError, match="--quick ledger"):
        gp.Ledger(tmp_path / "q.json", quick=False)
    with pytest.raises(SystemExit, match="--ledger"):
        gp.ledger_path(None, quick=True)
    with pytest.raises(SystemExit, match="scratch"):
        gp.ledger_path(str(gp.COMMITTED_LEDGER), quick=True)


def test_a_new_ledger_starts_from_the_committed_one_and_merges_back(gp, tmp_path):
    q = items(gp, 10, 10)
    committed, returned = tmp_path / "committed.json", tmp_path / "out" / "gpu_queue.json"
    base = gp.Ledger(committed)
    base.finish(q[0], {"seconds": 3.0})
    far = gp.Ledger(returned, seed_from=committed)
    assert q[0].id in far.done
    far.finish(q[1], {"seconds": 4.0})
    assert gp.Ledger(committed).merge(gp.Ledger(returned)) == [q[1].id]
    assert set(gp.Ledger(committed).done) == {q[0].id, q[1].id}


def test_the_estimate_is_a_guess_until_its_family_was_measured(gp, tmp_path):
    q = items(gp, 77, 88)
    led = gp.Ledger(tmp_path / "l.json")
    assert led.estimate(q[1]) == (88, "guess")
    led.finish(q[0], {"family": q[0].family, "seconds": 12.0})
    assert led.estimate(q[1]) == (12.0, "measured (1)")
    assert "pending" in gp.list_queue(q, led) and "done" in gp.list_queue(q, led)


# ---- the tables ---------------------------------------------------------------------------
def run_rows(gp, claim, row, protocol, accs, seeds=None):
    s = next(v for v in gp.SETTINGS.values() if v.claim == claim)
    return [{"kind": "train", "claim": claim, "row": row, "stand_in": gp.WINDOWS[s.windows].stand_in,
             "protocol": protocol, "fold": 0, "seed": seed, "accuracy": a, "f1_macro": a - 0.01,
             "device": "dev", "torch": "2.x"}
            for seed, a in zip(seeds or range(len(accs)), accs)]


def test_the_headline_has_a_t_interval_and_the_ablation_drop(gp):
    runs = pd.DataFrame(run_rows(gp, "C3", "STDual-X", "paper-style", [0.90, 0.92, 0.94])
                        + run_rows(gp, "C4", "w/o STDAT", "paper-style", [0.80, 0.83])
                        + run_rows(gp, "C3", "STDual-X", "subject-independent", [0.95]))
    h = gp.headline_table(runs).set_index(["claim", "protocol"])
    c3 = h.loc[("C3", "paper-style")]
    half = student_t.ppf(0.975, 2) * np.std([90, 92, 94], ddof=1) / math.sqrt(3)
    assert c3.n == 3 and c3.accuracy == pytest.approx(92)
    assert (c3["accuracy 95 % CI low"], c3["accuracy 95 % CI high"]) == pytest.approx((92 - half, 92 + half))
    assert c3["the paper reports"] == 98.8 and c3["ours, as the paper states it"] == pytest.approx(92)
    assert c3.device == "dev" and c3.torch == "2.x"
    one = h.loc[("C3", "subject-independent")]
    assert one.n == 1 and math.isnan(one["accuracy 95 % CI low"])
    c4 = h.loc[("C4", "paper-style")]         # the drop over the seeds both have (0 and 1)
    assert c4["ours, as the paper states it"] == pytest.approx(((90 - 80) + (92 - 83)) / 2)
    assert c4["the paper reports"] == 7.74
    assert list(gp.headline_table(pd.DataFrame(columns=["kind"])).columns) == gp.HEADLINE_COLUMNS


def test_paper_profile_headline_reads_the_queue_table(gp, tmp_path):
    empty = paper_profile_headline(tmp_path)
    assert empty.empty and list(empty.columns) == PAPER_PROFILE_COLUMNS
    assert empty.index.names == ["claim", "protocol"]
    assert paper_profile_headline(tmp_path, wide=True).empty
    runs = pd.DataFrame(run_rows(gp, "C3", "STDual-X", "paper-style", [0.90, 0.92])
                        + run_rows(gp, "C3", "STDual-X", "subject-independent", [0.95, 0.97])
                        + run_rows(gp, "B1", "USAD", "paper-style", [0.97]))
    gp.write_table(gp.headline_table(runs), tmp_path, "gpu_queue_headline", {"device": "dev"})
    long = paper_profile_headline(tmp_path)
    assert list(long.columns) == PAPER_PROFILE_COLUMNS
    assert long.loc[("C3", "subject-independent"), "accuracy"] == pytest.approx(96)
    assert long.loc[("B1", "paper-style"), "n"] == 1
    wide = paper_profile_headline(tmp_path, wide=True).set_index("claim")
    assert list(wide.columns[:2]) == ["paper profile, paper-style", "n, paper-style"]
    assert wide.loc["C3", "paper profile, paper-style"] == pytest.approx(91)
    assert wide.loc["C3", "n, subject-independent"] == 2
    assert math.isnan(wide.loc["B1", "paper profile, subject-independent"])
    assert wide.loc["B1", "the paper reports"] == 98.84
    (tmp_path / "gpu_queue_headline.csv").write_text("claim,protocol\nC3,paper-style\n")
    with pytest.raises(ValueError, match="gpu_queue_headline.csv lacks"):
        paper_profile_headline(tmp_path)


# ---- the augmentation key -----------------------------------------------------------------
def test_the_augmentation_item_makes_the_run_the_fine_tuning_uses(gp, basicmotions_windows, tmp_path):
    import torch
    from harlib.training.runs import RunStore
    from harlib.training.train import TrainConfig, fit
    torch.set_num_threads(1)
    ws, split = basicmotions_windows
    store = RunStore(tmp_path)
    cfg = TrainConfig(max_epochs=1, batch_size=16, trainer="pretrain_finetune", augment="diffusion",
                      augment_kwargs={"amount": 0.5, "epochs": 1, "sample_steps": 5},
                      pretrain_epochs=1, max_train_windows=60)
    aug = gp.prepare_augmentation("cnn1d", ws, split, cfg, 0, {}, store)
    assert not aug.cached and store.has(aug.key)
    stamp = (store.path(aug.key) / "result.json").stat().st_mtime_ns
    run = fit("cnn1d", ws, split, cfg, seed=0, store=store)
    assert run.record["augmentation"]["run_key"] == aug.key
    assert (store.path(aug.key) / "result.json").stat().st_mtime_ns == stamp     # loaded, not retrained
    assert gp.prepare_augmentation("cnn1d", ws, split, cfg, 0, {}, store).cached
    assert gp.prepare_augmentation("cnn1d", ws, split, cfg, 1, {}, RunStore(tmp_path / "s1")).key != aug.key
