"""Convolutional baselines: cnn_zeng, resnext, resnet50_1d — options, input checks and
documented widths / parameter counts."""
from __future__ import annotations

import pytest
import torch

import harlib.models.cnn_zeng  # noqa: F401  (each import registers its models)
import harlib.models.resnet  # noqa: F401
import harlib.models.resnext  # noqa: F401

from conftest import BATCH, N_CLASSES, assert_other_lengths, assert_trains, seeded_model as _model  # noqa: F401

torch.set_num_threads(1)


@pytest.mark.parametrize("name,options", [
    ("cnn_zeng", {"sections": 2}),
    ("resnet50_1d", {"width": 8, "stem_stride": 1}),
])
def test_options(name, options):
    assert_trains(_model(name, 9, 128, **options))


def test_bad_options():
    with pytest.raises(ValueError):
        _model("cnn_zeng", 9, 4)


def test_widths_match_documentation():
    assert _model("resnet50_1d", 9, 128).embed_dim == 512
    full = _model("resnet50_1d", 9, 128, width=64)
    assert full.embed_dim == 2048
    assert sum(p.numel() for p in full.parameters()) == 15_970_118
