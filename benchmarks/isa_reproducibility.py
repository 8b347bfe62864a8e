"""Does a one-thread CPU run give the same numbers on another x86 machine?

A machine can emulate a CPU with fewer instruction sets: ATen (``ATEN_CPU_CAPABILITY``),
oneDNN (``ONEDNN_MAX_CPU_ISA``), MKL (``MKL_ENABLE_INSTRUCTIONS``), OpenBLAS
(``OPENBLAS_CORETYPE``) and NumPy (``NPY_DISABLE_CPU_FEATURES``) each read a setting that
caps the kernels they dispatch to. This benchmark trains a small grid on real data, one
run per layer type the models use, once per emulated machine, each in a fresh process
with one thread and an empty run store, and compares every output with the first
machine's: bitwise (the SHA-256 of the stored predictions) and by how much (the largest
absolute difference in class probabilities or embeddings, and in macro-F1).

    python benchmarks/isa_reproducibility.py                 # harlib's pinned numerics
    python benchmarks/isa_reproducibility.py --numerics native   # torch's own dispatch
    python benchmarks/isa_reproducibility.py --precision bf16   # the networks in bf16 autocast
    python benchmarks/isa_reproducibility.py --grid          # (one process: one machine)
    python benchmarks/isa_reproducibility.py --cost 3        # the price of pinning: seconds
                                                             # per run, native and pinned
                                                             # interleaved, 3 rounds

The grid: DSADS (45 channels × 75 samples, 5 IMUs), holding out subjects 7 and 8, 300
training windows, 2 epochs. It covers convolutions and batch norm (cnn1d, resnext), LSTM
(deepconvlstm), GRU (cnn_gru), attention (tinyhar, stdualx with the triplet loss, usad),
paper B's diffusion augmenter (usad with ``augment="diffusion"``), paper A's memory
autoencoder (unsupervised, k-means on its embeddings), the classical models (random
forest, kNN, SVM) and k-means on statistical features.

Writes ``tables/bench_isa_reproducibility.{csv,md,json}`` (and ``_native`` for torch's own
dispatch), and with ``--cost`` ``tables/bench_numerics_cost``.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harlib.core.numerics import EMULATED_CPUS, ENVIRONMENT, MODES, cpu_model

# this CPU as it is, then each CPU it can emulate
MACHINES = {"this CPU": {}, **EMULATED_CPUS}

# (name, model, TrainConfig overrides)
GRID = [
    ("conv + batch norm", "cnn1d", {}),
    ("grouped conv + batch norm", "resnext", {}),
    ("conv + LSTM", "deepconvlstm", {}),
    ("conv + GRU", "cnn_gru", {}),
    ("conv + attention", "tinyhar", {}),
    ("per-IMU attention + triplet loss", "stdualx", {"loss": "ce_triplet", "sampler": "triplet"}),
    ("multi-branch attention", "usad", {}),
    ("diffusion augmenter + attention", "usad",
     {"augment": "diffusion", "augment_kwargs": {"amount": 0.5, "epochs": 2, "steps": 20,
                                                 "sample_steps": 4}}),
    ("memory LSTM autoencoder + k-means", "memae_lstm", {"trainer": "unsupervised"}),
    ("random forest", "random_forest", {}),
    ("kNN", "knn", {}),
    ("SVM", "svm", {}),
    ("k-means on features", "kmeans_features", {}),
]


def run_grid(out: Path, precision: str = "fp32") -> None:
    """Train the grid in this process (fresh run store) and save its outputs to ``out``;
    ``precision`` "bf16" trains the networks under bf16 autocast."""
    import numpy as np
    import torch

    from harlib.core import numerics
    from harlib.data import load_dataset
    from harlib.training.runs import RunStore
    from harlib.evaluation.splits import holdout_subjects
    from harlib.training.train import TrainConfig, fit
    from harlib.data.windows import sliding_windows

    torch.set_num_threads(1)
    ws = sliding_windows(load_dataset("dsads"), 75, 37, policy="pure")
    split = holdout_subjects(ws, (7, 8), seed=0)[0]
    base = dict(max_epochs=2, patience=2, max_train_windows=300, max_val_windows=150,
                max_test_windows=300, num_threads=1, precision=precision)
    rows, arrays = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        store = RunStore(Path(tmp))
        for name, model, overrides in GRID:
            t0 = time.perf_counter()
            run = fit(model, ws, split, TrainConfig(**{**base, **overrides}), seed=0, store=store)
            preds = {k: np.asarray(v) for k, v in sorted(run.predictions.items())}
            digest = hashlib.sha256(b"".join(v.tobytes() for v in preds.values())).hexdigest()
            for k in ("proba", "embedding"):
                if k in preds:
                    arrays[f"{name}|{k}"] = preds[k].astype(np.float64)
            metric = run.metrics.get("f1_macro", run.metrics.get("accuracy"))
            rows.append({"run": name, "model": model, "sha256": digest[:16],
                         "f1_macro": float(metric), "seconds": time.perf_counter() - t0})
    out.mkdir(parents=True, exist_ok=True)
    np.savez(out / "arrays.npz", **arrays)
    (out / "rows.json").write_text(json.dumps({"numerics": numerics.state(), "rows": rows}, indent=1))
    print(hashlib.sha256("".join(r["sha256"] for r in rows).encode()).hexdigest())


def compare(machines: dict, numerics_mode: str, workdir: Path, precision: str = "fp32") -> list[dict]:
    import numpy as np

    results = {}
    for machine, env in machines.items():
        out = workdir / machine.replace(" ", "_").replace("/", "-")
        e = _child_env(numerics_mode, env)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--grid", "--out", str(out), "--precision", precision],
                       env=e, check=True)
        print(f"{machine}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        results[machine] = (json.loads((out / "rows.json").read_text()),
                            dict(np.load(out / "arrays.npz")))
    ref_name = next(iter(machines))
    ref, ref_arrays = results[ref_name]
    table = []
    for machine in list(machines)[1:]:
        other, other_arrays = results[machine]
        for row, o in zip(ref["rows"], other["rows"]):
            diffs = [float(np.max(np.abs(v - other_arrays[k]))) for k, v in ref_arrays.items()
                     if k.startswith(row["run"] + "|")]
            table.append({"emulated CPU": machine, "run": row["run"], "model": row["model"],
                          "bitwise": o["sha256"] == row["sha256"],
                          "max |Δ| probability or embedding": max(diffs) if diffs else float("nan"),
                          "|Δ| test score": abs(o["f1_macro"] - row["f1_macro"]),
                          "seconds": o["seconds"]})
    return table, {m: r[0]["numerics"] for m, r in results.items()}


def _child_env(numerics_mode: str, machine_env: dict) -> dict:
    e = {k: v for k, v in os.environ.items()     # the child sets its own numerics
         if k not in {*ENVIRONMENT, *(k2 for m in MACHINES.values() for k2 in m)}}
    e.update(machine_env, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
             HARLIB_NUMERICS=numerics_mode)
    return e


def cost(rounds: int, workdir: Path):
    """Seconds per run of the grid on this CPU, native and pinned numerics interleaved."""
    import pandas as pd

    rows = []
    for r in range(rounds):
        for m in ("native", "pinned"):
            out = workdir / f"{m}{r}"
            load = os.getloadavg()[0]
            subprocess.run([sys.executable, __file__, "--grid", "--out", str(out)],
                           env=_child_env(m, {}), check=True)
            for row in json.loads((out / "rows.json").read_text())["rows"]:
                rows.append({"numerics": m, "round": r, "load": load, **row})
    df = pd.DataFrame(rows)
    med = df.pivot_table(index=["run", "model"], columns="numerics", values="seconds",
                         aggfunc="median", sort=False).reset_index()
    med["pinned / native"] = med["pinned"] / med["native"]
    med = med.rename(columns={"native": "native (s)", "pinned": "pinned (s)"})
    return med, float(df["load"].mean())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", action="store_true", help="train the grid in this process only")
    ap.add_argument("--out", type=Path, help="with --grid: where its outputs go")
    ap.add_argument("--numerics", default="pinned", choices=MODES,
                    help="harlib's pinned numerics (default) or torch's own dispatch")
    ap.add_argument("--precision", default="fp32", choices=("fp32", "bf16"),
                    help="train the networks in fp32 (default) or under bf16 autocast")
    ap.add_argument("--cost", type=int, metavar="ROUNDS",
                    help="time the grid under native and pinned numerics instead")
    args = ap.parse_args(argv)
    if args.grid:
        run_grid(args.out or Path(tempfile.mkdtemp()), args.precision)
        return 0
    import pandas as pd

    from harlib.report.tables import save_table

    if args.cost:
        with tempfile.TemporaryDirectory() as tmp:
            med, load = cost(args.cost, Path(tmp))
        save_table(med, "bench_numerics_cost", "standard",
                   {"what": "seconds per run of the reproducibility grid on one thread, median of "
                            f"{args.cost} rounds, native and pinned numerics interleaved",
                    "cpu": cpu_model()[0], "mean load average": round(load, 2)}, floatfmt=".2f")
        print(med.to_string())
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        table, states = compare(MACHINES, args.numerics, Path(tmp), args.precision)
    df = pd.DataFrame(table)
    suffix = ("" if args.numerics == "pinned" else "_native") + ("" if args.precision == "fp32" else "_bf16")
    meta = {"what": "one-thread runs on DSADS (300 training windows, 2 epochs, subjects 7 and 8 "
                    "held out) under emulated CPUs, against this CPU as it is",
            "numerics": args.numerics, "precision": args.precision, "cpu": cpu_model()[0],
            "settings": states,
            "test score": "macro-F1 (clustering accuracy for memae_lstm)"}
    save_table(df, f"bench_isa_reproducibility{suffix}", "standard", meta, floatfmt=".2g")
    print(df.to_string())
    print(json.dumps(states, indent=1))
    same = all(v for r in table for k, v in r.items() if k.endswith("bitwise"))
    print("bitwise identical on every emulated CPU" if same else "differs between emulated CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
