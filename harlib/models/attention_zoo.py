"""Attention / normalisation HAR baselines compared in paper B (Tables 3, 5 and 6).

* ``"rev_attention"`` — Pramanik, Sikdar & Sarkar (2023), transformer-based deep *reverse*
  attention network (paper B ref. 24).
* ``"har_ce"``        — Huang, Zhang, Wu, Min & Song (2023), Channel-Equalization-HAR
  (paper B ref. 26).
* ``"atfa"``          — Feng, Shen, Song, Shi & Xu (2024), adversarial time–frequency
  attention (paper B ref. 15).
* ``"tccsnet"``       — Essa & Abdelmaksoud (2023), temporal-channel convolution with
  self-attention (paper B ref. 16).

Paper B gives no architecture details for any of them; each class docstring separates what
the original publication states from what is assumed here. All take a standardised float
input ``(batch, in_channels, time)``, work for any channel count ≥ 1 and window ≥ 24
samples, and end in global pooling, so the time length at inference may differ from
``window_length``.
"""
from __future__ import annotations

import math
from typing import Sequence

import torch
from torch import nn
import torch.nn.functional as F

from .base import HARModel, register_model

__all__ = ["sinusoidal_positions", "ReverseAttentionNet", "ChannelEqualization1d", "HARCE",
           "GradientReversal", "ATFA", "TCCSNet"]


def sinusoidal_positions(length: int, dim: int, device=None, dtype=None) -> torch.Tensor:
    """Vaswani et al.'s fixed sinusoidal position encoding, shape ``(length, dim)``."""
    pos = torch.arange(length, device=device, dtype=torch.float32).unsqueeze(1)
    freq = torch.exp(torch.arange(0, dim, 2, device=device, dtype=torch.float32)
                     * (-math.log(10000.0) / dim))
    pe = torch.zeros(length, dim, device=device, dtype=torch.float32)
    pe[:, 0::2] = torch.sin(pos * freq)
    pe[:, 1::2] = torch.cos(pos * freq[: dim // 2])
    return pe.to(dtype) if dtype is not None else pe


def _transformer(d_model: int, n_heads: int, ffn_dim: int, n_layers: int,
                 dropout: float) -> nn.TransformerEncoder:
    layer = nn.TransformerEncoderLayer(d_model, n_heads, dim_feedforward=ffn_dim,
                                       dropout=dropout, batch_first=True, norm_first=True)
    return nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)


def _conv_bn_relu(cin: int, cout: int, kernel: int, stride: int = 1,
                  groups: int = 1) -> list[nn.Module]:
    return [nn.Conv1d(cin, cout, kernel, stride=stride, padding=kernel // 2, groups=groups,
                      bias=False),
            nn.BatchNorm1d(cout), nn.ReLU(inplace=True)]


# ---------------------------------------------------------------------------------------
# Reverse attention (Pramanik et al. 2023)
# ---------------------------------------------------------------------------------------
@register_model("rev_attention")
class ReverseAttentionNet(HARModel):
    """Transformer-based deep reverse attention network — Pramanik, Sikdar & Sarkar,
    "Transformer-based deep reverse attention network for multi-sensory human activity
    recognition", Eng. Appl. Artif. Intell. 122:106150 (2023) (paper B ref. 24, listed there
    as "Rev-Attention").

    Input ``(batch, in_channels, window_length)`` float; embedding
    ``(batch, sum(widths))`` = 224 by default.

    "Rev" is *reverse* attention, not reversible layers (RevNet): the original's abstract
    describes a transformer-based reverse attention that guides the side residual features
    in a top-down (rather than bottom-up) fusion. Reverse attention is taken in the sense of
    Chen et al. (ECCV 2018): a deeper level's prediction map ``s`` (one score per time step)
    is upsampled, reversed as ``a = 1 − σ(s)`` and multiplies a shallower level's side
    features, so that each shallower level attends to what the deeper levels did *not*
    already explain; its residual refines the map, ``s ← s_up + Conv(a ⊙ side)``.

    Architecture here: three conv levels (two Conv1d(k=5)–BN–ReLU each, widths 32/64/128,
    max-pool by 2 between levels); a 2-layer pre-norm transformer encoder (4 heads, FFN 256,
    sinusoidal positions) on the deepest level; top-down reverse-attention refinement of the
    two shallower levels; the embedding concatenates the pooled transformer output and the
    pooled reverse-attended side features of every level.

    Assumed (not stated by paper B; the original's exact layer sizes are not reproduced):
    the widths, depth and kernel sizes; one-channel (class-agnostic) attention maps; linear
    interpolation for upsampling. The original's "self-calibrated" attention that "adjusts
    the learning rate" concerns the training schedule and is not part of this module. The
    default size (≈0.44 M parameters at 9×128) matches paper B's Table 5 for Rev-Att on
    WISDM (4.33e5).
    """

    def __init__(self, in_channels: int, n_classes: int, window_length: int, *,
                 widths: Sequence[int] = (32, 64, 128), kernel_size: int = 5,
                 n_heads: int = 4, n_layers: int = 2, ffn_dim: int = 256,
                 attn_dropout: float = 0.1, dropout: float = 0.3):
        super().__init__(in_channels, n_classes, window_length)
        if len(widths) < 2:
            raise ValueError("rev_attention needs at least two levels")
        self.levels = nn.ModuleList()
        cin = in_channels
        for w in widths:
            self.levels.append(nn.Sequential(*_conv_bn_relu(cin, w, kernel_size),
                                             *_conv_bn_relu(w, w, kernel_size)))
            cin = w
        self.pool = nn.MaxPool1d(2, ceil_mode=True)
        self.transformer = _transformer(widths[-1], n_heads, ffn_dim, n_layers, attn_dropout)
        self.top_map = nn.Conv1d(widths[-1], 1, 1)
        self.side = nn.ModuleList(nn.Sequential(*_conv_bn_relu(w, w, 3)) for w in widths[:-1])
        # refined maps are needed only where a shallower level still consumes them
        self.side_map = nn.ModuleList(nn.Conv1d(w, 1, 3, padding=1) for w in widths[1:-1])
        self.embed_dim = sum(widths)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(self.embed_dim, n_classes))

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        feats, h = [], x
        for i, level in enumerate(self.levels):
            if i > 0:
                h = self.pool(h)
            h = level(h)
            feats.append(h)
        top = feats[-1].transpose(1, 2)
        top = top + sinusoidal_positions(top.shape[1], top.shape[2], top.device, top.dtype)
        top = self.transformer(top).transpose(1, 2)            # (B, W_L, T_L)
        score = self.top_map(top)                              # (B, 1, T_L)
        pooled = [top.mean(dim=-1)]
        for lvl in reversed(range(len(feats) - 1)):
            f = feats[lvl]
            up = F.interpolate(score, size=f.shape[-1], mode="linear", align_corners=False)
            reverse = 1.0 - torch.sigmoid(up)                  # reverse attention
            side = self.side[lvl](f) * reverse
            if lvl > 0:
                score = up + self.side_map[lvl - 1](side)
            pooled.append(side.mean(dim=-1))
        return torch.cat(pooled, dim=1)


# ---------------------------------------------------------------------------------------
# Channel equalisation (Huang et al. 2023)
# ---------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------
# ATFA (Feng et al. 2024)
# ---------------------------------------------------------------------------------------
class GradientReversal(torch.autograd.Function):
    """Identity forward, ``−alpha ×`` gradient backward (Ganin & Lempitsky, ICML 2015)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, alpha: float) -> torch.Tensor:
        ctx.alpha = alpha
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        return -ctx.alpha * grad, None


@register_model("atfa")
class ATFA(HARModel):
    """ATFA — Feng, Shen, Song, Shi & Xu, "ATFA: Adversarial Time–Frequency Attention
    network for sensor-based multimodal human activity recognition", Expert Systems with
    Applications 236:121296 (2024) (paper B ref. 15).

    Input ``(batch, in_channels, window_length)`` float; embedding ``(batch, embed_dim)``.

    What the original states: an *unsupervised domain adaptation* framework to adapt to new
    users; an attention-based modality fusion module that captures and fuses the important
    modalities based on their context; frequency-domain features alongside time-domain
    ones. "Adversarial" refers to the domain-adversarial training of the feature extractor.

    What is implemented (and assumed):
    * modalities = consecutive groups of ``modality_size`` = 3 channels (one tri-axial
      sensor each; the last group is zero-padded when ``in_channels`` is not a multiple of
      3). This relies on harlib's datasets keeping a sensor's axes adjacent;
    * per modality, a time encoder (two Conv1d(k=5)–BN–ReLU, ``width`` = 32 filters) on the
      raw signal and a frequency encoder of the same shape on ``log(1 + |rFFT|)`` of the
      signal along the frequency axis, both as grouped convolutions (modalities don't mix);
    * time–frequency attention: soft attention pooling over time steps and over frequency
      bins per modality, then a sigmoid gate over the concatenated time/frequency vector;
    * modality fusion attention with context: ``α_m = softmax_m vᵀ tanh(W h_m + U h̄)``
      with ``h̄`` the mean over modalities; ``z = ReLU(Linear(Σ_m α_m h_m))``;
    * the adversarial part is a training objective, not a forward path: with
      ``n_domains ≥ 2`` the model owns a domain discriminator and :meth:`domain_logits`
      applies it through a gradient-reversal layer (DANN); ``forward`` never uses it, and
      the default ``n_domains = 0`` builds none (plain supervised baseline, as in paper B).
    """

    def __init__(self, in_channels: int, n_classes: int, window_length: int, *,
                 modality_size: int = 3, width: int = 32, kernel_size: int = 5,
                 embed_dim: int = 128, n_domains: int = 0, dropout: float = 0.3):
        super().__init__(in_channels, n_classes, window_length)
        self.modality_size = max(1, min(modality_size, in_channels))
        self.n_modalities = math.ceil(in_channels / self.modality_size)
        self.pad_channels = self.n_modalities * self.modality_size - in_channels
        m, cm, w = self.n_modalities, self.n_modalities * self.modality_size, width
        self.width = width

        def encoder():
            return nn.Sequential(*_conv_bn_relu(cm, m * w, kernel_size, groups=m),
                                 *_conv_bn_relu(m * w, m * w, kernel_size, groups=m))

        self.time_encoder = encoder()
        self.freq_encoder = encoder()
        self.time_score = nn.Conv1d(m * w, m, 1, groups=m)
        self.freq_score = nn.Conv1d(m * w, m, 1, groups=m)
        self.tf_gate = nn.Linear(2 * w, 2 * w)
        self.mod_w = nn.Linear(2 * w, w, bias=False)
        self.mod_u = nn.Linear(2 * w, w)
        self.mod_v = nn.Linear(w, 1, bias=False)
        self.project = nn.Sequential(nn.Linear(2 * w, embed_dim), nn.ReLU(inplace=True))
        self.embed_dim = embed_dim
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(embed_dim, n_classes))
        self.discriminator = (nn.Sequential(nn.Linear(embed_dim, 64), nn.ReLU(inplace=True),
                                            nn.Linear(64, n_domains))
                              if n_domains >= 2 else None)

    def _attend(self, feats: torch.Tensor, scorer: nn.Module) -> torch.Tensor:
        b, _, length = feats.shape
        weights = scorer(feats).softmax(dim=-1)                     # (B, M, L)
        feats = feats.reshape(b, self.n_modalities, self.width, length)
        return torch.einsum("bmwl,bml->bmw", feats, weights)      # (B, M, W)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        if self.pad_channels:
            x = F.pad(x, (0, 0, 0, self.pad_channels))
        spec = torch.log1p(torch.fft.rfft(x, dim=-1).abs())          # (B, C', T//2 + 1)
        t = self._attend(self.time_encoder(x), self.time_score)
        f = self._attend(self.freq_encoder(spec), self.freq_score)
        h = torch.cat([t, f], dim=-1)                               # (B, M, 2W)
        h = h * torch.sigmoid(self.tf_gate(h))
        context = h.mean(dim=1, keepdim=True)
        alpha = self.mod_v(torch.tanh(self.mod_w(h) + self.mod_u(context))).softmax(dim=1)
        return self.project((alpha * h).sum(dim=1))


    def domain_logits(self, z: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
        """Domain-discriminator logits of embeddings ``z`` through gradient reversal (the
        adversarial adaptation loss is cross-entropy on these)."""
        if self.discriminator is None:
            raise RuntimeError("ATFA was built with n_domains < 2: no domain discriminator")
        return self.discriminator(GradientReversal.apply(z, alpha))


# ---------------------------------------------------------------------------------------
# TCCSNet (Essa & Abdelmaksoud 2023)
# ---------------------------------------------------------------------------------------
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

