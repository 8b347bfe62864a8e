"""DanHAR: the flattened-head option and input checks."""
from __future__ import annotations

import pytest
import torch

import harlib.models.danhar  # noqa: F401  (the import registers the model)

from conftest import BATCH, N_CLASSES, assert_other_lengths, assert_trains, seeded_model as _model  # noqa: F401

torch.set_num_threads(1)


@pytest.mark.parametrize("name,options", [
    ("danhar", {"pooling": "flatten"}),
])
def test_options(name, options):
    assert_trains(_model(name, 9, 128, **options))


def test_bad_options():
    with pytest.raises(ValueError):
        _model("danhar", 9, 128, pooling="max")
    flat = _model("danhar", 9, 128, pooling="flatten")
    with pytest.raises(ValueError):
        flat(torch.randn(BATCH, 9, 100))                 # built for 128-sample windows
