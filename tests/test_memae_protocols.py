"""Paper A's protocols (harlib.papers.memae.PROTOCOLS) and the per-subject clustering
reading beside the pooled headline."""
from __future__ import annotations

import numpy as np
import pytest

from harlib.evaluation.clustering import cluster
from harlib.evaluation.metrics import clustering_accuracy
from harlib.papers import memae


def test_subject_shift_fools_pooled_clustering_but_not_per_subject():
    rng = np.random.default_rng(0)
    # two classes, two subjects; a subject offset larger than the class gap
    y = np.tile(np.repeat([0, 1], 50), 2)
    subject = np.repeat([1, 2], 100)
    Z = np.c_[y * 1.0 + subject * 10.0, np.zeros(200)] + rng.normal(0, 0.05, (200, 2))
    pooled = clustering_accuracy(y, cluster(Z, 2, "kmeans", 0))
    per_subject = memae.subject_clustering_accuracy(Z, y, subject, 2, 0)
    assert per_subject == 1.0 and pooled == pytest.approx(0.5)


def test_subject_clustering_checks_lengths():
    with pytest.raises(ValueError, match="one label and subject per embedding"):
        memae.subject_clustering_accuracy(np.zeros((3, 2)), np.zeros(3), np.zeros(2), 2, 0)


def test_protocols_pool_three_subject_groups(basicmotions_windows):
    ws, _ = basicmotions_windows
    kw = memae.protocol_kwargs(ws, "subject_groups")
    assert kw == {"n_groups": min(3, len(set(ws.subject)))}
    assert memae.protocol_kwargs(ws, "random_windows") == {"test_fraction": 0.3}
    with pytest.raises(KeyError, match="paper A's setting has"):
        memae.protocol_kwargs(ws, "leave_one_subject_out")
