"""DeepConvLSTM — Ordóñez & Roggen, "Deep Convolutional and LSTM Recurrent Neural Networks
for Multimodal Wearable Activity Recognition", Sensors 16(1):115 (2016).

As in the paper (Section 3.2, Fig. 2): four temporal convolutions (64 filters, kernel 5,
no padding, ReLU) that convolve each sensor channel separately along time, then two LSTM
layers of 128 units over the resulting sequence, whose features at each step are
(filters × sensor channels); dropout 0.5 before the LSTM and the classifier. The paper
classifies from the last time step; so does this implementation.

Choices: the original feeds the LSTM with all 64 × C conv features per step (as here).
For many channels (DSADS: 45 → 2,880 features) that is the paper's design, not a slip.
Kernel 5 × 4 layers shortens a window by 16 samples, so windows must be ≥ 17 samples.
"""
from __future__ import annotations

import torch
from torch import nn

from .base import HARModel, register_model


@register_model("deepconvlstm")
class DeepConvLSTM(HARModel):
    """Input ``(batch, in_channels, window_length)``; embedding = last LSTM state ``(batch, 128)``."""

    def __init__(self, in_channels: int, n_classes: int, window_length: int,
                 filters: int = 64, kernel_size: int = 5, n_conv: int = 4,
                 lstm_units: int = 128, lstm_layers: int = 2, dropout: float = 0.5):
        super().__init__(in_channels, n_classes, window_length)
        if window_length <= n_conv * (kernel_size - 1):
            raise ValueError(f"DeepConvLSTM: window_length {window_length} is too short for "
                             f"{n_conv} convolutions of kernel {kernel_size}")
        convs, cin = [], 1
        for _ in range(n_conv):
            convs += [nn.Conv2d(cin, filters, (kernel_size, 1)), nn.ReLU(inplace=True)]
            cin = filters
        self.convs = nn.Sequential(*convs)
        self.dropout = nn.Dropout(dropout)
        self.lstm = nn.LSTM(filters * in_channels, lstm_units, num_layers=lstm_layers,
                            batch_first=True, dropout=dropout if lstm_layers > 1 else 0.0)
        self.embed_dim = lstm_units
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(lstm_units, n_classes))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        h = self.convs(x.transpose(1, 2).unsqueeze(1))       # (B, F, T', C)
        h = h.permute(0, 2, 1, 3).flatten(2)                  # (B, T', F·C)
        out, _ = self.lstm(self.dropout(h))
        return out[:, -1]

