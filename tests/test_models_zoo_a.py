"""Baseline zoo, part A: cnn_zeng, resnext, resnet50_1d, lstm, lstm_cnn, cnn_gru, tinyhar,
danhar — shapes, gradients, input checks and frozen parameter counts."""
from __future__ import annotations

import pytest
import torch

import harlib.models.danhar  # noqa: F401  (each import registers its models)
import harlib.models.tinyhar  # noqa: F401
import harlib.models.zoo_cnn  # noqa: F401
import harlib.models.zoo_rnn  # noqa: F401
from harlib.models.base import create_model

torch.set_num_threads(1)

NAMES = ["cnn_zeng", "resnext", "resnet50_1d", "lstm", "lstm_cnn", "cnn_gru", "tinyhar", "danhar"]

N_CLASSES = 6
BATCH = 2


def _model(name, channels, length, **kw):
    torch.manual_seed(0)
    return create_model(name, channels, N_CLASSES, length, **kw)


@pytest.mark.parametrize("name,options", [
    ("cnn_zeng", {"sections": 2}),
    ("resnet50_1d", {"width": 8, "stem_stride": 1}),
    ("tinyhar", {"channel_interaction": "transformer"}),
    ("tinyhar", {"padding": "valid"}),
    ("danhar", {"pooling": "flatten"}),
])
def test_options(name, options):
    model = _model(name, 9, 128, **options).train()
    z = model.forward_features(torch.randn(BATCH, 9, 128))
    assert z.shape == (BATCH, model.embed_dim)
    model.forward_head(z).sum().backward()


def test_bad_options():
    with pytest.raises(ValueError):
        _model("tinyhar", 9, 128, channel_interaction="lstm")
    with pytest.raises(ValueError):
        _model("tinyhar", 9, 24, padding="valid")        # too short for unpadded convolutions
    with pytest.raises(ValueError):
        _model("danhar", 9, 128, pooling="max")
    with pytest.raises(ValueError):
        _model("lstm_cnn", 9, 10)
    with pytest.raises(ValueError):
        _model("cnn_zeng", 9, 4)
    flat = _model("danhar", 9, 128, pooling="flatten")
    with pytest.raises(ValueError):
        flat(torch.randn(BATCH, 9, 100))                 # built for 128-sample windows


def test_widths_match_documentation():
    assert _model("resnet50_1d", 9, 128).embed_dim == 512
    full = _model("resnet50_1d", 9, 128, width=64)
    assert full.embed_dim == 2048
    assert sum(p.numel() for p in full.parameters()) == 15_970_118
    assert _model("tinyhar", 9, 128).embed_dim == 40
