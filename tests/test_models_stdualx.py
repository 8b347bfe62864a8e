"""STDual-X (paper C): placements, per-placement embeddings, cross-sensor attention, the
Gaussian-mixture positional encoding, the input expansion and the CE + triplet loss."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from harlib.training.losses import LOSSES
from harlib.models import create_model
from harlib.models.stdualx import ImageConv, STDualX, tri_axial_placements

from conftest import BATCH, N_CLASSES, seeded_model as _model  # noqa: F401

torch.set_num_threads(1)

DSADS = {name: list(range(9 * i, 9 * i + 9))                  # 5 placements × 9 channels
         for i, name in enumerate(["torso", "right_arm", "left_arm", "right_leg", "left_leg"])}
SMALL = dict(layers=1, mixture_components=8, embed_dim=32)   # keeps the tests fast


def _dsads(**kw):
    torch.manual_seed(0)
    return STDualX(45, N_CLASSES, 75, channel_groups={"placement": DSADS,
                                                      "modality": {"all": list(range(45))}}, **kw)


def test_dsads_placements_give_one_embedding_each():
    model = _dsads().train()
    out = model.forward_outputs(torch.randn(BATCH, 45, 75))
    assert model.placement_names == list(DSADS)
    assert len(out["triplet_embeddings"]) == 5
    assert all(e.shape == (BATCH, model.embed_dim) for e in out["triplet_embeddings"])
    assert out["embedding"].shape == (BATCH, 512) and out["logits"].shape == (BATCH, N_CLASSES)
    assert model.n_features == 36 and model.model_length == 76   # 75 padded to 4 | T


def test_placements_keyword_reaches_the_model_through_create_model():
    torch.manual_seed(0)
    model = create_model("stdualx", 45, N_CLASSES, 75, placements=DSADS, **SMALL)
    assert model.placement_names == list(DSADS)


def test_cross_sensor_attention_is_one_softmax_over_the_ordered_pairs():
    model = _model("stdualx", 18, 32, placements={"a": list(range(9)), "b": list(range(9, 18))},
                   **SMALL).eval()
    model2 = _dsads(**SMALL).eval()
    for m, c, t, p in ((model, 18, 32, 2), (model2, 45, 75, 5)):
        with torch.no_grad():
            attn = m.forward_outputs(torch.randn(3, c, t))["cross_sensor_attention"]
        assert attn.shape == (3, p, p)
        assert (attn >= 0).all() and (torch.diagonal(attn, dim1=1, dim2=2) == 0).all()
        torch.testing.assert_close(attn.sum((1, 2)), torch.ones(3))   # whole matrix, not rows


def test_fused_embedding_is_sum_plus_cross_sensor_relations():
    model = _dsads(**SMALL).eval()
    with torch.no_grad():
        out = model.forward_outputs(torch.randn(BATCH, 45, 75))
        e = torch.stack(out["triplet_embeddings"], 1)
        v = model.csa.value(e)
        expected = e.sum(1) + torch.einsum("bij,bjd->bd", out["cross_sensor_attention"], v)
    torch.testing.assert_close(out["embedding"], expected)


def test_one_placement_passes_its_embedding_through():
    model = _model("stdualx", 9, 128, placements={"waist": list(range(9))}, **SMALL).eval()
    assert model.csa is None
    with torch.no_grad():
        out = model.forward_outputs(torch.randn(BATCH, 9, 128))
    assert len(out["triplet_embeddings"]) == 1
    torch.testing.assert_close(out["embedding"], out["triplet_embeddings"][0])
    assert out["cross_sensor_attention"].shape == (BATCH, 1, 1)
    assert model.n_features == 36                              # 9 channels × 4 features


def test_shared_and_separate_encoders():
    shared, separate = _dsads(**SMALL), _dsads(shared_encoder=False, **SMALL)
    n_enc = sum(p.numel() for p in shared.encoders[0].parameters())
    n_shared = sum(p.numel() for p in shared.parameters())
    assert len(shared.encoders) == 1 and len(separate.encoders) == 5
    assert sum(p.numel() for p in separate.parameters()) == n_shared + 4 * n_enc
    # shared weights: identical placement inputs give identical placement embeddings
    x = torch.randn(BATCH, 9, 75).repeat(1, 5, 1)
    with torch.no_grad():
        embs = shared.eval().forward_outputs(x)["triplet_embeddings"]
    assert all(torch.allclose(e, embs[0]) for e in embs[1:])


def test_gaussian_mixture_positional_encoding_initialisation():
    model = _model("stdualx", 9, 128)
    pe = model.encoders[0].positional
    k, f = pe.embedding.shape
    assert (k, f) == (100, model.n_features)
    assert torch.equal(pe.sigma, torch.full((1, 100), 50.0))             # σ = 50, not T-scaled
    torch.testing.assert_close(pe.mu, torch.arange(100.0)[None] * 128 / 100)   # μ_j = j·T/k
    assert pe.embedding.abs().max() <= math.sqrt(6 / (k + f))            # Xavier-uniform, gain 1
    assert all(p.requires_grad for p in (pe.embedding, pe.mu, pe.sigma))
    w = pe.weights()
    assert w.shape == (128, 100)
    torch.testing.assert_close(w.sum(1), torch.ones(128))
    x = torch.zeros(2, 128, f)
    torch.testing.assert_close(pe(x)[0], w @ pe.embedding)


def test_feature_expansion_layout_and_values():
    model = _model("stdualx", 9, 30, placements={"waist": list(range(9))}, **SMALL)
    x = torch.randn(BATCH, 9, 30)
    h = model.expand(x)
    assert h.shape == (BATCH, 1, 32, 36)                      # T padded 30 → 32, F = 4·9
    xn = x.numpy().astype(np.float64)
    d1 = np.gradient(xn, axis=-1, edge_order=2)
    kinds = [xn, np.abs(np.fft.fft(xn, axis=-1)) / np.sqrt(30), d1,
             np.gradient(d1, axis=-1, edge_order=2)]
    for s in range(3):                                        # axis triple s: 12 features
        for kind, ref in enumerate(kinds):
            got = h[:, 0, :30, 12 * s + 3 * kind:12 * s + 3 * kind + 3].transpose(1, 2)
            np.testing.assert_allclose(got.numpy(), ref[:, 3 * s:3 * s + 3], rtol=1e-4,
                                       atol=1e-4)
    assert (h[:, :, 30:] == 0).all()                          # zero time padding
    raw = _model("stdualx", 9, 30, placements={"waist": list(range(9))}, feature_expansion=False,
                 **SMALL)
    assert raw.expand(x).shape == (BATCH, 1, 32, 12)          # 9 raw channels padded to 4 | F
    torch.testing.assert_close(raw.expand(x)[:, 0, :30, :9], x.transpose(1, 2))


def test_fallback_tri_axial_placements():
    assert tri_axial_placements(9) == {"sensor0": [0, 1, 2], "sensor1": [3, 4, 5],
                                       "sensor2": [6, 7, 8]}
    assert tri_axial_placements(2) == {"sensor0": [0, 1]}
    groups = tri_axial_placements(113)
    assert len(groups) == 38 and groups["sensor37"] == [111, 112]
    model = _model("stdualx", 113, 90, **SMALL)
    assert len(model.placement_names) == 38 and model.n_features == 12


def test_image_conv_matches_conv2d():
    torch.manual_seed(0)
    for k in (1, 3, 5):
        conv = ImageConv(k, 7)
        x = torch.randn(3, 1, 20, 7, requires_grad=True)
        ref = F.conv2d(x, conv.weight, conv.bias, padding=k // 2)
        out = conv(x)
        torch.testing.assert_close(out, ref)
        g = torch.randn_like(ref)
        for a, b in zip(torch.autograd.grad(out, (x, conv.weight, conv.bias), g),
                        torch.autograd.grad(ref, (x, conv.weight, conv.bias), g)):
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)


def test_ce_triplet_loss_reaches_every_parameter():
    model = _model("stdualx", 18, 32, placements={"a": list(range(9)), "b": list(range(9, 18))},
                   **SMALL).train()
    x = torch.randn(8, 18, 32)
    y = torch.tensor([0, 0, 1, 1, 2, 2, 0, 1])
    subject = torch.tensor([1, 2, 1, 2, 1, 2, 3, 3])
    outputs = model.forward_outputs(x)
    assert len(outputs["triplet_embeddings"]) == 2
    loss = LOSSES.get("ce_triplet")()(outputs, {"y": y, "subject": subject, "triplets": None,
                                                "x": x})
    assert torch.isfinite(loss)
    loss.backward()
    missing = [n for n, p in model.named_parameters() if p.grad is None]
    assert not missing, missing
    # the triplet term alone reaches the encoders through every placement embedding
    model.zero_grad(set_to_none=True)
    LOSSES.get("triplet")()(model.forward_outputs(x), {"y": y, "subject": subject,
                                                      "triplets": None}).backward()
    assert model.encoders[0].positional.embedding.grad is not None


@pytest.mark.parametrize("kwargs,match", [
    ({"placements": {"a": [0, 1, 2], "b": [3, 4]}}, "exactly once"),          # misses 5..8
    ({"placements": {"a": list(range(9)), "b": [0]}}, "exactly once"),         # duplicate
    ({"placements": {"a": list(range(9)), "b": []}}, "no channels"),
    ({"channel_groups": {"modality": {"a": list(range(9))}}}, "placement"),
    ({"channel_groups": {"placement": {"a": list(range(9))}},
      "placements": {"a": list(range(9))}}, "not both"),
    ({"layers": 0}, "layers"),
    ({"mixture_components": 0}, "mixture_components"),
    ({"spatial_heads": 0}, "spatial_heads"),
    ({"dropout": 1.0}, "dropout"),
    ({"embedding_dropout": -0.1}, "embedding_dropout"),
    ({"sigma_init": 0.0}, "sigma_init"),
    ({"feature_expansion": "yes"}, "feature_expansion"),
])
def test_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        STDualX(9, N_CLASSES, 128, **kwargs)


def test_create_model_validates_channel_groups_and_window_length():
    with pytest.raises(ValueError, match="exactly once"):
        create_model("stdualx", 9, N_CLASSES, 128, placements={"a": [0, 1, 2]})
    with pytest.raises(ValueError, match="window_length >= 3"):
        STDualX(3, N_CLASSES, 2)
    model = _model("stdualx", 3, 24, **SMALL)
    with pytest.raises(ValueError, match="expects windows of 24 time steps"):
        model(torch.randn(BATCH, 3, 30))


def test_create_model_passes_channel_groups_to_stdualx():
    from harlib.models import create_model
    groups = {"placement": {"hand": [0, 1, 2], "ankle": [3, 4, 5]},
              "modality": {"acc": [0, 1, 2, 3, 4, 5]}}
    model = create_model("stdualx", 6, 4, 50, channel_groups=groups)
    assert model.placement_names == ["hand", "ankle"]
    assert create_model("stdualx", 6, 4, 50).placement_names != ["hand", "ankle"]   # fallback


def test_ablation_switches_remove_stdat_and_csa():
    from harlib.models import create_model
    groups = {"placement": {"a": [0, 1, 2], "b": [3, 4, 5], "c": [6, 7, 8]}, "modality": {"acc": list(range(9))}}
    torch.manual_seed(0)
    x = torch.randn(4, 9, 32)
    full = create_model("stdualx", 9, 5, 32, channel_groups=groups).eval()
    no_stdat = create_model("stdualx", 9, 5, 32, channel_groups=groups, stdat=False).eval()
    no_csa = create_model("stdualx", 9, 5, 32, channel_groups=groups, cross_sensor_attention=False).eval()
    assert len(full.encoders[0].layers) == 3 and len(no_stdat.encoders[0].layers) == 0
    assert no_csa.csa is None and full.csa is not None
    out = no_csa.forward_outputs(x)
    embs = torch.stack(out["triplet_embeddings"], dim=1)
    torch.testing.assert_close(out["embedding"], embs.sum(1))        # Σ_i e_i, no relation vectors
    assert out["cross_sensor_attention"].shape == (4, 3, 3) and not out["cross_sensor_attention"].any()
    assert no_stdat.forward_outputs(x)["logits"].shape == (4, 5)
    with pytest.raises(ValueError, match="stdat must be True or False"):
        create_model("stdualx", 9, 5, 32, channel_groups=groups, stdat=0)


def test_sensors_by_modality_give_a_single_placement_cross_sensor_pairs():
    from harlib.models import create_model
    groups = {"placement": {"waist": list(range(6))}, "modality": {"acc": [0, 1, 2], "gyro": [3, 4, 5]}}
    one = create_model("stdualx", 6, 4, 32, channel_groups=groups)
    two = create_model("stdualx", 6, 4, 32, channel_groups=groups, sensors="modality")
    assert one.csa is None and two.csa is not None and two.placement_names == ["acc", "gyro"]
    assert two.forward_outputs(torch.randn(3, 6, 32))["cross_sensor_attention"].shape == (3, 2, 2)
    with pytest.raises(ValueError, match="sensors must be"):
        create_model("stdualx", 6, 4, 32, channel_groups=groups, sensors="imu")


def test_stdat_attention_runs_in_fp32_under_bf16_autocast():
    """The two MHAs of every STDAT layer see fp32 inputs even under bf16 autocast (torch's
    CPU bf16 attention backward is the slow path); in fp32 nothing changes."""
    from harlib.models.stdualx import STDATLayer
    torch.manual_seed(0)
    layer = STDATLayer(length=16, dim=8, temporal_heads=2, spatial_heads=2, dropout=0.0).eval()
    seen = []
    for mha in (layer.temporal, layer.spatial):
        mha.register_forward_hook(lambda m, inp, out: seen.append((inp[0].dtype, out[0].dtype)))
    x = torch.randn(4, 16, 8)
    plain = layer(x)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        mixed = layer(x)
    assert seen == [(torch.float32, torch.float32)] * 4
    assert plain.dtype == torch.float32
    assert torch.allclose(mixed.float(), plain, atol=0.1)       # bf16 elsewhere, same function
