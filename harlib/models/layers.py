"""Small building blocks shared by several model families: a fixed sinusoidal position
encoding, a pre-norm transformer encoder and a Conv1d–BN–ReLU unit (used by
``rev_attention``, ``atfa`` and ``tccsnet``).
"""
from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["sinusoidal_positions"]


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
