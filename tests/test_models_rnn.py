"""Recurrent baselines: lstm, lstm_cnn, cnn_gru — input checks."""
from __future__ import annotations

import pytest
import torch

import harlib.models.cnn_gru  # noqa: F401  (each import registers its models)
import harlib.models.lstm  # noqa: F401
import harlib.models.lstm_cnn  # noqa: F401

from conftest import BATCH, N_CLASSES, assert_other_lengths, assert_trains, seeded_model as _model  # noqa: F401

torch.set_num_threads(1)


def test_bad_options():
    with pytest.raises(ValueError):
        _model("lstm_cnn", 9, 10)
