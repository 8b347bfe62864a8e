"""Numbers quoted in prose come from the committed tables (showyourwork's rule), and each
notebook's headline numbers are compared with recorded values."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from harlib.core import numerics
from harlib.report import headlines
from harlib.evaluation import invariants
from harlib.training.profiles import SMOKE_TOLERANCE, get_profile
from harlib.report.tables import (check_quotes, notebook_quote_problems, project_root,
                                  unquotable_numbers)


def test_readme_quotes_only_committed_table_values():
    readme = (project_root() / "README.md").read_text()
    assert check_quotes(readme) == {}


def test_a_mistyped_number_is_caught():
    table = pd.DataFrame({"macro_f1": ["0.957 ± 0.002", "0.880 ± 0.011"], "gap": [0.0364, 0.069]})
    assert unquotable_numbers("0.957 ± 0.002, gap +0.036 and 0.07", [table]) == []
    assert unquotable_numbers("0.958 and +0.037", [table]) == ["0.958", "+0.037"]


def test_check_quotes_names_the_block(tmp_path):
    (tmp_path / "t.csv").write_text("f1\n0.91\n")
    text = "<!-- quotes: t.csv -->\nours 0.91, then 0.93\n<!-- end quotes -->"
    assert check_quotes(text, root=tmp_path) == {"t.csv": ["0.93"]}
    with pytest.raises(FileNotFoundError, match="missing.csv"):
        check_quotes("<!-- quotes: missing.csv -->x<!-- end quotes -->", root=tmp_path)


def test_signs_and_powers_of_ten_are_read_as_printed():
    table = pd.DataFrame({"params": [347000.0], "gap": [-0.009]})
    assert unquotable_numbers("3.47 × 10⁵, 0.009 below, −0.009, -0.009", [table]) == []
    assert unquotable_numbers("3.48 × 10⁵, 3.47 × 10⁶, 3.47, +0.009", [table]) == [
        "3.48 × 10⁵", "3.47 × 10⁶", "3.47", "+0.009"]


def test_a_mistyped_count_is_caught_in_text_order():
    table = pd.DataFrame({"n_train": [1539], "budget": ["15219 × 5"], "f1": [0.91]})
    assert unquotable_numbers("1,539 and 15,219 windows; 15219 again, F1 0.91", [table]) == []
    assert unquotable_numbers("0.93 on 1,540 windows, then 15,218 and 153", [table]) == [
        "0.93", "1,540", "15,218", "153"]
    # a text cell's whole numbers serve counts only: "v3" makes no "3.00", "1539.5" no "1,539"
    text_cells = pd.DataFrame({"version": ["x86-64-v3"], "mean": ["1539.5 ± 0.2"]})
    assert unquotable_numbers("3.00 and 1,539", [text_cells]) == ["3.00", "1,539"]
    assert unquotable_numbers("1539.5, 0.2 and 3", [text_cells]) == []


def test_counts_that_are_settings_or_names_need_no_table():
    table = pd.DataFrame({"f1": [0.91]})
    text = ("WISDM 2019, 100 epochs, 100\ncalls, 10 rounds of 100 tests, 113 channels, batch 512, a batch "
            "of 100, 9 × 128, ≤ 4,000 windows, at most 2,000, up to 100, a 2,000-window sample, 1,000 "
            "windows per epoch, AVX-512, B119, x86, `1234`, and 3 folds")
    assert unquotable_numbers(text, [table]) == []
    assert unquotable_numbers("4,000 windows and 2,019 runs", [table]) == ["4,000", "2,019"]


def test_the_papers_claims_are_a_quote_source(tmp_path):
    text = "<!-- quotes: claims -->\nB reports 98.84 % and 3.47 × 10⁵, not 98.85 %\n<!-- end quotes -->"
    assert check_quotes(text, root=tmp_path) == {"claims": ["98.85"]}


@pytest.mark.parametrize("notebook", sorted(p.name for p in (project_root() / "notebooks")
                                            .glob("[0-9][0-9]_*.ipynb")))
def test_notebook_prose_quotes_only_committed_table_values(notebook):
    assert notebook_quote_problems(project_root() / "notebooks" / notebook) == []


def _notebook(tmp_path, *markdown):
    """A notebook whose cell 0 is code and cells 1… are the given Markdown texts, beside a
    standard-profile table tables/t.csv."""
    import nbformat
    (tmp_path / "tables").mkdir(exist_ok=True)
    (tmp_path / "tables" / "t.csv").write_text("f1\n0.91\n")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 0.93")]
                                  + [nbformat.v4.new_markdown_cell(m) for m in markdown])
    path = tmp_path / "99_demo.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_a_mistyped_number_in_notebook_prose_names_the_notebook_cell_and_number(tmp_path):
    path = _notebook(tmp_path, "<!-- quotes: tables/t.csv -->\nours 0.91, then 0.93\n<!-- end quotes -->")
    assert notebook_quote_problems(path, root=tmp_path) == [
        "99_demo.ipynb, cell 1: 0.93 not held by tables/t.csv"]


def test_a_number_outside_a_quote_block_fails(tmp_path):
    path = _notebook(tmp_path, "<!-- quotes: tables/t.csv -->\nours 0.91\n<!-- end quotes -->\n"
                               "and then 0.91 again")
    assert notebook_quote_problems(path, root=tmp_path) == [
        "99_demo.ipynb, cell 1: 0.91 is outside any quote block"]


def test_numbers_that_are_not_results_need_no_quote_block(tmp_path):
    path = _notebook(tmp_path, "Paper B's §3.1.3 and §2.5–2.6, Eq. 4.2, Table 3.1, Fig. 2.1, "
                               "Section 4.4, WISDM v1.1, PyTorch 2.2.2, `lr=0.005`, 1.2 s windows, "
                               "a 0.5-s stride and a 0.3 Hz filter.")
    assert notebook_quote_problems(path, root=tmp_path) == []
    path = _notebook(tmp_path, "1.2 ms and 1.2 seconds are measurements")
    assert notebook_quote_problems(path, root=tmp_path) == [
        "99_demo.ipynb, cell 1: 1.2 is outside any quote block",
        "99_demo.ipynb, cell 1: 1.2 is outside any quote block"]


def test_a_quote_block_stays_in_its_cell_and_names_standard_tables(tmp_path):
    (tmp_path / "tables" / "smoke").mkdir(parents=True)
    (tmp_path / "tables" / "smoke" / "t.csv").write_text("f1\n0.91\n")
    path = _notebook(tmp_path, "<!-- quotes: tables/t.csv -->\nours 0.91", "<!-- end quotes -->",
                     "<!-- quotes: tables/smoke/t.csv -->\n0.91\n<!-- end quotes -->")
    assert notebook_quote_problems(path, root=tmp_path) == [
        "99_demo.ipynb, cell 1: a quote block is not closed in the same cell",
        "99_demo.ipynb, cell 1: 0.91 is outside any quote block",
        "99_demo.ipynb, cell 2: a quote block is not closed in the same cell",
        "99_demo.ipynb, cell 3: quote source tables/smoke/t.csv is not a standard-profile table "
        "or 'claims'"]


def test_headlines_fail_until_re_recorded(tmp_path, monkeypatch):
    monkeypatch.setenv("HARLIB_OUTPUT", str(tmp_path))
    monkeypatch.delenv(headlines.RECORD_ENV, raising=False)
    with pytest.raises(AssertionError, match="no headline numbers recorded"):
        headlines.check_headlines("99_demo", {"f1": 0.5}, "smoke")
    headlines.check_headlines("99_demo", {"f1": 0.5}, "smoke", record=True)
    assert "1 headline numbers match" in headlines.check_headlines("99_demo", {"f1": 0.5}, "smoke")
    with pytest.raises(AssertionError, match=r"f1: 0.500100 now, 0.500000 recorded"):
        headlines.check_headlines("99_demo", {"f1": 0.5001}, "smoke")
    with pytest.raises(AssertionError, match="not produced"):
        headlines.check_headlines("99_demo", {"acc": 0.5}, "smoke")
    saved = json.loads(headlines.recorded_path("99_demo").read_text())
    tol, source = SMOKE_TOLERANCE
    assert saved["smoke"]["values"] == {"f1": {"value": 0.5, "tolerance": tol, "source": source}}


@pytest.mark.parametrize("profile", ["smoke", "standard"])
def test_a_value_just_outside_its_tolerance_fails(tmp_path, monkeypatch, profile):
    monkeypatch.setenv("HARLIB_OUTPUT", str(tmp_path))
    monkeypatch.delenv(headlines.RECORD_ENV, raising=False)
    headlines.check_headlines("99_demo", {"f1": 0.5}, profile, record=True)
    tol = json.loads(headlines.recorded_path("99_demo").read_text())[profile]["values"]["f1"]["tolerance"]
    assert tol == get_profile(profile).headline_tolerance
    headlines.check_headlines("99_demo", {"f1": 0.5 + 0.99 * tol}, profile)
    with pytest.raises(AssertionError, match="f1: .* now, 0.500000 recorded"):
        headlines.check_headlines("99_demo", {"f1": 0.5 + 1.01 * tol}, profile)


def test_standard_tolerance_is_a_multiple_of_the_measured_standard_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HARLIB_OUTPUT", str(tmp_path))
    monkeypatch.delenv(headlines.RECORD_ENV, raising=False)
    runs = pd.DataFrame({"model": ["a"] * 3 + ["b"] * 3,
                         "f1": [0.70, 0.80, 0.90, 0.500, 0.501, 0.502]})
    values = headlines.mean_values(runs, ["model"], "f1")
    assert values == pytest.approx({"a:f1": 0.80, "b:f1": 0.501})
    assert values.spread["a:f1"] == pytest.approx((0.1 / 3 ** 0.5, 3))
    headlines.check_headlines("99_demo", values, "standard", record=True)
    saved = json.loads(headlines.recorded_path("99_demo").read_text())["standard"]["values"]
    k = get_profile("standard").headline_se_multiple
    # a second execution's mean is a draw as the recorded one is: they differ by √2 × SE
    assert saved["a:f1"]["tolerance"] == pytest.approx(k * 2 ** 0.5 * 0.1 / 3 ** 0.5)
    assert "standard error over 3 runs" in saved["a:f1"]["source"]
    assert "difference between two executions' means" in saved["a:f1"]["source"]
    # b's runs agree to 0.001: its standard error is below the floor, which it keeps
    assert saved["b:f1"]["tolerance"] == get_profile("standard").headline_tolerance


def test_a_recording_whose_runs_agreed_by_chance_is_checked_with_the_new_spread(tmp_path, monkeypatch):
    """Runs that agree closely record the floor; an execution whose runs spread more (its
    runs trained again on another CPU) gets the tolerance of its own spread if larger."""
    monkeypatch.setenv("HARLIB_OUTPUT", str(tmp_path))
    monkeypatch.delenv(headlines.RECORD_ENV, raising=False)
    def values(*f1):
        return headlines.mean_values(pd.DataFrame({"model": ["a"] * len(f1), "f1": f1}), ["model"], "f1")
    headlines.check_headlines("99_demo", values(0.500, 0.501, 0.502), "standard", record=True)
    floor = get_profile("standard").headline_tolerance
    assert json.loads(headlines.recorded_path("99_demo").read_text())["standard"]["values"]["a:f1"][
        "tolerance"] == floor
    headlines.check_headlines("99_demo", values(0.49, 0.54, 0.59), "standard")   # |Δ| 0.039, wide spread
    with pytest.raises(AssertionError, match=r"a:f1: 0.540000 now, 0.501000 recorded .*floor 0.02"):
        headlines.check_headlines("99_demo", values(0.539, 0.540, 0.541), "standard")   # same |Δ|, tight


def test_invariants_must_match_exactly(tmp_path, monkeypatch):
    monkeypatch.setenv("HARLIB_OUTPUT", str(tmp_path))
    monkeypatch.delenv(headlines.RECORD_ENV, raising=False)
    invariants.reset()
    spec = {"dataset": "d", "data": "aa", "protocol": "p", "fold": 0, "split": "s1", "model": "m"}
    invariants.note(spec, "k1", 1000)
    headlines.check_headlines("99_demo", {"f1": 0.5}, "smoke", record=True)
    headlines.check_headlines("99_demo", {"f1": 0.5}, "smoke")
    invariants.reset()
    invariants.note({**spec, "split": "s2"}, "k2", 1000)       # another split membership
    with pytest.raises(AssertionError, match="invariant d/p/0:split fingerprint: 's2' now, 's1' recorded"):
        headlines.check_headlines("99_demo", {"f1": 0.5}, "smoke")
    invariants.reset()


def test_cpus_without_avx2_have_values_of_their_own(tmp_path, monkeypatch):
    """An x86-64-v2 CPU computes alike with every other one, not as an AVX2 CPU: its values
    are a section of their own, recorded beside the x86-64-v3 values they go with."""
    monkeypatch.setenv("HARLIB_OUTPUT", str(tmp_path))
    monkeypatch.delenv(headlines.RECORD_ENV, raising=False)
    monkeypatch.setattr(numerics, "level", lambda: numerics.V2)
    with pytest.raises(AssertionError, match="on a CPU with AVX2 first"):
        headlines.check_headlines("99_demo", {"f1": 0.5}, "smoke", record=True)
    monkeypatch.setattr(numerics, "level", lambda: numerics.V3)
    headlines.check_headlines("99_demo", {"f1": 0.5}, "smoke", record=True)
    monkeypatch.setattr(numerics, "level", lambda: numerics.V2)
    with pytest.raises(AssertionError, match=r"no headline numbers recorded for the smoke@x86-64-v2 "
                                             r"profile.*tools/record_headlines.sh --level x86-64-v2 99_demo"):
        headlines.check_headlines("99_demo", {"f1": 0.5}, "smoke")
    headlines.check_headlines("99_demo", {"f1": 0.47}, "smoke", record=True)
    saved = json.loads(headlines.recorded_path("99_demo").read_text())
    assert saved["smoke"]["values"]["f1"]["value"] == 0.5
    assert saved["smoke@x86-64-v2"]["values"]["f1"]["value"] == 0.47
    assert saved["smoke@x86-64-v2"]["recorded beside"] == headlines.values_digest(saved["smoke"]["values"])
    assert "smoke@x86-64-v2 profile" in headlines.check_headlines("99_demo", {"f1": 0.47}, "smoke")
    with pytest.raises(AssertionError, match=r"(?s)smoke@x86-64-v2 profile.*f1: 0.500000 now, 0.470000 recorded"):
        headlines.check_headlines("99_demo", {"f1": 0.5}, "smoke")
    monkeypatch.setattr(numerics, "level", lambda: numerics.V3)
    assert "for the smoke profile" in headlines.check_headlines("99_demo", {"f1": 0.5}, "smoke")
    # a statistical tolerance (standard profile) covers the CPU level: one section serves both
    headlines.check_headlines("99_demo", {"f1": 0.5}, "standard", record=True)
    monkeypatch.setattr(numerics, "level", lambda: numerics.V2)
    assert "for the standard profile" in headlines.check_headlines("99_demo", {"f1": 0.51}, "standard")


def test_every_notebook_has_recorded_headlines():
    notebooks = sorted(p.stem for p in (project_root() / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for nb in notebooks:
        path = headlines.recorded_path(nb)
        assert path.is_file(), f"{nb} records no headline numbers ({path})"
        data = json.loads(path.read_text())
        assert {"smoke", "smoke@x86-64-v2", "standard"} <= set(data), f"{nb}: recorded profiles {sorted(data)}"
        # the x86-64-v2 values go with the x86-64-v3 ones: re-recording one level needs the other
        assert data["smoke@x86-64-v2"]["recorded beside"] == headlines.values_digest(data["smoke"]["values"]), \
            f"{nb}: its x86-64-v2 values were recorded beside other x86-64-v3 values: bash tools/record_headlines.sh {nb[:2]}"
        src = (project_root() / "notebooks" / f"{nb}.ipynb").read_text()
        assert "check_headlines(" in src, f"{nb} does not check its headline numbers"


def test_the_cpu_levels_table_is_what_the_recorded_values_give():
    committed = pd.read_csv(project_root() / "tables" / "cpu_levels.csv", keep_default_na=False)
    now = headlines.level_differences("smoke")
    assert committed["notebook"].tolist() == now["notebook"].tolist(), "run python tools/cpu_levels.py"
    assert committed["differ"].tolist() == now["differ"].tolist(), "run python tools/cpu_levels.py"
    assert committed["beyond tolerance"].tolist() == now["beyond tolerance"].tolist(), "run python tools/cpu_levels.py"
    assert committed["largest |Δ|"].astype(float).tolist() == pytest.approx(now["largest |Δ|"].tolist())


def test_tests_the_readme_cites_exist():
    import re
    readme = (project_root() / "README.md").read_text()
    cited = set(re.findall(r"`(test_[a-z0-9_]+)`", readme))
    source = "\n".join(p.read_text() for p in (project_root() / "tests").glob("test_*.py"))
    assert cited and all(f"def {name}(" in source for name in cited), cited
