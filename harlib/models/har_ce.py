"""Channel-Equalization-HAR — Huang, Zhang, Wu, Min & Song (2023) (paper B ref. 26), one of
the attention / normalisation HAR baselines compared in paper B (Tables 3, 5 and 6).
Registered as ``"har_ce"``; its normalisation layer is :class:`ChannelEqualization1d`.

Paper B gives no architecture details; the class docstring separates what the original
publication states from what is assumed here. The model takes a standardised float input
``(batch, in_channels, time)``, works for any channel count ≥ 1 and window ≥ 24 samples,
and ends in global pooling, so the time length at inference may differ from
``window_length``.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .base import HARModel, register_model

__all__ = ["ChannelEqualization1d", "HARCE"]


def _largest_divisor_at_most(n: int, limit: int) -> int:
    return max(d for d in range(1, min(n, limit) + 1) if n % d == 0)


def _inverse_sqrt_newton(cov: torch.Tensor, n_iter: int) -> torch.Tensor:
    """Approximate ``cov^{-1/2}`` for a batch of SPD matrices ``(G, g, g)`` by the coupled
    Newton–Schulz iteration on the Frobenius-normalised matrix (as in IterNorm, Huang et al.
    CVPR 2019, and iSQRT-COV). A few iterations give a "soft" whitening that stays bounded
    and differentiable when ``cov`` is ill-conditioned (small batches); more iterations
    approach exact whitening."""
    g = cov.shape[-1]
    eye = torch.eye(g, dtype=cov.dtype, device=cov.device).expand_as(cov)
    norm = cov.flatten(-2).norm(dim=-1).reshape(-1, 1, 1)
    y, z = cov / norm, eye
    for _ in range(n_iter):
        t = 0.5 * (3.0 * eye - z @ y)
        y, z = y @ t, t @ z
    return z / norm.sqrt()


class ChannelEqualization1d(nn.Module):
    """Channel equalisation for ``(batch, C, T)`` maps: standardise, decorrelate within
    channel groups, reweight per instance, shift.

    ``x̂ = BN(x)`` without BN's learned scale (per-channel zero mean, unit variance);
    ``y = W_g x̂`` with ``W_g ≈ R_g^{-1/2}`` the inverse square root of the correlation
    matrix of each group of ``group_size`` channels over batch × time (coupled
    Newton–Schulz, ``n_iter`` steps; in eval mode a running average of ``W_g`` is used,
    like BN's running statistics); ``out = s ⊙ y + β`` with a per-instance channel weight
    ``s = 2σ(W₂ ReLU(W₁ GAP(x̂))) ∈ (0, 2)`` (initialised to 1) and a learned shift β.

    Why: in a BN network the learned per-channel scale γ can shrink many channels to near
    zero for every input ("channel collapse": inhibited channels that barely contribute).
    Here there is no global per-channel scale to collapse, and the decorrelation makes each
    channel carry information the others in its group do not — so every channel is forced
    to contribute; importance is expressed per instance by ``s`` instead. This follows the
    channel-equilibrium design of Shao et al. (ICML 2020: batch decorrelation + instance
    reweighting) on which Channel-Equalization-HAR builds (see :class:`HARCE`). With the
    default five iterations the decorrelation is partial (a deliberate regulariser for
    small batches, as in IterNorm).
    """

    def __init__(self, channels: int, group_size: int = 16, n_iter: int = 5,
                 momentum: float = 0.1, eps: float = 1e-5, reduction: int = 8):
        super().__init__()
        self.channels = channels
        self.group_size = _largest_divisor_at_most(channels, group_size)
        self.n_groups = channels // self.group_size
        self.n_iter, self.momentum, self.eps = n_iter, momentum, eps
        self.bn = nn.BatchNorm1d(channels, eps=eps, momentum=momentum, affine=False)
        self.bias = nn.Parameter(torch.zeros(channels))
        hidden = max(channels // reduction, 4)
        self.fc1 = nn.Linear(channels, hidden)
        self.fc2 = nn.Linear(hidden, channels)
        nn.init.zeros_(self.fc2.weight)
        nn.init.zeros_(self.fc2.bias)
        eye = torch.eye(self.group_size).expand(self.n_groups, -1, -1).clone()
        self.register_buffer("running_whitening", eye)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.bn(x)
        b, c, t = h.shape
        hg = h.reshape(b, self.n_groups, self.group_size, t)
        if self.training:
            xg = hg.permute(1, 2, 0, 3).reshape(self.n_groups, self.group_size, b * t)
            eye = torch.eye(self.group_size, dtype=h.dtype, device=h.device)
            corr = xg @ xg.transpose(1, 2) / (b * t) + self.eps * eye
            wm = _inverse_sqrt_newton(corr, self.n_iter)
            with torch.no_grad():
                self.running_whitening.lerp_(wm.detach().to(self.running_whitening.dtype),
                                             self.momentum)
        else:
            wm = self.running_whitening.to(h.dtype)
        y = torch.einsum("gij,bgjt->bgit", wm, hg).reshape(b, c, t)
        s = 2.0 * torch.sigmoid(self.fc2(F.relu(self.fc1(h.mean(dim=-1)))))
        return y * s.unsqueeze(-1) + self.bias.reshape(1, c, 1)


@register_model("har_ce")
class HARCE(HARModel):
    """Channel-Equalization-HAR — Huang, Zhang, Wu, Min & Song, "Channel-Equalization-HAR:
    a light-weight convolutional neural network for wearable sensor based human activity
    recognition", IEEE Trans. Mobile Computing 22(9):5064–5077 (2023),
    doi:10.1109/TMC.2022.3174816 (paper B ref. 26).

    Input ``(batch, in_channels, window_length)`` float; embedding ``(batch, widths[-1])``.

    What the original states: normalisation in CNNs tends to produce "channel collapse" —
    many channels generate tiny values and contribute little — and a Channel Equalization
    layer performing whitening / decorrelation re-activates these inhibited channels, at
    negligible cost, inside a light-weight CNN. What is assumed: the exact layer (we use
    :class:`ChannelEqualization1d` in place of BN: standardisation + group-wise
    Newton–Schulz decorrelation over groups of 16 channels + instance reweighting) and the
    backbone: three Conv1d(k=5)–CE–ReLU layers of 64/128/256 filters, strides 1/2/2 (a
    24-sample window ends at 6 steps), global average pooling, dropout and a linear head,
    ≈0.23 M parameters at 9×128. Paper B's Table 5 gives 4.17e5 on WISDM but 3.49e6 on
    OPPORTUNITY, so B's variant presumably flattens a time × sensor map into its classifier;
    ours pools, so its size barely depends on the channel count.
    """

    def __init__(self, in_channels: int, n_classes: int, window_length: int, *,
                 widths: Sequence[int] = (64, 128, 256), kernel_size: int = 5,
                 strides: Sequence[int] = (1, 2, 2), group_size: int = 16, n_iter: int = 5,
                 dropout: float = 0.3):
        super().__init__(in_channels, n_classes, window_length)
        if len(widths) != len(strides) or not widths:
            raise ValueError("widths and strides must be non-empty and of equal length")
        layers, cin = [], in_channels
        for w, s in zip(widths, strides):
            layers += [nn.Conv1d(cin, w, kernel_size, stride=s, padding=kernel_size // 2,
                                 bias=False),
                       ChannelEqualization1d(w, group_size=group_size, n_iter=n_iter),
                       nn.ReLU(inplace=True)]
            cin = w
        self.features = nn.Sequential(*layers, nn.AdaptiveAvgPool1d(1), nn.Flatten())
        self.embed_dim = cin
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(cin, n_classes))
