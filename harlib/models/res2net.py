"""1-D Res2Net and three Res2Net-family HAR baselines of paper B (Table 3, Table 5).

Shared building block: :class:`Res2NetBottleneck1d`, a 1-D transcription of the Res2Net
bottleneck of Gao, Cheng, Zhao, Zhang, Yang & Torr, "Res2Net: A New Multi-scale Backbone
Architecture", IEEE TPAMI 43(2):652–662 (2019). After a 1×1 convolution the features are
split into ``scale`` groups x_1 … x_s of ``width`` channels; y_1 = x_1, y_2 = K_2(x_2),
y_i = K_i(x_i + y_{i-1}) for i > 2 ("hierarchical residual-like connections"), so the
i-th group sees a receptive field grown i−1 times; the y_i are concatenated and fused by
a second 1×1 convolution, and the block is residual.

Registered models (input ``(batch, in_channels, window_length)`` float, standardised):

* ``"se_res2net"``   — Res2Net + squeeze-and-excitation (paper B ref. 21; SE as in Res2Net's
  own SE-Res2Net variant / Hu et al. 2018).
* ``"gated_res2net"`` — Yang, Jiang, Guo & Liu, "Gated Res2Net for Multivariate Time Series
  Analysis", IJCNN 2020 (paper B ref. 23): gates on the hierarchical connections.
* ``"mag_res2net"``  — Liu, Zhao, Dai, Sun, Li & Wang, "MAG-Res2Net: a novel deep learning
  network for human activity recognition", Physiol. Meas. 44(11):115007 (2023) (paper B
  ref. 25): multi-branch gated Res2Net with attention-weighted branch aggregation.

Paper B does not describe its configurations; Table 5 reports ≈1.60 M parameters for both
SE-Res2Net and Gated-Res2Net on WISDM (3 channels, window 90, 6 classes) and ≈1.61 M on
OPPORTUNITY, i.e. parameter counts almost independent of the number of sensor channels,
which a 1-D network ending in global average pooling reproduces. The default widths
below were chosen to come close (≈1.8 M at 3 × 90; exact counts are frozen in
``tests/test_model_zoo.py``).
"""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from .base import HARModel, register_model

__all__ = ["SqueezeExcite1d", "HierarchicalConv1d", "BranchAttention1d",
           "Res2NetBottleneck1d", "Res2NetHAR", "SERes2Net", "GatedRes2Net", "MAGRes2Net"]


class SqueezeExcite1d(nn.Module):
    """Squeeze-and-excitation (Hu, Shen & Sun, CVPR 2018) for ``(batch, C, time)`` maps:
    channel weights σ(W₂ ReLU(W₁ GAP(x))) rescale the channels. Hidden width is
    ``max(C // reduction, min_hidden)``."""

    def __init__(self, channels: int, reduction: int = 16, min_hidden: int = 8):
        super().__init__()
        hidden = max(channels // reduction, min_hidden)
        self.fc1 = nn.Conv1d(channels, hidden, 1)
        self.fc2 = nn.Conv1d(hidden, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = x.mean(dim=-1, keepdim=True)
        return x * torch.sigmoid(self.fc2(torch.relu(self.fc1(s))))


class HierarchicalConv1d(nn.Module):
    """The Res2Net split–transform stage: ``(batch, scale·width, T) → same shape``.

    ``y_1 = x_1``; ``y_2 = K_2(x_2)``; ``y_i = K_i(x_i + c_i)`` for ``i > 2`` with the
    connection ``c_i = y_{i-1}`` (plain Res2Net) or ``c_i = g_i ⊙ y_{i-1}`` (``gated=True``).
    Each K_i is Conv1d(width, width, kernel_size)–BN–ReLU, "same" padding.

    Gate (Gated Res2Net): Yang et al. (2020) state that the gate values are computed from
    the original feature maps, the previous group's output and the next group's input. We
    implement ``g_i = σ(Conv1x1([X ; y_{i-1}]))``, where ``X`` is the whole split-stage input
    (it contains the next input ``x_i``), giving an element-wise (channel × time) gate in
    (0, 1). The exact parameterisation (1×1 convolution + sigmoid) is our assumption.
    """

    def __init__(self, width: int, scale: int, kernel_size: int = 3, gated: bool = False):
        super().__init__()
        if scale < 2:
            raise ValueError(f"Res2Net scale must be ≥ 2, got {scale}")
        if kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd for 'same' padding, got {kernel_size}")
        self.width, self.scale, self.gated = width, scale, gated
        self.convs = nn.ModuleList(
            nn.Sequential(nn.Conv1d(width, width, kernel_size, padding=kernel_size // 2,
                                    bias=False),
                          nn.BatchNorm1d(width), nn.ReLU(inplace=True))
            for _ in range(scale - 1))
        # one gate per hierarchical connection (groups 3 … s)
        self.gates = (nn.ModuleList(nn.Conv1d((scale + 1) * width, width, 1)
                                    for _ in range(scale - 2)) if gated else None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        xs = torch.split(x, self.width, dim=1)
        ys = [xs[0]]
        prev = None
        for i, conv in enumerate(self.convs):
            xi = xs[i + 1]
            if prev is not None:
                if self.gates is not None:
                    gate = torch.sigmoid(self.gates[i - 1](torch.cat([x, prev], dim=1)))
                    xi = xi + gate * prev
                else:
                    xi = xi + prev
            prev = conv(xi)
            ys.append(prev)
        return torch.cat(ys, dim=1)


class BranchAttention1d(nn.Module):
    """Selective-kernel style aggregation (Li et al., CVPR 2019) of M parallel branches
    ``(batch, C, T)``: ``s = GAP(Σ_m u_m)``, per-channel weights ``softmax_m(W_m ReLU(W s))``,
    output ``Σ_m a_m ⊙ u_m``."""

    def __init__(self, channels: int, n_branches: int, reduction: int = 8,
                 min_hidden: int = 16):
        super().__init__()
        hidden = max(channels // reduction, min_hidden)
        self.n_branches = n_branches
        self.squeeze = nn.Sequential(nn.Linear(channels, hidden), nn.ReLU(inplace=True))
        self.select = nn.Linear(hidden, channels * n_branches)

    def forward(self, branches: Sequence[torch.Tensor]) -> torch.Tensor:
        u = torch.stack(list(branches), dim=1)                     # (B, M, C, T)
        b, m, c, _ = u.shape
        s = u.sum(dim=1).mean(dim=-1)                              # (B, C)
        a = self.select(self.squeeze(s)).view(b, m, c).softmax(dim=1)
        return (u * a.unsqueeze(-1)).sum(dim=1)


class Res2NetBottleneck1d(nn.Module):
    """1-D Res2Net bottleneck, ``(batch, in_channels, T) → (batch, 4·planes, ⌈T/stride⌉)``.

    conv1 1×1 (→ ``width·scale``, ``width = ⌊planes·base_width/64⌋`` as in the original) –
    BN – ReLU → [average pool by ``stride``] → hierarchical stage → conv3 1×1 (→ 4·planes)
    – BN → [SE] → + shortcut → ReLU.

    ``branch_kernels``: one hierarchical stage per kernel size; with several, their outputs
    are aggregated by :class:`BranchAttention1d` (used by MAG-Res2Net).

    Deviation from the 2-D original, for short windows: the original strides the 3×3
    convolutions of a stage's first block and drops the hierarchical additions there
    ("stype='stage'"). We instead downsample once with ``AvgPool1d(stride, ceil_mode=True)``
    before the hierarchical stage (and in the shortcut, ResNet-D style, before its 1×1
    projection), so every block keeps its hierarchical (and, if gated, gated) connections
    and any length ≥ 1 is valid.
    """

    expansion = 4

    def __init__(self, in_channels: int, planes: int, stride: int = 1, scale: int = 4,
                 base_width: int = 26, kernel_size: int = 3, gated: bool = False,
                 se: bool = False, se_reduction: int = 16,
                 branch_kernels: Sequence[int] | None = None):
        super().__init__()
        width = max(1, (planes * base_width) // 64)
        inner = width * scale
        out_channels = planes * self.expansion
        self.out_channels = out_channels
        self.conv1 = nn.Sequential(nn.Conv1d(in_channels, inner, 1, bias=False),
                                   nn.BatchNorm1d(inner), nn.ReLU(inplace=True))
        self.pool = (nn.AvgPool1d(stride, stride, ceil_mode=True) if stride > 1
                     else nn.Identity())
        kernels = tuple(branch_kernels) if branch_kernels else (kernel_size,)
        self.branches = nn.ModuleList(HierarchicalConv1d(width, scale, k, gated=gated)
                                      for k in kernels)
        self.aggregate = BranchAttention1d(inner, len(kernels)) if len(kernels) > 1 else None
        self.conv3 = nn.Sequential(nn.Conv1d(inner, out_channels, 1, bias=False),
                                   nn.BatchNorm1d(out_channels))
        self.se = SqueezeExcite1d(out_channels, se_reduction) if se else None
        if stride > 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.AvgPool1d(stride, stride, ceil_mode=True) if stride > 1 else nn.Identity(),
                nn.Conv1d(in_channels, out_channels, 1, bias=False),
                nn.BatchNorm1d(out_channels))
        else:
            self.shortcut = nn.Identity()
        self.act = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.pool(self.conv1(x))
        if self.aggregate is None:
            h = self.branches[0](h)
        else:
            h = self.aggregate([branch(h) for branch in self.branches])
        h = self.conv3(h)
        if self.se is not None:
            h = self.se(h)
        return self.act(h + self.shortcut(x))


class Res2NetHAR(HARModel):
    """Stem → stages of :class:`Res2NetBottleneck1d` → global average pooling → dropout →
    linear head. Input ``(batch, in_channels, T)``; embedding ``(batch, 4·planes[-1])``.

    Stem: Conv1d(in_channels, ``stem_width``, 5) – BN – ReLU, no stride and no max-pool
    (the ImageNet stem's 4× reduction would leave 6 samples of a 24-sample window).
    Stage ``j > 0`` halves the time axis in its first block, so three stages reduce T by 4.
    """

    def __init__(self, in_channels: int, n_classes: int, window_length: int, *,
                 stem_width: int = 64, planes: Sequence[int] = (64, 128, 256),
                 blocks: Sequence[int] = (1, 1, 1), scale: int = 4, base_width: int = 26,
                 kernel_size: int = 3, stem_kernel: int = 5, gated: bool = False,
                 se: bool = False, se_reduction: int = 16,
                 branch_kernels: Sequence[int] | None = None, dropout: float = 0.3):
        super().__init__(in_channels, n_classes, window_length)
        if len(planes) != len(blocks) or not planes:
            raise ValueError("planes and blocks must be non-empty and of equal length")
        self.stem = nn.Sequential(
            nn.Conv1d(in_channels, stem_width, stem_kernel, padding=stem_kernel // 2,
                      bias=False),
            nn.BatchNorm1d(stem_width), nn.ReLU(inplace=True))
        layers, cin = [], stem_width
        for j, (p, n) in enumerate(zip(planes, blocks)):
            for b in range(n):
                block = Res2NetBottleneck1d(
                    cin, p, stride=2 if (j > 0 and b == 0) else 1, scale=scale,
                    base_width=base_width, kernel_size=kernel_size, gated=gated, se=se,
                    se_reduction=se_reduction, branch_kernels=branch_kernels)
                layers.append(block)
                cin = block.out_channels
        self.stages = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool1d(1)
        self.embed_dim = cin
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(cin, n_classes))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        return self.pool(self.stages(self.stem(x))).flatten(1)


@register_model("se_res2net")
class SERes2Net(Res2NetHAR):
    """SE-Res2Net — Res2Net (Gao et al., IEEE TPAMI 43(2):652–662, 2019; paper B ref. 21)
    with a squeeze-and-excitation unit after each bottleneck's last 1×1 convolution, before
    the residual addition (the SE-Res2Net arrangement of the Res2Net paper, following
    Hu et al. 2018).

    Input ``(batch, in_channels, window_length)`` float; embedding ``(batch, 1024)``.

    Choices the original leaves open for 1-D HAR windows of 24–300 samples:
    * kernel 3 in the hierarchical convolutions, as in the original's 3×3 — the hierarchy
      already grows the receptive field to 1 + (scale−1)·2 = 7 samples per block;
    * ``scale = 4``, ``base_width = 26`` (the original's 26w×4s setting);
    * three stages of one bottleneck each (planes 64/128/256, output widths 256/512/1024),
      instead of ResNet-50's four stages of [3, 4, 6, 3]: a 128-sample window is only
      reduced 4×, and this keeps ≈1.8 M parameters, close to paper B's Table 5 (1.60 M);
    * SE reduction 16 (Hu et al.'s default).
    """

    def __init__(self, in_channels: int, n_classes: int, window_length: int, **options):
        options.setdefault("se", True)
        super().__init__(in_channels, n_classes, window_length, **options)


@register_model("gated_res2net")
class GatedRes2Net(Res2NetHAR):
    """Gated Res2Net — Yang, Jiang, Guo & Liu, "Gated Res2Net for Multivariate Time Series
    Analysis", IJCNN 2020 (paper B ref. 23).

    Input ``(batch, in_channels, window_length)`` float; embedding ``(batch, 1024)``.

    What the original states: the hierarchical residual-like connections of Res2Net are
    controlled by gates whose values are computed from the original feature maps, the
    previous group's output and the next group's input, so that the network controls how
    much information is passed between groups. What we assume (see
    :class:`HierarchicalConv1d`): the gate is ``σ(Conv1x1([X ; y_{i-1}]))``, element-wise
    over channels and time, multiplying ``y_{i-1}`` before it is added to ``x_i``; no SE.
    Backbone widths, depth and kernel sizes are those of :class:`SERes2Net`, so that the two
    differ only in the connection mechanism (paper B's Table 5 lists the same 1.60 M
    parameters for both).
    """

    def __init__(self, in_channels: int, n_classes: int, window_length: int, **options):
        options.setdefault("gated", True)
        super().__init__(in_channels, n_classes, window_length, **options)


@register_model("mag_res2net")
class MAGRes2Net(Res2NetHAR):
    """MAG-Res2Net — Liu, Zhao, Dai, Sun, Li & Wang, "MAG-Res2Net: a novel deep learning
    network for human activity recognition", Physiological Measurement 44(11):115007 (2023)
    (paper B ref. 25).

    Input ``(batch, in_channels, window_length)`` float; embedding ``(batch, 1024)``.

    What is known: the network is built on Res2Net and was evaluated on UCI-HAR, WISDM and
    CSL-SHARE; its abstract also credits Borderline-SMOTE up-sampling, a metric-learning
    loss combination and the Lion optimiser — those are training-side pieces and are not
    part of this model (use harlib's samplers/losses/optimisers to reproduce them).
    What is assumed: the architecture details. Following paper B's description (a Res2Net
    with multi-branch and attention-gated aggregation) each bottleneck runs three parallel
    *gated* hierarchical stages (the Gated-Res2Net connection of
    :class:`HierarchicalConv1d`) with kernels 3, 5 and 7 — a multi-scale choice that spans
    0.06–0.14 s at 50 Hz per convolution — sharing the 1×1 reduction/expansion, and
    fuses them with a selective-kernel style softmax attention over branches
    (:class:`BranchAttention1d`), followed by SE channel attention. Widths and depth are
    those of :class:`SERes2Net`.
    """

    def __init__(self, in_channels: int, n_classes: int, window_length: int, **options):
        options.setdefault("gated", True)
        options.setdefault("se", True)
        options.setdefault("branch_kernels", (3, 5, 7))
        super().__init__(in_channels, n_classes, window_length, **options)
