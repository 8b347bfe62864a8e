"""Which of MKL's reproducibility branches does a run depend on, on this CPU?

The pinned numerics (:mod:`harlib.core.numerics`) put MKL on its ``COMPATIBLE`` branch
(``MKL_CBWR=COMPATIBLE,STRICT``). On an Intel Sapphire Rapids CPU the smoke headlines of
notebooks 11, 13, 20, 24 and 25 nevertheless differed from those recorded on other machines
(README, "Reproducibility across machines"). This benchmark retrains two of notebook 13's
smoke runs (paper A's model on DSADS, one subject group; the 4 s window, and 200 memory
items), each in a fresh process with one thread and an empty run store, once per
``MKL_CBWR`` branch, and prints the silhouette of its test embeddings to 12 digits beside
the value recorded for the smoke profile (``notebooks/recorded/13_memae_hyperparameters.json``).
Run it on two machines and compare the tables: a branch that gives the same digits on both
computes alike there.

    python benchmarks/mkl_branches.py            # every branch
    python benchmarks/mkl_branches.py --run      # (one process: one branch, from MKL_CBWR)

Writes ``tables/bench_mkl_branches.{csv,md,json}``, with the CPU's model name and vendor.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

#: the MKL_CBWR values tried; COMPATIBLE,STRICT is harlib's pinned setting
BRANCHES = ["COMPATIBLE,STRICT", "SSE2,STRICT", "SSE4_1,STRICT", "SSE4_2,STRICT", "AVX,STRICT",
            "AVX2,STRICT", "AVX512,STRICT", "AUTO"]
#: notebook 13's settings retrained: its headline name → (window length, model keyword arguments)
RUNS = {"window (s)=4.0:silhouette": (100, {}),
        "memory items=200.0:silhouette": (50, {"memory_size": 200})}
REPO = Path(__file__).resolve().parent.parent


def run_one() -> dict:
    """Train the :data:`RUNS` under this process's settings; setting name → silhouette."""
    import harlib  # noqa: F401  (pins the rest of the numerics before NumPy and torch load)
    from harlib.data import load_dataset
    from harlib.data.windows import sliding_windows
    from harlib.papers import memae
    from harlib.training.experiment import run_grid
    from harlib.training.profiles import get_profile

    profile = get_profile("smoke")
    config = memae.unsupervised_config(profile)
    ds = load_dataset("dsads")
    out = {}
    for name, (length, kwargs) in RUNS.items():
        ws = sliding_windows(ds, length, length // 2)
        runs = run_grid(ws, "subject_groups", {"memae_lstm": kwargs}, profile.grid_seeds, config,
                        protocol_kwargs=memae.protocol_kwargs(ws, "subject_groups"),
                        max_folds=profile.max_folds)
        out[name] = float(memae.separability(runs).silhouette.mean())
    return out


def cpu_model() -> tuple[str, str]:
    """The CPU's model name and vendor, from /proc/cpuinfo where there is one."""
    found = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            found.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    return found.get("model name", platform.processor() or "unknown"), found.get("vendor_id", "unknown")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", action="store_true", help="train once under this process's MKL_CBWR")
    args = ap.parse_args(argv)
    if args.run:
        print(json.dumps(run_one()))
        return 0
    from harlib.core.config import cache_dir
    recorded = json.loads((REPO / "notebooks" / "recorded" / "13_memae_hyperparameters.json").read_text())
    recorded = recorded["smoke"]["values"]
    rows = []
    for branch in BRANCHES:
        with tempfile.TemporaryDirectory() as store:
            for shared in ("parsed", "raw"):          # the parsed datasets, not the runs
                os.symlink(cache_dir(shared), Path(store) / shared)
            env = {**os.environ, "MKL_CBWR": branch, "HARLIB_CACHE": store, "OMP_NUM_THREADS": "1",
                   "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
            done = subprocess.run([sys.executable, __file__, "--run"], env=env, capture_output=True,
                                  text=True, check=True)
        values = json.loads(done.stdout.strip().splitlines()[-1])
        for name, value in values.items():
            rows.append({"MKL_CBWR": branch, "run": name, "silhouette": value,
                         "recorded (smoke)": recorded[name]["value"],
                         "|difference|": abs(value - recorded[name]["value"])})
        print(branch, values, flush=True)
    import pandas as pd
    from harlib.report.tables import save_table
    model, vendor = cpu_model()
    save_table(pd.DataFrame(rows), "bench_mkl_branches", "standard",
               {"what": "notebook 13's smoke runs retrained once per MKL_CBWR branch, one thread, "
                        "empty run store; silhouette of the test embeddings",
                "cpu": model, "vendor": vendor, "written by": "benchmarks/mkl_branches.py"}, floatfmt=".12f")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
