"""The GPU path, checked on a CUDA machine: determinism of the engine on the GPU, bf16
autocast there, and the paper profile of a small grid, whose tables go under
``tables/paper/`` (``HARLIB_OUTPUT`` redirects them).

    python tools/gpu_check.py --datasets uci_har_hapt --models cnn1d tinyhar deepconvlstm --folds 3
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
import pandas as pd
import torch

from harlib.data import load_dataset
from harlib.training.experiment import run_grid, summarize
from harlib.training.profiles import get_profile
from harlib.papers.published import whar_arena_macro_f1
from harlib.report.tables import output_dir, save_table
from harlib.training.runs import RunStore
from harlib.evaluation.splits import make_splits
from harlib.training.train import TrainConfig, fit
from harlib.data.windows import sliding_windows


def whar_windows(name: str):
    ds = load_dataset(name)
    length = int(round(3.0 * ds.sampling_rate))
    return sliding_windows(ds, length, length // 2, policy="pure"), min(10, len(ds.subjects))


def engine_checks(device: str, store: RunStore, windows: int = 2000, epochs: int = 3) -> dict:
    """Two identical runs per precision on the device must agree exactly; so must a reload."""
    ws, groups = whar_windows("uci_har_hapt")
    split = make_splits("subject_groups", ws, n_groups=groups)[0]
    out = {"device": torch.cuda.get_device_name(0) if device.startswith("cuda") else "cpu",
           "torch": torch.__version__}
    for precision in ("fp32", "bf16"):
        for model in ("cnn1d", "deepconvlstm"):
            cfg = TrainConfig(max_epochs=epochs, patience=3, max_train_windows=windows, device=device,
                              precision=precision, profile="paper")
            t0 = time.perf_counter()
            a = fit(model, ws, split, cfg, store=RunStore(store.root / f"a-{precision}"))
            b = fit(model, ws, split, cfg, store=RunStore(store.root / f"b-{precision}"))
            out[f"{model}_{precision}"] = {
                "identical_repeat": bool(np.array_equal(a.predictions["proba"], b.predictions["proba"])),
                "max_abs_diff": float(np.abs(a.predictions["proba"] - b.predictions["proba"]).max()),
                "f1_macro": a.metrics["f1_macro"], "seconds_two_runs": time.perf_counter() - t0}
    for trainer_cfg in ({"sampler": "triplet", "loss": "ce_triplet"},
                        {"loss": "adaptive_composite"},
                        {"trainer": "pretrain_finetune", "augment": "jitter_scale", "pretrain_epochs": 1}):
        cfg = TrainConfig(max_epochs=min(2, epochs), patience=2, max_train_windows=windows // 2,
                          device=device, profile="paper", **trainer_cfg)
        r = fit("cnn1d", ws, split, cfg, store=store)
        out["cnn1d " + json.dumps(trainer_cfg, sort_keys=True)] = {"f1_macro": r.metrics["f1_macro"]}
    cfg = TrainConfig(max_epochs=min(2, epochs), patience=2, max_train_windows=windows // 2,
                      device=device, trainer="unsupervised", profile="paper")
    out["lstm_autoencoder unsupervised"] = {
        k: v for k, v in fit("lstm_autoencoder", ws, split, cfg, store=store).metrics.items()
        if k in ("cluster_accuracy", "nmi", "ari")}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", nargs="+", default=["uci_har_hapt"])
    ap.add_argument("--models", nargs="+", default=["cnn1d", "tinyhar", "deepconvlstm"])
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--precision", default="fp32")
    ap.add_argument("--skip-checks", action="store_true")
    ap.add_argument("--budget-s", type=float, default=float("inf"),
                    help="start no further model after this many seconds")
    ap.add_argument("--quick", action="store_true",
                    help="1 epoch on 200 windows everywhere: checks that the script runs (CPU)")
    args = ap.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    store = RunStore()
    if not args.skip_checks:
        checks = engine_checks(device, store, *((200, 1) if args.quick else (2000, 3)))
        path = output_dir("tables", "paper") / "gpu_engine_checks.json"
        path.write_text(json.dumps(checks, indent=2) + "\n")
        print(json.dumps(checks, indent=2), flush=True)
    P = get_profile("paper")
    quick = {"max_epochs": 1, "max_train_windows": 200, "max_test_windows": 200} if args.quick else {}
    config = TrainConfig.from_profile(P, device=device, precision=args.precision, **quick)
    ap_budget = time.perf_counter() + args.budget_s
    meta = {"datasets": args.datasets, "protocol": "subject_groups (WHAR Arena v1)",
            "folds": f"first {args.folds} of 10", "seeds": args.seeds,
            "device": torch.cuda.get_device_name(0) if device == "cuda" else "cpu",
            "torch": torch.__version__,
            "train_config": TrainConfig(**{**config.__dict__, "loss": config.loss or "cross_entropy"}).identity()}
    windows = {name: whar_windows(name) for name in args.datasets}
    runs = []
    for model in args.models:          # one model at a time, tables saved after each
        if time.perf_counter() > ap_budget:
            print(f"time budget spent: {model} and later models not run", flush=True)
            break
        for name, (ws, groups) in windows.items():
            runs.append(run_grid(ws, "subject_groups", [model], args.seeds, config,
                                 protocol_kwargs={"n_groups": groups}, max_folds=args.folds,
                                 store=store))
        table = pd.concat(runs, ignore_index=True)
        save_table(table, "gpu_paper_grid_runs", "paper", meta)
        summary = summarize(table, ["dataset", "model"], ["f1_macro", "accuracy"])
        summary["published_macro_f1 (WHAR Arena v1, 10 groups)"] = [
            whar_arena_macro_f1(m, d) for d, m in zip(summary.dataset, summary.model)]
        save_table(summary, "gpu_paper_grid_summary", "paper", meta)
        print(summary.round(3).to_string(), flush=True)


if __name__ == "__main__":
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    main()
