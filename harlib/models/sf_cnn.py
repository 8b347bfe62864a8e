"""Paper B's §3.1.3 classifier: the network its augmentation framework pre-trains on
synthetic windows (eq. 17) and fine-tunes on real ones (eq. 18), reading the raw signal
beside its statistical features (eq. 16).

Paper B, §3.1.3: "The HAR classifier processes 5-channel temporal input formed by
concatenating the raw signal and feature vector f (eq. 16). The network consists of three
1D convolutional blocks (kernel size = 5, stride = 2, channels = 64, GeLU activation), a
global average pooling layer, two fully connected layers (128 units, Dropout=0.3), and a
Softmax output layer." For one channel, raw + f (μ, σ, γ replicated over time and the
point-wise Z-scores, eq. 1–3) are the five channels; for C channels they are 5C
(:func:`harlib.models.statistics.conditioning`), computed inside the model from each
window, so real and synthetic windows are read the same way.

Assumed where B is silent: padding 2 (each block halves the length), no normalisation
layer in the convolutional blocks, GELU after each fully connected layer and dropout 0.3
after each, and the second fully connected layer's 128 units as the embedding. The
softmax is the cross-entropy's (the model returns logits). ``features=False`` reads the
raw signal alone: the same network without eq. 16, so a comparison isolates it.

B's Table 2 scores USAD (the multi-branch network of §3.2), so harlib's Table 2 rows
pre-train and fine-tune USAD; notebook 23 trains this network in the same two stages
beside it, to show what taking §3.1.3 literally changes.
"""
from __future__ import annotations

import torch
from torch import nn

from .base import HARModel, register_model
from .statistics import N_STATS, conditioning


@register_model("sf_cnn")
class StatisticalFeatureCNN(HARModel):
    """Three Conv1d(kernel 5, stride 2)–GELU blocks of ``width`` filters on the raw
    channels and (``features=True``) their eq. 1–3 statistics, global average pooling,
    two fully connected layers of ``hidden`` units (GELU, dropout) and a linear head.

    Input ``(batch, in_channels, window_length)``; embedding ``(batch, hidden)``."""

    kind = "method"

    def __init__(self, in_channels: int, n_classes: int, window_length: int,
                 features: bool = True, width: int = 64, hidden: int = 128,
                 dropout: float = 0.3):
        super().__init__(in_channels, n_classes, window_length)
        if not isinstance(features, bool):
            raise TypeError(f"sf_cnn: features must be True or False, got {features!r}")
        self.statistics = features
        cin = in_channels * (1 + N_STATS) if features else in_channels
        blocks = []
        for c in (cin, width, width):
            blocks += [nn.Conv1d(c, width, 5, stride=2, padding=2), nn.GELU()]
        self.body = nn.Sequential(*blocks, nn.AdaptiveAvgPool1d(1), nn.Flatten())
        self.fc = nn.Sequential(nn.Linear(width, hidden), nn.GELU(), nn.Dropout(dropout),
                                nn.Linear(hidden, hidden), nn.GELU(), nn.Dropout(dropout))
        self.embed_dim = hidden
        self.head = nn.Linear(hidden, n_classes)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        if self.statistics:
            x = torch.cat([x, conditioning(x)], dim=1)        # eq. 16: [x; f]
        return self.fc(self.body(x))
