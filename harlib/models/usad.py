"""USAD's classifier — the multi-branch spatio-temporal attention network of paper B
("USAD: End-to-End Human Activity Recognition via Diffusion Model with Spatiotemporal
Attention", arXiv 2507.02827; §3.2, eqs. 20–22, Fig. 2). Registered as ``"usad"``.

Only the network of §3.2 is here. The rest of paper B's method is training-side: the
statistics-guided diffusion augmentation (§3.1) and the adaptive composite loss (§3.3).

Sources: the paper text (arXiv 2507.02827; every equation there is blank, so eqs. 20–22
are rebuilt from their surrounding sentences) and what is known of ResNeSt ("notes §3"
below). §3.2 paraphrases
ResNeSt's split-attention block (Zhang et al., "ResNeSt: Split-Attention Networks",
arXiv 2004.08955, its §3.1–3.2) almost sentence for sentence. It adds a spatial attention
step and calls the split block's grouped-FC weighting "temporal attention". No official
code exists. Everything that neither §3.2 nor ResNeSt (as notes §3 describes it) fixes is
marked **assumed** in the docstrings below.

Shapes: input ``(batch, channels, time)``; the embedding is ``(batch, widths[-1])``.

Explained in notebooks 21 (architecture) and 22–27 (loss, ablation, imbalance,
comparison, deployment, loss hyperparameters); the tables are built by :mod:`harlib.papers.usad`.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .base import HARModel, register_model

__all__ = ["radix_softmax", "SpatialAttention1d", "SplitAttention1d", "USADBlock",
           "CrossBranchFusion", "USAD"]


def radix_softmax(logits: torch.Tensor, radix: int, cardinality: int) -> torch.Tensor:
    """ResNeSt's rSoftmax (notes §3.1 step 6; paper B eq. 21): ``(batch, K·R·c)`` logits in
    the cardinal-major order ``[k][r][c]`` that the grouped FCs produce, turned into weights
    ``(batch, R·K·c)`` in the radix-major order ``[r][k][c]`` of the split features.

    For ``radix > 1`` the softmax runs over the R splits of every channel, so the weights
    of one channel sum to 1 over r. For ``radix == 1`` each weight is a sigmoid gate
    instead (SE-style), as in ResNeSt.
    """
    b = logits.shape[0]
    if radix > 1:
        a = logits.reshape(b, cardinality, radix, -1).transpose(1, 2)    # (B, R, K, c)
        return a.softmax(dim=1).reshape(b, -1)
    return torch.sigmoid(logits).reshape(b, -1)


class SpatialAttention1d(nn.Module):
    """Paper B §3.2, "Method Flow": the spatial attention on the split features.

    What the paper says: average- and max-pool "along the spatial direction", concatenate
    the two descriptors, and let a convolution generate the spatial attention map
    "encoding spatial locations of interest in each map". The paper applies it before the
    cross-split summation. This is CBAM's spatial attention (Woo et al., 2018).

    Implemented: input U of shape ``(batch, R·C, T)`` in radix-major order (split r holds
    channels ``[r·C, (r+1)·C)``). For each split we take the mean and the max over its C
    channels, giving ``(batch, 2R, T)``. A ``Conv1d(2R → R, kernel, groups=R)`` follows,
    then a sigmoid, giving the map ``(batch, R, T)`` with values in (0, 1). Each split is
    multiplied by its own map, broadcast over its channels.

    **Assumed**:

    * one map per radix split, each with its own kernel (the paper's "each map");
    * kernel 7 with "same" padding, as in CBAM;
    * the conv has a bias.

    In this 1-D network the "locations" are time steps, so the map weights time steps.
    The sensor axes have already been mixed by the stem (see :class:`USAD`).
    """

    def __init__(self, radix: int, kernel_size: int = 7):
        super().__init__()
        self.radix = radix
        self.conv = nn.Conv1d(2 * radix, radix, kernel_size, padding=kernel_size // 2,
                              groups=radix)

    def forward(self, u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        b, rc, t = u.shape
        splits = u.view(b, self.radix, rc // self.radix, t)
        desc = torch.stack([splits.mean(dim=2), splits.amax(dim=2)], dim=2)   # (B, R, 2, T)
        attn = torch.sigmoid(self.conv(desc.reshape(b, 2 * self.radix, t)))   # (B, R, T)
        return (splits * attn.unsqueeze(2)).reshape(b, rc, t), attn


def _grouped_linear(x: torch.Tensor, fc: nn.Conv1d, groups: int) -> torch.Tensor:
    """``fc(x[..., None])[..., 0]`` for a grouped 1×1 ``Conv1d`` and ``x`` of shape
    ``(batch, in)``, computed as one batched matrix product. PyTorch's CPU path for small
    grouped convolutions loops over the groups (harlib's implementation choice)."""
    b = x.shape[0]
    w = fc.weight.view(groups, fc.out_channels // groups, fc.in_channels // groups)
    y = torch.einsum("bgi,goi->bgo", x.view(b, groups, -1), w).reshape(b, -1)
    return y + fc.bias


class SplitAttention1d(nn.Module):
    """The split-attention unit of paper B §3.2 (eqs. 20–22) in 1-D, with its two
    switchable attentions. Maps ``(batch, C, T) → (batch, C, T)``, where C = ``channels``,
    K = ``cardinality`` and R = ``radix``.

    1. **Split transformations F_i** (§3.2, "Method Flow", last paragraph). All G = K·R
       transformations are one grouped convolution, ``Conv1d(C → R·C, kernel,
       groups=K·R)``, followed by BN and ReLU. Its output is radix-major, as in ResNeSt
       (notes §3.1 step 2): split r is channels ``[r·C, (r+1)·C)``, and within a split
       the K cardinal groups are contiguous.
       The paper's text says groups with the same *cardinality* index lie next to each
       other, i.e. a cardinal-major layout. ResNeSt's radix-major layout puts groups with
       the same *radix* index together (notes §3.1–3.3). We follow ResNeSt, because
       it is the layout that a single grouped convolution produces. The rest of the
       paper's paragraph follows ResNeSt's "radix-major implementation" (notes §3.3),
       including the single grouped convolution.
    2. **Spatial attention** (§3.2, "Method Flow"; :class:`SpatialAttention1d`), when
       ``spatial=True``. It multiplies each split by its own time map.
    3. **Cardinality / cross-split summation** (eq. 20): Û = Σ_r U_r, an element-wise sum
       over the splits of every cardinal group, giving ``(batch, C, T)``.
    4. **Temporal attention** (eq. 22 and eq. 21), when ``temporal=True``.
       Global average pooling over time gives s = GAP(Û), shape ``(batch, C)``; each
       cardinal group is pooled separately. Then come "two consecutive fully connected
       layers, each with a number of groups equal to the cardinality": ``fc1`` (C →
       ``inter``, groups=K, ReLU) and ``fc2`` (``inter`` → R·C, groups=K). These give the
       logits G(s). :func:`radix_softmax` turns them into weights a, and the output is
       V = Σ_r a_r ⊙ U_r (eq. 21). This is exactly ResNeSt's split attention (notes §3.1
       steps 3–7). The paper calls it "temporal attention".
       With ``temporal=False`` the output is the plain sum V = Û. That is the "Backbone
       Only" of Table 2: the multi-branch structure with cardinality and radix grouping
       but no attention.
    5. **Concatenation** (§3.2, "Feature Concatenation"): V = Concat{V^1 … V^K}. The K
       cardinal groups already lie side by side along the channels, so no extra operation
       is needed.

    **Assumed**:

    * ``inter = max(R·C // 4, 32)``, rounded up to a multiple of K. This is ResNeSt's
      reduction 4 with its floor of 32.
    * fc1 has no BatchNorm, unlike ResNeSt. A (batch, inter, 1) BatchNorm would fail on
      training batches of one window.
    """

    def __init__(self, channels: int, kernel_size: int, radix: int, cardinality: int, *,
                 spatial: bool = True, temporal: bool = True, spatial_kernel: int = 7,
                 reduction: int = 4, min_inter: int = 32):
        super().__init__()
        if channels % (radix * cardinality):
            raise ValueError(f"USAD: split-attention width {channels} must be divisible by "
                             f"radix × cardinality = {radix * cardinality}")
        self.channels, self.radix, self.cardinality = channels, radix, cardinality
        self.conv = nn.Sequential(
            nn.Conv1d(channels, channels * radix, kernel_size, padding=kernel_size // 2,
                      groups=cardinality * radix, bias=False),
            nn.BatchNorm1d(channels * radix), nn.ReLU(inplace=True))
        self.spatial = SpatialAttention1d(radix, spatial_kernel) if spatial else None
        if temporal:
            inter = max(channels * radix // reduction, min_inter)
            inter = -(-inter // cardinality) * cardinality
            self.fc1 = nn.Conv1d(channels, inter, 1, groups=cardinality)
            self.fc2 = nn.Conv1d(inter, channels * radix, 1, groups=cardinality)
        else:
            self.fc1 = self.fc2 = None

    def forward(self, x: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        """Output ``(batch, C, T)``, the spatial map ``(batch, R, T)`` (or None) and the split
        weights ``(batch, R, C)`` (or None)."""
        u = self.conv(x)                                               # (B, R·C, T)
        b, _, t = u.shape
        spatial = None
        if self.spatial is not None:
            u, spatial = self.spatial(u)
        splits = u.view(b, self.radix, self.channels, t)
        gap = splits.sum(dim=1)                                        # eq. 20: Û
        if self.fc1 is None:
            return gap, spatial, None
        s = gap.mean(dim=-1)                                           # eq. 22: (B, C)
        h = F.relu(_grouped_linear(s, self.fc1, self.cardinality))
        logits = _grouped_linear(h, self.fc2, self.cardinality)         # (B, K·R·c)
        a = radix_softmax(logits, self.radix, self.cardinality).view(b, self.radix,
                                                                      self.channels)
        out = (splits * a.unsqueeze(-1)).sum(dim=1)                    # eq. 21: V
        return out, spatial, a


class _CeilAvgPool1d(nn.Module):
    """``AvgPool1d(stride, stride, ceil_mode=True, count_include_pad=False)``, written as a
    reshape and a mean. PyTorch's CPU kernel for that pooling is ~10× slower, and this
    gives the same values (harlib's implementation choice)."""

    def __init__(self, stride: int):
        super().__init__()
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t, s = x.shape[-1], self.stride
        full = t // s
        out = x[..., :full * s].reshape(*x.shape[:-1], full, s).mean(dim=-1)
        if full * s < t:                       # the last, partial window: mean of what is there
            out = torch.cat([out, x[..., full * s:].mean(dim=-1, keepdim=True)], dim=-1)
        return out


class USADBlock(nn.Module):
    """One residual block of a USAD branch, maps ``(batch, cin, T) → (batch, cout,
    ⌈T/stride⌉)``. It follows §3.2's "decentralized attention blocks … modularized together
    with standard CNN modules, with residual connections and concatenation", laid out
    like ResNeSt's bottleneck (notes §3.4).

    The block runs: 1×1 conv (cin → ``group_width``), BN, ReLU → :class:`SplitAttention1d`
    with this branch's kernel → average pool by ``stride`` (ResNeSt's "avd", placed after
    the split attention) → 1×1 conv (``group_width`` → cout), BN → add the shortcut
    (Y = V + T(X), §3.2 "Feature Concatenation") → ReLU.

    The shortcut is the identity, or average pool by ``stride`` → 1×1 conv → BN
    (ResNeSt's ``avg_down``). Pooling uses ``ceil_mode`` and ``count_include_pad=False``.
    """

    def __init__(self, cin: int, cout: int, group_width: int, kernel_size: int, stride: int,
                 radix: int, cardinality: int, spatial: bool, temporal: bool,
                 spatial_kernel: int):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv1d(cin, group_width, 1, bias=False),
                                   nn.BatchNorm1d(group_width), nn.ReLU(inplace=True))
        self.split = SplitAttention1d(group_width, kernel_size, radix, cardinality,
                                      spatial=spatial, temporal=temporal,
                                      spatial_kernel=spatial_kernel)
        self.pool = _CeilAvgPool1d(stride) if stride > 1 else nn.Identity()
        self.conv3 = nn.Sequential(nn.Conv1d(group_width, cout, 1, bias=False),
                                   nn.BatchNorm1d(cout))
        if stride > 1 or cin != cout:
            self.shortcut = nn.Sequential(
                _CeilAvgPool1d(stride) if stride > 1 else nn.Identity(),
                nn.Conv1d(cin, cout, 1, bias=False), nn.BatchNorm1d(cout))
        else:
            self.shortcut = nn.Identity()

    def forward(self, x: torch.Tensor):
        h, spatial, split = self.split(self.conv1(x))
        h = self.conv3(self.pool(h))
        return F.relu(h + self.shortcut(x)), spatial, split


class CrossBranchFusion(nn.Module):
    """The cross-branch feature fusion unit. Paper B's abstract and §1 name it; §3.2 opens
    with "branch attention models".

    **Assumed** (the paper gives no form for it): selective-kernel soft attention over the
    M branch outputs Y_m, each ``(batch, C, T)`` (Li et al., SKNet, CVPR 2019). It uses
    the same channel-wise soft attention as the radix split of eq. 21:

    * s = GAP(Σ_m Y_m), shape ``(batch, C)``;
    * z = ReLU(W s), with ``hidden = max(C // 16, 32)`` units (SKNet's r = 16, L = 32),
      without BatchNorm;
    * a = softmax over m of (W_m z), with a ∈ ``(batch, M, C)``;
    * the output is Σ_m a_m ⊙ Y_m.
    """

    def __init__(self, channels: int, n_branches: int, reduction: int = 16,
                 min_hidden: int = 32):
        super().__init__()
        hidden = max(channels // reduction, min_hidden)
        self.n_branches = n_branches
        self.squeeze = nn.Linear(channels, hidden)
        self.select = nn.Linear(hidden, channels * n_branches)

    def forward(self, branches: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        u = torch.stack(list(branches), dim=1)                          # (B, M, C, T)
        b, m, c, _ = u.shape
        s = u.sum(dim=1).mean(dim=-1)                                   # (B, C)
        a = self.select(F.relu(self.squeeze(s))).view(b, m, c).softmax(dim=1)
        return (u * a.unsqueeze(-1)).sum(dim=1), a


@register_model("usad")
class USAD(HARModel):
    """USAD's multi-branch spatio-temporal attention network: paper B §3.2, eqs. 20–22,
    Fig. 2; the ablation switches follow Table 2.

    Input ``(batch, in_channels, T)`` float, standardised. T may be any length of at least
    :attr:`min_length` = 2^(len(widths)) + 1, which is 9 with the defaults. That keeps 3
    time steps in the deepest stage. A shorter window, at construction or in ``forward``,
    raises a ValueError that names the length. Embedding ``(batch, widths[-1])``.

    Architecture:

    * **Stem** (**assumed**; §3.2 only says the features "are directly inserted"):
      Conv1d(in_channels → ``stem_width``, kernel 5), BN, ReLU. There is no stride. It
      mixes the sensor axes and is shared by the branches. Kernel 5 is the kernel of the
      §3.1.3 pre-training classifier.
    * **Parallel residual branches** (abstract, §1, §3.2): one branch per kernel size in
      ``branches`` (the paper's 3, 5 and 7). Each branch is a stack of
      :class:`USADBlock`\\ s, one stage per entry of ``widths`` and ``blocks`` per stage.
      Each stage after the first halves the time axis in its first block. Every block
      holds the split attention (eqs. 20–22) with cardinality K and radix R, using the
      branch's kernel. Its ``group_width`` is ``bottleneck_ratio``·width, rounded to a
      multiple of K·R.
    * **Cross-branch fusion** (:class:`CrossBranchFusion`; its form is **assumed**): soft
      attention over the branch outputs. It is absent when there is only one branch.
    * **Global average pooling**, then dropout and a linear head. The head is
      **assumed**: the dropout rate 0.3 is taken from the §3.1.3 classifier.

    Ablation switches (Table 2):

    * ``spatial_attention=False`` removes every :class:`SpatialAttention1d`;
    * ``temporal_attention=False`` removes the grouped FCs of eq. 21–22, and the splits
      are then simply summed (eq. 20);
    * ``branches`` selects the kernels kept.

    Both attentions off is the "Backbone Only" row.

    Further **assumptions** on the layout:

    * The network is 1-D. Convolutions run along time, and the sensor axes are the input
      channels. The abstract's "3×3, 5×5, 7×7" kernels become kernels 3, 5 and 7 along
      time. A 2-D (sensor × time) reading, like ResNeSt's images, is possible but not
      implemented.
    * The branches are separate stacks from a shared stem, fused once at the end. Fig. 2
      might instead fuse them inside every block; the text does not say.
    * The attention names follow the paper, not what the maps index. The "spatial" map
      weights time steps. The "temporal" weights are per split and per channel, and
      constant over time (§3.2 describes ResNeSt's channel-wise split attention under
      that name).

    **Widths, chosen by us; the paper states none of these.** The defaults are
    ``stem_width=32``, ``widths=(48, 96, 192)`` (group widths 24, 48 and 96),
    ``blocks=(1, 1, 1)``, ``bottleneck_ratio=0.5``, ``cardinality=2`` and ``radix=2``
    (ResNeSt-50 uses radix 2). They were picked so that paper B's WISDM setting (3 axes,
    window 90, 6 classes) gives 340,548 parameters, 1.9 % below Table 5's 3.47e5.
    Switching attentions off gives: no spatial attention 340,278; no temporal attention
    308,100; neither 307,830. Branches (3, 5) give 217,562 and (3,) gives 94,160.
    This architecture's count barely depends on the channel count. An OPPORTUNITY-like
    input (113 channels, window 30, 18 classes) gives 360,464, whereas Table 5 has
    1.09e6. The paper's growth with the channel count suggests sensor-wise layers or a
    2-D layout that §3.2 does not describe.

    ``forward_outputs`` adds these attention maps, for the notebooks. M is the number of
    branches, in the order of ``branches``.

    * ``"spatial_attention"``: ``(batch, M, R, T)``, sigmoid values in (0, 1). These are
      the first block's spatial maps in every branch, one weight per input time step (the
      stem and the first stage do not stride).
    * ``"temporal_attention"``: ``(batch, M, R, group_width)``. These are the last block's
      split weights in every branch. With R > 1 they are a softmax over R, so they sum to
      1 along dim 2. With R = 1 they are sigmoid gates.
    * ``"spatial_attention_blocks"`` and ``"temporal_attention_blocks"``: lists with one
      entry per block, in depth order. Each has the shape above, with that block's group
      width, and with its input length as T (a block strides after its split attention).
    * ``"branch_attention"``: ``(batch, M, widths[-1])``, a softmax over the branches, so
      it sums to 1 along dim 1. Present only when M > 1.

    A key is absent when its module is switched off.
    """

    kind = "method"                  # paper B's own network, not a baseline of the zoo

    def __init__(self, in_channels: int, n_classes: int, window_length: int, *,
                 branches: Sequence[int] = (3, 5, 7), spatial_attention: bool = True,
                 temporal_attention: bool = True, stem_width: int = 32,
                 widths: Sequence[int] = (48, 96, 192), blocks: Sequence[int] = (1, 1, 1),
                 bottleneck_ratio: float = 0.5, cardinality: int = 2, radix: int = 2,
                 spatial_kernel: int = 7, dropout: float = 0.3):
        super().__init__(in_channels, n_classes, window_length)
        for name, flag in (("spatial_attention", spatial_attention),
                           ("temporal_attention", temporal_attention)):
            if not isinstance(flag, bool):
                raise ValueError(f"USAD: {name} must be True or False, got {flag!r}")
        branches = tuple(branches) if isinstance(branches, (list, tuple)) else branches
        if (not isinstance(branches, tuple) or not branches
                or any(isinstance(k, bool) or not isinstance(k, int) or k < 1 or k % 2 == 0
                       for k in branches)
                or len(set(branches)) != len(branches)):
            raise ValueError(f"USAD: branches must be a non-empty tuple of distinct odd kernel "
                             f"sizes (the paper's are (3, 5, 7)), got {branches!r}")
        for name, value in (("stem_width", stem_width), ("cardinality", cardinality),
                            ("radix", radix), ("spatial_kernel", spatial_kernel)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"USAD: {name} must be a positive integer, got {value!r}")
        if spatial_kernel % 2 == 0:
            raise ValueError(f"USAD: spatial_kernel must be odd, got {spatial_kernel}")
        widths, blocks = tuple(widths), tuple(blocks)
        if (not widths or len(widths) != len(blocks)
                or any(isinstance(v, bool) or not isinstance(v, int) or v < 1
                       for v in widths + blocks)):
            raise ValueError(f"USAD: widths and blocks must be non-empty sequences of positive "
                             f"integers of equal length, got {widths!r} and {blocks!r}")
        if not 0 < bottleneck_ratio <= 4:
            raise ValueError(f"USAD: bottleneck_ratio must be in (0, 4], got {bottleneck_ratio!r}")
        if not 0 <= dropout < 1:
            raise ValueError(f"USAD: dropout must be in [0, 1), got {dropout!r}")
        self.branch_kernels = branches
        self.radix, self.cardinality = radix, cardinality
        self.n_downsamplings = len(widths) - 1
        # the deepest stage must keep ≥ 3 time steps: ⌈T / 2^n⌉ ≥ 3  ⇔  T ≥ 2^(n+1) + 1
        self.min_length = 2 ** (self.n_downsamplings + 1) + 1
        if window_length < self.min_length:
            raise ValueError(self._too_short(window_length))

        unit = radix * cardinality
        self.group_widths = tuple(max(unit, int(round(w * bottleneck_ratio / unit)) * unit)
                                  for w in widths)
        self.stem = nn.Sequential(
            nn.Conv1d(in_channels, stem_width, 5, padding=2, bias=False),
            nn.BatchNorm1d(stem_width), nn.ReLU(inplace=True))

        def branch(kernel: int) -> nn.ModuleList:
            layers, cin = [], stem_width
            for j, (w, gw, n) in enumerate(zip(widths, self.group_widths, blocks)):
                for i in range(n):
                    layers.append(USADBlock(cin, w, gw, kernel, 2 if (j > 0 and i == 0) else 1,
                                            radix, cardinality, spatial_attention,
                                            temporal_attention, spatial_kernel))
                    cin = w
            return nn.ModuleList(layers)

        self.branches = nn.ModuleList(branch(k) for k in branches)
        self.fusion = CrossBranchFusion(widths[-1], len(branches)) if len(branches) > 1 else None
        self.embed_dim = widths[-1]
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(widths[-1], n_classes))

    def _too_short(self, length: int) -> str:
        return (f"USAD: window length {length} is too short for {self.n_downsamplings} "
                f"stride-2 stages; it needs at least {self.min_length} time steps so the "
                f"deepest stage keeps 3")

    def _forward(self, x: torch.Tensor) -> tuple[torch.Tensor, dict]:
        self.check_input(x)
        if x.shape[-1] < self.min_length:
            raise ValueError(self._too_short(x.shape[-1]))
        h0 = self.stem(x)
        outs, spatial, split = [], [], []        # per branch: output; per block: maps
        for blocks in self.branches:
            h, sp, sa = h0, [], []
            for block in blocks:
                h, s_map, a = block(h)
                sp.append(s_map)
                sa.append(a)
            outs.append(h)
            spatial.append(sp)
            split.append(sa)
        maps: dict = {}
        if self.fusion is None:
            fused = outs[0]
        else:
            fused, maps["branch_attention"] = self.fusion(outs)
        if spatial[0][0] is not None:
            per_block = [torch.stack(ms, dim=1) for ms in zip(*spatial)]   # (B, M, R, T_j)
            maps["spatial_attention"] = per_block[0]
            maps["spatial_attention_blocks"] = per_block
        if split[0][0] is not None:
            per_block = [torch.stack(ms, dim=1) for ms in zip(*split)]     # (B, M, R, gw_j)
            maps["temporal_attention"] = per_block[-1]
            maps["temporal_attention_blocks"] = per_block
        return fused.mean(dim=-1), maps

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self._forward(x)[0]

    def forward_outputs(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        z, maps = self._forward(x)
        return {"embedding": z, "logits": self.forward_head(z), **maps}
