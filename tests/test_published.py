"""The published-figure tables: every name resolves to something harlib has."""
import math

import pytest

from harlib.models.classical import CLASSICAL_MODELS
from harlib.data import dataset_names
from harlib.models import model_names
from harlib.papers.published import (USAD_TABLE5, USAD_TABLE5_INPUT, WHAR_ARENA_DATASET,
                                     WHAR_ARENA_DATASETS, WHAR_ARENA_MODEL, WHAR_ARENA_V1_MACRO_F1,
                                     whar_arena_macro_f1)


def test_whar_table_is_rectangular_and_in_range():
    for model, row in WHAR_ARENA_V1_MACRO_F1.items():
        assert len(row) == len(WHAR_ARENA_DATASETS), model
        assert all(0.0 < v < 1.0 for v in row), model


def test_whar_mappings_name_harlib_and_whar_entries():
    known = set(model_names()) | set(CLASSICAL_MODELS)
    for ours, theirs in WHAR_ARENA_MODEL.items():
        assert ours in known and theirs in WHAR_ARENA_V1_MACRO_F1
    for ours, theirs in WHAR_ARENA_DATASET.items():
        assert ours in dataset_names() and theirs in WHAR_ARENA_DATASETS


def test_whar_lookup_follows_the_stand_in_dataset():
    # The rebuilt UCI-HAR is compared with WHAR's uci_har column, not with any other.
    col = WHAR_ARENA_DATASETS.index("uci_har")
    assert whar_arena_macro_f1("tinyhar", "uci_har_hapt") == WHAR_ARENA_V1_MACRO_F1["tinyhar"][col]
    assert whar_arena_macro_f1("deepconvlstm", "dsads") == \
        WHAR_ARENA_V1_MACRO_F1["deepconv_lstm"][WHAR_ARENA_DATASETS.index("dsads")]


@pytest.mark.parametrize("model,dataset", [("cnn_zeng", "hapt"), ("no_such_model", "dsads")])
def test_whar_lookup_of_a_model_without_a_published_figure_is_nan(model, dataset):
    assert math.isnan(whar_arena_macro_f1(model, dataset))


def test_whar_lookup_of_an_uncovered_dataset_names_the_covered_ones():
    with pytest.raises(KeyError, match="no WHAR Arena v1 figures for dataset 'basicmotions'.*dsads, hapt"):
        whar_arena_macro_f1("tinyhar", "basicmotions")


def test_usad_table5_rows_are_registered_models():
    registered = set(model_names())
    # USAD itself arrives with paper B's notebook; every baseline row must exist already.
    missing = {m for m in USAD_TABLE5 if m not in registered} - {"usad"}
    assert not missing
    for row in USAD_TABLE5.values():
        assert set(row) == set(USAD_TABLE5_INPUT)
        assert all(mem > 100 and params > 1e4 for mem, params in row.values())


def test_paper_claims_equal_the_claims_table():
    import csv
    from harlib.papers.published import PAPER_CLAIMS, paper_claim
    from conftest import MIRROR
    table = MIRROR.parent / "papers" / "claims.csv"
    if not table.is_file():
        pytest.skip("the claims table is not beside the checkout")
    rows = {r["id"]: r for r in csv.DictReader(table.open())}
    for cid, claim in PAPER_CLAIMS.items():
        assert float(rows[cid]["value"]) == claim["value"] and rows[cid]["paper"] == claim["paper"], cid
    with pytest.raises(KeyError, match="no claim .Z1. held here; known: .*B449"):
        paper_claim("Z1")
