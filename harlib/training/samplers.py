"""Batch samplers: which training windows make up each batch of an epoch.

A sampler is built once per run from the training labels and subjects and yields, per
epoch, batches as ``(positions, triplets)``: positions index the run's training windows,
and ``triplets`` is ``None`` or ``(anchor, positive, negative)`` positions within the batch.

``random``   every training window once per epoch in a random order (the default; the
             order comes from a ``torch.Generator`` seeded by the run's seed). Batches of one
             window are skipped, since BatchNorm needs two. With ``epoch_windows=k``, each
             epoch is the first ``k`` windows of a fresh random order instead: a budget of
             ``k`` windows per epoch that draws on every training window over the epochs
             (:mod:`harlib.papers.protocols`).
``triplet``  paper C's sampler (its notes, §2.4): each item is a triple — anchor of a random
             activity and subject, positive of the same activity from another subject,
             negative of another activity — drawn with replacement; an epoch has
             ``ceil(n / batch) · batch`` triples. The batch holds ``3 × batch_size`` windows
             ``[anchors, positives, negatives]``.
"""
from __future__ import annotations

import math
from typing import Iterator

import numpy as np
import torch

from ..core.checks import is_int
from ..core.registry import Registry

SAMPLERS: Registry = Registry("batch sampler")

Batch = tuple[torch.Tensor, "tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None"]


def create_sampler(name: str, y: np.ndarray, subject: np.ndarray, batch_size: int, seed: int,
                   **kwargs):
    return SAMPLERS.get(name)(y=np.asarray(y), subject=np.asarray(subject),
                              batch_size=batch_size, seed=seed, **kwargs)


@SAMPLERS.register("random")
class RandomBatches:
    def __init__(self, y, subject, batch_size: int, seed: int, epoch_windows: int | None = None):
        if not (epoch_windows is None or is_int(epoch_windows, 2)):
            raise ValueError(f"random sampler: epoch_windows must be None or an integer >= 2, got {epoch_windows!r}")
        self.n, self.batch_size = len(y), batch_size
        self.per_epoch = self.n if epoch_windows is None else min(self.n, epoch_windows)
        self.generator = torch.Generator().manual_seed(seed)

    def epoch(self) -> Iterator[Batch]:
        order = torch.randperm(self.n, generator=self.generator)[:self.per_epoch]
        for i in range(0, self.per_epoch, self.batch_size):
            b = order[i:i + self.batch_size]
            if len(b) >= 2:
                yield b, None


@SAMPLERS.register("triplet")
class TripletBatches:
    def __init__(self, y, subject, batch_size: int, seed: int):
        self.rng = np.random.default_rng(seed)
        self.batch_size, self.n = batch_size, len(y)
        self.by_class = {int(c): np.flatnonzero(y == c) for c in np.unique(y)}
        if len(self.by_class) < 2:
            raise ValueError("the triplet sampler needs at least two classes in the training set")
        self.by_class_subject = {c: {int(s): idx[subject[idx] == s] for s in np.unique(subject[idx])}
                                 for c, idx in self.by_class.items()}
        # anchors come from classes that at least two subjects performed (else no positive)
        self.anchor_classes = [c for c, subj in self.by_class_subject.items() if len(subj) >= 2]
        if not self.anchor_classes:
            raise ValueError("the triplet sampler needs a class performed by two or more "
                             "training subjects (a positive comes from another subject)")

    def _triple(self) -> tuple[int, int, int]:
        r = self.rng
        a_cls = self.anchor_classes[r.integers(len(self.anchor_classes))]
        subjects = list(self.by_class_subject[a_cls])
        s1, s2 = r.choice(subjects, size=2, replace=False)
        anchor = r.choice(self.by_class_subject[a_cls][int(s1)])
        positive = r.choice(self.by_class_subject[a_cls][int(s2)])
        others = [c for c in self.by_class if c != a_cls]
        negative = r.choice(self.by_class[others[r.integers(len(others))]])
        return int(anchor), int(positive), int(negative)

    def epoch(self) -> Iterator[Batch]:
        n_items = math.ceil(self.n / self.batch_size) * self.batch_size
        for start in range(0, n_items, self.batch_size):
            k = min(self.batch_size, n_items - start)
            triples = np.array([self._triple() for _ in range(k)])
            positions = torch.from_numpy(np.concatenate([triples[:, 0], triples[:, 1], triples[:, 2]]))
            ar = torch.arange(k)
            yield positions, (ar, ar + k, ar + 2 * k)
