"""The LSTM-CNN of Xia, Huang and Wang ("LSTM-CNN Architecture for Human Activity
Recognition", IEEE Access 8, 2020), a recurrent baseline of paper B's comparison (Tables 3
and 5).

Takes ``(batch, channels, time)`` float input (any channel count ≥ 1, windows ≥ 24
samples) and is registered as ``"lstm_cnn"``.
"""
from __future__ import annotations

import torch
from torch import nn

from .base import HARModel, register_model


@register_model("lstm_cnn")
class LSTMCNN(HARModel):
    """LSTM-CNN of K. Xia, J. Huang, H. Wang, "LSTM-CNN Architecture for Human Activity
    Recognition", IEEE Access 8 (2020) 56855–56866 (paper B's reference [19]).

    As in the paper: two LSTM layers of 32 units read the raw window; their output
    sequence ``(time × 32)`` is treated as a one-channel image and passed through a 2-D
    convolution (64 filters, 5×5, stride 2, ReLU), 2×2 max-pooling (stride 2), a second
    2-D convolution (128 filters, 3×3, stride 1, ReLU), global average pooling and batch
    normalisation; a softmax (here: linear) layer classifies. The embedding is the
    batch-normalised pooled vector ``(batch, 128)``.

    Input ``(batch, in_channels, window_length)`` — the paper's UCI-HAR input is 128 steps
    × 9 channels, i.e. ``(9, 128)`` here. Convolutions are unpadded ("valid") as in the
    paper; that needs windows of at least 15 samples. Paper B's Table 5 lists 2.12e6
    parameters for its LSTM-CNN on WISDM (2.13e6 on OPPORTUNITY); this model has ≈0.09 M
    at ``(9, 128)`` — the architecture above has no layer whose size could reach 2 M
    (the count barely depends on the number of channels), so B's implementation must
    differ from the published design. The batch normalisation of the pooled vector needs
    batches of more than one window in training mode.
    """

    def __init__(self, in_channels: int, n_classes: int, window_length: int,
                 lstm_units: int = 32, filters: tuple[int, int] = (64, 128)):
        super().__init__(in_channels, n_classes, window_length)
        if window_length < 15 or lstm_units < 15:
            raise ValueError(f"LSTMCNN: window_length ({window_length}) and lstm_units "
                             f"({lstm_units}) must be at least 15")
        self.lstm = nn.LSTM(in_channels, lstm_units, num_layers=2, batch_first=True)
        self.cnn = nn.Sequential(
            nn.Conv2d(1, filters[0], 5, stride=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(2, stride=2),
            nn.Conv2d(filters[0], filters[1], 3), nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.BatchNorm1d(filters[1]))
        self.embed_dim = filters[1]
        self.head = nn.Linear(filters[1], n_classes)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        out, _ = self.lstm(x.transpose(1, 2))                 # (B, T, units)
        return self.cnn(out.unsqueeze(1))
