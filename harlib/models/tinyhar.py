"""TinyHAR — Y. Zhou, H. Zhao, Y. Huang, M. Hefenbrock, T. Riedel, M. Beigl, "TinyHAR: A
Lightweight Deep Learning Model Designed for Human Activity Recognition", Proceedings of
the 2022 ACM International Symposium on Wearable Computers (ISWC '22),
doi:10.1145/3544794.3558467. Registered as ``"tinyhar"``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .base import HARModel, register_model


class _GatedSelfAttention(nn.Module):
    """Single-head dot-product self-attention over the tokens (here: sensor channels) with a
    learnable residual gate γ initialised at 0: ``x + γ · attention(x)``. No scaling and no
    feed-forward sub-layer. At γ = 0 the block starts as the identity, and the attention
    weights only start learning once γ has moved away from zero."""

    def __init__(self, dim: int):
        super().__init__()
        self.query = nn.Linear(dim, dim, bias=False)
        self.key = nn.Linear(dim, dim, bias=False)
        self.value = nn.Linear(dim, dim, bias=False)
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:          # (N, tokens, dim)
        attn = torch.softmax(self.query(x) @ self.key(x).transpose(1, 2), dim=-1)
        return x + self.gamma * (attn @ self.value(x))


class _TransformerEncoderBlock(nn.Module):
    """One pre-norm transformer encoder layer: ``x + MHSA(LN(x))`` then ``x + FFN(LN(x))``
    (GELU feed-forward), with ``heads`` heads of size ``dim_head``."""

    def __init__(self, dim: int, heads: int = 4, dim_head: int = 16, mlp_dim: int = 16,
                 dropout: float = 0.0):
        super().__init__()
        inner = heads * dim_head
        self.heads, self.scale = heads, dim_head ** -0.5
        self.norm1 = nn.LayerNorm(dim)
        self.to_qkv = nn.Linear(dim, 3 * inner, bias=False)
        self.to_out = nn.Sequential(nn.Linear(inner, dim), nn.Dropout(dropout))
        self.norm2 = nn.LayerNorm(dim)
        self.ffn = nn.Sequential(nn.Linear(dim, mlp_dim), nn.GELU(), nn.Dropout(dropout),
                                 nn.Linear(mlp_dim, dim), nn.Dropout(dropout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:          # (N, tokens, dim)
        n, t, _ = x.shape
        q, k, v = (u.view(n, t, self.heads, -1).transpose(1, 2)
                   for u in self.to_qkv(self.norm1(x)).chunk(3, dim=-1))
        a = torch.softmax(q @ k.transpose(-1, -2) * self.scale, dim=-1) @ v
        x = x + self.to_out(a.transpose(1, 2).reshape(n, t, -1))
        return x + self.ffn(self.norm2(x))


class _TemporalWeightedAggregation(nn.Module):
    """Attention pooling over time: scores ``w₂ᵀ tanh(W₁ h_t)``, softmax over t, weighted sum
    of ``h_t``; output ``h_T + γ · Σ_t α_t h_t`` with γ learnable (initialised at 0), i.e.
    the last LSTM step plus a learned amount of the attention summary."""

    def __init__(self, dim: int):
        super().__init__()
        self.fc1 = nn.Linear(dim, dim)
        self.fc2 = nn.Linear(dim, 1, bias=False)
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, h: torch.Tensor) -> torch.Tensor:          # (B, T, dim)
        alpha = torch.softmax(self.fc2(torch.tanh(self.fc1(h))), dim=1)
        return h[:, -1] + self.gamma * (alpha * h).sum(dim=1)


@register_model("tinyhar")
class TinyHAR(HARModel):
    """TinyHAR (Zhou et al., ISWC 2022; see the module docstring for the full reference).

    Input ``(batch, in_channels, window_length)``, read as a one-channel image ``time ×
    sensor channels``. The five stages of the paper:

    1. *Individual (per-channel) temporal convolution*: ``n_conv=4`` Conv2d layers with
       kernel ``(kernel_size=5, 1)`` — along time only, shared by all sensor channels, so
       channels are not mixed — each followed by ReLU and BatchNorm; ``filters=20``
       feature maps; stride 2 along time in layers 2 and 4 (4× temporal down-sampling).
    2. *Cross-channel interaction*: at every time step, self-attention among the sensor
       channels (tokens = channels, token features = the ``filters`` maps), then dropout.
    3. *Cross-channel fusion*: a fully connected layer from ``channels × filters`` to
       ``2·filters`` units + ReLU at every time step.
    4. *Global temporal information extraction*: one LSTM layer of ``2·filters`` units.
    5. *Temporal attention aggregation*: attention-weighted sum over time, added with a
       learnable weight to the last LSTM step (``_TemporalWeightedAggregation``).

    The embedding is the aggregated vector ``(batch, 2·filters)``; a linear layer gives
    the logits.

    Hyper-parameters (defaults follow the authors' published configuration): filters 20
    (the paper treats the filter number as the model-size knob), kernel 5, 4
    convolutions, dropout 0.1, LSTM for the temporal stage, FC for the fusion.

    ``channel_interaction``: ``"attn"`` (default) is the block used in the authors'
    released configuration: single-head self-attention over the channels with a residual
    gate γ starting at 0 and no feed-forward layer (``_GatedSelfAttention``).
    ``"transformer"`` is a full pre-norm transformer encoder layer (4 heads of size 16,
    16-unit GELU feed-forward; ``_TransformerEncoderBlock``), the paper's description of
    this stage taken literally.

    ``padding``: the original convolutions are unpadded, which shortens the window by 16
    samples overall plus the two strides and fails for windows under ~40 samples. The
    default ``"same"`` pads each convolution by ``kernel_size // 2`` so that every window
    ≥ 4 samples works (output length ⌈⌈T/2⌉/2⌉); ``"valid"`` reproduces the original
    geometry for windows long enough. The parameter count is the same either way.
    """

    def __init__(self, in_channels: int, n_classes: int, window_length: int,
                 filters: int = 20, kernel_size: int = 5, n_conv: int = 4,
                 channel_interaction: str = "attn", padding: str = "same",
                 dropout: float = 0.1):
        super().__init__(in_channels, n_classes, window_length)
        if padding not in ("same", "valid"):
            raise ValueError(f"TinyHAR: padding must be 'same' or 'valid', got {padding!r}")
        pad = kernel_size // 2 if padding == "same" else 0
        convs, cin, length = [], 1, window_length
        for i in range(n_conv):
            stride = 2 if i % 2 == 1 else 1
            convs.append(nn.Sequential(
                nn.Conv2d(cin, filters, (kernel_size, 1), stride=(stride, 1), padding=(pad, 0)),
                nn.ReLU(inplace=True), nn.BatchNorm2d(filters)))
            cin = filters
            length = (length + 2 * pad - kernel_size) // stride + 1
        if length < 1:
            raise ValueError(f"TinyHAR: window_length {window_length} is too short for "
                             f"{n_conv} unpadded convolutions of kernel {kernel_size}")
        self.convs = nn.Sequential(*convs)
        if channel_interaction == "attn":
            self.interaction = _GatedSelfAttention(filters)
        elif channel_interaction == "transformer":
            self.interaction = _TransformerEncoderBlock(filters)
        else:
            raise ValueError(f"TinyHAR: channel_interaction must be 'attn' or 'transformer', "
                             f"got {channel_interaction!r}")
        self.dropout = nn.Dropout(dropout)
        hidden = 2 * filters
        self.fusion = nn.Linear(in_channels * filters, hidden)
        self.lstm = nn.LSTM(hidden, hidden, batch_first=True)
        self.aggregation = _TemporalWeightedAggregation(hidden)
        self.embed_dim = hidden
        self.head = nn.Linear(hidden, n_classes)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        h = self.convs(x.transpose(1, 2).unsqueeze(1))          # (B, F, T', C)
        b, f, t, c = h.shape
        tokens = h.permute(0, 2, 3, 1).reshape(b * t, c, f)      # per step: C tokens of F
        tokens = self.dropout(self.interaction(tokens))
        h = F.relu(self.fusion(tokens.reshape(b, t, c * f)))     # (B, T', 2F)
        out, _ = self.lstm(h)
        return self.aggregation(out)

