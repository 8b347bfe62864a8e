"""A 1-D ResNeXt after Mekruksavanich et al. (Procedia Computer Science 214, 2022), a
convolutional baseline of paper B's comparison (Tables 3–5).

Takes ``(batch, channels, time)`` float input (channels = sensor axes, any number ≥ 1;
windows of any length ≥ 24) and is registered as ``"resnext"``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .base import HARModel, register_model


class _MultiKernelResNeXtBlock(nn.Module):
    """Residual block whose residual function is the sum of parallel ResNeXt bottleneck
    paths (1×1 reduce → grouped k-conv with ``cardinality`` groups → 1×1 expand), one path
    per kernel size; shortcut is the identity or a 1×1 projection."""

    def __init__(self, cin: int, cout: int, kernels: tuple[int, ...], cardinality: int,
                 bottleneck_ratio: float):
        super().__init__()
        width = max(cardinality, int(round(cout * bottleneck_ratio / cardinality)) * cardinality)

        def path(k: int) -> nn.Sequential:
            return nn.Sequential(
                nn.Conv1d(cin, width, 1, bias=False), nn.BatchNorm1d(width), nn.ReLU(inplace=True),
                nn.Conv1d(width, width, k, padding=k // 2, groups=cardinality, bias=False),
                nn.BatchNorm1d(width), nn.ReLU(inplace=True),
                nn.Conv1d(width, cout, 1, bias=False), nn.BatchNorm1d(cout))

        self.paths = nn.ModuleList(path(k) for k in kernels)
        self.shortcut = (nn.Identity() if cin == cout else
                         nn.Sequential(nn.Conv1d(cin, cout, 1, bias=False), nn.BatchNorm1d(cout)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.shortcut(x)
        for p in self.paths:
            out = out + p(x)
        return F.relu(out)


@register_model("resnext")
class ResNeXtHAR(HARModel):
    """1-D ResNeXt after S. Mekruksavanich, P. Jantawong, A. Jitpattanakul, "A Deep
    Learning-based Model for Human Activity Recognition using Biosensors embedded into a
    Smart Knee Bandage", Procedia Computer Science 214 (2022) 621–627 (paper B's
    reference [22]; the same authors' ResNeXt for inertial and stretch sensors is
    Computers 12(7):141, 2023). ResNeXt itself: Xie et al., "Aggregated Residual
    Transformations for Deep Neural Networks", CVPR 2017.

    The authors' model is a convolutional stem followed by ResNeXt-style residual blocks
    (aggregated transformations: parallel bottleneck paths summed with a shortcut), then
    global average pooling and a softmax classifier. Their exact block count, widths and
    kernel sizes are not given in paper B and were not reproduced from the original; the
    paths here use several kernel sizes along time (3, 5, 7), the multi-kernel form these
    authors use in their HAR networks. Implemented as: Conv1d(in_channels →
    ``stem_width``, kernel 5) + BN + ReLU + max-pool 2; then one multi-kernel ResNeXt block
    per entry of ``widths`` (each: paths with kernels ``kernels``, 1×1 reduce to
    ``bottleneck_ratio``·width channels, grouped convolution with ``cardinality`` groups,
    1×1 expand, summed with the shortcut, ReLU), max-pooling by 2 (ceil) between blocks;
    global average pooling → embedding ``(batch, widths[-1])``; dropout + linear head.

    Input ``(batch, in_channels, window_length)``, channels = sensor axes. Choices the
    publication leaves open or that we fixed for 50–300-sample windows (defaults):
    ``widths=(64, 128, 256)``, ``cardinality=8``, ``bottleneck_ratio=0.5``, ``dropout=0.5``;
    only three 2× poolings, so a 24-sample window still keeps 3 time steps. Paper B's
    Table 5 reports 2.2e7 parameters for its ResNeXt, the size of an ImageNet ResNeXt-50
    (32×4d) made 1-D; that is not the lightweight HAR model described by the authors, and
    this implementation (≈0.3 M parameters) does not try to match it.
    """

    def __init__(self, in_channels: int, n_classes: int, window_length: int,
                 stem_width: int = 64, widths: tuple[int, ...] = (64, 128, 256),
                 kernels: tuple[int, ...] = (3, 5, 7), cardinality: int = 8,
                 bottleneck_ratio: float = 0.5, dropout: float = 0.5):
        super().__init__(in_channels, n_classes, window_length)
        layers: list[nn.Module] = [
            nn.Conv1d(in_channels, stem_width, 5, padding=2, bias=False),
            nn.BatchNorm1d(stem_width), nn.ReLU(inplace=True), nn.MaxPool1d(2, ceil_mode=True)]
        cin = stem_width
        for i, w in enumerate(widths):
            layers.append(_MultiKernelResNeXtBlock(cin, w, tuple(kernels), cardinality,
                                                   bottleneck_ratio))
            if i < len(widths) - 1:
                layers.append(nn.MaxPool1d(2, ceil_mode=True))
            cin = w
        layers += [nn.AdaptiveAvgPool1d(1), nn.Flatten()]
        self.features = nn.Sequential(*layers)
        self.embed_dim = cin
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(cin, n_classes))
