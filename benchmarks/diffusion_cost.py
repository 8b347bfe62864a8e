"""Cost of paper B's diffusion stage (:class:`harlib.training.diffusion.StatDiffusion`) on
each stand-in, when it fits and samples every training window of a random split, as
notebooks 23 and 25 run it under ``harlib.papers.protocols``, and when it is budgeted by cost
as notebook 28 runs it (:func:`harlib.papers.usad.per_epoch_augmenter`).

For each (dataset, window) the benchmark takes the first random split's training windows
(70/30, 10 % validation), times one denoiser epoch on a random subset of them and the
sampling of synthetic windows with the profile's settings (one thread, after an untimed
warm-up fit), and scales both to one fold: the profile's ``augment_epochs`` over every training window, and one synthetic
window per training window (paper B's ratio, notebook 23); budgeted: ``augment_epochs`` of
``grid_train_windows`` windows and at most ``pretrain_epochs × grid_train_windows``
synthetic ones. The estimate for a notebook is that times its folds (both protocols:
``2 × max_folds``). Timing only; the fitted model is discarded.

Writes ``tables/bench_diffusion_cost``.

    python benchmarks/diffusion_cost.py [--profile standard] [--subset 2000] [--sampled 300]
"""
from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import pandas as pd
import torch

import harlib  # noqa: F401  (pins the CPU numerics before NumPy and torch load)
from harlib.data import load_dataset
from harlib.data.windows import sliding_windows
from harlib.evaluation.splits import make_splits
from harlib.papers import protocols, usad
from harlib.report.tables import save_table
from harlib.training.augment import counts_per_class
from harlib.training.diffusion import StatDiffusion
from harlib.training.profiles import get_profile

#: the stand-ins whose diffusion stage notebooks 23 and 25 run or would run, with B's windows
STAND_INS = (("wisdm2019_watch_accel", 90, "WISDM"), ("hapt", 50, "OPPORTUNITY"),
             ("dsads", 43, "PAMAP2"))


def budgeted_fold_minutes(fit_s: float, sample_s: float, y_train: np.ndarray, n_classes: int,
                          profile) -> float:
    """One fold's diffusion stage as notebook 28 runs it: the denoiser epochs and windows per
    epoch, and the synthetic windows, that :func:`harlib.papers.usad.per_epoch_augmenter`
    gives the full-USAD row (every window where the profile sets no window cap)."""
    row = usad.usad_ablation(profile)["Data Augmentation"]["config"]
    stage = usad.per_epoch_augmenter(row, profile)["augment_kwargs"]
    n = len(y_train)
    per_epoch = min(n, stage.get("epoch_windows", n))
    synthetic = int(counts_per_class(y_train, n_classes, stage["amount"]).sum())
    return (fit_s * per_epoch * stage["epochs"] + sample_s * synthetic) / 60


def measure(name: str, length: int, paper: str, profile, subset: int, sampled: int) -> dict:
    ws = sliding_windows(load_dataset(name), length, length // 2)
    split = make_splits(protocols.PAPER_STYLE, ws, test_fraction=protocols.TEST_FRACTION)[0]
    train = split.train
    rng = np.random.default_rng(0)
    idx = rng.choice(train, size=min(subset, len(train)), replace=False)
    X, y = ws.X[idx].astype(np.float32), ws.y[idx]
    steps = {} if profile.augment_sample_steps is None else {"sample_steps": profile.augment_sample_steps}
    StatDiffusion(epochs=1, **steps).fit(X[:64], y[:64], seed=0)     # warm-up, not timed
    t0 = time.perf_counter()
    model = StatDiffusion(epochs=1, **steps).fit(X, y, seed=0)
    fit_s = (time.perf_counter() - t0) / len(idx)
    present = np.bincount(y, minlength=ws.n_classes) > 0
    counts = np.zeros(ws.n_classes, dtype=np.int64)
    counts[present] = int(np.ceil(sampled / present.sum()))
    t0 = time.perf_counter()
    model.sample(counts, seed=1)
    sample_s = (time.perf_counter() - t0) / counts.sum()
    n = len(train)
    fold_min = (fit_s * n * profile.augment_epochs + sample_s * n) / 60
    budgeted_min = budgeted_fold_minutes(fit_s, sample_s, ws.y[train], ws.n_classes, profile)
    folds = 2 * (profile.max_folds or 1)
    return {"dataset": name, "stands in for": paper, "shape": f"{ws.n_channels} × {length}",
            "training windows per fold": n, "fit (ms per window-epoch)": 1000 * fit_s,
            "sampling (ms per window)": 1000 * sample_s, "denoiser epochs": profile.augment_epochs,
            "one fold (min)": fold_min, "folds (both protocols)": folds,
            "all folds (one-core min)": fold_min * folds,
            "budgeted: one fold (min)": budgeted_min, "budgeted: all folds (one-core min)": budgeted_min * folds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profile", default="standard")
    ap.add_argument("--subset", type=int, default=2000, help="training windows timed for one epoch")
    ap.add_argument("--sampled", type=int, default=300, help="synthetic windows timed")
    args = ap.parse_args()
    torch.set_num_threads(1)
    profile = get_profile(args.profile)
    rows = [measure(name, length, paper, profile, args.subset, args.sampled) for name, length, paper in STAND_INS]
    table = pd.DataFrame(rows)
    save_table(table, "bench_diffusion_cost", profile.name,
               {"what": "paper B's diffusion stage on every training window of one random split, "
                        "estimated from timed subsets (one thread)",
                "timed": f"one denoiser epoch on {args.subset} training windows; {args.sampled} synthetic windows",
                "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"},
               floatfmt=".2f")
    print(table.round(2).to_string(index=False))


if __name__ == "__main__":
    main()
