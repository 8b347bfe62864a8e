"""Training losses behind a registry, so the papers' methods plug in their own.

The contract: a loss is an ``nn.Module`` called as ``loss(outputs, batch)``.

* ``outputs`` is the model's mapping (:meth:`HARModel.forward_outputs`): ``"logits"``,
  ``"embedding"`` and any extras (e.g. ``"reconstruction"``, ``"triplet_embeddings"``).
* ``batch`` is a mapping with ``"x"`` (the input windows), ``"y"`` (labels; ``None`` in
  unsupervised training), ``"subject"`` and ``"index"`` (window indices into the window
  set), plus ``"triplets"`` — positions ``(anchor, positive, negative)`` within the batch —
  when the triplet batch sampler made it.

A loss may hold learnable parameters (the engine optimises them, without weight decay)
and may define two hooks the engine calls once per epoch:

* ``on_epoch_end(feedback)`` with the epoch's ``train_loss``, ``train_accuracy``,
  ``val_accuracy``, ``val_f1_macro`` …, to adapt itself (paper B's feedback weights);
* ``epoch_log()`` → a dict added to that epoch's history row.

Its ``state_dict`` is stored with the run (``loss.pt``), so adaptive state survives a reload.

Paper B's adaptive composite loss is explained in notebooks 22 and 27; paper C's CE +
triplet loss in notebooks 30 and 32.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ..core.registry import Registry
from ..models.inference import at_least_fp32

LOSSES: Registry = Registry("loss")

#: losses that need no labels (the unsupervised trainer accepts only these)
UNSUPERVISED_LOSSES = ("reconstruction_mse", "reconstruction_memory")


def create_loss(name: str, class_weights: torch.Tensor | None = None, **kwargs) -> nn.Module:
    return LOSSES.get(name)(class_weights=class_weights, **kwargs)


def _labels(batch) -> torch.Tensor:
    y = batch.get("y")
    if y is None:
        raise ValueError("this loss needs labels, but the batch has none (unsupervised training?)")
    return y


@LOSSES.register("cross_entropy")
class CrossEntropy(nn.Module):
    """Cross-entropy on the logits, optionally weighted per class (WHAR Arena v1 weights
    classes by inverse training frequency) and label-smoothed."""

    def __init__(self, class_weights: torch.Tensor | None = None, label_smoothing: float = 0.0):
        super().__init__()
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
        self.register_buffer("weight", class_weights if class_weights is not None else None)
        self.label_smoothing = label_smoothing

    def forward(self, outputs, batch) -> torch.Tensor:
        return F.cross_entropy(outputs["logits"], _labels(batch), weight=self.weight,
                               label_smoothing=self.label_smoothing)


@LOSSES.register("focal")
class FocalLoss(nn.Module):
    """Focal loss (Lin et al. 2017): ``-α (1 - p_t)^γ log p_t``, mean over the batch.
    Paper B (§3.3, App. C) uses it inside its composite loss; its best setting was γ = 1,
    α = 0.25 alone and α = 0.5 in the composite. ``class_weights`` multiply per class."""

    def __init__(self, class_weights: torch.Tensor | None = None, gamma: float = 1.0,
                 alpha: float = 0.25):
        super().__init__()
        if gamma < 0 or not 0 < alpha <= 1:
            raise ValueError(f"focal loss needs gamma >= 0 and 0 < alpha <= 1, got {gamma}, {alpha}")
        self.register_buffer("weight", class_weights if class_weights is not None else None)
        self.gamma, self.alpha = gamma, alpha

    def forward(self, outputs, batch) -> torch.Tensor:
        y = _labels(batch)
        logp = F.log_softmax(at_least_fp32(outputs["logits"]), dim=1).gather(1, y[:, None])[:, 0]
        loss = -self.alpha * (1 - logp.exp()).pow(self.gamma) * logp
        if self.weight is not None:
            loss = loss * self.weight[y]
        return loss.mean()


@LOSSES.register("class_balanced")
class ClassBalancedLoss(nn.Module):
    """Class-balanced cross-entropy (Cui et al. 2019): class ``c`` with ``n_c`` training
    windows weighs ``(1 - β) / (1 - β^n_c)``, the inverse of its "effective number" of
    windows, normalised so the weights of the present classes sum to their count; absent
    classes weigh 0. β → 0 gives plain cross-entropy, β → 1 inverse frequency.

    Paper B's App. C tunes it alone (β = 0.9 best, its Table 9) and inside the composite
    loss (β = 0.999 best, its Table 13, which calls it "F-beta loss"; the β values are the
    CB table's, so harlib reads it as this loss). The engine passes ``class_counts``, the
    training windows per class (:func:`harlib.training.engine.build_loss`); ``class_weights``
    multiply on top when the run is also class-weighted.
    """

    uses_class_counts = True

    def __init__(self, class_weights: torch.Tensor | None = None, beta: float = 0.9,
                 class_counts: torch.Tensor | None = None):
        super().__init__()
        if not 0 <= beta < 1:
            raise ValueError(f"class_balanced needs 0 <= beta < 1, got {beta}")
        if class_counts is None:
            raise ValueError("class_balanced needs class_counts (training windows per class); "
                             "the engine passes them, a direct call must too")
        n = torch.as_tensor(class_counts, dtype=torch.float64)
        if n.ndim != 1 or (n < 0).any() or n.sum() <= 0:
            raise ValueError(f"class_counts must be non-negative counts per class, got {class_counts}")
        present = n > 0
        w = torch.where(present, (1 - beta) / (1 - torch.pow(torch.tensor(beta, dtype=torch.float64), n)),
                        torch.zeros_like(n))
        w = w * present.sum() / w.sum()
        if class_weights is not None:
            w = w * class_weights.to(torch.float64).cpu()
        self.register_buffer("weight", w.to(torch.get_default_dtype()))
        self.beta = beta

    def forward(self, outputs, batch) -> torch.Tensor:
        return F.cross_entropy(outputs["logits"], _labels(batch), weight=self.weight)


def triplet_margin(anchor, positive, negative, margin: float) -> torch.Tensor:
    """Mean of ``relu(d(a, p) - d(a, n) + margin)`` with Euclidean distances."""
    d_ap = (anchor - positive).pow(2).sum(1).clamp_min(1e-12).sqrt()
    d_an = (anchor - negative).pow(2).sum(1).clamp_min(1e-12).sqrt()
    return F.relu(d_ap - d_an + margin).mean()


def batch_triplets(y: torch.Tensor, subject: torch.Tensor,
                   generator: torch.Generator | None = None) -> tuple[torch.Tensor, ...]:
    """Triplet positions inside a batch that the triplet sampler did not build: for each
    anchor a random positive of the same class from another subject (any other window of
    the class if no other subject has it) and a random negative of another class. Anchors
    without a positive or a negative are left out."""
    same = y[:, None] == y[None, :]
    other_subject = subject[:, None] != subject[None, :]
    eye = torch.eye(len(y), dtype=torch.bool, device=y.device)
    pos = same & other_subject
    pos = torch.where(pos.any(1, keepdim=True), pos, same & ~eye)
    neg = ~same
    ok = pos.any(1) & neg.any(1)
    a = torch.nonzero(ok)[:, 0]
    if len(a) == 0:
        return a, a, a
    u = torch.rand((len(a), len(y)), generator=generator, device="cpu").to(y.device)
    p = torch.where(pos[a], u, torch.full_like(u, -1.0)).argmax(1)
    n = torch.where(neg[a], u, torch.full_like(u, -1.0)).argmax(1)
    return a, p, n


@LOSSES.register("triplet")
class TripletLoss(nn.Module):
    """Triplet margin loss on embeddings (paper C's contrastive term; the notes give
    Euclidean distance and margin 1.0). Uses the batch's ``"triplets"`` positions when the
    triplet sampler made them, otherwise draws triplets inside the batch (same activity,
    other subject / other activity). If the model returns ``"triplet_embeddings"`` (a list,
    e.g. one embedding per sensor placement, as in paper C), the loss is their mean."""

    def __init__(self, class_weights: torch.Tensor | None = None, margin: float = 1.0):
        super().__init__()
        if margin < 0:
            raise ValueError(f"margin must be >= 0, got {margin}")
        self.margin = margin

    def forward(self, outputs, batch) -> torch.Tensor:
        if batch.get("triplets") is not None:
            a, p, n = batch["triplets"]
        else:
            a, p, n = batch_triplets(_labels(batch), batch["subject"])
        embs = outputs.get("triplet_embeddings") or [outputs["embedding"]]
        if len(a) == 0:
            return embs[0].sum() * 0.0
        return torch.stack([triplet_margin(at_least_fp32(e[a]), at_least_fp32(e[p]), at_least_fp32(e[n]), self.margin)
                            for e in embs]).mean()


@LOSSES.register("ce_triplet")
class CrossEntropyTriplet(nn.Module):
    """``CE + λ · triplet`` (paper C: λ = 0.1 on PAMAP2, 0.5 on OPPORTUNITY, per its notes).

    With ``learn_weights=True`` the two terms are instead weighted by learned homoscedastic
    uncertainties (Kendall et al. 2018): ``Σ exp(-s_i) L_i + s_i``; the ``s_i`` are loss
    parameters, which the engine optimises without weight decay.
    """

    def __init__(self, class_weights: torch.Tensor | None = None, weight: float = 0.1,
                 margin: float = 1.0, label_smoothing: float = 0.0, learn_weights: bool = False):
        super().__init__()
        self.ce = CrossEntropy(class_weights, label_smoothing)
        self.triplet = TripletLoss(margin=margin)
        self.weight = weight
        self.log_vars = nn.Parameter(torch.zeros(2)) if learn_weights else None

    def forward(self, outputs, batch) -> torch.Tensor:
        ce, tri = self.ce(outputs, batch), self.triplet(outputs, batch)
        if self.log_vars is None:
            return ce + self.weight * tri
        s = self.log_vars
        return torch.exp(-s[0]) * ce + s[0] + torch.exp(-s[1]) * tri + s[1]


#: the composite loss's possible terms, by name
COMPOSITE_TERMS = ("cross_entropy", "focal", "label_smoothing", "class_balanced")


@LOSSES.register("adaptive_composite")
class AdaptiveCompositeLoss(nn.Module):
    """Paper B's adaptive composite loss (§3.3, eq. 23–27; App. C): a weighted sum of three
    losses whose weights follow a feedback rule once per epoch — if the monitored accuracy
    rose since the previous epoch, the largest weight is lowered by ``step`` and the
    smallest raised by ``step``; otherwise the reverse. The weights are then sharpened or
    flattened by the ``temperature`` (``w ← w^(1/T) / Σ w^(1/T)``), clipped to
    ``[min_weight, max_weight]`` and renormalised to sum 1.

    B states the rule in words (its update equation is not recoverable from the text), so
    these are harlib's assumptions, to be compared in paper B's notebooks: the feedback is
    validation accuracy (B says "model accuracy"), ``step`` = 0.02, the first epoch
    changes nothing; App. C's "temperature" is read as the power above (T < 1 drives the
    weights apart, T > 1 towards uniform, as App. C.2 describes), applied at each update.

    ``terms`` name the three losses. §3.3's composite is cross-entropy, focal and
    label-smoothed cross-entropy (the default); App. C tunes a composite of label
    smoothing, focal and class-balanced loss (``("label_smoothing", "focal",
    "class_balanced")``). B's defaults from App. C: initial weights [0.33, 0.33, 0.34],
    bounds [0.1, 0.8], temperature 1, focal γ = 1, α = 0.5, label smoothing 0.1, β = 0.999.
    """

    uses_class_counts = True

    def __init__(self, class_weights: torch.Tensor | None = None,
                 weights=(0.33, 0.33, 0.34), step: float = 0.02, min_weight: float = 0.1,
                 max_weight: float = 0.8, gamma: float = 1.0, alpha: float = 0.5,
                 label_smoothing: float = 0.1, feedback: str = "val_accuracy",
                 terms=("cross_entropy", "focal", "label_smoothing"), temperature: float = 1.0,
                 beta: float = 0.999, class_counts: torch.Tensor | None = None):
        super().__init__()
        if len(weights) != 3 or min(weights) < 0:
            raise ValueError(f"adaptive_composite needs three non-negative weights, got {weights}")
        if not 0 <= min_weight <= 1 / 3 <= max_weight <= 1 or step < 0:
            raise ValueError("adaptive_composite needs 0 <= min_weight <= 1/3 <= max_weight <= 1 "
                             f"and step >= 0, got {min_weight}, {max_weight}, {step}")
        terms = tuple(terms)
        if len(terms) != 3 or any(t not in COMPOSITE_TERMS for t in terms):
            raise ValueError(f"adaptive_composite needs three terms among {COMPOSITE_TERMS}, got {terms}")
        if not temperature > 0:
            raise ValueError(f"adaptive_composite needs temperature > 0, got {temperature}")

        def term(name):
            if name == "cross_entropy":
                return CrossEntropy(class_weights)
            if name == "focal":
                return FocalLoss(class_weights, gamma, alpha)
            if name == "label_smoothing":
                return CrossEntropy(class_weights, label_smoothing)
            return ClassBalancedLoss(class_weights, beta, class_counts)

        self.terms = nn.ModuleList([term(t) for t in terms])
        self.term_names = terms
        w = torch.tensor(weights, dtype=torch.float64)
        self.register_buffer("weights", w / w.sum())
        self.register_buffer("previous", torch.tensor(float("nan"), dtype=torch.float64))
        self.step, self.min_weight, self.max_weight = step, min_weight, max_weight
        self.feedback, self.temperature = feedback, temperature

    def forward(self, outputs, batch) -> torch.Tensor:
        w = self.weights.to(torch.get_default_dtype())
        return sum(w[i] * term(outputs, batch) for i, term in enumerate(self.terms))

    @torch.no_grad()
    def on_epoch_end(self, feedback: dict) -> None:
        if self.feedback not in feedback:
            raise KeyError(f"adaptive_composite feeds back on {self.feedback!r}, which the epoch "
                           f"does not report; it reports {sorted(feedback)}")
        acc = float(feedback[self.feedback])
        if not torch.isnan(self.previous):
            w = self.weights.clone()
            hi, lo = int(w.argmax()), int(w.argmin())
            sign = 1.0 if acc > float(self.previous) else -1.0
            w[hi] -= sign * self.step
            w[lo] += sign * self.step
            if self.temperature != 1.0:
                w = w.clamp_min(1e-12).pow(1.0 / self.temperature)
                w = w / w.sum()
            w = w.clamp(self.min_weight, self.max_weight)
            self.weights.copy_(w / w.sum())
        self.previous.fill_(acc)

    def epoch_log(self) -> dict:
        return {"loss_weights": [round(float(v), 6) for v in self.weights]}


@LOSSES.register("reconstruction_mse")
class ReconstructionMSE(nn.Module):
    """Mean squared error between the model's ``"reconstruction"`` and its input; needs no
    labels (the unsupervised trainer's default)."""

    def __init__(self, class_weights: torch.Tensor | None = None):
        super().__init__()

    def forward(self, outputs, batch) -> torch.Tensor:
        if "reconstruction" not in outputs:
            raise ValueError("reconstruction_mse needs a model that returns a 'reconstruction' "
                             f"output; this one returns {sorted(outputs)}")
        return F.mse_loss(at_least_fp32(outputs["reconstruction"]), at_least_fp32(batch["x"]))


@LOSSES.register("reconstruction_memory")
class ReconstructionWithMemoryEntropy(ReconstructionMSE):
    """Reconstruction MSE plus ``entropy_weight`` × the mean entropy of a memory's addressing
    weights (``outputs["memory_entropy"]``), which pushes each window to few memory items —
    MemAE's training loss (Gong et al. 2019, weight 2e-4 there). Needs no labels."""

    def __init__(self, class_weights: torch.Tensor | None = None, entropy_weight: float = 2e-4):
        super().__init__()
        if entropy_weight < 0:
            raise ValueError(f"entropy_weight must be >= 0, got {entropy_weight}")
        self.entropy_weight = entropy_weight

    def forward(self, outputs, batch) -> torch.Tensor:
        loss = super().forward(outputs, batch)
        if "memory_entropy" not in outputs:
            raise ValueError("reconstruction_memory needs a model with a memory ('memory_entropy' "
                             "output); use reconstruction_mse for one without")
        return loss + self.entropy_weight * at_least_fp32(outputs["memory_entropy"]).mean()
