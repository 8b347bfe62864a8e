"""The model interface every harlib network follows, and the model registry.

Input: a float tensor ``(batch, channels, time)`` — the layout of
:class:`harlib.windows.WindowSet` — already standardised. Each model splits into
``forward_features(x) -> z`` (an embedding ``(batch, embed_dim)``, used for t-SNE,
class-distance tables and triplet losses) and ``forward_head(z) -> logits``
(timm's convention); ``forward`` chains the two.
"""
from __future__ import annotations

import torch
from torch import nn

from ..registry import Registry

MODELS: Registry = Registry("model")


def register_model(name: str):
    """Register a model class under ``name``; its ``__init__`` must accept
    ``in_channels``, ``n_classes`` and ``window_length`` (plus optional keywords)."""
    return MODELS.register(name)


def create_model(name: str, in_channels: int, n_classes: int, window_length: int,
                 **kwargs) -> "HARModel":
    """Build a registered model by name, e.g. ``create_model("deepconvlstm", 9, 6, 128)``."""
    return MODELS.get(name)(in_channels=in_channels, n_classes=n_classes,
                            window_length=window_length, **kwargs)


def model_names() -> list[str]:
    return MODELS.names()


class HARModel(nn.Module):
    """Base class: checks the input shape and wires ``forward = head ∘ features``.

    A subclass sets ``embed_dim`` and either defines modules ``features`` (windows →
    embedding) and ``head`` (embedding → logits), or overrides ``forward_features`` and
    ``forward_head``.
    """

    embed_dim: int

    def __init__(self, in_channels: int, n_classes: int, window_length: int):
        super().__init__()
        if min(in_channels, n_classes, window_length) < 1:
            raise ValueError(f"{type(self).__name__}: in_channels, n_classes and window_length "
                             f"must be positive, got {in_channels}, {n_classes}, {window_length}")
        self.in_channels = in_channels
        self.n_classes = n_classes
        self.window_length = window_length

    def check_input(self, x: torch.Tensor) -> None:
        if not torch.is_tensor(x) or x.dim() != 3 or x.shape[1] != self.in_channels:
            shape = tuple(x.shape) if torch.is_tensor(x) else type(x).__name__
            raise ValueError(f"{type(self).__name__} expects (batch, {self.in_channels} channels, "
                             f"time) float input, got {shape}")
        if not x.is_floating_point():
            raise ValueError(f"{type(self).__name__} expects a float tensor, got {x.dtype}")

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Default: ``self.features(x)`` after the input check; override for anything else."""
        self.check_input(x)
        return self.features(x)

    def forward_head(self, z: torch.Tensor) -> torch.Tensor:
        """Default: ``self.head(z)``."""
        return self.head(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        return self.forward_head(self.forward_features(x))
