"""Comparing recorded headline values: a re-execution against the committed recordings."""
import json

import pytest

from harlib.core import numerics
from harlib.report import headlines


def _record(folder, notebook, values, invariants=None, profile="standard"):
    folder.mkdir(parents=True, exist_ok=True)
    entries = {k: {"value": v, "tolerance": tol, "source": "test"} for k, (v, tol) in values.items()}
    invariants = {"runs": 3} if invariants is None else invariants
    (folder / f"{notebook}.json").write_text(json.dumps({profile: {"values": entries, "invariants": invariants}}))


def test_rerun_differences_count_moved_values_against_the_committed_tolerances(tmp_path):
    committed, again = tmp_path / "committed", tmp_path / "again"
    _record(committed, "11_a", {"x": (50.0, 1.0), "y": (0.5, 0.01), "z": (2.0, 0.1)})
    _record(committed, "34_b", {"e": (0.4, 1e-6)})
    _record(committed, "90_not_rerun", {"q": (1.0, 0.1)})
    _record(again, "11_a", {"x": (50.0, 1.0), "y": (0.53, 0.01), "z": (2.05, 0.1)})   # y beyond, z within
    _record(again, "34_b", {"e": (0.4, 1e-6)}, invariants={"runs": 2})
    t = headlines.rerun_differences(again, "standard", committed).set_index("notebook")
    assert list(t.index) == ["11_a", "34_b", "all"]                   # only what was executed again
    a = t.loc["11_a"]
    assert (a["values"], a["differ"], a["beyond tolerance"]) == (3, 2, 1)
    assert a["largest |Δ|"] == pytest.approx(0.05) and a["value with the largest |Δ|"] == "z"
    assert a["largest |Δ| / tolerance"] == pytest.approx(3.0)       # y: 0.03 against 0.01
    assert a["invariants equal"] and not t.loc["34_b", "invariants equal"]
    assert t.loc["34_b", "differ"] == 0 and t.loc["34_b", "largest |Δ|"] == 0
    total = t.loc["all"]
    assert (total["values"], total["differ"], total["beyond tolerance"]) == (4, 2, 1)
    assert total["value with the largest |Δ|"] == "11_a: z" and not total["invariants equal"]


def test_rerun_differences_allow_the_larger_of_the_two_tolerances(tmp_path):
    """Each recording's tolerance comes from its own execution's spread; a recording whose
    runs agreed by chance keeps the floor, and the other execution's wider spread applies."""
    committed, again = tmp_path / "committed", tmp_path / "again"
    _record(committed, "12_a", {"x": (0.33, 0.02), "y": (0.50, 0.05)})
    _record(again, "12_a", {"x": (0.35, 0.06), "y": (0.56, 0.02)})    # x: 0.02 within 0.06; y beyond 0.05
    a = headlines.rerun_differences(again, "standard", committed).set_index("notebook").loc["12_a"]
    assert (a["differ"], a["beyond tolerance"]) == (2, 1)
    assert a["largest |Δ| / tolerance"] == pytest.approx(0.06 / 0.05)


def test_rerun_differences_read_a_recording_from_before_invariants(tmp_path):
    committed, again = tmp_path / "committed", tmp_path / "again"
    _record(committed, "21_a", {"x": (1.0, 0.1)})
    _record(committed, "22_b", {"x": (1.0, 0.1)})
    for nb in ("21_a", "22_b"):                          # committed before invariants were recorded
        data = json.loads((committed / f"{nb}.json").read_text())
        del data["standard"]["invariants"]
        (committed / f"{nb}.json").write_text(json.dumps(data))
    _record(again, "21_a", {"x": (1.0, 0.1)}, invariants={})        # a notebook without runs
    _record(again, "22_b", {"x": (1.0, 0.1)}, invariants={"runs": 3})
    t = headlines.rerun_differences(again, "standard", committed).set_index("notebook")
    assert t.loc["21_a", "invariants equal"] is True and t.loc["all", "value with the largest |Δ|"] == ""
    assert t.loc["22_b", "invariants equal"] is None and t.loc["all", "invariants equal"] is True


def test_rerun_differences_name_a_recording_with_nothing_to_compare_with(tmp_path):
    _record(tmp_path / "again", "12_new", {"x": (1.0, 0.1)})
    (tmp_path / "committed").mkdir()
    with pytest.raises(FileNotFoundError, match="12_new.json: no committed recording"):
        headlines.rerun_differences(tmp_path / "again", "standard", tmp_path / "committed")


def test_describe_machine_names_the_cpu_and_the_libraries():
    m = headlines.describe_machine()
    assert m["cpu"] and m["vendor"] and m["level"] in ("x86-64-v2", "x86-64-v3")
    assert m["torch"] and m["numerics"]["mode"] in ("pinned", "native")
    assert set(m["generation"].get("flags", [])) <= set(numerics.GENERATION_FLAGS)


def test_cpu_generation_reads_family_model_and_the_distinguishing_flags():
    text = ("processor\t: 0\ncpu family\t: 6\nmodel\t\t: 143\nflags\t\t: fpu sse avx2 fma avx512f amx_tile avx512_fp16\n"
            "processor\t: 1\ncpu family\t: 6\nmodel\t\t: 143\nflags\t\t: fpu\n")
    assert numerics.cpu_generation(text) == {"family": "6", "model": "143",
                                             "flags": ["avx2", "fma", "avx512f", "avx512_fp16", "amx_tile"]}
    assert numerics.cpu_generation("processor\t: 0\nflags\t\t: sse sse2\n") == {"family": None, "model": None,
                                                                               "flags": []}


def test_table_values_read_a_summary_table_with_its_spread():
    import math

    import pandas as pd
    from harlib.training.profiles import get_profile
    t = pd.DataFrame({"claim": ["C1", "C5"], "n": [3, 3], "a": [80.0, float("nan")],
                      "a: standard error": [2.0, float("nan")], "b": [1.5, 0.5], "b: standard error": [0.001, 0.4]})
    v = headlines.table_values(t, "claim", ["a", "b"])
    assert dict(v) == {"C1:a": 80.0, "C1:b": 1.5, "C5:b": 0.5}          # the NaN cell left out
    assert v.spread["C1:a"] == (2.0, 3)
    P = get_profile("standard")
    assert headlines.tolerance_for("C1:a", v, P)[0] == pytest.approx(3 * math.sqrt(2) * 2.0)
    assert headlines.tolerance_for("C1:b", v, P)[0] == P.headline_tolerance     # the floor where larger
    with pytest.raises(KeyError, match=r"b: standard error"):
        headlines.table_values(t.drop(columns="b: standard error"), "claim", ["a", "b"])
    with pytest.raises(ValueError, match=r"C1:a"):
        headlines.table_values(pd.concat([t, t.iloc[:1]]), "claim", ["a"])


def test_mean_values_name_and_scale_keep_a_notebooks_own_names_with_their_spread():
    import math

    import numpy as np
    import pandas as pd
    runs = pd.DataFrame({"setting": ["lr"] * 3 + ["mem"] * 3, "value": ["0.1"] * 3 + ["50"] * 3,
                         "accuracy": [80.0, 82.0, 84.0, 70.0, 70.0, 76.0]})
    v = headlines.mean_values(runs, ["setting", "value"], "accuracy", name="{setting}={value}", scale=0.01)
    assert v == pytest.approx({"lr=0.1": 0.82, "mem=50": 0.72})
    assert v.spread["lr=0.1"][0] == pytest.approx(0.01 * 2.0 / math.sqrt(3)) and v.spread["lr=0.1"][1] == 3
    plain = headlines.mean_values(runs, ["setting"], "accuracy")
    assert set(plain) == {"lr:accuracy", "mem:accuracy"} and plain.spread["mem:accuracy"][0] == pytest.approx(
        np.std([70, 70, 76], ddof=1) / math.sqrt(3))
    with pytest.raises(ValueError, match=r"'same'"):
        headlines.mean_values(runs, ["setting"], "accuracy", name="same")
    with pytest.raises(KeyError, match=r"level"):
        headlines.mean_values(runs, ["level"], "accuracy")
