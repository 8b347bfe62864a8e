"""Does bf16 autocast speed up training on this CPU? fp32 and bf16 measured interleaved.

For each model, one training step (forward, backward, AdamW) at 1 thread and batch 64 on
UCI-HAR-shaped windows (9 channels × 128 samples, 6 classes; random input, which does not
change the arithmetic) is timed in fp32 and in bf16 autocast, alternating, for
``--repeats`` rounds, so that a change of load hits both precisions alike. The speed-up of
a round is fp32's seconds per step over bf16's; the table gives its median and range over
the rounds. Each numerics mode (:mod:`harlib.core.numerics`: ``pinned``, the default, and
``native``, torch's own dispatch) runs in a fresh process, since the mode is set before
torch loads.

Every row names the CPU (model name and the flags that decide bf16's speed: AVX-512 BF16,
AMX) and the load average around the measurement, and the table keeps the rows of other
CPUs: ``tables/bench_bf16_speedup.{csv,md,json}`` collects one block per CPU kind.

    python benchmarks/bf16_speedup.py [--models cnn1d tinyhar …] [--repeats 5] [--seconds 2]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ("cnn1d", "tinyhar", "deepconvlstm", "usad", "stdualx")
FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile")


def cpu_identity() -> dict:
    """The CPU's model name and which of :data:`FLAGS` it has (from /proc/cpuinfo)."""
    name, flags = "unknown", set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and name == "unknown":
                name = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = set(value.split())
    except OSError:
        pass
    return {"cpu": name, **{f: f in flags for f in FLAGS}}


def measure(models, repeats: int, seconds: float) -> list[dict]:
    """In this process: per model, ``repeats`` rounds of fp32 then bf16 steps."""
    import harlib  # noqa: F401  (first: pins the numerics before torch loads)
    import torch

    from harlib.core import numerics
    from train_throughput import SHAPE, training_step     # the same step, timed the same way
    torch.set_num_threads(1)
    c = SHAPE[0]

    def stepper(name, precision):
        groups = {"placement": {f"imu{i}": [3 * i, 3 * i + 1, 3 * i + 2] for i in range(c // 3)},
                  "modality": {"acc": list(range(c))}}
        return training_step(name, precision, 64, SHAPE, channel_groups=groups)

    def timed(step) -> float:
        steps, t0 = 0, time.perf_counter()
        while steps < 3 or time.perf_counter() - t0 < seconds:
            step()
            steps += 1
        return (time.perf_counter() - t0) / steps

    rows = []
    mode = numerics.mode()
    for name in models:
        steps = {p: stepper(name, p) for p in ("fp32", "bf16")}
        load = os.getloadavg()[0]
        per_round = []
        for _ in range(repeats):
            per_round.append({p: timed(steps[p]) for p in ("fp32", "bf16")})
        rows.append({"model": name, "numerics": mode, "rounds": per_round,
                     "load_before": round(load, 2), "load_after": round(os.getloadavg()[0], 2)})
        ratio = sorted(r["fp32"] / r["bf16"] for r in per_round)
        print(f"{mode:>7} {name:>14}: bf16 speed-up {ratio[len(ratio) // 2]:.2f} "
              f"(range {ratio[0]:.2f}–{ratio[-1]:.2f}), load {load:.1f}", file=sys.stderr, flush=True)
    return rows


def summarise(rows: list[dict], cpu: dict) -> list[dict]:
    import numpy as np
    out = []
    for r in rows:
        fp32 = np.array([x["fp32"] for x in r["rounds"]])
        bf16 = np.array([x["bf16"] for x in r["rounds"]])
        ratio = fp32 / bf16
        out.append({**cpu, "numerics": r["numerics"], "model": r["model"], "rounds": len(ratio),
                    "fp32 windows/s": 64 / float(np.median(fp32)),
                    "bf16 windows/s": 64 / float(np.median(bf16)),
                    "bf16 speed-up (median)": float(np.median(ratio)),
                    "speed-up min": float(ratio.min()), "speed-up max": float(ratio.max()),
                    "load before": r["load_before"], "load after": r["load_after"]})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", default=list(MODELS))
    ap.add_argument("--repeats", type=int, default=5, help="interleaved rounds (at least 3)")
    ap.add_argument("--seconds", type=float, default=2.0, help="seconds per precision per round")
    ap.add_argument("--numerics", nargs="+", default=["pinned", "native"], choices=["pinned", "native"])
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.repeats < 3:
        ap.error("--repeats must be at least 3 (the range needs rounds to mean anything)")
    if args.child:
        print(json.dumps(measure(args.models, args.repeats, args.seconds)))
        return 0
    rows = []
    for mode in args.numerics:
        env = {k: v for k, v in os.environ.items()}
        env.update({"HARLIB_NUMERICS": mode, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
        if mode == "native":     # drop what a sourced tools/env.sh exported for pinned numerics
            from harlib.core.numerics import ENVIRONMENT
            for key in ENVIRONMENT:
                env.pop(key, None)
        done = subprocess.run([sys.executable, __file__, "--child", "--models", *args.models,
                               "--repeats", str(args.repeats), "--seconds", str(args.seconds)],
                              env=env, capture_output=True, text=True)
        sys.stderr.write(done.stderr)
        if done.returncode:
            raise SystemExit(f"the {mode} measurement failed")
        rows += json.loads(done.stdout.strip().splitlines()[-1])
    import pandas as pd

    from harlib.report.tables import save_table
    cpu = cpu_identity()
    table = pd.DataFrame(summarise(rows, cpu))
    path = ROOT / "tables" / "bench_bf16_speedup.csv"
    if path.exists():            # keep the other CPUs' rows
        old = pd.read_csv(path)
        table = pd.concat([old[old.cpu != cpu["cpu"]], table], ignore_index=True)
    import torch
    save_table(table, "bench_bf16_speedup", "standard",
               {"step": "forward + backward + AdamW, 1 thread, batch 64, 9 × 128 windows, 6 classes",
                "rounds": "fp32 and bf16 alternating; speed-up = fp32 s/step ÷ bf16 s/step per round",
                "torch": torch.__version__, "cpu_count": os.cpu_count()}, floatfmt=".2f")
    print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
