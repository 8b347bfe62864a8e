"""Recurrent baselines of paper B's comparison (Tables 3 and 5): a plain LSTM, the LSTM-CNN
of Xia, Huang and Wang, and the multi-input CNN-GRU of Dua, Singh and Semwal.

All take ``(batch, channels, time)`` float input (any channel count ≥ 1, windows ≥ 24
samples) and are registered as ``"lstm"``, ``"lstm_cnn"`` and ``"cnn_gru"``.
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


class _ConvGRUBranch(nn.Module):
    """One head of the multi-input CNN-GRU: two convolutions with one kernel size, dropout,
    max-pooling by 2, then stacked GRUs; returns the last GRU state."""

    def __init__(self, cin: int, kernel: int, filters: int, gru_units: int, gru_layers: int,
                 dropout: float):
        super().__init__()
        self.cnn = nn.Sequential(
            nn.Conv1d(cin, filters, kernel, padding=kernel // 2), nn.ReLU(inplace=True),
            nn.Conv1d(filters, filters, kernel, padding=kernel // 2), nn.ReLU(inplace=True),
            nn.Dropout(dropout), nn.MaxPool1d(2, ceil_mode=True))
        self.gru = nn.GRU(filters, gru_units, num_layers=gru_layers, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.gru(self.cnn(x).transpose(1, 2))
        return out[:, -1]


@register_model("cnn_gru")
class MultiInputCNNGRU(HARModel):
    """Multi-input CNN-GRU of N. Dua, S. N. Singh, V. B. Semwal, "Multi-input CNN-GRU based
    human activity recognition using wearable sensors", Computing 103(7) (2021) 1461–1478
    (paper B's reference [20]).

    The same window is fed to three parallel heads that differ only in the convolution
    kernel size (3, 5, 7), so that each head sees a different temporal scale; each head
    is convolution layers followed by GRU layers; the heads' outputs are concatenated and
    classified by fully connected layers. Implemented as: per head, two Conv1d layers
    (``filters`` maps, "same" padding, ReLU), dropout, max-pooling by 2, ``gru_layers``
    stacked GRU layers of ``gru_units`` units, last state; the three states are
    concatenated and passed through a ``hidden``-unit ReLU dense layer, whose output is
    the embedding ``(batch, hidden)``; dropout + linear head.

    Input ``(batch, in_channels, window_length)``. Choices (defaults; the original layer
    widths are not given in paper B and are not reproduced here): ``kernels=(3, 5, 7)``,
    ``filters=64``, ``gru_units=64``, ``gru_layers=2``, ``hidden=128``, ``dropout=0.5``. "Same" padding keeps every head's
    sequence length identical for any window ≥ 1. Paper B's Table 5 lists 4.38e6
    parameters (WISDM) for its CNN-GRU; this one has ≈0.25 M at ``(9, 128)``, so B's
    variant is either much wider or flattens the sequence into a large dense layer.
    """

    def __init__(self, in_channels: int, n_classes: int, window_length: int,
                 kernels: tuple[int, ...] = (3, 5, 7), filters: int = 64, gru_units: int = 64,
                 gru_layers: int = 2, hidden: int = 128, dropout: float = 0.5):
        super().__init__(in_channels, n_classes, window_length)
        self.branches = nn.ModuleList(
            _ConvGRUBranch(in_channels, k, filters, gru_units, gru_layers, dropout)
            for k in kernels)
        self.fuse = nn.Sequential(nn.Linear(len(kernels) * gru_units, hidden),
                                  nn.ReLU(inplace=True))
        self.embed_dim = hidden
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden, n_classes))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        return self.fuse(torch.cat([b(x) for b in self.branches], dim=1))

