"""TCCSNet — Essa & Abdelmaksoud (2023), temporal-channel convolution with self-attention
(paper B ref. 16), one of the attention / normalisation HAR baselines compared in paper B
(Tables 3, 5 and 6). Registered as ``"tccsnet"``.

Paper B gives no architecture details; the class docstring separates what the original
publication states from what is assumed here. The model takes a standardised float input
``(batch, in_channels, time)``, works for any channel count ≥ 1 and window ≥ 24 samples,
and ends in global pooling, so the time length at inference may differ from
``window_length``.
"""
from __future__ import annotations

import torch
from torch import nn

from .base import HARModel, register_model
from .layers import _conv_bn_relu, _transformer, sinusoidal_positions

__all__ = ["TCCSNet"]


@register_model("tccsnet")
class TCCSNet(HARModel):
    """TCCSNet — Essa & Abdelmaksoud, "Temporal-channel convolution with self-attention
    network for human activity recognition using wearable sensors", Knowledge-Based Systems
    278:110867 (2023) (paper B ref. 16).

    Input ``(batch, in_channels, window_length)`` float; embedding ``(batch, 2·d_model)``.

    What the original states: two branches of convolutions and self-attention, one
    extracting time-wise and one channel-wise (inter-channel) information; convolution
    captures local patterns and self-attention long-range dependencies.

    What is implemented (sizes and the channel-token construction are assumed):
    * temporal branch — tokens are time steps: two Conv1d(k=5)–BN–ReLU (``d_model`` = 64)
      over time, sinusoidal positions, a 2-layer pre-norm transformer encoder (4 heads,
      FFN 128), mean over time;
    * channel branch — tokens are sensor channels: each channel's series is encoded by a
      shared Conv1d(1→16, k=5)–BN–ReLU and adaptive average pooling to 8 time bins
      (so the token size does not depend on the window length), projected to ``d_model``,
      given a learned per-channel embedding, mixed across neighbouring channels by a
      Conv1d(k=3) along the channel axis, then a 2-layer transformer encoder over channel
      tokens, mean over channels;
    * embedding = concatenation of both branch summaries.
    """

    def __init__(self, in_channels: int, n_classes: int, window_length: int, *,
                 d_model: int = 64, n_heads: int = 4, n_layers: int = 2, ffn_dim: int = 128,
                 kernel_size: int = 5, channel_filters: int = 16, channel_bins: int = 8,
                 attn_dropout: float = 0.1, dropout: float = 0.3):
        super().__init__(in_channels, n_classes, window_length)
        d = d_model
        self.temporal_conv = nn.Sequential(*_conv_bn_relu(in_channels, d, kernel_size),
                                           *_conv_bn_relu(d, d, kernel_size))
        self.temporal_attn = _transformer(d, n_heads, ffn_dim, n_layers, attn_dropout)
        self.channel_encoder = nn.Sequential(*_conv_bn_relu(1, channel_filters, kernel_size),
                                             nn.AdaptiveAvgPool1d(channel_bins),
                                             nn.Flatten(),
                                             nn.Linear(channel_filters * channel_bins, d))
        self.channel_embedding = nn.Parameter(torch.zeros(1, in_channels, d))
        nn.init.normal_(self.channel_embedding, std=0.02)
        self.channel_conv = nn.Sequential(*_conv_bn_relu(d, d, 3))
        self.channel_attn = _transformer(d, n_heads, ffn_dim, n_layers, attn_dropout)
        self.embed_dim = 2 * d
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(2 * d, n_classes))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        b, c, t = x.shape
        ht = self.temporal_conv(x).transpose(1, 2)                  # (B, T, d)
        ht = ht + sinusoidal_positions(t, ht.shape[-1], ht.device, ht.dtype)
        zt = self.temporal_attn(ht).mean(dim=1)
        hc = self.channel_encoder(x.reshape(b * c, 1, t)).reshape(b, c, -1)
        hc = hc + self.channel_embedding
        hc = self.channel_conv(hc.transpose(1, 2)).transpose(1, 2)  # mix along channels
        zc = self.channel_attn(hc).mean(dim=1)
        return torch.cat([zt, zc], dim=1)
