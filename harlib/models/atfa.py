"""ATFA — Feng, Shen, Song, Shi & Xu (2024), adversarial time–frequency attention (paper B
ref. 15), one of the attention / normalisation HAR baselines compared in paper B (Tables 3,
5 and 6). Registered as ``"atfa"``.

Paper B gives no architecture details; the class docstring separates what the original
publication states from what is assumed here. The model takes a standardised float input
``(batch, in_channels, time)``, works for any channel count ≥ 1 and window ≥ 24 samples,
and ends in global pooling, so the time length at inference may differ from
``window_length``.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .base import HARModel, register_model
from .layers import _conv_bn_relu

__all__ = ["GradientReversal", "ATFA"]


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
