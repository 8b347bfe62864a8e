"""Zeng et al.'s CNN (M. Zeng et al., "Convolutional Neural Networks for Human Activity
Recognition using Mobile Sensors", MobiCASE 2014), a convolutional baseline of paper B's
comparison (Tables 3–5).

Takes ``(batch, channels, time)`` float input (channels = sensor axes, any number ≥ 1;
windows of any length ≥ 24) and is registered as ``"cnn_zeng"``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .base import HARModel, register_model


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
        pool = _adaptive_max_pool_static if torch.onnx.is_in_onnx_export() else F.adaptive_max_pool1d
        parts = [pool(chunk[:, :, s].reshape(b, c * self.filters, -1), self.pool_per_section)
                 for s, chunk in enumerate(torch.tensor_split(h, self.sections, dim=-1))]
        return self.fc(torch.cat(parts, dim=-1).flatten(1))


def _adaptive_max_pool_static(x: torch.Tensor, size: int) -> torch.Tensor:
    """``F.adaptive_max_pool1d(x, size)`` written as maxima over PyTorch's bins
    ``[⌊i·L/size⌋, ⌈(i+1)·L/size⌉)``: the same values, in a form the ONNX exporters handle
    (they reject adaptive pooling whose input length does not divide evenly)."""
    n = int(x.shape[-1])      # a constant in the exported graph: the window length is fixed
    return torch.stack([x[..., (i * n) // size:-((-(i + 1) * n) // size)].amax(dim=-1)
                        for i in range(size)], dim=-1)
