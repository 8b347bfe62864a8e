"""Rev-Attention — Pramanik, Sikdar & Sarkar (2023), transformer-based deep *reverse*
attention network (paper B ref. 24), one of the attention / normalisation HAR baselines
compared in paper B (Tables 3, 5 and 6). Registered as ``"rev_attention"``.

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
from .layers import _conv_bn_relu, _transformer, sinusoidal_positions

__all__ = ["ReverseAttentionNet"]


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
