"""Paper B's statistics-guided conditional diffusion augmenter (paper B, USAD, arXiv
2507.02827, §3.1), registered in the augmentation stage as ``"diffusion"``.

Paper B's equations are blank in the text available to us; what follows rebuilds them from
the surrounding sentences of §3.1. Everything the text does not state is marked
**assumed** here and in the docstrings below; nothing marked so is the paper's.

Components (channels C, window length L, standardised windows ``x0`` of shape ``(C, L)``):

* Conditioning, §3.1.1 eq. 1–4. Per channel global statistics (eq. 1): mean μ, standard
  deviation σ and skewness γ; local point-wise Z-scores z_i = (x_i − μ)/σ (eq. 2); the
  conditioning tensor f replicates the global statistics over time and stacks them with the
  Z-scores (eq. 3), i.e. ``f = [μ·1_L; σ·1_L; γ·1_L; z]`` of shape ``(4C, L)``; class
  prototypes f̄_y = (1/N_y) Σ_{i: y_i = y} f_i over the N_y training windows of class y
  (eq. 4) guide generation. Assumed: the statistics are per channel (the text speaks of
  "a sequence"; per channel is what a multi-channel window needs); skewness is the biased
  moment estimator E[z³]; σ is floored at 1e-6.
* Forward process, §3.1.2 eq. 5–7: DDPM q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I) with
  ᾱ_t = Π_{s≤t} (1 − β_s) and the cosine schedule (Nichol & Dhariwal 2021)
  ᾱ_t = f(t)/f(0), f(t) = cos²(((t/T + s)/(1 + s))·π/2), β_t = min(1 − ᾱ_t/ᾱ_{t−1}, 0.999).
  The text mentions an offset s; its value is not given, s = 0.008 (Nichol & Dhariwal's)
  is assumed. The paper gives no T; ``steps = 200`` is assumed.
* Denoiser, §3.1.2 eq. 8–10: G_θ(x_t, t, f, y) predicts the noise ε (eq. 8); each residual
  block uses adaptive group normalisation AdaGN(h) = γ_{y,t} ⊙ GroupNorm(h) + β_{y,t}
  (eq. 9) whose scale and shift come from an MLP on the sinusoidal time embedding and a
  learnable label embedding (eq. 10). Assumed: the noisy window and f are concatenated on
  the channel axis at the input; the network's output is turned into ε̂ through the
  v-parametrisation (Salimans & Ho 2022; see :func:`predict_noise`), which keeps DDIM's x̂_0
  bounded at ᾱ_t ≈ 0; a stem conv, three residual blocks (two AdaGN → SiLU →
  conv(k=3) each, dilations 1, 2, 4), an output conv; the scale is parametrised as
  (1 + γ) (the same family as eq. 9, with γ = 0 the identity); 128-d time and label
  embeddings concatenated before the MLP (following an unverified third-party reading of
  the paper, not its text); GroupNorm (8 groups, no affine of its own).
* Loss, §3.1.2 eq. 11–12: importance-weighted noise-prediction MSE
  E_{t, x0, ε}[w_t ‖ε − G_θ(x_t, t, f, y)‖²]. The weight w_t of eq. 12 is not recoverable
  from the text. Assumed default: min-SNR-5 weighting for ε-prediction (Hang et al. 2023),
  w_t = min(SNR_t, 5)/SNR_t with SNR_t = ᾱ_t/(1 − ᾱ_t). ``weighting="uniform"`` gives
  w_t = 1; ``weighting="reading"`` gives the form an unverified third-party reading reports,
  w_t = √((1 − ᾱ_t)/(ᾱ_t (1 − ᾱ_{t−1}))), which diverges at both ends of the schedule:
  here it is clipped to [0, 5] and normalised to mean 1 over t (both assumed).
  Assumed: t is drawn uniformly from {1 … T}; AdamW; with probability ``cond_drop`` the
  local Z-score block of f is replaced by zeros during training (otherwise the Z-scores,
  which determine x_0 exactly together with μ and σ, let the denoiser copy its condition).
* Sampling, §3.1.3 eq. 13–15: class-balanced labels (eq. 13) — here exactly the per-class
  ``counts`` the augmentation stage asks for (its ``"balance"`` amount tops every class up to
  the largest); each synthetic window is generated from noise conditioned on its label and
  the class prototype f̄_y (eq. 14); the synthetic set pairs windows with labels (eq. 15;
  the classifier's statistics channels of eq. 16 are outside this module). Assumed: a DDIM
  sampler (Song et al. 2021, η = 0) on ``sample_steps`` evenly spaced steps instead of the
  T-step ancestral sampler; the prototype's global-statistics block is used with the local
  Z-score block set to the "dropped" zeros the denoiser learned with (a class-mean of
  Z-scores of unaligned windows is close to zero anyway); the predicted x̂_0 is clipped to
  1.5 × the largest |value| of the training windows.

Explained in notebook 20 (augmentation); used in notebooks 23–25.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ..models.statistics import N_STATS, SIGMA_FLOOR, conditioning, window_statistics  # noqa: F401
from .augment import AUGMENTERS

MIN_LENGTH = 8      # assumed: below this, eq. 1–2's skewness and Z-scores are unreliable
EMB_DIM = 128       # assumed (unverified third-party reading: 128-d time embedding)


# ---- §3.1.1 eq. 1–4: statistical conditioning (eq. 1–3 in harlib.models.statistics) -------
def statistics_condition(stats: torch.Tensor, length: int) -> torch.Tensor:
    """f from statistics alone ``(n, C, 3)``: the eq. 3 blocks with the Z-score block set to
    the zeros the denoiser sees when that block is dropped (assumed, see module docstring)."""
    n, C, _ = stats.shape
    rep = [stats[..., k:k + 1].expand(n, C, length) for k in range(3)]
    return torch.cat(rep + [torch.zeros(n, C, length, dtype=stats.dtype)], dim=1)


# ---- §3.1.2 eq. 5–7: cosine schedule ---------------------------------------------------
def cosine_schedule(steps: int, s: float = 0.008, max_beta: float = 0.999):
    """Cosine noise schedule (Nichol & Dhariwal 2021; paper B eq. 6–7).

    Returns ``(betas, alpha_bar)`` of length ``steps`` (float64), index t−1 for t = 1 … T:
    ᾱ_t = f(t)/f(0), f(t) = cos²(((t/T + s)/(1 + s))·π/2), β_t = min(1 − ᾱ_t/ᾱ_{t−1}, max_beta),
    and ᾱ recomputed as Π(1 − β) so that it matches the clipped betas (eq. 5)."""
    if not isinstance(steps, int) or steps < 2:
        raise ValueError(f"steps must be an integer >= 2, got {steps!r}")
    t = np.arange(steps + 1, dtype=np.float64) / steps
    f = np.cos((t + s) / (1 + s) * math.pi / 2) ** 2
    abar = f / f[0]
    betas = np.clip(1 - abar[1:] / abar[:-1], 0.0, max_beta)
    return betas, np.cumprod(1 - betas)


def loss_weights(alpha_bar: np.ndarray, weighting: str, gamma: float = 5.0) -> np.ndarray:
    """w_t of eq. 12 (not recoverable from the text; see the module docstring — all assumed)."""
    if weighting == "uniform":
        return np.ones_like(alpha_bar)
    if weighting == "min_snr":
        snr = alpha_bar / np.maximum(1 - alpha_bar, 1e-12)
        return np.minimum(snr, gamma) / np.maximum(snr, 1e-12)
    if weighting == "reading":
        prev = np.concatenate([[1.0], alpha_bar[:-1]])
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.sqrt((1 - alpha_bar) / (alpha_bar * (1 - prev)))
        w = np.clip(np.nan_to_num(w, nan=gamma, posinf=gamma), 0.0, gamma)
        return w / w.mean()
    raise ValueError(f"weighting must be 'min_snr', 'uniform' or 'reading', got {weighting!r}")


# ---- §3.1.2 eq. 8–10: the denoiser -----------------------------------------------------
def sinusoidal_embedding(t: torch.Tensor, dim: int = EMB_DIM) -> torch.Tensor:
    """Transformer-style sinusoidal embedding of integer steps ``t`` ``(n,)`` → ``(n, dim)``."""
    half = dim // 2
    steps = torch.arange(half, dtype=torch.get_default_dtype(), device=t.device)
    freqs = torch.exp(-math.log(10000.0) * steps / half)
    args = t.to(freqs.dtype)[:, None] * freqs[None]
    return torch.cat([torch.sin(args), torch.cos(args)], dim=1)


class AdaGN(nn.Module):
    """Adaptive group normalisation (eq. 9): ``(1 + γ) ⊙ GroupNorm(h) + β`` with (γ, β)
    projected from the conditioning embedding ``e`` (the output of eq. 10's MLP)."""

    def __init__(self, channels: int, emb_dim: int, groups: int = 8):
        super().__init__()
        groups = math.gcd(channels, groups)
        self.norm = nn.GroupNorm(groups, channels, affine=False)
        self.proj = nn.Linear(emb_dim, 2 * channels)

    def forward(self, h: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
        scale, shift = self.proj(e)[..., None].chunk(2, dim=1)
        return self.norm(h) * (1 + scale) + shift


class ResBlock(nn.Module):
    def __init__(self, width: int, emb_dim: int, dilation: int):
        super().__init__()
        self.n1, self.n2 = AdaGN(width, emb_dim), AdaGN(width, emb_dim)
        self.c1 = nn.Conv1d(width, width, 3, padding=dilation, dilation=dilation)
        self.c2 = nn.Conv1d(width, width, 3, padding=1)

    def forward(self, h, e):
        r = self.c1(F.silu(self.n1(h, e)))
        return h + self.c2(F.silu(self.n2(r, e)))


class Denoiser(nn.Module):
    """G_θ(x_t, t, f, y) → ε̂ (eq. 8). ``x_t`` ``(n, C, L)``, ``f`` ``(n, 4C, L)``, integer
    steps ``t`` and labels ``y`` ``(n,)``. Eq. 10: e = MLP([sin-emb(t); label-emb(y)])."""

    def __init__(self, channels: int, n_classes: int, width: int = 32, n_blocks: int = 3,
                 emb_dim: int = EMB_DIM):
        super().__init__()
        self.label_emb = nn.Embedding(n_classes, emb_dim)
        self.mlp = nn.Sequential(nn.Linear(2 * emb_dim, emb_dim), nn.SiLU(),
                                 nn.Linear(emb_dim, emb_dim), nn.SiLU())
        self.stem = nn.Conv1d(channels * (1 + N_STATS), width, 3, padding=1)
        self.blocks = nn.ModuleList(ResBlock(width, emb_dim, 2 ** i) for i in range(n_blocks))
        self.out_norm = AdaGN(width, emb_dim)
        self.out = nn.Conv1d(width, channels, 3, padding=1)
        self.emb_dim = emb_dim

    def embed(self, t: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.mlp(torch.cat([sinusoidal_embedding(t, self.emb_dim), self.label_emb(y)], 1))

    def forward(self, x_t, t, f, y):
        e = self.embed(t, y)
        h = self.stem(torch.cat([x_t, f], dim=1))
        for block in self.blocks:
            h = block(h, e)
        return self.out(F.silu(self.out_norm(h, e)))


def predict_noise(model: Denoiser, x_t, t, f, y, alpha_bar: torch.Tensor) -> torch.Tensor:
    """ε̂ = G_θ(x_t, t, f, y) (eq. 8). Assumed output parametrisation: the network outputs
    v̂ (Salimans & Ho 2022) and ε̂ = √(1 − ᾱ_t)·x_t + √ᾱ_t·v̂ — still a noise prediction
    trained with eq. 11, but its x̂_0 = √ᾱ_t·x_t − √(1 − ᾱ_t)·v̂ stays bounded where ᾱ_t ≈ 0
    (a plain ε-network's x̂_0 = (x_t − √(1 − ᾱ_t) ε̂)/√ᾱ_t blows up there)."""
    ab = alpha_bar[t - 1][:, None, None]
    return (1 - ab).sqrt() * x_t + ab.sqrt() * model(x_t, t, f, y)


# ---- the augmenter ---------------------------------------------------------------------
def _check(name, value, kind, low, high=None, low_open=False):
    ok = isinstance(value, kind) and not isinstance(value, bool)
    if ok:
        ok = (value > low if low_open else value >= low) and (high is None or value < high)
    if not ok:
        rng = f"{'>' if low_open else '>='} {low}" + (f" and < {high}" if high is not None else "")
        raise ValueError(f"{name} must be a {getattr(kind, '__name__', 'number')} {rng}, "
                         f"got {value!r}")


@AUGMENTERS.register("diffusion")
class StatDiffusion:
    """Paper B's statistics-guided conditional diffusion augmenter (arXiv 2507.02827 §3.1,
    eq. 1–15; see the module docstring for what is rebuilt and what is assumed).

    Options: ``epochs`` (denoiser training epochs; paper: not given, default 20 assumed),
    ``batch_size`` (64, assumed), ``lr`` (AdamW, 2e-3, assumed), ``steps`` (T of eq. 5–7; paper:
    not given, 200 assumed), ``sample_steps`` (DDIM steps; 20 assumed, CPU-cheap), ``width``
    (denoiser channels, 32 assumed; a multiple of 8 for GroupNorm), ``weighting`` (w_t of
    eq. 12: ``"min_snr"`` default, ``"uniform"``, ``"reading"``; all assumed), ``cond_drop``
    (probability of dropping the Z-score block during training, 0.5 assumed),
    ``epoch_windows`` (``None``: every epoch trains on every window; n: each epoch on n
    windows drawn afresh from all of them, the way :func:`harlib.papers.protocols.alike`
    budgets the classifiers; the class prototypes of eq. 4 use every window either way).
    """

    def __init__(self, epochs: int = 20, batch_size: int = 64, lr: float = 2e-3,
                 steps: int = 200, sample_steps: int = 20, width: int = 32,
                 weighting: str = "min_snr", cond_drop: float = 0.5, epoch_windows: int | None = None):
        _check("epochs", epochs, int, 1)
        if epoch_windows is not None:
            _check("epoch_windows", epoch_windows, int, 1)
        _check("batch_size", batch_size, int, 1)
        _check("lr", lr, (int, float), 0, low_open=True)
        _check("steps", steps, int, 2)
        _check("sample_steps", sample_steps, int, 1)
        if sample_steps > steps:
            raise ValueError(f"sample_steps ({sample_steps}) must be <= steps ({steps})")
        _check("width", width, int, 8)
        if width % 8:
            raise ValueError(f"width must be a multiple of 8 (GroupNorm groups), got {width}")
        _check("cond_drop", cond_drop, (int, float), 0, 1)
        loss_weights(np.ones(2) * 0.5, weighting)           # validates the name
        self.epochs, self.batch_size, self.lr = epochs, batch_size, float(lr)
        self.steps, self.sample_steps, self.width = steps, sample_steps, width
        self.weighting, self.cond_drop = weighting, float(cond_drop)
        self.epoch_windows = epoch_windows
        betas, abar = cosine_schedule(steps)
        self.betas = betas
        self.alpha_bar = torch.tensor(abar, dtype=torch.get_default_dtype())
        self.weights = torch.tensor(loss_weights(abar, weighting), dtype=torch.get_default_dtype())
        self.model: Denoiser | None = None
        self.history_: list[float] = []

    # -- fitting (§3.1.2, eq. 11–12) --
    def fit(self, X: np.ndarray, y: np.ndarray, seed: int, device="cpu") -> "StatDiffusion":
        """Fit the denoiser on windows ``X`` (n, channels, time) with labels ``y``, on
        ``device``. The random draws come from CPU generators whatever the device, so a GPU
        fit draws the same noise, steps and dropped conditions as a CPU fit; the fitted
        model is returned to the CPU."""
        dev = torch.device(device)
        X = np.asarray(X)
        y = np.asarray(y)
        if X.ndim != 3 or len(X) == 0:
            raise ValueError(f"fit expects non-empty windows (n, channels, time), got {X.shape}")
        if X.shape[2] < MIN_LENGTH:
            raise ValueError(f"windows of {X.shape[2]} samples are too short for the diffusion "
                             f"denoiser (at least {MIN_LENGTH})")
        if y.shape != (len(X),) or not np.issubdtype(y.dtype, np.integer) or (y < 0).any():
            raise ValueError(f"y must be {len(X)} non-negative integer labels, got {y.shape} {y.dtype}")
        if not np.isfinite(X).all():
            raise ValueError("fit got non-finite windows")
        Xt = torch.as_tensor(X, dtype=torch.get_default_dtype())
        yt = torch.as_tensor(y, dtype=torch.long)
        n, C, L = Xt.shape
        self.channels_, self.length_ = C, L
        self.n_classes_ = int(y.max()) + 1
        f_all = conditioning(Xt)
        stats = window_statistics(Xt)
        # eq. 4: class prototypes (global-statistics part; the time-replicated blocks of f̄_y)
        self.class_counts_ = torch.bincount(yt, minlength=self.n_classes_)
        protos = torch.zeros(self.n_classes_, C, 3)
        protos.index_add_(0, yt, stats)
        self.prototypes_ = protos / self.class_counts_.clamp_min(1)[:, None, None].to(protos.dtype)
        self.clip_ = float(1.5 * Xt.abs().max())

        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.model = Denoiser(C, self.n_classes_, self.width)
        self.model.to(dev)
        gen = torch.Generator().manual_seed(seed)
        rng = np.random.default_rng(seed)
        opt = torch.optim.AdamW(self.model.parameters(), lr=self.lr)
        alpha_bar, weights = self.alpha_bar.to(dev), self.weights.to(dev)
        sqrt_ab, sqrt_1mab = alpha_bar.sqrt(), (1 - alpha_bar).sqrt()
        self.model.train()
        self.history_ = []
        for _ in range(self.epochs):
            order = rng.permutation(n)
            if self.epoch_windows is not None:
                order = order[:self.epoch_windows]
            total, seen = 0.0, 0
            for start in range(0, len(order), self.batch_size):
                idx = torch.as_tensor(order[start:start + self.batch_size])
                x0, f, yb = Xt[idx].to(dev), f_all[idx].clone(), yt[idx].to(dev)
                b = len(idx)
                t = torch.randint(0, self.steps, (b,), generator=gen).to(dev)   # index t−1
                eps = torch.randn(x0.shape, generator=gen).to(dev)
                x_t = sqrt_ab[t, None, None] * x0 + sqrt_1mab[t, None, None] * eps   # eq. 5
                drop = torch.rand(b, generator=gen) < self.cond_drop
                f[drop, 3 * C:] = 0.0
                f = f.to(dev)
                err = (predict_noise(self.model, x_t, t + 1, f, yb, alpha_bar) - eps).pow(2).mean(dim=(1, 2))
                loss = (weights[t] * err).mean()                             # eq. 11–12
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += float(loss.detach()) * b
                seen += b
            self.history_.append(total / seen)
        self.model.cpu().eval()
        return self

    # -- sampling (§3.1.3, eq. 13–15) --
    def _require_fitted(self):
        if self.model is None:
            raise RuntimeError("StatDiffusion.sample called before fit (or load_state_dict)")

    def sample(self, counts, seed: int, channels: int | None = None,
               length: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``counts[c]`` windows of class c (eq. 13–15) from DDIM (η = 0, assumed) over
        ``sample_steps`` steps, conditioned on label c and its prototype f̄_c (eq. 4).
        ``channels``: optional check against the fitted channel count; ``length``: window
        length (default: the fitted one; the denoiser is convolutional)."""
        self._require_fitted()
        counts = np.asarray(counts)
        if counts.ndim != 1 or not np.issubdtype(counts.dtype, np.integer) or (counts < 0).any():
            raise ValueError(f"counts must be a 1-D array of non-negative integers, got {counts!r}")
        if channels is not None and channels != self.channels_:
            raise ValueError(f"the diffusion model was fitted on {self.channels_} channels, "
                             f"asked for {channels}")
        L = self.length_ if length is None else length
        if not isinstance(L, (int, np.integer)) or L < MIN_LENGTH:
            raise ValueError(f"length must be an integer >= {MIN_LENGTH}, got {length!r}")
        known = np.zeros(len(counts), bool)
        m = min(len(counts), self.n_classes_)
        known[:m] = self.class_counts_[:m].numpy() > 0
        unknown = np.flatnonzero((counts > 0) & ~known)
        if len(unknown):
            raise ValueError(f"counts ask for classes {unknown.tolist()} that had no training "
                             f"windows when the diffusion model was fitted")
        C = self.channels_
        y = np.repeat(np.arange(len(counts)), counts).astype(np.int64)
        if len(y) == 0:
            return np.zeros((0, C, L), np.float32), y
        yt = torch.as_tensor(y)
        f = statistics_condition(self.prototypes_[yt], int(L))            # eq. 14
        gen = torch.Generator().manual_seed(seed)
        x = torch.randn((len(y), C, int(L)), generator=gen)
        ts = np.unique(np.linspace(0, self.steps - 1, self.sample_steps).round().astype(int))[::-1]
        ab = self.alpha_bar
        out = []
        with torch.no_grad():
            for s in range(0, len(y), 256):
                xb, fb, yb = x[s:s + 256], f[s:s + 256], yt[s:s + 256]
                for i, t in enumerate(ts):
                    tt = torch.full((len(yb),), int(t) + 1, dtype=torch.long)
                    eps = predict_noise(self.model, xb, tt, fb, yb, ab)
                    x0 = ((xb - (1 - ab[t]).sqrt() * eps) / ab[t].sqrt()).clamp(-self.clip_, self.clip_)
                    eps = (xb - ab[t].sqrt() * x0) / (1 - ab[t]).sqrt()
                    ab_prev = ab[ts[i + 1]] if i + 1 < len(ts) else torch.tensor(1.0)
                    xb = ab_prev.sqrt() * x0 + (1 - ab_prev).sqrt() * eps
                out.append(xb)
        return torch.cat(out).numpy().astype(np.float32), y

    # -- state --
    def state_dict(self) -> dict:
        """The denoiser's weights (``denoiser.*``) and the fitted statistics (eq. 4 prototypes,
        class counts, shape, clip) as tensors."""
        self._require_fitted()
        state = {f"denoiser.{k}": v.detach().clone() for k, v in self.model.state_dict().items()}
        state.update({"stats.prototypes": self.prototypes_.clone(),
                      "stats.class_counts": self.class_counts_.clone(),
                      "stats.shape": torch.tensor([self.channels_, self.length_]),
                      "stats.clip": torch.tensor(self.clip_),
                      "stats.history": torch.tensor(self.history_, dtype=torch.float64)})
        return state

    def load_state_dict(self, state: dict) -> "StatDiffusion":
        """Restore a fitted augmenter (built with the same options) from :meth:`state_dict`."""
        self.prototypes_ = state["stats.prototypes"].clone()
        self.class_counts_ = state["stats.class_counts"].clone()
        self.channels_, self.length_ = (int(v) for v in state["stats.shape"])
        self.clip_ = float(state["stats.clip"])
        self.history_ = state["stats.history"].tolist()
        self.n_classes_ = len(self.class_counts_)
        self.model = Denoiser(self.channels_, self.n_classes_, self.width)
        self.model.load_state_dict({k[len("denoiser."):]: v for k, v in state.items()
                                    if k.startswith("denoiser.")})
        self.model.eval()
        return self
