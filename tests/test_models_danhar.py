"""DanHAR: the flattened-head option and input checks."""
from __future__ import annotations

import pytest
import torch

import harlib.models.danhar  # noqa: F401  (the import registers the model)
from harlib.models.base import create_model

torch.set_num_threads(1)

N_CLASSES = 6
BATCH = 2


def _model(name, channels, length, **kw):
    torch.manual_seed(0)
    return create_model(name, channels, N_CLASSES, length, **kw)


@pytest.mark.parametrize("name,options", [
    ("danhar", {"pooling": "flatten"}),
])
def test_options(name, options):
    model = _model(name, 9, 128, **options).train()
    z = model.forward_features(torch.randn(BATCH, 9, 128))
    assert z.shape == (BATCH, model.embed_dim)
    model.forward_head(z).sum().backward()


def test_bad_options():
    with pytest.raises(ValueError):
        _model("danhar", 9, 128, pooling="max")
    flat = _model("danhar", 9, 128, pooling="flatten")
    with pytest.raises(ValueError):
        flat(torch.randn(BATCH, 9, 100))                 # built for 128-sample windows
