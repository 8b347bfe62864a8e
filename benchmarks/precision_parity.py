"""bf16 autocast against fp32: macro-F1 of the same runs in both precisions.

cnn1d, TinyHAR and DeepConvLSTM on rebuilt UCI-HAR, HAPT and DSADS (WHAR Arena v1 windows
and subject groups), the first three groups, two seeds, notebook 02's standard budget
(≤ 1,000 training windows, ≤ 10 epochs, patience 3), one thread. Writes
``tables/bench_precision_runs`` and ``tables/bench_precision_parity``: per model and
dataset, the mean paired difference (bf16 − fp32) beside the seed-to-seed spread.

    OMP_NUM_THREADS=1 python benchmarks/precision_parity.py [--datasets …] [--models …]
"""
from __future__ import annotations

import argparse

import pandas as pd

from harlib.data import load_dataset
from harlib.training.experiment import paired_difference, run_grid
from harlib.training.profiles import get_profile
from harlib.report.tables import save_table
from harlib.training.train import TrainConfig
from harlib.data.windows import sliding_windows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", nargs="+", default=["uci_har_hapt", "hapt", "dsads"])
    ap.add_argument("--models", nargs="+", default=["cnn1d", "tinyhar", "deepconvlstm"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--profile", default="standard")
    ap.add_argument("--stored-only", action="store_true",
                    help="tabulate the stored runs only (several processes can train parts first)")
    args = ap.parse_args()
    P = get_profile(args.profile)
    runs = []
    for name in args.datasets:
        ds = load_dataset(name)
        length = int(round(3.0 * ds.sampling_rate))
        ws = sliding_windows(ds, length, length // 2, policy="pure")
        for precision in ("fp32", "bf16"):
            config = TrainConfig.from_profile(P, max_train_windows=P.grid_train_windows,
                                              precision=precision, num_threads=1)
            runs.append(run_grid(ws, "subject_groups", args.models, args.seeds, config,
                                 protocol_kwargs={"n_groups": min(10, len(ds.subjects))},
                                 max_folds=args.folds, stored_only=args.stored_only)
                        .assign(precision=precision))
            meta = {"datasets": args.datasets, "models": args.models, "seeds": args.seeds,
                    "folds": args.folds, "threads": 1, "train_config": config.identity()}
            table = pd.concat(runs, ignore_index=True)
            save_table(table, "bench_precision_runs", P.name, meta)
            if {"fp32", "bf16"} <= set(table.precision):
                parity = paired_difference(table, "precision", "fp32", "bf16", ["dataset", "model"])
                save_table(parity, "bench_precision_parity", P.name, meta)
                print(parity.round(4).to_string(), flush=True)


if __name__ == "__main__":
    main()
