"""Recurrent baselines: lstm, lstm_cnn, cnn_gru — input checks."""
from __future__ import annotations

import pytest
import torch

import harlib.models.cnn_gru  # noqa: F401  (each import registers its models)
import harlib.models.lstm  # noqa: F401
import harlib.models.lstm_cnn  # noqa: F401
from harlib.models.base import create_model

torch.set_num_threads(1)

N_CLASSES = 6


def _model(name, channels, length, **kw):
    torch.manual_seed(0)
    return create_model(name, channels, N_CLASSES, length, **kw)


def test_bad_options():
    with pytest.raises(ValueError):
        _model("lstm_cnn", 9, 10)
