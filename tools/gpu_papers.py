"""Papers A, B and C under the paper profile, on a CUDA machine: their methods trained with
their recipes on the datasets small enough to travel (the UCI-HAR stand-in rebuilt from
HAPT, HAPT, WISDM 2019), under the paper-style and the subject-independent protocol, and
single-window CUDA latency beside the papers' figures. Tables go under ``tables/paper/``
(``HARLIB_OUTPUT`` redirects them):

    gpu_papers_latency   CUDA latency of STDual-X, USAD and B's Table 5 models
    gpu_papers_runs      one row per training run
    gpu_papers_headline  claim, the paper's figure, ours under each protocol

    python tools/gpu_papers.py --budget-s 420

Items run in priority order (latency, C3, B1, B3, A); ``--items`` picks some of them.
Paper A's item trains its model (our main reading: the LSTM over each window and its 4
preceding windows, notebook 11) on HAPT, on the random split and the first subject group. ``--budget-s`` stops starting runs once
spent; the tables then state which items ran, and a fold left out is not a fold failed.
DSADS, the stand-in for PAMAP2 (C1, B2), is too large to take to such a machine, so those
claims keep their standard-profile CPU numbers. ``--quick`` checks the script on a CPU
(1 epoch, 200 windows, 1 augmentation epoch): its numbers mean nothing.
"""
from __future__ import annotations

import argparse
import os
import time

import pandas as pd
import torch

from harlib.data import load_dataset
from harlib.papers.usad import _table5_models
from harlib.deploy.efficiency import cuda_latency_ms
from harlib.training.experiment import run_grid
from harlib.evaluation.leakage import LEAKS, leak_variant
from harlib.models import create_model
from harlib.training.profiles import get_profile
from harlib.papers.published import PAPER_CLAIMS, USAD_TABLE5, paper_claim
from harlib.papers.recipes import recipe
from harlib.papers.usad import usad_ablation
from harlib.report.tables import save_table
from harlib.training.train import TrainConfig
from harlib.data.windows import sliding_windows


ITEMS = ("latency", "C3", "B1", "B3", "A")


def one_imu_groups(channels: int) -> dict:
    return {"placement": {"imu0": list(range(channels))}, "modality": {"all": list(range(channels))}}


def latency_table(repeats: int) -> pd.DataFrame:
    """Batch-1 and batch-100 CUDA latency: STDual-X at UCI-HAR's shape (C9), USAD at
    UCI-HAR's shape (B's 1.6 ms target) and every Table 5 model at B's two shapes."""
    rows = []
    models = [("stdualx", "uci_har (9 × 128)", 9, 128, 6, {"channel_groups": one_imu_groups(9)}, "C9"),
              ("usad", "uci_har (9 × 128)", 9, 128, 6, {}, "")]
    for name, setting, c, n, k, kw, claim in models:
        torch.manual_seed(0)
        rows.append((name, setting, c, n, create_model(name, c, k, n, **kw), claim))
    for name, setting, (c, n, _k, _hz), model in _table5_models(list(USAD_TABLE5)):
        rows.append((name, setting, c, n, model, ""))
    out = []
    for name, setting, c, n, model, claim in rows:
        one = cuda_latency_ms(model, c, n, batch=1, repeats=repeats)
        many = cuda_latency_ms(model, c, n, batch=100, repeats=repeats)
        out.append({"model": name, "setting": setting, "single window, ms": one["median_ms"],
                    "per window in a batch of 100, ms": many["per_window_ms"],
                    "peak allocated, MiB (batch 100)": many["peak_allocated_mb"],
                    "the paper reports: ms (P100)": paper_claim(claim) if claim else None,
                    "claim": claim})
    return pd.DataFrame(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget-s", type=float, default=float("inf"),
                    help="start no further training run after this many seconds")
    ap.add_argument("--folds", type=int, default=10, help="subject-group folds at most")
    ap.add_argument("--items", nargs="+", default=list(ITEMS), choices=ITEMS, help="what to run")
    ap.add_argument("--quick", action="store_true", help="check the script on a CPU; numbers meaningless")
    args = ap.parse_args()
    t0 = time.perf_counter()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    P = get_profile("paper")
    quick = {"max_epochs": 1, "max_train_windows": 200, "max_test_windows": 200} if args.quick else {}
    meta = {"device": torch.cuda.get_device_name(0) if device == "cuda" else "cpu",
            "torch": torch.__version__, "seed": 0, "profile_epochs": P.max_epochs,
            "patience": P.patience, "augment_epochs": 1 if args.quick else P.augment_epochs,
            "pretrain_epochs": 1 if args.quick else P.pretrain_epochs, "quick": args.quick}

    # a run of some of the items writes tables of its own (gpu_papers_A_runs, ...)
    tag = "" if set(args.items) == set(ITEMS) else "_" + "_".join(i for i in ITEMS if i in args.items)
    if device == "cuda" and "latency" in args.items:
        latency = latency_table(repeats=100)
        save_table(latency, f"gpu_papers{tag}_latency", "paper", {**meta, "repeats": 100, "unit": "ms, median"})
        print(latency.round(3).to_string(), flush=True)

    runs: dict[tuple[str, str], pd.DataFrame] = {}     # (claim, protocol label) → its runs so far
    skipped: list[str] = []

    def spent() -> bool:
        return time.perf_counter() - t0 > args.budget_s

    def save() -> None:
        if not runs:
            return
        table = pd.concat(runs.values(), ignore_index=True)
        save_table(table, f"gpu_papers{tag}_runs", "paper", {**meta, "not run (time budget)": skipped})
        head = (table.groupby(["claim", "stand_in", "protocol_label"], sort=False)
                .agg(accuracy=("accuracy", "mean"), f1_macro=("f1_macro", "mean"), runs=("accuracy", "size"),
                     epochs=("epochs", "mean"))
                .reset_index())
        head[["accuracy", "f1_macro"]] *= 100
        head.insert(2, "the paper reports: accuracy",
                    [paper_claim(c) if c in PAPER_CLAIMS else None for c in head.claim])
        save_table(head, f"gpu_papers{tag}_headline", "paper",
                   {**meta, "unit": "%, mean over folds", "not run (time budget)": skipped}, floatfmt=".2f")
        print(head.round(2).to_string(), flush=True)

    # C3: STDual-X on the UCI-HAR stand-in, the official code's protocol (all three leaks)
    # and held-out subjects without leaks (notebook 31's two rows).
    if "C3" in args.items:
        stdualx = recipe("stdualx", P, device=device, **quick)
        ws = sliding_windows(load_dataset("uci_har_hapt"), 128, 64)
        test = ws.info["official_split"]["test"]
        for label, leaks in (("paper-style (all three leaks)", LEAKS), ("subject-independent (no leak)", ())):
            if spent():
                skipped.append(f"C3 {label}")
                continue
            ws_l, kw = leak_variant(ws, test, leaks)
            runs[("C3", label)] = (run_grid(ws_l, "holdout_subjects", ["stdualx"], [0], stdualx, protocol_kwargs=kw)
                                   .assign(claim="C3", stand_in="uci_har_hapt (stand-in for UCI-HAR)",
                                           protocol_label=label))
            save()

    # B1 and B3: full USAD (Table 2's last row) on WISDM 2019 (90 samples) and HAPT (50
    # samples), random windows (notebooks 23/25) and subject groups, fold by fold.
    usad = usad_ablation(P)["Data Augmentation"]
    cfg = {**usad["config"], "augment_kwargs": {**usad["config"]["augment_kwargs"],
                                                "epochs": meta["augment_epochs"]},
           "pretrain_epochs": meta["pretrain_epochs"]}
    config = TrainConfig.from_profile(P, device=device, **cfg, **quick)
    for claim, name, length in [c for c in (("B1", "wisdm2019_watch_accel", 90), ("B3", "hapt", 50))
                                if c[0] in args.items]:
        ws = sliding_windows(load_dataset(name), length, length // 2)
        groups = min(10, len(set(ws.subject)))
        stand_in = f"{name} (stand-in for {'WISDM' if claim == 'B1' else 'OPPORTUNITY'})"
        plan = [("paper-style (random windows)", "random_windows", {"test_fraction": 0.3}, 1)]
        plan += [("subject-independent (subject groups)", "subject_groups", {"n_groups": groups}, k)
                 for k in range(1, min(args.folds, groups) + 1)]
        for label, protocol, kw, folds in plan:
            if spent():
                skipped.append(f"{claim} {label}, fold {folds}")
                continue
            # the first `folds` folds, the earlier ones loaded from the store: they replace the last table
            runs[(claim, label)] = (run_grid(ws, protocol, {"usad": usad["model_kwargs"]}, [0], config,
                                             protocol_kwargs=kw, max_folds=folds)
                                    .assign(claim=claim, stand_in=stand_in, protocol_label=label))
            save()
    # A: paper A's model without labels on HAPT (2.56 s windows, 4 preceding windows; notebook
    # 11's settings), scored by k-means; the paper's A1/A2 stand beside it only as context.
    if "A" in args.items:
        from harlib.models.memae import MemAELSTM
        hw = sliding_windows(load_dataset("hapt"), 128, 64, history=4)
        config = TrainConfig.from_profile(P, device=device, trainer="unsupervised", loss="reconstruction_memory",
                                          pretrain_epochs=meta["pretrain_epochs"],
                                          trainer_kwargs={"clusterer": "kmeans"}, **quick)
        for label, protocol, kw in (("paper-style (random windows)", "random_windows", {"test_fraction": 0.3}),
                                    ("subject-independent (subject groups)", "subject_groups", {"n_groups": 10})):
            if spent():
                skipped.append(f"A {label}")
                continue
            runs[("A", label)] = (run_grid(hw, protocol, {"memae_lstm": MemAELSTM.for_windows(hw)}, [0], config,
                                           protocol_kwargs=kw, max_folds=1)
                                  .assign(claim="A (HAPT)",
                                          stand_in="hapt (a harder single-phone set; no claim of A's is on it)",
                                          protocol_label=label))
            save()
    save()          # once more, so the tables name the items skipped after the last run
    print(f"total {time.perf_counter() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    main()
