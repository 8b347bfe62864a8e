"""ELK — a large-kernel 1-D CNN with structural re-parameterisation.

Yao, Zhang, Cheng, Qin, Liu, Fu, Wu & Song, "Revisiting Large-Kernel CNN Design via
Structural Re-Parameterization for Sensor-Based Human Activity Recognition", IEEE Sensors
Journal 24(8):12863–12876 (2024), doi:10.1109/JSEN.2024.3371462 (paper B ref. 27).

The paper's finding is that large temporal kernels stop under-performing small ones once
(i) every large-kernel unit has an identity shortcut and (ii) the large kernel is trained
with a parallel small kernel that is merged into it after training (structural
re-parameterisation, as in RepVGG / RepLKNet). :class:`RepLargeKernelConv1d` is that unit:
training form = depthwise Conv(k_large)+BN ∥ depthwise Conv(k_small)+BN, summed; inference
form = one depthwise Conv(k_large) with bias, obtained by folding each BN into its
convolution and zero-padding the small kernel to the large one's size. Because BN in eval
mode is an affine map and convolution is linear, the merged layer is exactly equivalent.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .base import HARModel, register_model

__all__ = ["fuse_conv_bn", "RepLargeKernelConv1d", "ELKBlock", "ELK"]


def fuse_conv_bn(conv: nn.Conv1d, bn: nn.BatchNorm1d) -> tuple[torch.Tensor, torch.Tensor]:
    """Weight and bias of the single convolution equal to ``bn(conv(x))`` in eval mode."""
    std = torch.sqrt(bn.running_var + bn.eps)
    gamma = bn.weight if bn.affine else torch.ones_like(std)
    beta = bn.bias if bn.affine else torch.zeros_like(std)
    scale = gamma / std
    weight = conv.weight * scale.reshape(-1, 1, 1)
    bias = beta - bn.running_mean * scale
    if conv.bias is not None:
        bias = bias + conv.bias * scale
    return weight.detach(), bias.detach()


class RepLargeKernelConv1d(nn.Module):
    """Depthwise large-kernel convolution with a re-parameterisable small-kernel branch.

    ``(batch, C, T) → (batch, C, T)``. Training form: ``BN_L(DW_L(x)) + BN_S(DW_S(x))``.
    After :meth:`reparameterize` (eval mode only): ``DW_L'(x) + b'``. The small branch is
    dropped when ``small_kernel`` is ``None`` or not smaller than ``large_kernel``.
    """

    def __init__(self, channels: int, large_kernel: int, small_kernel: int | None = 5):
        super().__init__()
        if large_kernel % 2 == 0 or (small_kernel is not None and small_kernel % 2 == 0):
            raise ValueError("kernel sizes must be odd for 'same' padding")
        self.channels, self.large_kernel = channels, large_kernel
        self.large = nn.Sequential(
            nn.Conv1d(channels, channels, large_kernel, padding=large_kernel // 2,
                      groups=channels, bias=False),
            nn.BatchNorm1d(channels))
        self.small = None
        if small_kernel is not None and small_kernel < large_kernel:
            self.small = nn.Sequential(
                nn.Conv1d(channels, channels, small_kernel, padding=small_kernel // 2,
                          groups=channels, bias=False),
                nn.BatchNorm1d(channels))
        self.merged: nn.Conv1d | None = None

    @property
    def is_reparameterized(self) -> bool:
        return self.merged is not None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.merged is not None:
            return self.merged(x)
        out = self.large(x)
        if self.small is not None:
            out = out + self.small(x)
        return out

    @torch.no_grad()
    def reparameterize(self) -> None:
        """Replace both branches by one depthwise convolution with bias (in place)."""
        if self.merged is not None:
            return
        weight, bias = fuse_conv_bn(self.large[0], self.large[1])
        if self.small is not None:
            w_s, b_s = fuse_conv_bn(self.small[0], self.small[1])
            pad = (self.large_kernel - w_s.shape[-1]) // 2
            weight = weight + F.pad(w_s, (pad, pad))
            bias = bias + b_s
        merged = nn.Conv1d(self.channels, self.channels, self.large_kernel,
                           padding=self.large_kernel // 2, groups=self.channels, bias=True)
        merged.to(device=weight.device, dtype=weight.dtype)
        merged.weight.copy_(weight)
        merged.bias.copy_(bias)
        self.merged = merged
        self.large = None
        self.small = None


class ELKBlock(nn.Module):
    """One ELK stage block, ``(batch, C, T) → (batch, C, T)``, two identity-shortcut units:

    1. large-kernel unit: ``x + BN(PW(ReLU(RepLK(ReLU(BN(PW(x)))))))``;
    2. ConvFFN unit: ``x + BN(PW(GELU(BN(PW_{C→rC}(x)))))``.
    """

    def __init__(self, channels: int, large_kernel: int, small_kernel: int | None = 5,
                 ffn_ratio: int = 2):
        super().__init__()
        c, h = channels, channels * ffn_ratio
        self.pw1 = nn.Sequential(nn.Conv1d(c, c, 1, bias=False), nn.BatchNorm1d(c),
                                 nn.ReLU(inplace=True))
        self.lk = RepLargeKernelConv1d(c, large_kernel, small_kernel)
        self.pw2 = nn.Sequential(nn.ReLU(inplace=True), nn.Conv1d(c, c, 1, bias=False),
                                 nn.BatchNorm1d(c))
        self.ffn = nn.Sequential(nn.Conv1d(c, h, 1, bias=False), nn.BatchNorm1d(h), nn.GELU(),
                                 nn.Conv1d(h, c, 1, bias=False), nn.BatchNorm1d(c))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.pw2(self.lk(self.pw1(x)))
        return x + self.ffn(x)


def _capped_kernel(kernel: int, length: int) -> int:
    """Largest odd kernel ≤ ``kernel`` whose taps can all reach a sample of a length-``length``
    sequence under 'same' padding (at most 2·length − 1 taps)."""
    k = min(kernel, 2 * max(length, 1) - 1)
    return k if k % 2 == 1 else k - 1


@register_model("elk")
class ELK(HARModel):
    """ELK (Yao et al., IEEE Sensors J. 24(8), 2024; paper B ref. 27) for 1-D IMU windows.

    Input ``(batch, in_channels, window_length)`` float; embedding ``(batch, widths[-1])``.

    Stem Conv1d(in_channels, widths[0], 5)–BN–ReLU; stages of ``depths[j]``
    :class:`ELKBlock` of width ``widths[j]``, each stage after the first opening with a
    downsampling Conv1d(k=3, stride 2)–BN–ReLU; global average pooling; dropout; linear
    head. Call :meth:`reparameterize` after training
    (in eval mode) to merge every large/small kernel pair into one convolution.

    Choices. We convolve the time axis with the sensor channels as input features, so the
    parameter count hardly depends on the channel count. (Paper B's Table 5 count triples
    from WISDM, 2.41e5, to OPPORTUNITY, 7.57e5, which suggests its variant treats the
    window as a time × sensor image with ``(k, 1)`` kernels and a flattened classifier;
    that is not reproduced.) Further:
    * ``large_kernel = 31`` (RepLKNet-31's largest; 0.6 s at 50 Hz) with a parallel
      ``small_kernel = 5`` branch; in each stage the large kernel is capped at the largest
      odd size ≤ 2·T_stage − 1 computed from ``window_length`` (wider taps would only ever
      see zero padding), e.g. 31/23/11 for a 24-sample window;
    * depthwise large kernels with 1×1 mixing and a ratio-2 ConvFFN (RepLKNet block layout);
    * widths (64, 96, 128), one block per stage, giving ≈0.25 M parameters — the size
      paper B's Table 5 reports for ELK on WISDM (2.41e5).
    """

    def __init__(self, in_channels: int, n_classes: int, window_length: int, *,
                 widths: Sequence[int] = (64, 96, 128), depths: Sequence[int] = (1, 1, 1),
                 large_kernel: int = 31, small_kernel: int | None = 5, ffn_ratio: int = 2,
                 stem_kernel: int = 5, dropout: float = 0.3):
        super().__init__(in_channels, n_classes, window_length)
        if len(widths) != len(depths) or not widths:
            raise ValueError("widths and depths must be non-empty and of equal length")
        self.stem = nn.Sequential(
            nn.Conv1d(in_channels, widths[0], stem_kernel, padding=stem_kernel // 2,
                      bias=False),
            nn.BatchNorm1d(widths[0]), nn.ReLU(inplace=True))
        layers, cin, length = [], widths[0], window_length
        self.stage_kernels: list[int] = []
        for j, (w, d) in enumerate(zip(widths, depths)):
            if j > 0:
                layers += [nn.Conv1d(cin, w, 3, stride=2, padding=1, bias=False),
                           nn.BatchNorm1d(w), nn.ReLU(inplace=True)]
                length = (length + 1) // 2
            k = _capped_kernel(large_kernel, length)
            self.stage_kernels.append(k)
            layers += [ELKBlock(w, k, small_kernel, ffn_ratio) for _ in range(d)]
            cin = w
        self.stages = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool1d(1)
        self.embed_dim = cin
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(cin, n_classes))

    @property
    def is_reparameterized(self) -> bool:
        units = [m for m in self.modules() if isinstance(m, RepLargeKernelConv1d)]
        return all(u.is_reparameterized for u in units)

    def reparameterize(self) -> "ELK":
        """Merge every large/small kernel pair (and their BNs) into single convolutions, in
        place. The model must be in eval mode (BN then uses its running statistics, which is
        what gets folded); outputs are unchanged up to floating-point rounding."""
        if self.training:
            raise RuntimeError("ELK.reparameterize() needs eval mode: call model.eval() first")
        for m in [m for m in self.modules() if isinstance(m, RepLargeKernelConv1d)]:
            m.reparameterize()
        return self

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        return self.pool(self.stages(self.stem(x))).flatten(1)

