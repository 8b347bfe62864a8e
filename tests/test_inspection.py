"""Model inspection tables."""
from __future__ import annotations

import pytest
import torch

from harlib.report.inspection import layer_table, output_table, parameter_share
from harlib.models import create_model


def test_layer_table_follows_the_forward_pass():
    torch.manual_seed(0)
    model = create_model("cnn1d", 6, 4, 50)
    table = layer_table(model, torch.randn(2, 6, 50))
    assert table.module.tolist()[:2] == ["features", "head"]
    assert table.parameters.sum() == sum(p.numel() for p in model.parameters())
    assert table.set_index("module").loc["head", "output"] == "2 × 4"
    assert model.training                                    # mode restored
    with pytest.raises(ValueError, match="depth"):
        layer_table(model, torch.randn(2, 6, 50), depth=0)


def test_output_and_parameter_tables():
    model = create_model("lstm_autoencoder", 6, 4, 50, hidden=8)
    out = output_table(model, torch.randn(3, 6, 50)).set_index("output")["shape"]
    assert out["reconstruction"] == "3 × 6 × 50" and out["embedding"] == "3 × 8"
    share = parameter_share(model)
    assert share.share.sum() == pytest.approx(1.0)
    assert share.parameters.sum() == sum(p.numel() for p in model.parameters())


def test_sizes_beside_paper_and_variants():
    from harlib.report.inspection import sizes_beside_paper, variant_sizes
    t = sizes_beside_paper("usad", {"wisdm": {"channels": 3, "length": 90, "classes": 6},
                                    "other": {"channels": 9, "length": 128, "classes": 6}},
                           {"wisdm": "B449"})
    assert t.loc[0, "the paper reports"] == 3.47e5 and t.loc[0, "claim"] == "B449"
    assert t.loc[0, "ours / paper"] == t.loc[0, "parameters"] / 3.47e5
    assert t.loc[1, "claim"] == "" and t["ours / paper"].isna().iloc[1]
    v = variant_sizes("usad", 3, 90, 6, {"full": {}, "one branch": {"branches": (3,)}})
    assert v.loc[0, "share of the first"] == 1.0 and v.loc[1, "parameters"] < v.loc[0, "parameters"]
