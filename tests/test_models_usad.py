"""USAD (paper B §3.2): size at B's WISDM setting, the ablation switches of Table 2, the
attention maps, radix-major split attention against a reference computation, bad options."""
from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from harlib.models import model_names
from harlib.models.usad import (USAD, CrossBranchFusion, SpatialAttention1d, SplitAttention1d,
                                _CeilAvgPool1d, radix_softmax)

from conftest import BATCH, N_CLASSES, seeded_model as _model  # noqa: F401

torch.set_num_threads(1)

PAPER_WISDM_PARAMS = 3.47e5          # paper B, Table 5 (3 axes, window 90, 6 classes)
BAND = 0.05                          # our defaults must stay within ±5 % of it


def _params(model) -> int:
    return sum(p.numel() for p in model.parameters())


def _outputs(model, channels, length, batch=BATCH):
    model.eval()
    with torch.no_grad():
        return model.forward_outputs(torch.randn(batch, channels, length))


def test_registered_as_a_method():
    assert "usad" in model_names("method")
    assert USAD.kind == "method"


def test_parameter_count_near_paper_b_wisdm():
    n = _params(_model("usad", 3, 90))
    assert abs(n - PAPER_WISDM_PARAMS) <= BAND * PAPER_WISDM_PARAMS, n


@pytest.mark.parametrize("option,absent,module", [
    ({"spatial_attention": False}, ["spatial_attention", "spatial_attention_blocks"],
     SpatialAttention1d),
    ({"temporal_attention": False}, ["temporal_attention", "temporal_attention_blocks"], None),
    ({"branches": (5,)}, ["branch_attention"], CrossBranchFusion),
])
def test_each_switch_removes_its_modules_and_maps(option, absent, module):
    full = _model("usad", 3, 90)
    cut = _model("usad", 3, 90, **option)
    assert _params(cut) < _params(full)
    if module is not None:
        assert any(isinstance(m, module) for m in full.modules())
        assert not any(isinstance(m, module) for m in cut.modules())
    if "temporal_attention" in option:
        splits = [m for m in cut.modules() if isinstance(m, SplitAttention1d)]
        assert splits and all(m.fc1 is None and m.fc2 is None for m in splits)
    out_full, out_cut = _outputs(full, 3, 90), _outputs(cut, 3, 90)
    for key in absent:
        assert key in out_full and key not in out_cut
    assert out_cut["logits"].shape == (BATCH, N_CLASSES)


def test_backbone_only_has_no_spatial_or_temporal_attention():
    model = _model("usad", 3, 90, spatial_attention=False, temporal_attention=False)
    out = _outputs(model, 3, 90)
    assert set(out) == {"embedding", "logits", "branch_attention"}


@pytest.mark.parametrize("branches", [(3, 5), (3, 7), (5, 7), (3,), (7,)])
def test_branch_switch_keeps_the_chosen_kernels(branches):
    model = _model("usad", 3, 90, branches=branches)
    assert len(model.branches) == len(branches)
    for kernel, blocks in zip(branches, model.branches):
        assert all(b.split.conv[0].kernel_size == (kernel,) for b in blocks)
    out = _outputs(model, 3, 90)
    assert out["spatial_attention"].shape[1] == len(branches)
    assert ("branch_attention" in out) == (len(branches) > 1)
    one = _model("usad", 3, 90, branches=(3,))
    assert _params(one) < _params(_model("usad", 3, 90, branches=(3, 5)))


def test_attention_map_shapes_and_normalisation():
    model = _model("usad", 3, 90)
    out = _outputs(model, 3, 90, batch=3)
    m, r = 3, model.radix
    gws = model.group_widths                                        # (24, 48, 96)
    sp = out["spatial_attention"]
    assert sp.shape == (3, m, r, 90)                                # full input resolution
    assert ((sp > 0) & (sp < 1)).all()
    assert [t.shape for t in out["spatial_attention_blocks"]] == [   # at each block's input
        (3, m, r, 90), (3, m, r, 90), (3, m, r, 45)]                 # length (pool comes after)
    ta = out["temporal_attention"]
    assert ta.shape == (3, m, r, gws[-1])
    torch.testing.assert_close(ta.sum(dim=2), torch.ones(3, m, gws[-1]))
    assert [t.shape for t in out["temporal_attention_blocks"]] == [(3, m, r, g) for g in gws]
    for t in out["temporal_attention_blocks"]:
        torch.testing.assert_close(t.sum(dim=2), torch.ones(t.shape[0], m, t.shape[-1]))
    ba = out["branch_attention"]
    assert ba.shape == (3, m, model.embed_dim)
    torch.testing.assert_close(ba.sum(dim=1), torch.ones(3, model.embed_dim))


def test_radix_softmax_matches_reference_loops():
    torch.manual_seed(1)
    b, k, r, c = 2, 3, 4, 2
    logits = torch.randn(b, k * r * c)                              # cardinal-major [k][r][c]
    got = radix_softmax(logits, radix=r, cardinality=k)             # radix-major [r][k][c]
    ref = torch.empty(b, r * k * c)
    for n in range(b):
        for kk in range(k):
            for cc in range(c):
                z = torch.tensor([logits[n, kk * r * c + rr * c + cc].item() for rr in range(r)])
                e = [math.exp(v) for v in z.tolist()]
                for rr in range(r):
                    ref[n, rr * k * c + kk * c + cc] = e[rr] / sum(e)
    torch.testing.assert_close(got, ref)
    torch.testing.assert_close(radix_softmax(logits, 1, k), torch.sigmoid(logits))


def test_split_attention_equals_per_cardinal_group_reference():
    """Grouped conv (groups K·R, radix-major), eq. 20 sum, eq. 22 pooling, two grouped FCs
    per cardinal group and eq. 21, recomputed group by group from the module's weights."""
    torch.manual_seed(2)
    k, r, c_tot, t = 2, 3, 12, 10
    mod = SplitAttention1d(c_tot, 5, r, k, spatial=False, temporal=True).eval()
    x = torch.randn(2, c_tot, t)
    with torch.no_grad():
        out, spatial, a = mod(x)
        u = mod.conv(x)                                             # (B, R·C, T)
        c = c_tot // k
        inter = mod.fc1.out_channels // k
        ref = torch.zeros_like(out)
        w1, b1 = mod.fc1.weight[..., 0], mod.fc1.bias
        w2, b2 = mod.fc2.weight[..., 0], mod.fc2.bias
        for kk in range(k):
            splits = [u[:, rr * c_tot + kk * c: rr * c_tot + (kk + 1) * c] for rr in range(r)]
            s = sum(splits).mean(dim=-1)                            # (B, c)
            h = F.relu(s @ w1[kk * inter:(kk + 1) * inter].T + b1[kk * inter:(kk + 1) * inter])
            rows = slice(kk * r * c, (kk + 1) * r * c)
            logits = (h @ w2[rows].T + b2[rows]).view(-1, r, c)
            weights = logits.softmax(dim=1)
            ref[:, kk * c:(kk + 1) * c] = sum(weights[:, rr, :, None] * splits[rr]
                                              for rr in range(r))
    assert spatial is None and a.shape == (2, r, c_tot)
    torch.testing.assert_close(out, ref)


def test_spatial_attention_is_avg_max_over_each_split():
    torch.manual_seed(3)
    sa = SpatialAttention1d(radix=2, kernel_size=3)
    u = torch.randn(2, 2 * 4, 6)
    out, attn = sa(u)
    for rr in range(2):
        part = u[:, rr * 4:(rr + 1) * 4]
        desc = torch.stack([part.mean(1), part.amax(1)], dim=1)     # (B, 2, T)
        w = sa.conv.weight[rr:rr + 1]                                # (1, 2, 3)
        ref = torch.sigmoid(F.conv1d(desc, w, sa.conv.bias[rr:rr + 1], padding=1))[:, 0]
        torch.testing.assert_close(attn[:, rr], ref)
        torch.testing.assert_close(out[:, rr * 4:(rr + 1) * 4], part * ref[:, None])


@pytest.mark.parametrize("length", [1, 2, 7, 8, 45])
def test_ceil_avg_pool_equals_torch_pooling(length):
    x = torch.randn(2, 3, length)
    ref = torch.nn.AvgPool1d(2, 2, ceil_mode=True, count_include_pad=False)(x)
    torch.testing.assert_close(_CeilAvgPool1d(2)(x), ref)


def test_short_windows():
    model = _model("usad", 3, 24)
    assert model.min_length == 9
    with torch.no_grad():
        assert model.eval()(torch.randn(1, 3, 9)).shape == (1, N_CLASSES)
    with pytest.raises(ValueError, match=r"window length 8 is too short"):
        model(torch.randn(1, 3, 8))
    with pytest.raises(ValueError, match=r"window length 8 is too short"):
        _model("usad", 3, 8)
    with pytest.raises(ValueError, match=r"length 16 is too short"):   # 4 stages need 17
        _model("usad", 3, 16, widths=(16, 16, 16, 16), blocks=(1, 1, 1, 1))


def test_trains_on_a_batch_of_one():
    model = _model("usad", 3, 30).train()           # no BatchNorm in the attention FCs
    model(torch.randn(1, 3, 30)).sum().backward()


@pytest.mark.parametrize("options", [
    {"branches": ()}, {"branches": (4,)}, {"branches": (3, 3)}, {"branches": (3.0, 5)},
    {"branches": 3}, {"spatial_attention": "yes"}, {"temporal_attention": 1},
    {"cardinality": 0}, {"radix": 0}, {"stem_width": 0}, {"spatial_kernel": 4},
    {"widths": (32, 64), "blocks": (1, 1, 1)}, {"widths": ()}, {"blocks": (1, 0, 1)},
    {"bottleneck_ratio": 0}, {"dropout": 1.0},
])
def test_bad_options_raise(options):
    with pytest.raises(ValueError, match="USAD"):
        _model("usad", 3, 90, **options)
