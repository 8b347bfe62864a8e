"""STDual-X — "Spatio-Temporal Dual Attention with Cross-Sensor Attention for Enhanced
IMU-based Human Activity Recognition" (paper C; WiML @ NeurIPS 2025 abstract, official code
MeenambikaC/Explainable-STDual-X). Registered as ``"stdualx"``.

One Spatio-Temporal Dual Attention Transformer (STDAT, from BehaveFormer, Senerath et al.,
IJCB 2023 — the paper's ref. [1]) encodes each body-worn IMU placement into a vector; a
Cross-Sensor Attention (CSA) module relates the placement vectors pairwise and adds the
Cross-Sensor Relation (CSR) vectors to them; a linear classifier gives the logits. Training
(paper; notes §2.3) uses CE plus a per-placement triplet loss: harlib's ``"ce_triplet"`` loss
with the ``"triplet"`` batch sampler, which read ``outputs["triplet_embeddings"]``.

Sources: the paper text (an extended abstract, which gives no sizes) and the facts gathered
from the official code ("notes §x" below). Everything that is neither in the code as the notes describe it nor in
the paper is marked **assumed** in the docstrings.

Explained in notebooks 30 (architecture) and 31–36 (results, ablation, embeddings,
cross-sensor attention, robustness, efficiency); the setting and the tables are in
:mod:`harlib.papers.stdualx`.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .base import HARModel, register_model
from .inference import at_least_fp32

__all__ = ["GaussianMixturePositionalEncoding", "ImageConv", "STDATLayer", "PlacementEncoder",
           "CrossSensorAttention", "STDualX", "tri_axial_placements"]

#: features per channel with the input expansion: raw, |FFT|, 1st and 2nd derivative
EXPANSION_KINDS = ("raw", "fft", "d1", "d2")


class GaussianMixturePositionalEncoding(nn.Module):
    """Learnable Gaussian-mixture positional encoding with ``k`` components (notes §1.1).

    Parameters, all trainable: ``embedding`` E (k × F, Xavier-uniform, gain 1), ``mu`` μ
    (1 × k, initialised evenly spaced μ_j = j·T/k) and ``sigma`` σ (1 × k, initialised to
    ``sigma_init`` = 50.0 for every component, independent of T). The position grid
    p = 0 … T−1 is a non-trainable, non-persistent buffer.

    Forward: ``logit[p, j] = −(p − μ_j)² / (2σ_j²) − log σ_j``, ``w[p] = softmax_j(logit[p])``,
    ``PE(p) = Σ_j w[p, j] E_j``; output ``x + PE`` (broadcast over the batch).

    **Assumed** (a guard the code does not have): σ enters as ``max(|σ|, 1e-3)``, so a σ
    trained through zero cannot make ``log σ`` NaN; identical to the code while σ ≥ 1e-3.
    """

    def __init__(self, length: int, dim: int, components: int = 100, sigma_init: float = 50.0):
        super().__init__()
        self.embedding = nn.Parameter(torch.empty(components, dim))
        nn.init.xavier_uniform_(self.embedding, gain=1.0)
        self.mu = nn.Parameter(torch.arange(components, dtype=torch.get_default_dtype())[None]
                               * (length / components))
        self.sigma = nn.Parameter(torch.full((1, components), float(sigma_init)))
        self.register_buffer("positions", torch.arange(length, dtype=torch.get_default_dtype())[:, None],
                             persistent=False)

    def weights(self) -> torch.Tensor:
        """Mixture weights ``(T, k)``; each row is a softmax over the components."""
        sigma = self.sigma.abs().clamp_min(1e-3)
        logits = -(self.positions - self.mu) ** 2 / (2 * sigma ** 2) - torch.log(sigma)
        return torch.softmax(logits, dim=-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:          # (N, T, F)
        return x + (self.weights() @ self.embedding).to(x.dtype)


class ImageConv(nn.Conv2d):
    """``Conv2d(1, 1, k, padding=k // 2)`` on a one-channel ``(N, 1, T, F)`` image — same
    parameters, initialisation, state-dict names and result as ``nn.Conv2d`` — computed as a
    Conv1d over T whose F × F × k weight is the banded (Toeplitz) expansion of the k × k
    kernel (k = 1: ``w·x + b``). PyTorch's CPU Conv2d with one input and one output channel
    is slow, its backward pass especially; this is ~5× faster on one thread (harlib's
    implementation choice, not the paper's)."""

    def __init__(self, kernel_size: int, width: int):
        super().__init__(1, 1, kernel_size, padding=kernel_size // 2)
        k, p = kernel_size, kernel_size // 2
        fo, fi, a = torch.meshgrid(torch.arange(width), torch.arange(width), torch.arange(k),
                                   indexing="ij")
        c = fi - fo + p                                          # kernel column of the pair
        index = torch.where((c >= 0) & (c < k), a * k + c, k * k)   # k·k → a zero entry
        self.register_buffer("band_index", index, persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:          # (N, 1, T, F)
        k = self.kernel_size[0]
        if k == 1:
            return x * self.weight.view(()) + self.bias.view(())
        band = torch.cat([self.weight.reshape(-1), self.weight.new_zeros(1)])[self.band_index]
        out = F.conv1d(x[:, 0].transpose(1, 2), band, self.bias.expand(band.shape[0]),
                       padding=k // 2)
        return out.transpose(1, 2).unsqueeze(1)


class STDATLayer(nn.Module):
    """One STDAT encoder layer (notes §1.2), input and output ``(N, T, F)``:

    1. temporal MHA — ``MultiheadAttention(F, temporal_heads)`` over the T time steps;
    2. "spatial" (channel) MHA — ``MultiheadAttention(T, spatial_heads)`` over the F feature
       channels, each token being a channel's T-sample series (input transposed, output
       transposed back);
    3. ``X1 = LayerNorm_F(X + MHA_t(X) + MHA_s(Xᵀ)ᵀ)`` — both attentions and the residual
       under one LayerNorm;
    4. a convolution block instead of a feed-forward network, on X1 as a one-channel image
       ``N × 1 × T × F``: Conv2d 1→1 1×1, 3×3 (pad 1), 5×5 (pad 2), each followed by
       BatchNorm2d → Dropout → ReLU (``cnn_units`` = 1); ``X2 = LayerNorm_F(X1 + conv(X1))``
       (the convolutions computed by :class:`ImageConv`, numerically the same as Conv2d).

    No masks, no MLP; the MHAs keep their default attention dropout of 0 (notes §1.2.5).
    Needs ``F % temporal_heads == 0`` and ``T % spatial_heads == 0`` (the caller pads).

    Under bf16 autocast the two MHAs still run in fp32: on the CPU, torch's bf16 backward of
    scaled dot-product attention at these shapes is several times slower than its fp32
    one, which made the whole model slower in bf16 than in fp32
    (``benchmarks/train_throughput.py``). In fp32 this changes nothing.
    """

    def __init__(self, length: int, dim: int, temporal_heads: int, spatial_heads: int,
                 dropout: float):
        super().__init__()
        self.temporal = nn.MultiheadAttention(dim, temporal_heads, batch_first=True)
        self.spatial = nn.MultiheadAttention(length, spatial_heads, batch_first=True)
        self.norm1 = nn.LayerNorm(dim)
        conv = []
        for k in (1, 3, 5):
            conv += [ImageConv(k, dim), nn.BatchNorm2d(1), nn.Dropout(dropout), nn.ReLU()]
        self.conv = nn.Sequential(*conv)
        self.norm2 = nn.LayerNorm(dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:          # (N, T, F)
        with torch.autocast(x.device.type, enabled=False):      # attention in fp32 (docstring)
            xf = at_least_fp32(x)
            t, _ = self.temporal(xf, xf, xf, need_weights=False)
            xs = xf.transpose(1, 2)                              # (N, F, T): channel tokens
            s, _ = self.spatial(xs, xs, xs, need_weights=False)
        x1 = self.norm1(x + t + s.transpose(1, 2))
        return self.norm2(x1 + self.conv(x1.unsqueeze(1)).squeeze(1))


class PlacementEncoder(nn.Module):
    """STDAT encoder plus head for one placement: ``(N, T, F)`` → embedding ``(N, d)``.

    * positional encoding first, then ``layers`` STDAT layers (notes §1.3);
    * head (notes §1.3 and §2.1, PAMAP2): flatten T·F → Linear(T·F, ⌊T·F/2⌋) → ReLU →
      Dropout(``dropout``) → Linear(·, d) → ReLU, then BatchNorm1d(d) and
      Dropout(``embedding_dropout`` = 0.5), giving the placement embedding e_s (notes §2.1).
      The code hard-codes the sizes (PAMAP2: 4320 → 2160 → 512); here they follow T and F,
      halving with floor division (**assumed** for odd T·F).
    """

    def __init__(self, length: int, dim: int, *, layers: int, components: int,
                 temporal_heads: int, spatial_heads: int, dropout: float, embed_dim: int,
                 embedding_dropout: float, sigma_init: float):
        super().__init__()
        self.positional = GaussianMixturePositionalEncoding(length, dim, components, sigma_init)
        self.layers = nn.ModuleList(STDATLayer(length, dim, temporal_heads, spatial_heads,
                                               dropout) for _ in range(layers))
        flat = length * dim
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(flat, flat // 2), nn.ReLU(),
                                  nn.Dropout(dropout), nn.Linear(flat // 2, embed_dim), nn.ReLU())
        self.norm = nn.BatchNorm1d(embed_dim)
        self.dropout = nn.Dropout(embedding_dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:          # (N, T, F)
        x = self.positional(x)
        for layer in self.layers:
            x = layer(x)
        return self.dropout(self.norm(self.head(x)))


class CrossSensorAttention(nn.Module):
    """Cross-Sensor Attention, PAMAP2 version of the official code (notes §2.2).

    Q, K, V are Linear(d, d) layers (with bias) shared by all placements. For each ordered
    pair (i, j), i ≠ j, one scalar score per sample ``s_ij = q_iᵀ k_j / √d``; the P(P−1)
    scores are softmaxed *together, across pairs* (not per row); ``CSR_ij = a_ij · v_j``;
    fused embedding ``Σ_i e_i + Σ_{i≠j} CSR_ij``.

    Returns the fused embedding ``(B, d)`` and the weights ``(B, P, P)``: ``a[b, i, j]`` is
    the weight of the pair with the query from placement i and the key/value from j; the
    diagonal is 0 and the whole matrix (not each row) sums to 1 — the code's 6 weights for
    3 placements laid out as the off-diagonal cells of its 3 × 3 explainability map.
    Needs P ≥ 2 (:class:`STDualX` does not build it for one placement).

    The OPPORTUNITY notebook's token-level variant (one shared MultiheadAttention(4, 4) over
    the 128 × 4 reshaped embeddings for all 42 ordered pairs, mean of the pair outputs,
    LayerNorm) is **not** implemented.
    """

    def __init__(self, dim: int):
        super().__init__()
        self.query, self.key, self.value = (nn.Linear(dim, dim) for _ in range(3))
        self.scale = dim ** -0.5

    def forward(self, e: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:   # (B, P, d)
        b, p, _ = e.shape
        scores = self.query(e) @ self.key(e).transpose(1, 2) * self.scale     # (B, P, P)
        eye = torch.eye(p, device=e.device) > 0     # (a float eye: ONNX Runtime has no boolean EyeLike)
        scores = scores.masked_fill(eye, float("-inf"))
        attn = torch.softmax(scores.reshape(b, p * p), dim=1).reshape(b, p, p)
        return e.sum(1) + (attn @ self.value(e)).sum(1), attn


def _gradient_edge2(x: torch.Tensor) -> torch.Tensor:
    """``torch.gradient(x, dim=-1, edge_order=2)[0]`` (unit spacing) in plain slicing:
    central differences inside, second-order one-sided differences at both ends."""
    inner = (x[..., 2:] - x[..., :-2]) / 2
    first = (-3 * x[..., :1] + 4 * x[..., 1:2] - x[..., 2:3]) / 2
    last = (3 * x[..., -1:] - 4 * x[..., -2:-1] + x[..., -3:-2]) / 2
    return torch.cat([first, inner, last], dim=-1)


def _dft_magnitude(x: torch.Tensor) -> torch.Tensor:
    """``torch.fft.fft(x, dim=-1, norm="ortho").abs()`` as products with the DFT's cosine and
    sine matrices (exportable to ONNX, where complex tensors are not)."""
    n = x.shape[-1]
    k = torch.arange(n, dtype=torch.float64)
    angle = 2 * torch.pi * torch.outer(k, k) / n
    cos = (torch.cos(angle) / n ** 0.5).to(x.dtype)
    sin = (torch.sin(angle) / n ** 0.5).to(x.dtype)
    return torch.sqrt((x @ cos) ** 2 + (x @ sin) ** 2)


def tri_axial_placements(in_channels: int) -> dict[str, list[int]]:
    """harlib's fallback grouping when no placements are given: consecutive tri-axial
    sensors — groups of 3 channels, the remaining 1 or 2 channels forming the last group;
    fewer than 3 channels are one group. Names ``"sensor0"``, ``"sensor1"``, …
    (e.g. 9 → 3 groups of 3; 113 → 37 groups of 3 and one of 2)."""
    if in_channels < 1:
        raise ValueError(f"tri_axial_placements needs at least one channel, got {in_channels}")
    return {f"sensor{i}": list(range(s, min(s + 3, in_channels)))
            for i, s in enumerate(range(0, in_channels, 3))}


def _check_placements(placements, in_channels: int) -> dict[str, list[int]]:
    if not isinstance(placements, dict) or not placements:
        raise ValueError(f"STDualX: placements must be a non-empty mapping name → channel "
                         f"indices, got {placements!r}")
    out = {}
    for name, idx in placements.items():
        idx = [int(i) for i in idx]
        if not idx:
            raise ValueError(f"STDualX: placement {name!r} has no channels")
        out[str(name)] = idx
    seen = sorted(i for idx in out.values() for i in idx)
    if seen != list(range(in_channels)):
        raise ValueError(f"STDualX: the placements must cover channels 0..{in_channels - 1} "
                         f"exactly once, got {out}")
    return out


@register_model("stdualx")
class STDualX(HARModel):
    """STDual-X (paper C): per-placement STDAT encoders, Cross-Sensor Attention, FC head.

    Input ``(batch, in_channels, window_length)`` standardised floats; the time length must
    equal ``window_length`` (the flattening head is sized for it). Outputs
    (:meth:`forward_outputs`):

    * ``"embedding"`` ``(B, embed_dim)`` — the fused CSA embedding the classifier sees;
    * ``"logits"`` ``(B, n_classes)`` — Linear(embed_dim, n_classes) (notes §2.2);
    * ``"triplet_embeddings"`` — list of P per-placement embeddings e_s, each ``(B,
      embed_dim)``, taken after BatchNorm and Dropout as in the code (notes §2.1), for the
      per-placement triplet loss (notes §2.3: total ``CE + λ·mean_s triplet_s``; harlib's
      ``ce_triplet`` with ``weight=0.1`` for PAMAP2, 0.5 for OPPORTUNITY);
    * ``"cross_sensor_attention"`` ``(B, P, P)`` — CSA weights, query placement i (row) to
      key/value placement j (column); zero diagonal; one softmax over all P(P−1) pairs, so
      the whole matrix sums to 1 (see :class:`CrossSensorAttention`).

    **Placements** (the paper's "IMU placed on a body part"). In this order of precedence:
    ``channel_groups["placement"]`` (harlib's ``{"placement": {name: [indices]}, …}``), or
    ``placements={name: [indices]}``, or — neither given — the fallback
    :func:`tri_axial_placements` (consecutive groups of 3 channels, remainder as the last
    group, < 3 channels one group; **assumed**: relies on a sensor's axes being adjacent).
    The placements must cover every channel exactly once and none may be empty.

    The class sets ``accepts_channel_groups``: :func:`~harlib.models.create_model` (and so
    ``create_model_for`` and the training engine) passes a window set's channel groups when
    it has them, and the fallback applies only when none are given. ``placements=`` names
    the groups directly (e.g. a subset of a dataset's sensors).

    **Per-placement input** (notes §1.4, §2.6). With ``feature_expansion=True`` (default, as
    in the official code, whose PAMAP2 and OPPORTUNITY inputs are 36 expanded features per
    placement) each channel gives 4 features — raw, |FFT|, 1st and 2nd derivative — laid out
    per consecutive axis triple of the placement as [raw x y z, |FFT| x y z, d1 x y z,
    d2 x y z] (the code's 12 features per sensor), so F = 4·channels. Derivatives follow
    ``np.gradient(edge_order=2)`` (the second is the gradient of the first). **Assumed**,
    and differing from the code: the code takes the FFT over each whole per-activity
    recording and standardises the 12 features per recording (which leaks test statistics
    and labels, notes §3); harlib sees only the standardised window, so |FFT| is taken over
    the window with orthonormal scaling (``norm="ortho"``, keeping it on the raw scale) and
    no further scaling is applied. ``feature_expansion=False`` feeds the raw channels (F =
    channels). There is no input projection: d_model = F (notes §1).

    **Shapes** (**assumed**; the code has all placements equal at F = 36 and T divisible by
    the heads): each placement's features are zero-padded to a common ``F_model`` =
    max F rounded up to a multiple of ``temporal_heads``, so one encoder can be shared; the
    window is zero-padded at its end (after the expansion) to ``T_model``, the next multiple
    of ``spatial_heads`` — the code's BehaveFormer pipeline likewise zero-pads short IMU
    sequences, without masks (notes §1.4). So any window ≥ 3 samples works (the
    second-order-edge derivative needs 3) and any number of channels.

    **Encoders** (notes §2.1): ``shared_encoder=True`` (default, as in the code: one STDAT +
    head instance applied to every placement, despite its "three separate models" comment)
    or one encoder per placement. Placements are encoded one at a time, so each BatchNorm
    computes its batch statistics per placement as in the code's separate calls.

    **CSA** (notes §2.2): the PAMAP2 version. With one placement there are no pairs: the CSA
    module is not built, the fused embedding is that placement's embedding unchanged, and
    ``"cross_sensor_attention"`` is a ``(B, 1, 1)`` zero tensor.

    **Sensors by modality** (an adaptation, not the paper's): ``sensors="modality"`` takes
    the "sensors" from ``channel_groups["modality"]`` instead of the placements, so a
    single-placement dataset (one phone) gets one encoder input per modality — e.g.
    UCI-HAR's body acceleration, gyroscope and total acceleration — and CSA has pairs to
    weigh.

    **Ablations** (paper C's "w/o STDAT", "w/o CSA"; the abstract does not say what replaced
    the removed part, so this is **assumed**): ``stdat=False`` keeps the positional encoding
    and the flattening head but no STDAT layer (the encoder becomes an MLP over the
    position-encoded features); ``cross_sensor_attention=False`` fuses the placements by the
    sum Σ_i e_i that CSA adds its relation vectors to, and returns zero attention weights.
    "w/o contrastive loss" is a loss choice (plain cross-entropy), not a model option.

    **Defaults** (notes §2.1, the PAMAP2 encoder; OPPORTUNITY's differs in ``layers=5`` and
    its T = 64): ``layers`` N = 3, ``mixture_components`` k = 100, ``temporal_heads`` h = 4,
    ``spatial_heads`` h′ = 4, ``embed_dim`` 512, ``embedding_dropout`` 0.5, ``sigma_init``
    50.0, and ``dropout`` 0.1 for the convolution block and the head's hidden layer (the
    authors' ``model.py``: ``Transformer(3, feature_count, 100, 4, 4, l, trg_len, 0.1)`` and
    ``nn.Dropout(0.1)`` in ``linear_imu``; BehaveFormer's value too, notes §1.3–1.4).

    The parameter count grows with T·F_model (the flattening head), e.g. 9 channels × 128:
    2.57 M with the tri-axial fallback (3 placements of 3 channels, F = 12), 12.0 M with one
    9-channel placement (F = 36, as PAMAP2's code).
    """

    accepts_channel_groups = True    # channel groups used when given (fallback otherwise)
    kind = "method"                  # paper C's method, not a baseline of the zoo

    def __init__(self, in_channels: int, n_classes: int, window_length: int,
                 channel_groups: dict | None = None, placements: dict | None = None, *,
                 layers: int = 3, mixture_components: int = 100, temporal_heads: int = 4,
                 spatial_heads: int = 4, embed_dim: int = 512, dropout: float = 0.1,
                 embedding_dropout: float = 0.5, sigma_init: float = 50.0,
                 feature_expansion: bool = True, shared_encoder: bool = True,
                 stdat: bool = True, cross_sensor_attention: bool = True,
                 sensors: str = "placement"):
        super().__init__(in_channels, n_classes, window_length)
        for name, value in (("layers", layers), ("mixture_components", mixture_components),
                            ("temporal_heads", temporal_heads), ("spatial_heads", spatial_heads),
                            ("embed_dim", embed_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"STDualX: {name} must be a positive integer, got {value!r}")
        for name, value in (("dropout", dropout), ("embedding_dropout", embedding_dropout)):
            if not 0.0 <= value < 1.0:
                raise ValueError(f"STDualX: {name} must be in [0, 1), got {value!r}")
        if not sigma_init > 0:
            raise ValueError(f"STDualX: sigma_init must be positive, got {sigma_init!r}")
        for name, value in (("feature_expansion", feature_expansion), ("shared_encoder", shared_encoder),
                            ("stdat", stdat), ("cross_sensor_attention", cross_sensor_attention)):
            if not isinstance(value, bool):
                raise ValueError(f"STDualX: {name} must be True or False, got {value!r}")
        if feature_expansion and window_length < 3:
            raise ValueError(f"STDualX: feature_expansion needs window_length >= 3 (second-order "
                             f"edge derivatives), got {window_length}")

        if channel_groups is not None and placements is not None:
            raise ValueError("STDualX: give channel_groups or placements, not both")
        if sensors not in ("placement", "modality"):
            raise ValueError(f"STDualX: sensors must be 'placement' or 'modality', got {sensors!r}")
        if channel_groups is not None:
            if not isinstance(channel_groups, dict) or sensors not in channel_groups:
                raise ValueError(f"STDualX: channel_groups must hold a {sensors!r} grouping, got "
                                 f"{channel_groups!r}")
            placements = channel_groups[sensors]
        if placements is None:
            placements = tri_axial_placements(in_channels)
        placements = _check_placements(placements, in_channels)
        self.placement_names = list(placements)
        self.placements = placements
        n_kinds = len(EXPANSION_KINDS) if feature_expansion else 1
        self.feature_expansion = feature_expansion

        # feature index table (P, F_model) into [kind-major features (n_kinds·C), one zero row]
        zero_row = n_kinds * in_channels
        n_features = n_kinds * max(len(idx) for idx in placements.values())
        self.n_features = math.ceil(n_features / temporal_heads) * temporal_heads   # F_model
        self.model_length = math.ceil(window_length / spatial_heads) * spatial_heads  # T_model
        table = []
        for idx in placements.values():
            row = [kind * in_channels + ch for s in range(0, len(idx), 3)
                   for kind in range(n_kinds) for ch in idx[s:s + 3]]
            table.append(row + [zero_row] * (self.n_features - len(row)))
        self.register_buffer("feature_index", torch.tensor(table, dtype=torch.long),
                             persistent=False)

        def encoder() -> PlacementEncoder:
            return PlacementEncoder(self.model_length, self.n_features, layers=layers if stdat else 0,
                                    components=mixture_components, temporal_heads=temporal_heads,
                                    spatial_heads=spatial_heads, dropout=dropout,
                                    embed_dim=embed_dim, embedding_dropout=embedding_dropout,
                                    sigma_init=sigma_init)

        n_enc = 1 if shared_encoder else len(placements)
        self.encoders = nn.ModuleList(encoder() for _ in range(n_enc))
        self.csa = (CrossSensorAttention(embed_dim) if len(placements) > 1 and cross_sensor_attention
                    else None)
        self.sum_placements = len(placements) > 1 and not cross_sensor_attention
        self.embed_dim = embed_dim
        self.head = nn.Linear(embed_dim, n_classes)

    def expand(self, x: torch.Tensor) -> torch.Tensor:
        """Per-placement encoder input ``(B, P, T_model, F_model)`` of windows ``(B, C, T)``:
        the (optionally expanded) features gathered per placement, zero-padded in F and T."""
        x = at_least_fp32(x)
        parts = [x]
        if self.feature_expansion:
            if torch.onnx.is_in_onnx_export():      # the same features in ONNX-exportable ops
                d1 = _gradient_edge2(x)
                parts += [_dft_magnitude(x), d1, _gradient_edge2(d1)]
            else:
                d1 = torch.gradient(x, dim=-1, edge_order=2)[0]
                parts += [torch.fft.fft(x, dim=-1, norm="ortho").abs(), d1,
                          torch.gradient(d1, dim=-1, edge_order=2)[0]]
        feats = torch.cat(parts + [x.new_zeros(x.shape[0], 1, x.shape[2])], dim=1)
        h = feats[:, self.feature_index]                         # (B, P, F_model, T)
        h = F.pad(h, (0, self.model_length - x.shape[2]))
        return h.transpose(2, 3)

    def _outputs(self, x: torch.Tensor) -> dict:
        self.check_input(x)
        if x.shape[2] != self.window_length:
            raise ValueError(f"STDualX expects windows of {self.window_length} time steps (its "
                             f"flattening head is sized for them), got {x.shape[2]}")
        h = self.expand(x).to(x.dtype)
        embs = [self.encoders[p if len(self.encoders) > 1 else 0](h[:, p])
                for p in range(h.shape[1])]
        if self.sum_placements:            # ablation without CSA: Σ_i e_i, no relation vectors
            p = len(embs)
            z, attn = torch.stack(embs, dim=1).sum(1), embs[0].new_zeros(x.shape[0], p, p)
        elif self.csa is None:
            z, attn = embs[0], embs[0].new_zeros(x.shape[0], 1, 1)
        else:
            z, attn = self.csa(torch.stack(embs, dim=1))
        return {"embedding": z, "triplet_embeddings": embs, "cross_sensor_attention": attn}

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self._outputs(x)["embedding"]

    def forward_outputs(self, x: torch.Tensor) -> dict:
        out = self._outputs(x)
        return {"embedding": out["embedding"], "logits": self.forward_head(out["embedding"]),
                "triplet_embeddings": out["triplet_embeddings"],
                "cross_sensor_attention": out["cross_sensor_attention"]}
