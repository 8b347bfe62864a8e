"""Check that the engine still reproduces notebook 02's committed runs.

For every row of ``tables/02_baseline_runs.csv`` the run key is recomputed from today's code
(a changed key means stored runs would no longer be found); the rows whose model is in
``--retrain`` are trained again in a scratch run store and their macro-F1 compared with the
committed value. Usage:

    python tools/verify_runs.py --retrain cnn1d random_forest --folds 0 1 2
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import pandas as pd

from harlib.data import load_dataset
from harlib.training.runs import RunStore, run_key
from harlib.evaluation.splits import make_splits
from harlib.training.train import TrainConfig, fit
from harlib.training.trainers.base import RunRequest
from harlib.training.trainers.registry import trainer_for
from harlib.data.windows import sliding_windows

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--table", default=str(ROOT / "tables" / "02_baseline_runs.csv"))
    ap.add_argument("--retrain", nargs="*", default=[], help="models to retrain and compare")
    ap.add_argument("--folds", nargs="*", type=int, default=[0], help="folds to retrain")
    ap.add_argument("--datasets", nargs="*", default=None)
    ap.add_argument("--tolerance", type=float, default=1e-9)
    args = ap.parse_args()
    runs = pd.read_csv(args.table)
    meta = json.loads(Path(args.table).with_suffix(".json").read_text())
    config = TrainConfig(**meta["train_config"], num_threads=1, profile=meta["profile"])
    store = RunStore(Path(tempfile.mkdtemp(prefix="verify-runs-")))
    bad = 0
    for name in args.datasets or runs.dataset.unique():
        ds = load_dataset(name)
        length = int(round(3.0 * ds.sampling_rate))
        ws = sliding_windows(ds, length, length // 2, policy="pure")
        splits = make_splits("subject_groups", ws, n_groups=min(10, len(ds.subjects)))
        for _, row in runs[runs.dataset == name].iterrows():
            split = splits[int(row.fold)]
            trainer = trainer_for(row.model, config)
            cfg = trainer.resolve(config)
            key = run_key(trainer.spec(RunRequest(row.model, ws, split, cfg, int(row.seed))))
            status = "key ok" if key == row.run_key else f"KEY CHANGED {row.run_key} → {key}"
            bad += key != row.run_key
            if row.model in args.retrain and int(row.fold) in args.folds:
                res = fit(row.model, ws, split, config, seed=int(row.seed), store=store)
                diff = res.metrics["f1_macro"] - row.f1_macro
                ok = abs(diff) <= args.tolerance
                bad += not ok
                status += (f"; retrained macro-F1 {res.metrics['f1_macro']:.6f} vs committed "
                           f"{row.f1_macro:.6f} ({'same' if ok else f'DIFFERENT by {diff:+.2e}'})")
            print(f"{name:>13} fold {row.fold} {row.model:>14} seed {row.seed}: {status}", flush=True)
    print(f"{bad} problem(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
