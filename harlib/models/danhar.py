"""DanHAR — W. Gao, L. Zhang, Q. Teng, J. He, H. Wu, "DanHAR: Dual Attention Network for
multimodal human activity recognition using wearable sensors", Applied Soft Computing 111
(2021) 107728, doi:10.1016/j.asoc.2021.107728 (paper B's reference [28]; preprint
arXiv:2006.14435). Registered as ``"danhar"``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .base import HARModel, register_model


class _ChannelAttention(nn.Module):
    """Channel attention ("what to focus on"): average- and max-pooled descriptors of each
    feature map go through a shared two-layer bottleneck MLP (reduction ``reduction``);
    their sum, through a sigmoid, rescales the feature maps (CBAM, Woo et al. 2018)."""

    def __init__(self, channels: int, reduction: int = 16):
        super().__init__()
        mid = max(1, channels // reduction)
        self.mlp = nn.Sequential(nn.Conv2d(channels, mid, 1, bias=False), nn.ReLU(inplace=True),
                                 nn.Conv2d(mid, channels, 1, bias=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = self.mlp(F.adaptive_avg_pool2d(x, 1)) + self.mlp(F.adaptive_max_pool2d(x, 1))
        return x * torch.sigmoid(a)


class _TemporalAttention(nn.Module):
    """Temporal (spatial) attention ("where to focus"): channel-wise mean and max maps over
    the (time × sensor) plane, a ``kernel_size`` × ``kernel_size`` convolution and a
    sigmoid give one weight per time step and sensor channel."""

    def __init__(self, kernel_size: int = 7):
        super().__init__()
        self.conv = nn.Conv2d(2, 1, kernel_size, padding=kernel_size // 2, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = torch.cat([x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)], dim=1)
        return x * torch.sigmoid(self.conv(s))


class _DualAttentionResBlock(nn.Module):
    """Residual block: Conv(k×1, stride s×1) – BN – ReLU – Conv(3×1) – BN, then channel
    attention and temporal attention on the residual branch, plus a Conv(k×1, s×1) – BN
    projection shortcut, then ReLU. Convolutions run along time only."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int, padding: int,
                 reduction: int, attention_kernel: int):
        super().__init__()
        self.kernel, self.padding = kernel, padding
        self.body = nn.Sequential(
            nn.Conv2d(cin, cout, (kernel, 1), (stride, 1), (padding, 0)), nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, (3, 1), 1, (1, 0)), nn.BatchNorm2d(cout))
        self.channel_attention = _ChannelAttention(cout, reduction)
        self.temporal_attention = _TemporalAttention(attention_kernel)
        self.shortcut = nn.Sequential(
            nn.Conv2d(cin, cout, (kernel, 1), (stride, 1), (padding, 0)), nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        short = self.kernel - 2 * self.padding - x.shape[2]
        if short > 0:                       # too few time steps left for one kernel: zero-pad
            x = F.pad(x, (0, 0, 0, short))
        out = self.temporal_attention(self.channel_attention(self.body(x)))
        return F.relu(out + self.shortcut(x))

    def out_length(self, length: int) -> int:
        length = max(length, self.kernel - 2 * self.padding)
        return (length + 2 * self.padding - self.kernel) // self.body[0].stride[0] + 1


@register_model("danhar")
class DanHAR(HARModel):
    """DanHAR (Gao et al., Applied Soft Computing 2021; see the module docstring).

    Input ``(batch, in_channels, window_length)``, rearranged to a one-channel 2-D map
    ``(1, time, sensor channels)``. Three residual blocks (``widths=(64, 128, 256)``) with
    convolutions along time only — kernel ``(6, 1)``, stride ``(3, 1)``, padding
    ``(1, 0)``, then a ``(3, 1)`` convolution — the residual network used as the
    backbone in the authors' group (Zhang et al.), where the sensor axis keeps its size.
    Each block applies, on its residual branch, *channel attention* (what to focus on:
    which feature maps, and through them which sensor modalities) followed by *temporal
    attention* (where to focus: a weight for every time step and sensor channel of the
    2-D map), in CBAM order; then the shortcut is added.

    Classifier: the authors flatten the last feature map into a fully connected layer, so
    the layer's size depends on the window and the channel count. ``pooling="avg"``
    (default) instead averages the last map over time and sensors, giving a fixed
    256-d embedding that works for every input shape and is usable for t-SNE and triplet
    losses. ``pooling="flatten"`` reproduces the original head (embedding ``256 × T' ×
    channels``, fixed by ``window_length`` at construction).

    Choices the paper leaves open (defaults): channel-attention reduction 16 (CBAM's
    default), temporal-attention kernel 7×7 (CBAM's default; 'same' padding, so any
    sensor count works). Three stride-3 blocks shrink time 27×: when a block receives
    fewer time steps than its kernel needs (windows under ~40 samples), the time axis is
    zero-padded to one kernel's reach, so any window ≥ 1 sample works.

    Paper B's Table 5 reports 2.35e6 parameters on WISDM and 4.46e6 on OPPORTUNITY for
    DanHAR — a difference that only the flattened head can produce (its size grows with
    the channel count). This model has ≈0.76 M parameters in its convolutional/attention
    part; with ``pooling="flatten"`` the head adds ``256 · T' · channels · classes``.
    """

    def __init__(self, in_channels: int, n_classes: int, window_length: int,
                 widths: tuple[int, ...] = (64, 128, 256), kernel: int = 6, stride: int = 3,
                 padding: int = 1, reduction: int = 16, attention_kernel: int = 7,
                 pooling: str = "avg", dropout: float = 0.0):
        super().__init__(in_channels, n_classes, window_length)
        if pooling not in ("avg", "flatten"):
            raise ValueError(f"DanHAR: pooling must be 'avg' or 'flatten', got {pooling!r}")
        blocks, cin, length = [], 1, window_length
        for w in widths:
            blocks.append(_DualAttentionResBlock(cin, w, kernel, stride, padding, reduction,
                                                 attention_kernel))
            length = blocks[-1].out_length(length)
            cin = w
        self.blocks = nn.Sequential(*blocks)
        self.pooling = pooling
        self.embed_dim = cin if pooling == "avg" else cin * length * in_channels
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(self.embed_dim, n_classes))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        h = self.blocks(x.transpose(1, 2).unsqueeze(1))         # (B, 256, T', C)
        if self.pooling == "avg":
            return h.mean(dim=(2, 3))
        z = h.flatten(1)
        if z.shape[1] != self.embed_dim:
            raise ValueError(f"DanHAR(pooling='flatten') was built for windows of "
                             f"{self.window_length} samples, got {x.shape[2]}")
        return z

