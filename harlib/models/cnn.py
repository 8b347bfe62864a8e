"""A small 1-D CNN: the simplest honest baseline for notebook 01."""
from __future__ import annotations

from torch import nn

from .base import HARModel, register_model


@register_model("cnn1d")
class SmallCNN(HARModel):
    """Three Conv1d–BatchNorm–ReLU blocks (kernel 5, ``width`` filters, max-pooling by 2
    after the first two), global average pooling, dropout and a linear head.

    Input ``(batch, in_channels, window_length)``; embedding ``(batch, width)``.
    """

    def __init__(self, in_channels: int, n_classes: int, window_length: int,
                 width: int = 64, kernel_size: int = 5, dropout: float = 0.3):
        super().__init__(in_channels, n_classes, window_length)
        pad = kernel_size // 2

        def block(cin, cout, pool):
            layers = [nn.Conv1d(cin, cout, kernel_size, padding=pad, bias=False),
                      nn.BatchNorm1d(cout), nn.ReLU(inplace=True)]
            return layers + ([nn.MaxPool1d(2)] if pool else [])

        self.features = nn.Sequential(*block(in_channels, width, True), *block(width, width, True),
                                      *block(width, width, False), nn.AdaptiveAvgPool1d(1),
                                      nn.Flatten())
        self.embed_dim = width
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(width, n_classes))

