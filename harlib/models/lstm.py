"""A plain LSTM, a recurrent baseline of paper B's comparison (Tables 3 and 5), which B
attributes to Xia, Huang and Wang (IEEE Access 8, 2020).

Takes ``(batch, channels, time)`` float input (any channel count ≥ 1, windows ≥ 24
samples) and is registered as ``"lstm"``.
"""
from __future__ import annotations

import torch
from torch import nn

from .base import HARModel, register_model


@register_model("lstm")
class LSTMBaseline(HARModel):
    """Plain stacked LSTM classifier — the "LSTM" row of paper B's Tables 3 and 5, which B
    attributes to K. Xia, J. Huang, H. Wang, "LSTM-CNN Architecture for Human Activity
    Recognition", IEEE Access 8 (2020) 56855–56866 (B's reference [19]). That paper is
    about the hybrid model (``"lstm_cnn"``); the plain LSTM's size is fixed by neither.

    Input ``(batch, in_channels, window_length)`` is read as a sequence of
    ``window_length`` steps with ``in_channels`` features each. ``layers`` LSTM layers of
    ``hidden`` units (dropout between layers); the embedding is the last step's output of
    the top layer ``(batch, hidden)``; dropout + linear head.

    The defaults (2 layers × 128 units,
    dropout 0.5) are the usual HAR setting, the recurrent part of DeepConvLSTM (Ordóñez &
    Roggen 2016).
    """

    def __init__(self, in_channels: int, n_classes: int, window_length: int,
                 hidden: int = 128, layers: int = 2, dropout: float = 0.5):
        super().__init__(in_channels, n_classes, window_length)
        self.lstm = nn.LSTM(in_channels, hidden, num_layers=layers, batch_first=True,
                            dropout=dropout if layers > 1 else 0.0)
        self.embed_dim = hidden
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden, n_classes))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        out, _ = self.lstm(x.transpose(1, 2))
        return out[:, -1]
