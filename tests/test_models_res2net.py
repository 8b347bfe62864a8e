"""Res2Net family: se_res2net, gated_res2net, mag_res2net — other window lengths at
inference, embedding widths and the hierarchical building block's defining properties."""
from __future__ import annotations

import pytest
import torch

import harlib.models.res2net  # noqa: F401  (the import registers its models)
from harlib.models.res2net import HierarchicalConv1d

from conftest import BATCH, N_CLASSES, assert_other_lengths, assert_trains, seeded_model as _model  # noqa: F401

torch.set_num_threads(1)

NAMES = ["se_res2net", "gated_res2net", "mag_res2net"]


@pytest.mark.parametrize("name", NAMES)
def test_other_lengths_at_inference(name):
    assert_other_lengths(_model(name, 6, 128))


def test_embedding_widths():
    for name in ("se_res2net", "gated_res2net", "mag_res2net"):
        assert _model(name, 9, 128).embed_dim == 1024


def test_res2net_hierarchy_is_causal_across_groups():
    """Group i of a plain Res2Net stage depends on input groups 1..i only."""
    torch.manual_seed(0)
    stage = HierarchicalConv1d(width=4, scale=4, kernel_size=3).eval()
    x = torch.randn(2, 16, 20)
    x2 = x.clone()
    x2[:, 8:12] += 1.0                                   # perturb group 3
    with torch.no_grad():
        y, y2 = stage(x), stage(x2)
    torch.testing.assert_close(y2[:, :8], y[:, :8])      # groups 1–2 unchanged
    assert not torch.allclose(y2[:, 8:12], y[:, 8:12])   # group 3 changes
    assert not torch.allclose(y2[:, 12:], y[:, 12:])     # and propagates to group 4
    torch.testing.assert_close(y[:, :4], x[:, :4])       # y_1 = x_1


def test_gated_res2net_has_gates_and_plain_has_none():
    gated = _model("gated_res2net", 9, 128)
    plain = _model("se_res2net", 9, 128)
    g_stages = [m for m in gated.modules() if isinstance(m, HierarchicalConv1d)]
    p_stages = [m for m in plain.modules() if isinstance(m, HierarchicalConv1d)]
    assert g_stages and all(s.gates is not None and len(s.gates) == 2 for s in g_stages)
    assert p_stages and all(s.gates is None for s in p_stages)
    mag = _model("mag_res2net", 9, 128)
    assert all(len(b.branches) == 3 for b in mag.stages)
