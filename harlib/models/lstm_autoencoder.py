"""A sequence-to-sequence LSTM autoencoder — the memory-less core of paper A's model.

Paper A learns features without labels with an LSTM autoencoder (its memory module and
layer-wise pre-trained stacked autoencoder come on top; see paper A's notebooks). This is
the plain encoder–decoder of Srivastava et al. (ICML 2015): an LSTM encoder reads the
window, its last hidden state is the embedding, and an LSTM decoder, fed the embedding at
every step, reconstructs the window.

Input ``(batch, channels, time)``, standardised. Registered as ``"lstm_autoencoder"``;
``forward_outputs`` adds ``"reconstruction"`` ``(batch, channels, time)`` for the
unsupervised trainer. The linear head exists only so the model also fits the classifier
contract (a linear probe); unsupervised training never uses it.
"""
from __future__ import annotations

import torch
from torch import nn

from .base import HARModel, register_model


@register_model("lstm_autoencoder")
class LSTMAutoencoder(HARModel):
    """``hidden`` units in encoder and decoder, ``layers`` layers each; embedding
    ``(batch, hidden)`` = the encoder's last hidden state of the top layer."""

    kind = "autoencoder"

    def __init__(self, in_channels: int, n_classes: int, window_length: int,
                 hidden: int = 64, layers: int = 1):
        super().__init__(in_channels, n_classes, window_length)
        if hidden < 1 or layers < 1:
            raise ValueError(f"LSTMAutoencoder needs hidden >= 1 and layers >= 1, got {hidden}, {layers}")
        self.encoder = nn.LSTM(in_channels, hidden, num_layers=layers, batch_first=True)
        self.decoder = nn.LSTM(hidden, hidden, num_layers=layers, batch_first=True)
        self.output = nn.Linear(hidden, in_channels)
        self.embed_dim = hidden
        self.head = nn.Linear(hidden, n_classes)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        _, (h, _) = self.encoder(x.transpose(1, 2))
        return h[-1]

    def reconstruct(self, z: torch.Tensor, length: int) -> torch.Tensor:
        out, _ = self.decoder(z[:, None, :].expand(-1, length, -1))
        return self.output(out).transpose(1, 2)

    def forward_outputs(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        z = self.forward_features(x)
        return {"embedding": z, "logits": self.forward_head(z),
                "reconstruction": self.reconstruct(z, x.shape[-1])}
