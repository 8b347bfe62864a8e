"""The multi-input CNN-GRU of Dua, Singh and Semwal ("Multi-input CNN-GRU based human
activity recognition using wearable sensors", Computing 103(7), 2021), a recurrent
baseline of paper B's comparison (Tables 3 and 5).

Takes ``(batch, channels, time)`` float input (any channel count ≥ 1, windows ≥ 24
samples) and is registered as ``"cnn_gru"``.
"""
from __future__ import annotations

import torch
from torch import nn

from .base import HARModel, register_model


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
