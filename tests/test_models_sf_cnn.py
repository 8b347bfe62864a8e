"""Paper B's §3.1.3 classifier (harlib.models.sf_cnn) and the eq. 1–3 features it reads."""
from __future__ import annotations

import pytest
import torch

from harlib.models import create_model, model_names
from harlib.models.statistics import conditioning, window_statistics


def test_sf_cnn_reads_the_raw_signal_beside_its_eq16_features():
    torch.manual_seed(0)
    x = torch.randn(4, 3, 90)
    m = create_model("sf_cnn", 3, 6, 90).eval()
    seen = {}
    m.body[0].register_forward_hook(lambda mod, inp, out: seen.update(inp=inp[0], out=out))
    out = m.forward_outputs(x)
    assert out["logits"].shape == (4, 6) and out["embedding"].shape == (4, 128)
    assert m.body[0].in_channels == 15                       # 3 raw + 4 × 3 statistics (5 per channel)
    assert torch.equal(seen["inp"], torch.cat([x, conditioning(x)], dim=1))
    assert seen["out"].shape == (4, 64, 45)                  # kernel 5, stride 2: the length halves
    convs = [l for l in m.body if isinstance(l, torch.nn.Conv1d)]
    assert [(c.kernel_size, c.stride, c.out_channels) for c in convs] == [((5,), (2,), 64)] * 3
    drops = [l.p for l in m.fc if isinstance(l, torch.nn.Dropout)]
    assert drops == [0.3, 0.3] and [l.out_features for l in m.fc if isinstance(l, torch.nn.Linear)] == [128, 128]
    assert "sf_cnn" in model_names("method")


def test_sf_cnn_without_features_is_the_same_network_on_the_raw_signal():
    x = torch.randn(2, 3, 50)
    m = create_model("sf_cnn", 3, 4, 50, features=False)
    assert m.body[0].in_channels == 3
    with_f = create_model("sf_cnn", 3, 4, 50)
    # only the first convolution differs
    n = sum(p.numel() for p in with_f.parameters()) - sum(p.numel() for p in m.parameters())
    assert n == 12 * 64 * 5
    assert m(x).shape == (2, 4)
    # the features make a level shift visible: with them, a constant offset changes the input
    shifted = x + 5.0
    f, f_shift = conditioning(x), conditioning(shifted)
    assert torch.allclose(f[:, 9:], f_shift[:, 9:], atol=1e-5)          # Z-scores: unchanged
    assert torch.allclose(f_shift[:, :3], f[:, :3] + 5.0, atol=1e-5)     # μ block: shifted


def test_sf_cnn_rejects_bad_settings_and_input():
    with pytest.raises(TypeError, match="features must be True or False"):
        create_model("sf_cnn", 3, 4, 50, features="yes")
    m = create_model("sf_cnn", 3, 4, 50)
    with pytest.raises(ValueError, match="expects \\(batch, 3 channels"):
        m(torch.zeros(2, 4, 50))


def test_window_statistics_of_a_known_window():
    x = torch.tensor([[[0.0, 0.0, 0.0, 4.0]]])
    s = window_statistics(x)[0, 0]
    assert s[0].item() == pytest.approx(1.0) and s[1].item() == pytest.approx(3 ** 0.5)
    assert s[2].item() == pytest.approx(((-1 / 3 ** 0.5) ** 3 * 3 + (3 / 3 ** 0.5) ** 3) / 4)
