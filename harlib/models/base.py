"""The model interface every harlib network follows, and the model registry.

Input: a float tensor ``(batch, channels, time)`` — the layout of
:class:`harlib.data.windows.WindowSet` — already standardised. Each model splits into
``forward_features(x) -> z`` (an embedding ``(batch, embed_dim)``, used for t-SNE,
class-distance tables and triplet losses) and ``forward_head(z) -> logits``
(timm's convention); ``forward`` chains the two.

The training engine calls ``forward_outputs(x)``, which returns a mapping: ``"embedding"``
and ``"logits"`` always, plus whatever else a model exposes (attention maps, a
reconstruction, …) for its loss or for the notebooks.

A model that needs to know which channels belong to which sensor sets
``needs_channel_groups = True`` (or ``accepts_channel_groups = True`` where it has a
fallback for data without them) and takes a ``channel_groups`` keyword:
``{"placement": {"hand": [0, 1, …], …}, "modality": {"acc": […], …}}`` (channel indices,
in channel order), which :func:`create_model` passes from a window set's channel metadata.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..core.registry import Registry

MODELS: Registry = Registry("model")

ChannelGroups = dict[str, dict[str, list[int]]]


def register_model(name: str):
    """Register a model class under ``name``; its ``__init__`` must accept
    ``in_channels``, ``n_classes`` and ``window_length`` (plus optional keywords)."""
    return MODELS.register(name)


def needs_channel_groups(name: str) -> bool:
    """Whether model ``name`` uses channel groups (it needs or accepts them): its runs then
    record the groups, which enter their key."""
    cls = MODELS.get(name)
    return bool(getattr(cls, "needs_channel_groups", False) or getattr(cls, "accepts_channel_groups", False))


def check_channel_groups(groups: ChannelGroups, in_channels: int) -> ChannelGroups:
    """Validate ``{"placement": {name: [indices]}, …}``: every grouping covers each channel once."""
    if not isinstance(groups, dict) or not groups:
        raise ValueError(f"channel_groups must be a non-empty mapping, got {groups!r}")
    for kind, parts in groups.items():
        seen = sorted(i for idx in parts.values() for i in idx)
        if seen != list(range(in_channels)):
            raise ValueError(f"channel_groups[{kind!r}] must cover channels 0..{in_channels - 1} "
                             f"exactly once, got {dict(parts)}")
    return {k: {g: [int(i) for i in idx] for g, idx in parts.items()} for k, parts in groups.items()}


def create_model(name: str, in_channels: int, n_classes: int, window_length: int,
                 channel_groups: ChannelGroups | None = None, **kwargs) -> "HARModel":
    """Build a registered model by name, e.g. ``create_model("deepconvlstm", 9, 6, 128)``.

    ``channel_groups`` is passed on only to models that declare ``needs_channel_groups``
    (required for them) or ``accepts_channel_groups`` (optional); other models ignore it.
    """
    cls = MODELS.get(name)
    if getattr(cls, "needs_channel_groups", False) and channel_groups is None:
        raise ValueError(f"model {name!r} needs channel_groups (sensor placements); build it "
                         f"with create_model_for(window_set, {name!r}) or pass channel_groups=")
    uses = getattr(cls, "needs_channel_groups", False) or getattr(cls, "accepts_channel_groups", False)
    if uses and channel_groups is not None:
        kwargs["channel_groups"] = check_channel_groups(channel_groups, in_channels)
    return cls(in_channels=in_channels, n_classes=n_classes, window_length=window_length, **kwargs)


def create_model_for(ws, name: str, **kwargs) -> "HARModel":
    """Build a registered model for the windows of a :class:`~harlib.data.windows.WindowSet`."""
    return create_model(name, ws.n_channels, ws.n_classes, ws.length,
                        channel_groups=ws.channel_groups(), **kwargs)


def model_names(kind: str | None = None) -> list[str]:
    """Registered model names; ``kind`` selects one kind: ``"classifier"`` (the baseline zoo),
    ``"autoencoder"`` or ``"method"`` (the papers' own models)."""
    return [n for n in MODELS.names() if kind is None or getattr(MODELS.get(n), "kind", None) == kind]


class HARModel(nn.Module):
    """Base class: checks the input shape and wires ``forward = head ∘ features``.

    A subclass sets ``embed_dim`` and either defines modules ``features`` (windows →
    embedding) and ``head`` (embedding → logits), or overrides ``forward_features`` and
    ``forward_head``. Models with extra outputs override ``forward_outputs``.
    """

    embed_dim: int
    needs_channel_groups: bool = False
    accepts_channel_groups: bool = False
    kind: str = "classifier"     # a baseline; "autoencoder" (no labels), "method" (a paper's own)

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
        if not torch.jit.is_tracing() and not torch.compiler.is_compiling() \
                and not torch.isfinite(x).all():
            raise ValueError(f"{type(self).__name__}: the input holds NaN or infinite values; "
                             f"a network would turn them into NaN outputs")

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Default: ``self.features(x)`` after the input check; override for anything else."""
        self.check_input(x)
        return self.features(x)

    def forward_head(self, z: torch.Tensor, pre_logits: bool = False) -> torch.Tensor:
        """Logits of embeddings ``z``; with ``pre_logits=True`` the features the final
        classifier sees (timm's convention; the default head only adds dropout, so ``z``)."""
        return z if pre_logits else self.head(z)

    def forward_outputs(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """``{"embedding": z, "logits": …}``; models add their extra outputs here."""
        z = self.forward_features(x)
        return {"embedding": z, "logits": self.forward_head(z)}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        return self.forward_head(self.forward_features(x))


@dataclass
class PretrainStage:
    """One stage of layer-wise pre-training, as a model describes it
    (``pretraining_stages()``, paper A): ``forward(x) → (reconstruction, target)`` is trained
    to reconstruct its target, updating only ``parameters``."""

    name: str
    parameters: list
    forward: object
