"""A 1-D ResNet-50 (He et al., "Deep Residual Learning for Image Recognition", CVPR 2016),
a convolutional baseline of paper B's comparison (Tables 3–5).

Takes ``(batch, channels, time)`` float input (channels = sensor axes, any number ≥ 1;
windows of any length ≥ 24) and is registered as ``"resnet50_1d"``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .base import HARModel, register_model


class _Bottleneck1d(nn.Module):
    """ResNet bottleneck (1×1 → 3 → 1×1, expansion 4), stride on the middle convolution
    (the torchvision "v1.5" placement), projection shortcut when the shape changes."""

    expansion = 4

    def __init__(self, cin: int, planes: int, stride: int):
        super().__init__()
        cout = planes * self.expansion
        self.body = nn.Sequential(
            nn.Conv1d(cin, planes, 1, bias=False), nn.BatchNorm1d(planes), nn.ReLU(inplace=True),
            nn.Conv1d(planes, planes, 3, stride=stride, padding=1, bias=False),
            nn.BatchNorm1d(planes), nn.ReLU(inplace=True),
            nn.Conv1d(planes, cout, 1, bias=False), nn.BatchNorm1d(cout))
        self.shortcut = (nn.Identity() if stride == 1 and cin == cout else nn.Sequential(
            nn.Conv1d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm1d(cout)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.body(x) + self.shortcut(x))


@register_model("resnet50_1d")
class ResNet50_1d(HARModel):
    """ResNet-50 (K. He, X. Zhang, S. Ren, J. Sun, "Deep Residual Learning for Image
    Recognition", CVPR 2016) with every 2-D operation replaced by its 1-D counterpart along
    time — the "ResNet50" baseline of paper B (Section 4.2, Fig. 5, Table 6).

    Input ``(batch, in_channels, window_length)``: the sensor channels are the input
    feature maps. Stem: Conv1d(kernel 7, stride 2) + BN + ReLU + max-pool(3, stride 2);
    four stages of bottleneck blocks ``layers=(3, 4, 6, 3)`` with ``width``, 2·, 4·,
    8·``width`` planes (×4 expansion) and strides 1, 2, 2, 2; global average pooling →
    embedding ``(batch, 32·width)``; linear head. With all paddings "same", a window is
    shortened by 32× overall, and any window ≥ 1 sample still yields ≥ 1 time step.

    Base width: ImageNet's ResNet-50 has ``width=64`` (≈15.9 M parameters in 1-D, 2,048-d
    embedding). Paper B does not give its width. The default here is ``width=16`` (≈1.0 M
    parameters, 512-d embedding, about 1/16 of the compute), which trains in reasonable
    time on a CPU; pass ``width=64`` for the full-size network. The stem keeps ImageNet's
    4× reduction; ``stem_stride=1`` (no stride, no max-pool) keeps more temporal
    resolution for short windows at 4× the compute.
    """

    def __init__(self, in_channels: int, n_classes: int, window_length: int,
                 width: int = 16, layers: tuple[int, ...] = (3, 4, 6, 3),
                 stem_stride: int = 2, dropout: float = 0.0):
        super().__init__(in_channels, n_classes, window_length)
        stem: list[nn.Module] = [
            nn.Conv1d(in_channels, width, 7, stride=stem_stride, padding=3, bias=False),
            nn.BatchNorm1d(width), nn.ReLU(inplace=True)]
        if stem_stride > 1:
            stem.append(nn.MaxPool1d(3, stride=2, padding=1))
        blocks: list[nn.Module] = []
        cin = width
        for i, n in enumerate(layers):
            planes = width * 2 ** i
            for j in range(n):
                blocks.append(_Bottleneck1d(cin, planes, stride=2 if (i > 0 and j == 0) else 1))
                cin = planes * _Bottleneck1d.expansion
        self.features = nn.Sequential(*stem, *blocks, nn.AdaptiveAvgPool1d(1), nn.Flatten())
        self.embed_dim = cin
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(cin, n_classes))
