"""Paper A's memory-augmented seq2seq LSTM autoencoder (``memae_lstm``): reconstruction
shapes (with and without placements), MemAE addressing and shrinkage, the memory ablation,
layer-wise SAE pre-training stages, bad options, and an end-to-end unsupervised run."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from harlib.models import model_names
from harlib.models.memae import MemAELSTM, Memory, fallback_groups

from conftest import BATCH, N_CLASSES, seeded_model as _model  # noqa: F401

torch.set_num_threads(1)

DSADS_GROUPS = {"placement": {p: list(range(9 * i, 9 * i + 9))
                              for i, p in enumerate(["torso", "right_arm", "left_arm",
                                                     "right_leg", "left_leg"])}}
MEMORY_KEYS = ("memory_weights", "memory_entropy")


def _outputs(model, x):
    model.eval()
    with torch.no_grad():
        return model.forward_outputs(x)


def test_registered_as_an_autoencoder():
    assert "memae_lstm" in model_names("autoencoder")
    assert MemAELSTM.kind == "autoencoder" and MemAELSTM.accepts_channel_groups


@pytest.mark.parametrize("channels,length,kw", [
    (9, 128, {}), (6, 100, {}), (45, 75, {"channel_groups": DSADS_GROUPS}), (45, 75, {}),
    (3, 24, {}), (1, 24, {}), (9, 128, {"n_segments": 5, "pad_mode": "zeros"}),
    (9, 128, {"fusion": "mean", "sae_layers": 3, "sae_channels": (8, 16, 16)}),
])
def test_reconstruction_has_the_input_shape(channels, length, kw):
    model = _model("memae_lstm", channels, length, **kw)
    x = torch.randn(BATCH, channels, length)
    out = _outputs(model, x)
    assert out["reconstruction"].shape == x.shape
    n_seg = model.n_segments
    assert out["segment_features"].shape == (BATCH, n_seg, 64)
    assert out["segment_reconstruction"].shape == (BATCH, n_seg, 64)
    assert out["memory_weights"].shape == (BATCH, 50)
    assert out["memory_entropy"].shape == (BATCH,)
    assert all(torch.isfinite(v).all() for v in out.values())


def test_placements_and_fallback_groups():
    model = _model("memae_lstm", 45, 75, channel_groups=DSADS_GROUPS)
    assert len(model.sae) == 5 and model.group_names[0] == "torso"
    assert fallback_groups(9) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert fallback_groups(4) == [[0, 1, 2], [3]]
    assert fallback_groups(2) == [[0, 1]]
    assert len(_model("memae_lstm", 113, 90).sae) == 38
    # non-contiguous placements: each channel is reconstructed in its own position
    groups = {"placement": {"a": [0, 2, 4], "b": [1, 3, 5]}}
    model = _model("memae_lstm", 6, 64, channel_groups=groups)
    x = torch.randn(1, 6, 64)
    seg = model.segments(x)
    parts = model._group_inputs(seg)
    torch.testing.assert_close(parts[0], seg[:, [0, 2, 4]])
    torch.testing.assert_close(torch.cat(parts, 1)[:, model._inverse], seg)


def test_sub_windows_pad_and_crop_back():
    model = _model("memae_lstm", 2, 30, n_segments=4)     # 4 × 8 = 32 → 2 samples padded
    x = torch.arange(60.0).view(1, 2, 30)
    seg = model.segments(x)
    assert seg.shape == (4, 2, 8)
    torch.testing.assert_close(seg[0, 0], x[0, 0, :8])
    torch.testing.assert_close(seg[-1, 1, -3:], torch.tensor([59.0, 59.0, 59.0]))   # replicate
    assert _outputs(model, x)["reconstruction"].shape == x.shape


def test_memory_weights_sum_to_one_and_shrink_to_sparse():
    torch.manual_seed(0)
    mem = Memory(20, 16, shrink_threshold=0.0)
    z = torch.randn(8, 16)
    w, shrunk = mem.address(z)
    torch.testing.assert_close(w.sum(-1), torch.ones(8))
    torch.testing.assert_close(shrunk, w)                  # λ = 0: no shrinkage
    assert (w > 0).all()
    mem.shrink_threshold = 1.0 / 20
    w, shrunk = mem.address(z)
    torch.testing.assert_close(shrunk.sum(-1), torch.ones(8))
    assert (shrunk == 0).any() and (shrunk[w < 1 / 20] == 0).all()
    mem.temperature = 0.1                                   # sharper addressing, high λ
    mem.shrink_threshold = 0.2
    w, shrunk = mem.address(z)
    assert (shrunk == 0).sum(-1).min() >= 15
    read, weights, entropy = mem(z)
    assert read.shape == z.shape and torch.isfinite(entropy).all()
    torch.testing.assert_close(read, weights @ mem.items)
    torch.testing.assert_close(entropy, -(weights * torch.log(weights + 1e-12)).sum(-1))
    # in the model, with sharp addressing and a high λ, some weights are exactly zero
    model = _model("memae_lstm", 9, 128, memory_temperature=0.05, shrink_threshold=0.05)
    out = _outputs(model, torch.randn(16, 9, 128))
    torch.testing.assert_close(out["memory_weights"].sum(-1), torch.ones(16))
    assert (out["memory_weights"] == 0).any()


def test_memory_false_removes_parameters_and_outputs():
    full = _model("memae_lstm", 9, 128)
    cut = _model("memae_lstm", 9, 128, memory=False)
    assert cut.memory is None
    assert not any(n.startswith("memory") for n, _ in cut.named_parameters())
    n_full = sum(p.numel() for p in full.parameters())
    assert n_full - sum(p.numel() for p in cut.parameters()) == 50 * 64
    out = _outputs(cut, torch.randn(BATCH, 9, 128))
    assert not set(MEMORY_KEYS) & set(out)
    assert out["reconstruction"].shape == (BATCH, 9, 128)


@pytest.mark.parametrize("kw", [{}, {"sae_layers": 3, "sae_channels": (8, 16, 24)}])
def test_pretraining_stages_train_one_sae_layer_each(kw):
    model = _model("memae_lstm", 45, 75, channel_groups=DSADS_GROUPS, **kw).train()
    stages = model.pretraining_stages()
    assert len(stages) == len(model.sae[0].layers) == kw.get("sae_layers", 2)
    ids = [{id(p) for p in s.parameters} for s in stages]
    for i, a in enumerate(ids):
        assert a and all(not a & b for b in ids[i + 1:])
    x = torch.randn(4, 45, 75)
    for i, stage in enumerate(stages):
        model.zero_grad(set_to_none=True)
        rec, target = stage.forward(x)
        assert rec.shape == target.shape
        assert not target.requires_grad
        F.mse_loss(rec, target).backward()
        with_grad = {id(p) for p in model.parameters() if p.grad is not None}
        assert with_grad == ids[i]
        if i == 0:
            assert target.shape == (4 * model.n_segments, 45, model.segment_length)


@pytest.mark.parametrize("option", [
    {"n_segments": 0}, {"n_segments": 200}, {"sae_layers": 0}, {"sae_channels": (8,)},
    {"sae_channels": 0}, {"kernel_size": 4}, {"sae_stride": 0}, {"fusion": "sum"},
    {"fused_dim": 0}, {"hidden": 0}, {"memory_size": 0}, {"shrink_threshold": 1.0},
    {"shrink_threshold": -0.1}, {"memory_temperature": 0.0}, {"pad_mode": "reflect"},
    {"fallback_group_size": 0},
])
def test_rejects_bad_options(option):
    with pytest.raises(ValueError):
        _model("memae_lstm", 9, 128, **option)


def test_rejects_other_window_lengths():
    model = _model("memae_lstm", 9, 128)
    with pytest.raises(ValueError, match="expects windows of 128"):
        model(torch.randn(BATCH, 9, 100))


def test_unsupervised_fit_with_layerwise_pretraining(basicmotions_windows, tmp_path):
    from harlib.training.runs import RunStore
    from harlib.training.train import TrainConfig, fit
    ws, split = basicmotions_windows
    cfg = TrainConfig(max_epochs=2, batch_size=16, trainer="unsupervised", pretrain_epochs=1,
                      num_threads=1)
    run = fit("memae_lstm", ws, split, cfg, store=RunStore(tmp_path))
    assert {"cluster_accuracy", "nmi", "ari"} <= set(run.metrics)
    stages = [row.get("stage", "") for row in run.record["history"]]
    assert {"pretrain:sae1", "pretrain:sae2"} <= set(stages)
    assert run.predictions["embedding"].shape[1] == 64


def test_memory_entropy_loss_adds_the_entropy_term():
    import torch
    from harlib.training.losses import LOSSES
    from harlib.models import create_model
    torch.manual_seed(0)
    model = create_model("memae_lstm", 6, 4, 48)
    x = torch.randn(3, 6, 48)
    out = model.forward_outputs(x)
    plain = LOSSES.get("reconstruction_mse")()(out, {"x": x})
    with_entropy = LOSSES.get("reconstruction_memory")(entropy_weight=0.5)(out, {"x": x})
    torch.testing.assert_close(with_entropy, plain + 0.5 * out["memory_entropy"].mean())
    no_memory = create_model("memae_lstm", 6, 4, 48, memory=False).forward_outputs(x)
    with pytest.raises(ValueError, match="memory_entropy"):
        LOSSES.get("reconstruction_memory")()(no_memory, {"x": x})


def test_ablation_switches_change_the_stages():
    import torch
    from harlib.models import create_model
    groups = {"placement": {"a": [0, 1, 2], "b": [3, 4, 5]}, "modality": {"acc": list(range(6))}}
    x = torch.randn(3, 6, 40)
    full = create_model("memae_lstm", 6, 4, 40, channel_groups=groups)
    flat = create_model("memae_lstm", 6, 4, 40, channel_groups=groups, seq2seq=False)
    fused = create_model("memae_lstm", 6, 4, 40, channel_groups=groups, sensor_fusion=False)
    assert len(full.sae) == 2 and len(fused.sae) == 1 and fused.group_names == ["all"]
    assert not any(isinstance(m, torch.nn.LSTM) for m in flat.modules())
    for m in (full, flat, fused):
        out = m.forward_outputs(x)
        assert out["reconstruction"].shape == x.shape and out["embedding"].shape == (3, m.embed_dim)
        assert "memory_weights" in out
    with pytest.raises(ValueError, match="seq2seq must be True or False"):
        create_model("memae_lstm", 6, 4, 40, seq2seq="no")


def test_sensor_fusion_true_needs_two_placements():
    from harlib.models import create_model
    one = {"placement": {"waist": list(range(6))}, "modality": {"acc": list(range(6))}}
    with pytest.raises(ValueError, match=r"sensor_fusion=True .* one placement \('waist'\)"):
        create_model("memae_lstm", 6, 4, 40, channel_groups=one, sensor_fusion=True)
    with pytest.raises(ValueError, match="no placement metadata"):
        create_model("memae_lstm", 6, 4, 40, sensor_fusion=True)
    with pytest.raises(ValueError, match="sensor_fusion must be None, True or False"):
        create_model("memae_lstm", 6, 4, 40, sensor_fusion="yes")
    assert len(create_model("memae_lstm", 6, 4, 40, channel_groups=one).sae) == 1     # None: fuse what there is
    two = {"placement": {"a": [0, 1, 2], "b": [3, 4, 5]}}
    assert len(create_model("memae_lstm", 6, 4, 40, channel_groups=two, sensor_fusion=True).sae) == 2


def test_each_segment_is_one_window_of_a_history_set():
    import torch
    from harlib.data.base import Channel, HARDataset, Recording
    from harlib.models import create_model
    from harlib.models.memae import MemAELSTM
    from harlib.data.windows import sliding_windows
    rng = np.random.default_rng(0)
    recs = [Recording(s, f"r{s}", rng.normal(size=(200, 6)).astype(np.float32), np.zeros(200, np.int16))
            for s in range(2)]
    chans = tuple(Channel(f"c{i}", "ab"[i // 3], "acc") for i in range(6))
    ws = sliding_windows(HARDataset("toy", 10.0, ("a",), chans, recs), 20, 10, history=4)
    kwargs = MemAELSTM.for_windows(ws)
    assert kwargs == {"n_segments": 5} and MemAELSTM.for_windows(ws.without_history()) == {}
    model = create_model("memae_lstm", 6, 1, ws.length, channel_groups=ws.channel_groups(), **kwargs)
    assert model.segment_length == ws.window_length == 20
    x = torch.from_numpy(ws.X[:3])
    segments = model.segments(x).reshape(3, 5, 6, 20)
    for k in range(5):     # segment k is the k-th window of the sequence, the current one last
        torch.testing.assert_close(segments[:, k], x[..., 20 * k:20 * (k + 1)])
    out = model.forward_outputs(x)
    assert out["segment_features"].shape == (3, 5, 64) and out["reconstruction"].shape == x.shape
