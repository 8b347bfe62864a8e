"""TinyHAR: options, input checks and the documented embedding width."""
from __future__ import annotations

import pytest
import torch

import harlib.models.tinyhar  # noqa: F401  (the import registers the model)
from harlib.models.base import create_model

torch.set_num_threads(1)

N_CLASSES = 6
BATCH = 2


def _model(name, channels, length, **kw):
    torch.manual_seed(0)
    return create_model(name, channels, N_CLASSES, length, **kw)


@pytest.mark.parametrize("name,options", [
    ("tinyhar", {"channel_interaction": "transformer"}),
    ("tinyhar", {"padding": "valid"}),
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


def test_widths_match_documentation():
    assert _model("tinyhar", 9, 128).embed_dim == 40
