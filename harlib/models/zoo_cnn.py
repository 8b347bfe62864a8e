"""Convolutional baselines of paper B's comparison (Tables 3–5): Zeng et al.'s CNN, a 1-D
ResNeXt after Mekruksavanich et al., and a 1-D ResNet-50.

All take ``(batch, channels, time)`` float input (channels = sensor axes, any number ≥ 1;
windows of any length ≥ 24) and are registered as ``"cnn_zeng"``, ``"resnext"`` and
``"resnet50_1d"``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .base import HARModel, register_model


# ---- Zeng et al. 2014 -------------------------------------------------------------------

@register_model("cnn_zeng")
class ZengCNN(HARModel):
    """CNN of M. Zeng, L. T. Nguyen, B. Yu, O. J. Mengshoel, J. Zhu, P. Wu, J. Zhang,
    "Convolutional Neural Networks for Human Activity Recognition using Mobile Sensors",
    MobiCASE 2014, pp. 197–205 (paper B's reference [18], "CNN" in its Tables 3 and 5).

    The original treats each accelerometer axis as its own 1-D signal: one convolutional
    layer per axis, max-pooling, then a fully connected layer over the concatenated pooled
    maps of all axes and a softmax. It also proposes *partial weight sharing*: the time
    axis of the convolution output is cut into sections and each section has its own
    filters, pooled within the section.

    Layout here: input ``(batch, in_channels, window_length)``. Every channel gets its own
    ``filters`` temporal filters (a grouped convolution with ``groups=in_channels``, valid
    padding, ReLU); the output is cut into ``sections`` equal time sections, each section
    with its own filter bank (``sections=1`` is ordinary weight sharing, the default;
    ``sections>1`` is partial weight sharing). Each section is max-pooled to
    ``pooled_length // sections`` positions; the flattened maps of all channels feed a
    ``hidden``-unit fully connected ReLU layer whose output is the embedding
    ``(batch, hidden)``; dropout and a linear layer give the logits.

    Choices for our data (defaults; the paper tuned its sizes per dataset on 64-sample
    accelerometer windows, and they are not reproduced here): ``filters=20`` per axis,
    ``kernel_size=5``, ``hidden=256``, ``dropout=0.5``. The paper pools with a fixed pool
    size over 64-sample windows; with windows of 50–300 samples and up to 113 channels a
    fixed pool size makes the fully connected layer grow with the window (and reach tens
    of millions of weights on OPPORTUNITY), so the pooled length is fixed instead
    (adaptive max-pooling to ``pooled_length=8`` positions per filter). Windows must be
    at least ``kernel_size + sections - 1`` samples long.
    """

    def __init__(self, in_channels: int, n_classes: int, window_length: int,
                 filters: int = 20, kernel_size: int = 5, sections: int = 1,
                 pooled_length: int = 8, hidden: int = 256, dropout: float = 0.5):
        super().__init__(in_channels, n_classes, window_length)
        if window_length - kernel_size + 1 < sections:
            raise ValueError(f"ZengCNN: window_length {window_length} is too short for kernel "
                             f"{kernel_size} and {sections} sections")
        if sections < 1 or pooled_length < sections:
            raise ValueError("ZengCNN: need 1 <= sections <= pooled_length")
        self.filters, self.sections = filters, sections
        self.pool_per_section = pooled_length // sections
        self.conv = nn.Conv1d(in_channels, in_channels * sections * filters, kernel_size,
                              groups=in_channels)
        flat = in_channels * filters * sections * self.pool_per_section
        self.fc = nn.Sequential(nn.Linear(flat, hidden), nn.ReLU(inplace=True))
        self.embed_dim = hidden
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden, n_classes))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        b, c = x.shape[:2]
        h = F.relu(self.conv(x))                               # (B, C·S·F, T')
        h = h.view(b, c, self.sections, self.filters, -1)       # grouped-conv output order
        parts = [F.adaptive_max_pool1d(chunk[:, :, s].reshape(b, c * self.filters, -1),
                                       self.pool_per_section)
                 for s, chunk in enumerate(torch.tensor_split(h, self.sections, dim=-1))]
        return self.fc(torch.cat(parts, dim=-1).flatten(1))


# ---- ResNeXt after Mekruksavanich et al. 2022 -------------------------------------------

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


# ---- ResNet-50, 1-D ---------------------------------------------------------------------

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

