"""Shared fixtures: isolated data/cache folders and tiny raw-format dataset trees.

The trees are written in each dataset's exact raw format (file names, delimiters, column
counts) with synthetic values: they test parsers and plumbing, never results.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch

torch.set_num_threads(1)   # the suite runs on one thread per process (tools/test.sh too)

REPO = Path(__file__).resolve().parent.parent
MIRROR = Path(os.environ.get("HARLIB_TEST_MIRROR", REPO.parent / "shared" / "data"))


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Empty HARLIB_DATA and HARLIB_CACHE folders under tmp_path."""
    data, cache = tmp_path / "data", tmp_path / "cache"
    data.mkdir()
    cache.mkdir()
    monkeypatch.setenv("HARLIB_DATA", str(data))
    monkeypatch.setenv("HARLIB_CACHE", str(cache))
    return data, cache


def write_hapt(root: Path, experiments=((1, 1, 300), (2, 1, 260), (3, 2, 280)), seed=0) -> Path:
    """A HAPT-format tree: RawData/acc_expNN_userUU.txt, gyro_..., labels.txt."""
    rng = np.random.default_rng(seed)
    raw = root / "HAPT Data Set" / "RawData"
    raw.mkdir(parents=True)
    labels = []
    for exp, user, n in experiments:
        for kind in ("acc", "gyro"):
            np.savetxt(raw / f"{kind}_exp{exp:02d}_user{user:02d}.txt", rng.normal(size=(n, 3)),
                       fmt="%.16f", delimiter=" ")
        # walking (1) on samples 11..140, stand-to-sit (7) 141..170, sitting (4) 171..n-10
        labels += [(exp, user, 1, 11, 140), (exp, user, 7, 141, 170), (exp, user, 4, 171, n - 10)]
    np.savetxt(raw / "labels.txt", np.array(labels), fmt="%d")
    return root / "HAPT Data Set"


def write_uci_har(root: Path, n_train=5, n_test=3, seed=0) -> Path:
    """An official-format UCI HAR Dataset tree with Inertial Signals."""
    rng = np.random.default_rng(seed)
    base = root / "UCI HAR Dataset"
    for part, n, subj in (("train", n_train, 1), ("test", n_test, 2)):
        sig = base / part / "Inertial Signals"
        sig.mkdir(parents=True)
        for s in ("body_acc", "body_gyro", "total_acc"):
            for a in "xyz":
                np.savetxt(sig / f"{s}_{a}_{part}.txt", rng.normal(size=(n, 128)), fmt="%.8e")
        np.savetxt(base / part / f"y_{part}.txt", (np.arange(n) % 6) + 1, fmt="%d")
        np.savetxt(base / part / f"subject_{part}.txt", np.full(n, subj) + np.arange(n) % 2 * 2,
                   fmt="%d")
    return base


def write_dsads(root: Path, n_activities=19, n_subjects=8, n_segments=60, seed=0) -> Path:
    """A DSADS tree aNN/pM/sKK.txt of 125 × 45 comma-separated values."""
    rng = np.random.default_rng(seed)
    base = root / "data"
    for a in range(1, n_activities + 1):
        for p in range(1, n_subjects + 1):
            folder = base / f"a{a:02d}" / f"p{p}"
            folder.mkdir(parents=True)
            for k in range(1, n_segments + 1):
                np.savetxt(folder / f"s{k:02d}.txt", rng.normal(a, 1, size=(125, 45)),
                           fmt="%.6f", delimiter=",")
    return base


def flip_byte(path: Path, at: float = 0.5) -> None:
    """Invert the byte of ``path`` at this fraction of its length."""
    data = bytearray(path.read_bytes())
    i = int(len(data) * at)
    data[i] ^= 0xFF
    path.write_bytes(bytes(data))


needs_mirror = pytest.mark.skipif(not (MIRROR / "SHA256SUMS").is_file(),
                                  reason="offline data mirror not present")


@pytest.fixture(scope="session")
def basicmotions_windows(tmp_path_factory):
    """BasicMotions (real smartwatch recordings, 80 cases of 100 samples, 6 channels) as
    50-sample windows with 25-sample stride, and a subject-independent split (each case is
    its own subject in BasicMotions): small real data for the engine's tests."""
    if not (MIRROR / "SHA256SUMS").is_file():
        pytest.skip("offline data mirror not present")
    from harlib.data import load_dataset
    from harlib.evaluation.splits import make_splits
    from harlib.data.windows import sliding_windows
    mp = pytest.MonkeyPatch()
    mp.setenv("HARLIB_DATA", str(MIRROR))
    mp.setenv("HARLIB_CACHE", str(tmp_path_factory.mktemp("bm-cache")))
    try:
        ws = sliding_windows(load_dataset("basicmotions"), 50, 25, policy="pure")
    finally:
        mp.undo()
    split = make_splits("subject_groups", ws, n_groups=4)[0]
    return ws, split


# ---- model tests: one seeded builder and the checks several model families share ---------
N_CLASSES = 6
BATCH = 2


def seeded_model(name, channels, length, **kw):
    """``create_model`` after ``torch.manual_seed(0)``, with ``N_CLASSES`` classes."""
    import torch
    from harlib.models import create_model
    torch.manual_seed(0)
    return create_model(name, channels, N_CLASSES, length, **kw)


def assert_trains(model, channels=9, length=128):
    """A forward and backward pass in training mode gives an embedding of ``embed_dim``."""
    import torch
    model.train()
    z = model.forward_features(torch.randn(BATCH, channels, length))
    assert z.shape == (BATCH, model.embed_dim)
    model.forward_head(z).sum().backward()


def assert_other_lengths(model, channels=6, lengths=(100, 150)):
    """Models ending in global pooling accept windows of other lengths at inference."""
    import torch
    model.eval()
    with torch.no_grad():
        for length in lengths:
            assert model(torch.randn(BATCH, channels, length)).shape == (BATCH, N_CLASSES)


# ---- exported model folders: a stand-in run whose labels are plain to read -----------------
class ChannelMean(torch.nn.Module):
    """Logits = each channel's mean over the window: the label is the channel with the
    largest mean, so a stream's labels show which input column fed which channel."""

    def forward(self, x):
        return x.mean(dim=2)


def export_stand_in(directory, *, key="run-a", model=None, channels=("ax", "ay", "az"), window=8,
                    sampling_rate=10.0) -> Path:
    """``export_run`` on a stand-in for a stored run: ``model`` (default :class:`ChannelMean`)
    on ``len(channels)`` × ``window`` windows, one class per channel (its name in capitals),
    zero mean and unit standard deviation."""
    from types import SimpleNamespace
    from harlib.deploy.export import export_run
    from harlib.data.normalization import Standardizer
    n = len(channels)
    std = Standardizer()
    std.mean_, std.std_ = np.zeros(n), np.ones(n)
    record = {"model": "stand_in", "dataset": "synthetic", "in_channels": n, "window_length": window,
              "n_classes": n, "class_names": [c.upper() for c in channels], "channel_names": list(channels),
              "norm_mean": [0.0] * n, "norm_std": [1.0] * n}
    run = SimpleNamespace(key=key, record=record, load_model=lambda: model or ChannelMean(),
                          standardizer=lambda: std)
    export_run(run, directory, sampling_rate=sampling_rate)
    return Path(directory)
