"""TinyHAR: options, input checks and the documented embedding width."""
from __future__ import annotations

import pytest
import torch

import harlib.models.tinyhar  # noqa: F401  (the import registers the model)

from conftest import BATCH, N_CLASSES, assert_other_lengths, assert_trains, seeded_model as _model  # noqa: F401

torch.set_num_threads(1)


@pytest.mark.parametrize("name,options", [
    ("tinyhar", {"channel_interaction": "transformer"}),
    ("tinyhar", {"padding": "valid"}),
])
def test_options(name, options):
    assert_trains(_model(name, 9, 128, **options))


def test_bad_options():
    with pytest.raises(ValueError):
        _model("tinyhar", 9, 128, channel_interaction="lstm")
    with pytest.raises(ValueError):
        _model("tinyhar", 9, 24, padding="valid")        # too short for unpadded convolutions


def test_widths_match_documentation():
    assert _model("tinyhar", 9, 128).embed_dim == 40
