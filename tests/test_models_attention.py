"""Attention / normalisation baselines: rev_attention, har_ce, atfa, tccsnet — other window
lengths at inference, embedding widths, channel equalisation's decorrelation and ATFA's
gradient-reversing domain discriminator."""
from __future__ import annotations

import pytest
import torch

import harlib.models.atfa  # noqa: F401  (each import registers its models)
import harlib.models.har_ce  # noqa: F401
import harlib.models.rev_attention  # noqa: F401
import harlib.models.tccsnet  # noqa: F401
from harlib.models.har_ce import ChannelEqualization1d

from conftest import BATCH, N_CLASSES, assert_other_lengths, assert_trains, seeded_model as _model  # noqa: F401

torch.set_num_threads(1)

NAMES = ["rev_attention", "har_ce", "atfa", "tccsnet"]


@pytest.mark.parametrize("name", NAMES)
def test_other_lengths_at_inference(name):
    assert_other_lengths(_model(name, 6, 128))


def test_embedding_widths():
    assert _model("rev_attention", 9, 128).embed_dim == 32 + 64 + 128
    assert _model("har_ce", 9, 128).embed_dim == 256
    assert _model("atfa", 9, 128).embed_dim == 128
    assert _model("tccsnet", 9, 128).embed_dim == 128


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
