"""The plan of tools/reproduce.sh (tools/reproduce_plan.py): selection, groups, the estimate
of the training time and the balance of the queues."""
from __future__ import annotations

import csv
import importlib.util
import itertools
import random
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("reproduce_plan", REPO / "tools" / "reproduce_plan.py")
rp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rp)

AVAILABLE = ["00_datasets", "01_evaluation_protocols", "10_memae_method", "11_memae_results",
             "12_memae_segmentation", "20_usad_augmentation", "31_stdualx_results", "32_stdualx_ablation",
             "40_deployment", "90_claims_vs_reproduced", "95_extra_summary"]


def test_select_numbers_and_names():
    assert rp.select(["32", "31"], [], AVAILABLE) == ["31_stdualx_results", "32_stdualx_ablation"]
    assert rp.select(["1"], [], AVAILABLE) == ["01_evaluation_protocols"]
    for name in ["31_stdualx_results", "31_stdualx_results.ipynb", "notebooks/31_stdualx_results.ipynb"]:
        assert rp.select([name], [], AVAILABLE) == ["31_stdualx_results"], name
    assert rp.select(["31", "31_stdualx_results"], [], AVAILABLE) == ["31_stdualx_results"]


def test_select_papers():
    assert rp.select([], ["C"], AVAILABLE) == ["31_stdualx_results", "32_stdualx_ablation"]
    assert rp.select([], ["a"], AVAILABLE) == ["10_memae_method", "11_memae_results", "12_memae_segmentation"]
    assert rp.select([], ["data"], AVAILABLE) == ["00_datasets", "01_evaluation_protocols"]
    assert rp.select([], ["deploy"], AVAILABLE) == ["40_deployment"]
    assert rp.select(["40"], ["B", "C"], AVAILABLE) == ["20_usad_augmentation", "31_stdualx_results",
                                                        "32_stdualx_ablation", "40_deployment"]
    # a paper selects no summary notebook; every paper's range is disjoint from the others
    spans = sorted(rp.PAPERS.values())
    assert all(a[1] < b[0] for a, b in zip(spans, spans[1:]))
    assert all(b < rp.LAST[0] for _, b in spans)


def test_nothing_selected_is_everything_with_the_summaries_last():
    shuffled = AVAILABLE[::-1]
    got = rp.select([], [], shuffled)
    assert sorted(got) == sorted(AVAILABLE)
    assert got[-2:] == ["90_claims_vs_reproduced", "95_extra_summary"]
    assert got[:-2] == sorted(AVAILABLE)[:-2]


def test_a_selected_summary_runs_after_the_others():
    got = rp.select(["90", "40", "31"], [], AVAILABLE)
    assert got == ["31_stdualx_results", "40_deployment", "90_claims_vs_reproduced"]
    plan = rp.make_plan(got, 2, {})
    assert plan["last"] == ["90_claims_vs_reproduced"]
    assert all("90_claims_vs_reproduced" not in g for q in plan["queues"] for g in q)
    assert rp.format_queues(plan).splitlines()[-1] == "last 90_claims_vs_reproduced"


def test_unknown_selection_names_what_was_asked_and_what_exists():
    with pytest.raises(rp.SelectionError) as e:
        rp.select(["37", "foo.ipynb"], [], AVAILABLE)
    msg = str(e.value)
    assert "'37'" in msg and "'foo.ipynb'" in msg
    assert all(s in msg for s in AVAILABLE)
    with pytest.raises(rp.SelectionError) as e:
        rp.select(["31"], ["D"], AVAILABLE)
    msg = str(e.value)
    assert "'D'" in msg and all(name in msg for name in rp.PAPERS)
    with pytest.raises(rp.SelectionError, match="no notebooks for paper deploy"):
        rp.select([], ["deploy"], ["00_datasets", "31_stdualx_results"])


def test_groups_by_first_digit_in_order():
    stems = rp.select([], [], AVAILABLE)
    gs, last = rp.groups(stems)
    assert [g[0][0] for g in gs] == ["0", "1", "2", "3", "4"]
    assert gs[1] == ["10_memae_method", "11_memae_results", "12_memae_segmentation"]
    assert gs[3] == ["31_stdualx_results", "32_stdualx_ablation"]
    assert last == ["90_claims_vs_reproduced", "95_extra_summary"]
    assert sorted(itertools.chain(*gs, last)) == sorted(AVAILABLE)


def _write_times(folder: Path) -> Path:
    rows = [("00_datasets", "0.3", "", "0"),
            ("11_memae_results", "2.0", "12.0", "6"),
            ("12_memae_segmentation", "1.5", "3.0", "4"),
            ("31_stdualx_results", "0.5", "90.0", "3"),
            ("90_claims_vs_reproduced", "", "", "0")]
    path = folder / "times.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["notebook", rp.EXECUTION, rp.TRAINING, "runs"])
        w.writerows(rows)
    return path


def _write_runs(folder: Path) -> None:
    # notebook 12 reuses two of notebook 11's runs (k1: 60 s, k2: 120 s) and trains two more
    tables = {"11_memae_runs.csv": [("k1", 60), ("k2", 120), ("k3", 540)] * 2,      # duplicates count once
              "12_memae_segmentation_runs.csv": [("k1", 60), ("k2", 120), ("k4", 60), ("k5", 0)],
              "31_stdualx_runs.csv": [("s1", 5400)]}
    for name, rows in tables.items():
        with open(folder / name, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["model", "run_key", "train_seconds"])
            w.writerows(("m", k, s) for k, s in rows)
    (folder / "12_other_runs.csv").write_text("run_key,f1\nk9,0.5\n")   # no train_seconds: ignored


def test_read_times_treats_empty_cells_as_zero(tmp_path):
    times = rp.read_times(_write_times(tmp_path))
    assert times["00_datasets"] == {"training": 0.0, "execution": 0.3, "runs": 0}
    assert times["90_claims_vs_reproduced"]["execution"] == 0.0
    assert times["11_memae_results"]["training"] == 12.0


def test_estimate_counts_a_shared_run_once(tmp_path):
    times = rp.read_times(_write_times(tmp_path))
    _write_runs(tmp_path)
    runs = rp.read_runs(tmp_path)
    assert runs["11"] == {"k1": 1.0, "k2": 2.0, "k3": 9.0}
    assert set(runs["12"]) == {"k1", "k2", "k4", "k5"}
    stems = ["11_memae_results", "12_memae_segmentation", "31_stdualx_results", "33_missing"]
    est = rp.estimate(stems, times, runs)
    assert est["11_memae_results"] == {"training": 12.0, "runs": 6, "shared": 0, "recorded": True}
    # 12's recorded 3.0 min less k1's 1 and k2's 2 minutes, which notebook 11 trains
    assert est["12_memae_segmentation"]["training"] == pytest.approx(0.0)
    assert est["12_memae_segmentation"]["runs"] == 2 and est["12_memae_segmentation"]["shared"] == 2
    assert est["31_stdualx_results"]["training"] == 90.0
    assert est["33_missing"] == {"training": 0.0, "runs": 0, "shared": 0, "recorded": False}
    # alone, notebook 12 trains all of its runs
    alone = rp.estimate(["12_memae_segmentation"], times, runs)["12_memae_segmentation"]
    assert alone["training"] == 3.0 and alone["shared"] == 0
    # without runs tables the recorded minutes add up
    assert sum(e["training"] for e in rp.estimate(stems, times).values()) == 12.0 + 3.0 + 90.0


def test_read_runs_counts_an_augmentation_run_as_a_run(tmp_path):
    import pandas as pd
    pd.DataFrame({"run_key": ["a", "b"], "train_seconds": [60.0, 120.0], "augment_run_key": ["g", "g"],
                  "augment_seconds": [600.0, 600.0]}).to_csv(tmp_path / "23_x_runs.csv", index=False)
    pd.DataFrame({"run_key": ["c"], "train_seconds": [60.0], "augment_run_key": ["g"],
                  "augment_seconds": [600.0]}).to_csv(tmp_path / "24_y_runs.csv", index=False)
    runs = rp.read_runs(tmp_path)
    assert runs["23"] == {"a": 1.0, "g": 10.0, "b": 2.0}
    assert runs["24"] == {"c": 1.0, "g": 10.0}           # shared with 23: the estimate counts it once


def test_plan_total_and_wall_time(tmp_path):
    times = rp.read_times(_write_times(tmp_path))
    _write_runs(tmp_path)
    stems = ["00_datasets", "11_memae_results", "12_memae_segmentation", "31_stdualx_results",
             "90_claims_vs_reproduced"]
    one = rp.make_plan(stems, 1, times, rp.read_runs(tmp_path))
    assert one["total"] == pytest.approx(12.0 + 0.0 + 90.0)
    assert one["wall"] == pytest.approx(one["total"])
    assert one["execution"] == pytest.approx(0.3 + 2.0 + 1.5 + 0.5)
    two = rp.make_plan(stems, 2, times, rp.read_runs(tmp_path))
    assert two["total"] == one["total"]
    assert two["queues"][0] == [["31_stdualx_results"]]                 # the longest group alone
    assert two["queues"][1] == [["11_memae_results", "12_memae_segmentation"], ["00_datasets"]]
    assert two["wall"] == pytest.approx(90.0)
    text = rp.format_plan(two, "paper")
    assert "102.0 min" in text and "standard profile" in text and "paper profile" in text


def test_balance_greedy_longest_first():
    minutes = {"a": 10, "b": 7, "c": 6, "d": 5}
    gs = [["a"], ["b"], ["c"], ["d"]]
    # a → queue 1 (10); b → queue 2 (7); c → queue 2 (13); d → queue 1 (15)
    assert rp.balance(gs, minutes, 2) == [[["a"], ["d"]], [["b"], ["c"]]]
    assert rp.wall_minutes(rp.balance(gs, minutes, 2), [], minutes) == 15
    assert rp.balance(gs[::-1], minutes, 1) == [gs[::-1]]             # one queue: as given
    assert rp.balance(gs[:1], minutes, 3) == [[["a"]]]                # no empty queues
    with pytest.raises(ValueError):
        rp.balance(gs, minutes, 0)


def test_balance_is_within_the_greedy_bound():
    rng = random.Random(0)
    for _ in range(200):
        n, jobs = rng.randint(1, 8), rng.randint(1, 4)
        gs = [[f"g{i}"] for i in range(n)]
        minutes = {g[0]: rng.uniform(0, 100) for g in gs}
        queues = rp.balance(gs, minutes, jobs)
        assert sorted(g[0] for q in queues for g in q) == sorted(g[0] for g in gs)
        loads = [rp.queue_minutes(q, minutes) for q in queues]
        total = sum(minutes.values())
        # list scheduling: the longest queue exceeds the mean load by at most one group
        assert max(loads) <= total / jobs + max(minutes.values()) + 1e-9
        assert max(loads) >= total / jobs - 1e-9


def test_queues_for_the_shell_mark_the_groups():
    plan = {"queues": [[["20_a", "21_b"]], [["30_c"], ["00_d", "01_e"]]], "last": []}
    assert rp.format_queues(plan).splitlines() == ["queue 20_a 21_b", "queue 30_c | 00_d 01_e"]


def _repo(tmp_path: Path) -> Path:
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "tables").mkdir()
    for s in ["00_datasets", "11_memae_results", "12_memae_segmentation", "31_stdualx_results",
              "90_claims_vs_reproduced"]:
        (tmp_path / "notebooks" / f"{s}.ipynb").write_text("{}")
    _write_times(tmp_path).rename(tmp_path / rp.TIMES)
    _write_runs(tmp_path / "tables")
    return tmp_path


def test_main_prints_queues_and_rejects_unknown_notebooks(tmp_path, capsys):
    repo = _repo(tmp_path)
    assert rp.main(["--repo", str(repo), "--queues", "-j", "2", "12", "--paper", "C"]) == 0
    assert capsys.readouterr().out.splitlines() == ["queue 31_stdualx_results", "queue 12_memae_segmentation"]
    assert rp.main(["--repo", str(repo), "--queues", "31", "90"]) == 0
    assert capsys.readouterr().out.splitlines() == ["queue 31_stdualx_results", "last 90_claims_vs_reproduced"]
    assert rp.main(["--repo", str(repo), "--dry-run", "13"]) == 2
    err = capsys.readouterr().err
    assert "'13'" in err and "12_memae_segmentation" in err


def test_write_table_sums_the_groups(tmp_path):
    repo = _repo(tmp_path)
    assert rp.main(["--repo", str(repo), "--write-table"]) == 0
    with open(repo / "tables" / "reproduce_estimate.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    col = "training (min)"
    groups, total, wall = rows[:-2], rows[-2], rows[-1]
    assert [r["notebooks"] for r in groups] == ["00", "11 12", "31", "90"]
    assert sum(float(r[col]) for r in groups) == pytest.approx(float(total[col]))
    assert float(total[col]) == pytest.approx(102.0)
    assert "2 workers" in wall["group"] and float(wall[col]) == pytest.approx(90.0)
    assert (repo / "tables" / "reproduce_estimate.md").read_text().count("\n| ") == len(rows) + 1


def test_committed_estimate_table_is_current():
    """tables/reproduce_estimate.csv is what --write-table makes of the committed run times
    (tools/reproduce.sh rewrites it after a standard run of the summary notebooks)."""
    times = rp.read_times(REPO / rp.TIMES)
    plan = rp.make_plan(rp.select([], [], rp.find_notebooks(REPO / "notebooks")), 2, times,
                        rp.read_runs(REPO / "tables"))
    with open(REPO / "tables" / "reproduce_estimate.csv", newline="") as f:
        committed = list(csv.DictReader(f))
    assert committed == [{k: str(v) for k, v in r.items()} for r in rp.estimate_table(plan)], \
        "run python tools/reproduce_plan.py --write-table"
