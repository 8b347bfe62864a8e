"""Training losses behind a registry, so papers B and C can plug in their own.

A loss is an ``nn.Module`` called as ``loss(logits, embedding, target)``. It may hold
learnable parameters (adaptive loss weights); the training engine optimises them too.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .registry import Registry

LOSSES: Registry = Registry("loss")


def create_loss(name: str, class_weights: torch.Tensor | None = None, **kwargs) -> nn.Module:
    return LOSSES.get(name)(class_weights=class_weights, **kwargs)


@LOSSES.register("cross_entropy")
class CrossEntropy(nn.Module):
    """Cross-entropy on the logits, optionally weighted per class (WHAR Arena v1 weights
    classes by inverse training frequency) and label-smoothed."""

    def __init__(self, class_weights: torch.Tensor | None = None, label_smoothing: float = 0.0):
        super().__init__()
        self.register_buffer("weight", class_weights if class_weights is not None else None)
        self.label_smoothing = label_smoothing

    def forward(self, logits: torch.Tensor, embedding: torch.Tensor,
                target: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(logits, target, weight=self.weight,
                               label_smoothing=self.label_smoothing)
