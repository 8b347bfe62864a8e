"""ELK: other window lengths at inference, embedding width, kernel capping for short windows
and the exactness of its structural re-parameterisation."""
from __future__ import annotations

import pytest
import torch

import harlib.models.elk  # noqa: F401  (the import registers the model)
from harlib.models.elk import RepLargeKernelConv1d

from conftest import BATCH, N_CLASSES, assert_other_lengths, assert_trains, seeded_model as _model  # noqa: F401

torch.set_num_threads(1)

NAMES = ["elk"]


@pytest.mark.parametrize("name", NAMES)
def test_other_lengths_at_inference(name):
    assert_other_lengths(_model(name, 6, 128))


def test_embedding_widths():
    assert _model("elk", 9, 128).embed_dim == 128


def _perturb_batchnorms(model, seed=1):
    gen = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm1d):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=gen) * 0.5)
            m.running_var.copy_(torch.rand(n, generator=gen) * 1.5 + 0.5)
            if m.affine:
                m.weight.data.copy_(torch.rand(n, generator=gen) + 0.5)
                m.bias.data.copy_(torch.randn(n, generator=gen) * 0.2)


@pytest.mark.parametrize("channels,length", [(9, 128), (3, 24), (113, 90)])
def test_elk_reparameterisation_is_exact(channels, length):
    model = _model("elk", channels, length)
    _perturb_batchnorms(model)
    model.eval()
    x = torch.randn(3, channels, length)
    with torch.no_grad():
        before = model(x)
        z_before = model.forward_features(x)
    n_params = sum(p.numel() for p in model.parameters())
    assert not model.is_reparameterized
    assert model.reparameterize() is model
    assert model.is_reparameterized
    units = [m for m in model.modules() if isinstance(m, RepLargeKernelConv1d)]
    assert units and all(u.large is None and u.small is None for u in units)
    assert all(not any(isinstance(c, torch.nn.BatchNorm1d) for c in u.modules())
               for u in units)
    assert sum(p.numel() for p in model.parameters()) < n_params
    with torch.no_grad():
        after = model(x)
        z_after = model.forward_features(x)
    assert before.abs().max() > 1e-3                    # non-trivial outputs
    torch.testing.assert_close(after, before, atol=1e-5, rtol=0)
    torch.testing.assert_close(z_after, z_before, atol=1e-5, rtol=0)
    model.reparameterize()                               # idempotent
    with torch.no_grad():
        torch.testing.assert_close(model(x), after, atol=0, rtol=0)


def test_elk_reparameterize_needs_eval_mode():
    model = _model("elk", 9, 128).train()
    with pytest.raises(RuntimeError):
        model.reparameterize()


def test_rep_unit_merges_branches_exactly():
    unit = RepLargeKernelConv1d(8, 15, 3)
    _perturb_batchnorms(unit, seed=3)
    unit.eval()
    x = torch.randn(2, 8, 40)
    with torch.no_grad():
        before = unit(x)
        unit.reparameterize()
        after = unit(x)
    assert unit.merged.kernel_size == (15,) and unit.merged.groups == 8
    torch.testing.assert_close(after, before, atol=1e-5, rtol=0)


def test_elk_caps_kernels_for_short_windows():
    assert _model("elk", 9, 128).stage_kernels == [31, 31, 31]
    assert _model("elk", 3, 24).stage_kernels == [31, 23, 11]
