"""Training throughput: windows per second of one training step (forward, backward, AdamW)
for every registered model × precision × threads × batch size, on UCI-HAR-shaped windows
(9 channels × 128 samples, 6 classes). Timing only: the input is random, which does not
change the arithmetic.

Writes ``tables/bench_train_throughput`` and the cost table the engine's budgets read,
``harlib/training/costs.json`` (seconds per training window at 1 thread, batch 64, per model and
precision). Re-run it on the machine the standard profile targets when models change.

``--shapes 9x150 6x150 …`` measures instead the one-thread, batch-64 cost at other input
shapes (channels × samples) and adds them to the cost table's
``seconds_per_window_at_shape`` (keeping what is there), so budgets on those shapes use a
measured cost, not one scaled from 9 × 128 (see :mod:`harlib.training.budget`). Its table is
``tables/bench_train_cost_by_shape``.

    python benchmarks/train_throughput.py [--models …] [--threads 1 2] [--batches 64 256]
    python benchmarks/train_throughput.py --shapes 9x150 6x150 45x75 3x60 --precisions fp32
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import pandas as pd
import torch

from harlib.training.budget import COSTS_PATH, scaled_from_reference, shape_key
from harlib.models.inference import autocast, to_fp32
from harlib.models import create_model, model_names
from harlib.report.tables import save_table

ROOT = Path(__file__).resolve().parent.parent
SHAPE = (9, 128, 6)


def training_step(model_name: str, precision: str, batch: int, shape: tuple = SHAPE,
                  warmup: int = 2, **model_kwargs):
    """One training step (forward, backward, AdamW) of a fresh ``model_name`` on random
    windows of ``shape`` (channels, samples, classes), as a callable already run ``warmup``
    times."""
    torch.manual_seed(0)
    c, n, k = shape
    model = create_model(model_name, c, k, n, **model_kwargs).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x, y = torch.randn(batch, c, n), torch.randint(0, k, (batch,))

    def step():
        with autocast(torch.device("cpu"), precision):
            out = model.forward_outputs(x)
        out = to_fp32(out)
        loss = torch.nn.functional.cross_entropy(out["logits"], y)
        if "reconstruction" in out:
            loss = loss + torch.nn.functional.mse_loss(out["reconstruction"], x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    for _ in range(warmup):
        step()
    return step


def steps_per_second(model_name: str, precision: str, threads: int, batch: int,
                     min_seconds: float, warmup: int = 2, shape: tuple = SHAPE) -> float:
    torch.set_num_threads(threads)
    step = training_step(model_name, precision, batch, shape, warmup)
    steps, t0 = 0, time.perf_counter()
    while steps < 3 or time.perf_counter() - t0 < min_seconds:
        step()
        steps += 1
    return steps / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", default=None)
    ap.add_argument("--precisions", nargs="+", default=["fp32", "bf16"])
    ap.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    ap.add_argument("--batches", nargs="+", type=int, default=[64, 256])
    ap.add_argument("--min-seconds", type=float, default=1.0)
    ap.add_argument("--no-cost-table", action="store_true", help="do not rewrite harlib/training/costs.json")
    ap.add_argument("--shapes", nargs="+", default=None,
                    help="measure the cost table at these CxL shapes (1 thread, batch 64)")
    args = ap.parse_args()
    models = args.models or model_names()
    if args.shapes:
        return cost_by_shape(models, args.precisions, args.shapes, args.min_seconds)
    load_before = os.getloadavg()[0]
    rows = []
    for m in models:
        for p in args.precisions:
            for t in args.threads:
                for b in args.batches:
                    sps = steps_per_second(m, p, t, b, args.min_seconds)
                    rows.append({"model": m, "precision": p, "threads": t, "batch": b,
                                 "windows_per_s": sps * b})
                    print(f"{m:>16} {p} {t} thread(s) batch {b:>3}: {sps * b:8.0f} windows/s", flush=True)
    table = pd.DataFrame(rows)
    meta = {"shape": "9 channels × 128 samples, 6 classes", "step": "forward + backward + AdamW",
            "torch": torch.__version__, "cpu": platform.processor() or platform.machine(),
            "min_seconds": args.min_seconds,
            "load_average_1min": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
            "cpu_count": os.cpu_count()}
    save_table(table, "bench_train_throughput", "standard", meta, floatfmt=".0f")
    if not args.no_cost_table:
        ref = table[(table.threads == 1) & (table.batch == 64)]
        costs = {"reference": {"channels": SHAPE[0], "length": SHAPE[1], "threads": 1, "batch": 64},
                 "torch": torch.__version__, "load_average_1min": meta["load_average_1min"],
                 "seconds_per_window": {m: {r.precision: 1.0 / r.windows_per_s
                                            for r in ref[ref.model == m].itertuples()}
                                        for m in ref.model.unique()}}
        COSTS_PATH.write_text(json.dumps(costs, indent=1, sort_keys=True) + "\n")


def parse_shape(text: str) -> tuple[int, int]:
    try:
        c, n = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"--shapes: {text!r} is not CHANNELSxSAMPLES, e.g. 9x150") from None
    if c < 1 or n < 8:
        raise SystemExit(f"--shapes: {text!r} needs >= 1 channel and >= 8 samples")
    return c, n


def cost_by_shape(models, precisions, shapes, min_seconds) -> None:
    """Measure ``models`` at ``shapes``; write their table (beside each measured cost, the
    cost scaled from the 9 × 128 reference, and their ratio) and add them to the cost table."""
    shapes = [parse_shape(s) for s in shapes]
    path = COSTS_PATH
    costs = json.loads(path.read_text())
    load_before = os.getloadavg()[0]
    rows = []
    for c, n in shapes:
        for m in models:
            for p in precisions:
                sps = steps_per_second(m, p, 1, 64, min_seconds, shape=(c, n, 6))
                measured = 1.0 / (sps * 64)
                scaled = scaled_from_reference(m, p, c, n, costs)
                rows.append({"shape": shape_key(c, n), "model": m, "precision": p,
                             "seconds_per_window": measured, "scaled_from_reference": scaled,
                             "measured_over_scaled": measured / scaled})
                print(f"{shape_key(c, n):>7} {m:>16} {p}: {sps * 64:8.0f} windows/s", flush=True)
    table = pd.DataFrame(rows)
    load = {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)}
    save_table(table, "bench_train_cost_by_shape", "standard",
               {"step": "forward + backward + AdamW", "threads": 1, "batch": 64, "classes": 6,
                "torch": torch.__version__, "min_seconds": min_seconds, "load_average_1min": load,
                "cpu_count": os.cpu_count(),
                "scaled_from_reference": "the 9 x 128 cost times channels x length / 1152"},
               floatfmt=".6f")
    at_shape = costs.setdefault("seconds_per_window_at_shape", {})
    for r in table.itertuples():
        at_shape.setdefault(r.shape, {}).setdefault(r.model, {})[r.precision] = r.seconds_per_window
    costs["load_average_1min_at_shape"] = load
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(costs, indent=1, sort_keys=True) + "\n")
    tmp.replace(path)


if __name__ == "__main__":
    main()
