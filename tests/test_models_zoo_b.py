"""Baseline zoo, part B: se_res2net, gated_res2net, mag_res2net, elk, rev_attention, har_ce,
atfa, tccsnet — shapes, gradients, input checks, frozen parameter counts, ELK's structural
re-parameterisation and the building blocks' defining properties."""
from __future__ import annotations

import pytest
import torch

import harlib.models.attention_zoo  # noqa: F401  (each import registers its models)
import harlib.models.elk  # noqa: F401
import harlib.models.res2net  # noqa: F401
from harlib.models.attention_zoo import ChannelEqualization1d
from harlib.models.base import create_model
from harlib.models.elk import RepLargeKernelConv1d
from harlib.models.res2net import HierarchicalConv1d

torch.set_num_threads(1)

NAMES = ["se_res2net", "gated_res2net", "mag_res2net", "elk", "rev_attention", "har_ce",
         "atfa", "tccsnet"]

N_CLASSES = 6
BATCH = 2


def _model(name, channels, length, **kw):
    torch.manual_seed(0)
    return create_model(name, channels, N_CLASSES, length, **kw)


@pytest.mark.parametrize("name", NAMES)
def test_other_lengths_at_inference(name):
    model = _model(name, 6, 128).eval()
    with torch.no_grad():
        for length in (100, 150):
            assert model(torch.randn(BATCH, 6, length)).shape == (BATCH, N_CLASSES)


def test_embedding_widths():
    for name in ("se_res2net", "gated_res2net", "mag_res2net"):
        assert _model(name, 9, 128).embed_dim == 1024
    assert _model("elk", 9, 128).embed_dim == 128
    assert _model("rev_attention", 9, 128).embed_dim == 32 + 64 + 128
    assert _model("har_ce", 9, 128).embed_dim == 256
    assert _model("atfa", 9, 128).embed_dim == 128
    assert _model("tccsnet", 9, 128).embed_dim == 128


# --- ELK structural re-parameterisation ------------------------------------------------

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


# --- building blocks ----------------------------------------------------------------------

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


def test_channel_equalisation_decorrelates_and_runs_in_eval():
    torch.manual_seed(0)
    layer = ChannelEqualization1d(16, n_iter=10).train()
    mix = torch.eye(16) + 0.8 * torch.randn(16, 16)
    x = torch.einsum("ij,bjt->bit", mix, torch.randn(32, 16, 40))

    def max_offdiag_corr(t):
        c = torch.corrcoef(t.permute(1, 0, 2).reshape(16, -1))
        return (c - torch.diag(c.diagonal())).abs().max()

    with torch.no_grad():
        y = layer(x)
    assert max_offdiag_corr(y) < 0.5 * max_offdiag_corr(x)
    assert not torch.allclose(layer.running_whitening, torch.eye(16).expand(1, 16, 16))
    layer.eval()
    with torch.no_grad():
        out = layer(x[:1])
    assert out.shape == (1, 16, 40) and torch.isfinite(out).all()


def test_atfa_domain_discriminator_reverses_gradients():
    model = _model("atfa", 9, 128, n_domains=2).train()
    x = torch.randn(BATCH, 9, 128)
    z = model.forward_features(x)
    z_leaf = z.detach().requires_grad_(True)
    model.domain_logits(z_leaf, alpha=0.5).sum().backward()
    reversed_grad = z_leaf.grad.clone()
    z_leaf.grad = None
    model.discriminator(z_leaf).sum().backward()
    torch.testing.assert_close(reversed_grad, -0.5 * z_leaf.grad)
    with pytest.raises(RuntimeError):
        _model("atfa", 9, 128).domain_logits(z)
