"""Paper A's unsupervised model: a memory-augmented sequence-to-sequence LSTM autoencoder
over fused stacked-autoencoder features (paper A (arXiv 2606.28377), abstract).

What the abstract states: a fully unsupervised spatio-temporal feature-fusion framework
for multi-sensor IMU windows; a Stacked Autoencoder extracts hierarchical *static*
features, which are fused *within and across sensors*; a *sequence-to-sequence LSTM
autoencoder* then temporally refines them, "incorporating historical motion patterns";
the whole is a "memory-augmented autoencoder"; short windows, no labels. Nothing else is
public, so every other choice below is ours and marked **assumed (our reading)**; each is
a constructor option.

Pipeline for one input window ``(batch, channels, time)``:

1. **The sequence the LSTM runs over** — ``n_segments`` consecutive pieces of the input,
   each of ``ceil(time / n_segments)`` samples. Two readings of the abstract's
   "historical motion patterns" use it:

   * **preceding windows** (the likelier reading, our choice for paper A's method): cut the
     windows with ``sliding_windows(..., history=H)``, so each input is the current window
     after its ``H`` predecessors in the recording, and build the model with
     ``n_segments=H + 1``. Each piece is then one window, the stacked autoencoders encode
     each window, and the LSTM runs over the current and preceding windows in the
     recording's order. ``for_windows(ws)`` gives those keyword arguments.
   * **sub-windows** (the default, ``n_segments=8``): the LSTM runs over consecutive
     sub-windows *inside* one window.

   When ``time`` is not a multiple of ``n_segments`` the input is right-padded
   (``pad_mode="replicate"``, the last sample repeated, or ``"zeros"``) and the
   reconstruction is cropped back to ``time``; cropping the input instead is not offered,
   because the reconstruction must cover every input sample.
2. **Stacked convolutional autoencoder per sensor** — assumed (our reading; the 1-D conv
   form follows the HUF predecessor, arXiv 2502.04489, which we take to be the same
   group's work — also our reading). Each sensor placement (``channel_groups["placement"]``;
   without groups: consecutive blocks of ``fallback_group_size`` = 3 channels, the last
   block holding the remainder, or all channels as one group when there are fewer than 3)
   has its own SAE of ``sae_layers`` layers: encoder layer *i* is ``Conv1d(k=kernel_size,
   stride=sae_stride)`` + ELU, decoder layer *i* is nearest-neighbour upsampling to the
   previous length + a linear ``Conv1d``. The flattened code map of the last layer
   (``sae_channels[-1] × code length``) is the sub-window's static feature for that
   sensor. **Within-sensor fusion** is the SAE itself: the first convolution mixes all of
   the sensor's channels (acc, gyro, …) — assumed (our reading).
   ``pretraining_stages()`` gives the greedy layer-wise stages (one per SAE layer, all
   sensors together): stage *i* trains encoder + decoder layer *i* to reconstruct the
   output of the frozen layers before it. Afterwards all weights are fine-tuned jointly
   on the window reconstruction — assumed (our reading).
3. **Across-sensor fusion** — assumed (our reading). ``fusion="concat"``: the sensors'
   static features are concatenated and linearly projected to ``fused_dim``;
   ``fusion="mean"``: each sensor has its own linear projection to ``fused_dim`` and the
   projections are averaged. The result is ``"segment_features"``
   ``(batch, n_segments, fused_dim)``. The inverse (un-fusion) is one linear map per
   option, back to every sensor's code map.
4. **Seq2seq LSTM autoencoder** (Srivastava et al., ICML 2015, as in
   ``lstm_autoencoder``) over the fused sub-window sequence: the encoder's last hidden
   state of the top layer is the **embedding** ``(batch, hidden)``. The decoder is fed the
   (memory-read) latent at every step and reconstructs the fused sequence in forward
   order (``"segment_reconstruction"``) — order and conditioning assumed (our reading).
5. **Memory** — assumed (our reading): "memory-augmented" is read as an explicit MemAE
   memory (Gong et al., ICCV 2019), not just the LSTM's cell state. ``memory_size``
   learnable items ``(memory_size, hidden)``; addressing weights are a softmax over the
   cosine similarities between the latent and each item (divided by
   ``memory_temperature``, 1 in MemAE), hard-shrunk with threshold λ
   (``shrink_threshold``, default ``1 / memory_size``) as
   ``relu(w − λ)·w / (|w − λ| + ε)`` and re-normalised to sum 1; the decoder reads
   ``ŵ · M`` instead of the latent. ``"memory_weights"`` ``(batch, memory_size)`` are the
   shrunk weights and ``"memory_entropy"`` ``(batch,)`` their entropy, for a loss that
   penalises it (MemAE weights it by about 2e-4; harlib's ``reconstruction_mse`` does not
   read it). ``memory=False`` removes the memory (ablation): no memory parameters and no
   memory outputs.
6. **Window reconstruction**: the reconstructed fused sequence is un-fused and passed back
   through every sensor's SAE decoders, giving ``"reconstruction"``
   ``(batch, channels, time)`` for the ``unsupervised`` trainer's ``reconstruction_mse``.

Ablation switches (paper A's "without …" variants; what replaces a removed stage is our
reading): ``memory=False`` (above); ``seq2seq=False`` replaces the LSTM encoder/decoder by
a one-layer linear autoencoder over the flattened fused sequence (Linear + tanh to
``hidden``, Linear back), so no recurrence models the order of the sub-windows — the
stacked autoencoders and the fusion alone, as in the HUF predecessor;
``sensor_fusion=False`` ignores the placements and runs one stacked autoencoder over all
channels together, so there is no per-sensor feature and no across-sensor fusion step.
``sensor_fusion=True`` *requires* fusion across sensors: it raises unless the channel groups
name at least two placements. The default ``None`` fuses across the placements there are
(one placement: one autoencoder, and the "fusion" is only a projection), or, when the
model is built with ``channel_groups=None``, across the tri-axial fallback groups below.
Through the engine a model always receives the window set's groups, where channels
without a placement form one placement, ``"unknown"``.

Default sizes (``n_segments=8``, ``sae_layers=2``, ``sae_channels=32``, ``kernel_size=5``,
``sae_stride=2``, ``fused_dim=64``, ``hidden=64``, ``memory_size=50``) are assumed (our
reading) — the abstract only says its hyperparameters were tuned for feature separability
under short windows. Registered as ``"memae_lstm"`` (``kind = "autoencoder"``); the linear
head exists only for the classifier contract (a linear probe) and is unused in
unsupervised training. Windows must have the ``window_length`` the model was built for
(the static features are flattened code maps).

Explained in notebooks 10 (the method) and 11–14 (results, segmentation, hyperparameters,
ablation); the tables are built by :mod:`harlib.papers.memae`.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

from .base import ChannelGroups, HARModel, register_model

FUSIONS = ("concat", "mean")
PAD_MODES = ("replicate", "zeros")


def fallback_groups(in_channels: int, size: int = 3) -> list[list[int]]:
    """Consecutive blocks of ``size`` channels (the last holds the remainder); one group
    of all channels when there are fewer than ``size`` — our fallback without placements."""
    if in_channels < size:
        return [list(range(in_channels))]
    return [list(range(s, min(s + size, in_channels))) for s in range(0, in_channels, size)]


class SAELayer(nn.Module):
    """One layer of a stacked convolutional autoencoder: a strided ``Conv1d`` + ELU encoder
    and an upsample + linear ``Conv1d`` decoder that reconstructs the layer's input."""

    def __init__(self, in_ch: int, out_ch: int, kernel_size: int, stride: int, in_length: int):
        super().__init__()
        self.in_length = in_length
        self.out_length = math.ceil(in_length / stride)      # odd kernel, padding k // 2
        self.encoder = nn.Conv1d(in_ch, out_ch, kernel_size, stride=stride, padding=kernel_size // 2)
        self.decoder = nn.Conv1d(out_ch, in_ch, kernel_size, padding=kernel_size // 2)

    def encode(self, h: torch.Tensor) -> torch.Tensor:
        return F.elu(self.encoder(h))

    def decode(self, code: torch.Tensor) -> torch.Tensor:
        if code.shape[-1] != self.in_length:
            code = F.interpolate(code, size=self.in_length, mode="nearest")
        return self.decoder(code)


class StackedConvAE(nn.Module):
    """One sensor's SAE: ``layers`` :class:`SAELayer` s over a sub-window ``(n, ch, length)``."""

    def __init__(self, in_ch: int, widths: Sequence[int], kernel_size: int, stride: int, length: int):
        super().__init__()
        layers, prev = [], in_ch
        for w in widths:
            layers.append(SAELayer(prev, w, kernel_size, stride, length))
            prev, length = w, layers[-1].out_length
        self.layers = nn.ModuleList(layers)
        self.code_shape = (prev, length)

    def encode(self, h: torch.Tensor, upto: int | None = None) -> torch.Tensor:
        for layer in self.layers[:upto]:
            h = layer.encode(h)
        return h

    def decode(self, code: torch.Tensor) -> torch.Tensor:
        for layer in reversed(self.layers):
            code = layer.decode(code)
        return code


class Memory(nn.Module):
    """MemAE memory (Gong et al., ICCV 2019): ``size`` items of ``dim``; cosine-similarity
    softmax addressing, hard shrinkage with threshold λ and L1 re-normalisation."""

    def __init__(self, size: int, dim: int, shrink_threshold: float, temperature: float = 1.0,
                 eps: float = 1e-12):
        super().__init__()
        self.items = nn.Parameter(torch.empty(size, dim).uniform_(-1 / math.sqrt(dim), 1 / math.sqrt(dim)))
        self.shrink_threshold = shrink_threshold
        self.temperature = temperature
        self.eps = eps

    def address(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(w, ŵ)``: the softmax weights (rows sum to 1) and the shrunk, re-normalised ones."""
        sim = F.normalize(z, dim=-1) @ F.normalize(self.items, dim=-1).t()
        w = torch.softmax(sim / self.temperature, dim=-1)
        lam = self.shrink_threshold
        if lam > 0:
            shrunk = F.relu(w - lam) * w / ((w - lam).abs() + self.eps)
            shrunk = shrunk / shrunk.sum(dim=-1, keepdim=True).clamp_min(self.eps)
        else:
            shrunk = w
        return w, shrunk

    def forward(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(ŵ·M, ŵ, entropy(ŵ))``."""
        _, w = self.address(z)
        entropy = -(w * torch.log(w + self.eps)).sum(dim=-1)
        return w @ self.items, w, entropy


@register_model("memae_lstm")
class MemAELSTM(HARModel):
    """Paper A's memory-augmented seq2seq LSTM autoencoder over fused SAE features (see the
    module docstring for every assumption). Embedding ``(batch, hidden)``."""

    kind = "autoencoder"
    accepts_channel_groups = True

    def __init__(self, in_channels: int, n_classes: int, window_length: int,
                 n_segments: int = 8, sae_layers: int = 2, sae_channels: int | Sequence[int] = 32,
                 kernel_size: int = 5, sae_stride: int = 2, fusion: str = "concat",
                 fused_dim: int = 64, hidden: int = 64, lstm_layers: int = 1,
                 memory: bool = True, memory_size: int = 50, shrink_threshold: float | None = None,
                 memory_temperature: float = 1.0, pad_mode: str = "replicate",
                 fallback_group_size: int = 3, channel_groups: ChannelGroups | None = None,
                 sensor_fusion: bool | None = None, seq2seq: bool = True):
        super().__init__(in_channels, n_classes, window_length)
        name = type(self).__name__
        if not 1 <= n_segments <= window_length:
            raise ValueError(f"{name}: n_segments must be in 1..window_length={window_length}, "
                             f"got {n_segments}")
        if sae_layers < 1:
            raise ValueError(f"{name}: sae_layers must be >= 1, got {sae_layers}")
        widths = [sae_channels] * sae_layers if isinstance(sae_channels, int) else list(sae_channels)
        if len(widths) != sae_layers or any(not isinstance(w, int) or w < 1 for w in widths):
            raise ValueError(f"{name}: sae_channels must be a positive int or {sae_layers} positive "
                             f"ints (one per SAE layer), got {sae_channels!r}")
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"{name}: kernel_size must be a positive odd int, got {kernel_size}")
        if sae_stride < 1:
            raise ValueError(f"{name}: sae_stride must be >= 1, got {sae_stride}")
        if fusion not in FUSIONS:
            raise ValueError(f"{name}: fusion must be one of {FUSIONS}, got {fusion!r}")
        if min(fused_dim, hidden, lstm_layers, fallback_group_size) < 1:
            raise ValueError(f"{name}: fused_dim, hidden, lstm_layers and fallback_group_size must "
                             f"be >= 1, got {fused_dim}, {hidden}, {lstm_layers}, {fallback_group_size}")
        if pad_mode not in PAD_MODES:
            raise ValueError(f"{name}: pad_mode must be one of {PAD_MODES}, got {pad_mode!r}")
        if memory:
            if memory_size < 1:
                raise ValueError(f"{name}: memory_size must be >= 1, got {memory_size}")
            if shrink_threshold is None:
                shrink_threshold = 1.0 / memory_size
            if not 0 <= shrink_threshold < 1:
                raise ValueError(f"{name}: shrink_threshold must be in [0, 1), got {shrink_threshold}")
            if not memory_temperature > 0:
                raise ValueError(f"{name}: memory_temperature must be > 0, got {memory_temperature}")

        if not isinstance(seq2seq, bool):
            raise ValueError(f"{name}: seq2seq must be True or False, got {seq2seq!r}")
        if sensor_fusion is not None and not isinstance(sensor_fusion, bool):
            raise ValueError(f"{name}: sensor_fusion must be None, True or False, got {sensor_fusion!r}")
        placements = (channel_groups or {}).get("placement") or {}
        if sensor_fusion is True and len(placements) < 2:
            found = (f"one placement ({next(iter(placements))!r})" if placements
                     else "no placement metadata (channel_groups)")
            raise ValueError(f"{name}: sensor_fusion=True fuses features across sensors, but the input "
                             f"has {found}. Use sensor_fusion=None (fuse what there is) or False")
        if sensor_fusion is False:            # ablation: one autoencoder over every channel
            groups = [list(range(in_channels))]
            self.group_names = ["all"]
        elif channel_groups is not None and channel_groups.get("placement"):
            groups = [list(idx) for idx in channel_groups["placement"].values()]
            self.group_names = list(channel_groups["placement"])
        else:
            groups = fallback_groups(in_channels, fallback_group_size)
            self.group_names = [f"group{i}" for i in range(len(groups))]
        if sorted(i for g in groups for i in g) != list(range(in_channels)) or any(not g for g in groups):
            raise ValueError(f"{name}: channel groups must cover channels 0..{in_channels - 1} once, "
                             f"got {groups}")
        self.groups = groups
        order = torch.tensor([i for g in groups for i in g])
        self.register_buffer("_order", order, persistent=False)
        self.register_buffer("_inverse", torch.argsort(order), persistent=False)

        self.n_segments = n_segments
        self.segment_length = math.ceil(window_length / n_segments)
        self.pad_mode = pad_mode
        self.fusion = fusion
        self.sae = nn.ModuleList(StackedConvAE(len(g), widths, kernel_size, sae_stride,
                                               self.segment_length) for g in groups)
        self.code_shape = self.sae[0].code_shape
        code_dim = self.code_shape[0] * self.code_shape[1]
        n_groups = len(groups)
        if fusion == "concat":
            self.fuse = nn.Linear(n_groups * code_dim, fused_dim)
            self.unfuse = nn.Linear(fused_dim, n_groups * code_dim)
        else:
            self.fuse = nn.ModuleList(nn.Linear(code_dim, fused_dim) for _ in groups)
            self.unfuse = nn.ModuleList(nn.Linear(fused_dim, code_dim) for _ in groups)
        self.seq2seq = seq2seq
        if seq2seq:
            self.encoder = nn.LSTM(fused_dim, hidden, num_layers=lstm_layers, batch_first=True)
            self.decoder = nn.LSTM(hidden, hidden, num_layers=lstm_layers, batch_first=True)
            self.output = nn.Linear(hidden, fused_dim)
        else:                                 # ablation: a linear autoencoder over the sequence
            self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(n_segments * fused_dim, hidden),
                                         nn.Tanh())
            self.decoder = nn.Linear(hidden, n_segments * fused_dim)
        self.memory = Memory(memory_size, hidden, shrink_threshold, memory_temperature) if memory else None
        self.embed_dim = hidden
        self.head = nn.Linear(hidden, n_classes)

    @staticmethod
    def for_windows(ws) -> dict:
        """Keyword arguments that make each segment one window of ``ws``: ``n_segments`` =
        its history + 1 (see ``sliding_windows(..., history=H)``); ``{}`` without history."""
        return {"n_segments": ws.history + 1} if ws.history else {}

    # ---- sub-windows -------------------------------------------------------------------
    def _check(self, x: torch.Tensor) -> None:
        self.check_input(x)
        if x.shape[-1] != self.window_length:
            raise ValueError(f"{type(self).__name__} expects windows of {self.window_length} samples "
                             f"(float input, the length it was built for), got {x.shape[-1]}")

    def segments(self, x: torch.Tensor) -> torch.Tensor:
        """``(batch, C, T)`` → padded sub-windows ``(batch · n_segments, C, segment_length)``."""
        b, c, t = x.shape
        pad = self.n_segments * self.segment_length - t
        if pad:
            x = F.pad(x, (0, pad), mode="replicate" if self.pad_mode == "replicate" else "constant")
        x = x.reshape(b, c, self.n_segments, self.segment_length).permute(0, 2, 1, 3)
        return x.reshape(b * self.n_segments, c, self.segment_length)

    def _group_inputs(self, seg: torch.Tensor) -> list[torch.Tensor]:
        return list(seg[:, self._order].split([len(g) for g in self.groups], dim=1))

    # ---- stages ------------------------------------------------------------------------
    def encode_segments(self, x: torch.Tensor) -> torch.Tensor:
        """Fused static sub-window features ``(batch, n_segments, fused_dim)``."""
        b = x.shape[0]
        codes = [sae.encode(h).flatten(1) for sae, h in zip(self.sae, self._group_inputs(self.segments(x)))]
        if self.fusion == "concat":
            fused = self.fuse(torch.cat(codes, dim=1))
        else:
            fused = torch.stack([f(c) for f, c in zip(self.fuse, codes)]).mean(0)
        return fused.reshape(b, self.n_segments, -1)

    def decode_segments(self, feats: torch.Tensor, length: int) -> torch.Tensor:
        """Fused features ``(batch, n_segments, fused_dim)`` → window ``(batch, C, length)``."""
        b = feats.shape[0]
        flat = feats.reshape(b * self.n_segments, -1)
        if self.fusion == "concat":
            codes = self.unfuse(flat).chunk(len(self.groups), dim=1)
        else:
            codes = [u(flat) for u in self.unfuse]
        parts = [sae.decode(c.view(-1, *self.code_shape)) for sae, c in zip(self.sae, codes)]
        seg = torch.cat(parts, dim=1)[:, self._inverse]          # back to channel order
        seg = seg.reshape(b, self.n_segments, self.in_channels, self.segment_length).permute(0, 2, 1, 3)
        return seg.reshape(b, self.in_channels, -1)[..., :length]

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self._encode(x)[1]

    def _encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        self._check(x)
        feats = self.encode_segments(x)
        if not self.seq2seq:
            return feats, self.encoder(feats)
        _, (h, _) = self.encoder(feats)
        return feats, h[-1]

    def forward_outputs(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        feats, z = self._encode(x)
        out = {"embedding": z, "logits": self.forward_head(z), "segment_features": feats}
        latent = z
        if self.memory is not None:
            latent, weights, entropy = self.memory(z)
            out.update(memory_weights=weights, memory_entropy=entropy)
        if self.seq2seq:
            dec, _ = self.decoder(latent[:, None, :].expand(-1, self.n_segments, -1))
            seg_rec = self.output(dec)
        else:
            seg_rec = self.decoder(latent).view(x.shape[0], self.n_segments, -1)
        out["segment_reconstruction"] = seg_rec
        out["reconstruction"] = self.decode_segments(seg_rec, x.shape[-1])
        return out

    # ---- layer-wise pre-training ------------------------------------------------------
    def pretraining_stages(self) -> list:
        """One :class:`~harlib.models.base.PretrainStage` per SAE layer (all sensors at once):
        stage *i* trains encoder + decoder layer *i* to reconstruct the output of the frozen
        layers before it; its ``forward(x)`` gives gradients to layer *i* only."""
        from .base import PretrainStage

        def stage_forward(i: int):
            def forward(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
                self._check(x)
                with torch.no_grad():
                    inputs = [sae.encode(h, upto=i) for sae, h in
                              zip(self.sae, self._group_inputs(self.segments(x)))]
                recs = [sae.layers[i].decode(sae.layers[i].encode(h)) for sae, h in zip(self.sae, inputs)]
                return torch.cat(recs, dim=1), torch.cat(inputs, dim=1)
            return forward

        return [PretrainStage(f"sae{i + 1}",
                              [p for sae in self.sae for p in sae.layers[i].parameters()],
                              stage_forward(i))
                for i in range(len(self.sae[0].layers))]
