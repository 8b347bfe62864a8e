"""Which of MKL's reproducibility branches does a run depend on, on this CPU, and in which precision?

The pinned numerics (:mod:`harlib.core.numerics`) put MKL on its ``COMPATIBLE`` branch
(``MKL_CBWR=COMPATIBLE,STRICT``). On an Intel Sapphire Rapids CPU the smoke headlines of
notebooks 11, 13, 20, 24 and 25 nevertheless differed from those recorded on other machines
(README, "Reproducibility across machines"). This benchmark retrains two of notebook 13's
smoke runs (paper A's model on DSADS, one subject group; the 4 s window, and 200 memory
items), each in a fresh process with one thread and an empty run store, once per
``MKL_CBWR`` branch, in fp32 (the standard profile's precision) and in fp64 (the smoke
profile's since these branches were found to move its fp32 numbers), and prints the
silhouette of its test embeddings to 12 digits, with its distance from the pinned branch's
in the same precision and, in fp64, from the value recorded for the smoke profile
(``notebooks/recorded/13_memae_hyperparameters.json``). Run it on two machines and compare
the tables: a branch that gives the same digits on both computes alike there.

    python benchmarks/mkl_branches.py                              # every branch, both precisions
    python benchmarks/mkl_branches.py --emulate EPYC-Rome-v2 Haswell-v4
    python benchmarks/mkl_branches.py --run --precision fp64       # (one process: one branch, from MKL_CBWR)

Writes ``tables/bench_mkl_branches.{csv,md,json}``, with the CPU's model name and vendor.
With ``--emulate``, it runs the pinned branch (``COMPATIBLE,STRICT``) in both precisions on
CPUs of other vendors and generations emulated by QEMU's user mode (``qemu-x86_64 -cpu
NAME``, Debian's ``qemu-user``; tens of times slower), whose CPUID names the vendor MKL and
torch dispatch on, and writes ``tables/bench_mkl_branches_emulated.{csv,md,json}``.
QEMU emulates the instructions, not a chip's rounding shortcuts, so a value that differs
there may be QEMU's; one that agrees across vendors is the evidence sought.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

#: the MKL_CBWR values tried; COMPATIBLE,STRICT is harlib's pinned setting
BRANCHES = ["COMPATIBLE,STRICT", "SSE2,STRICT", "SSE4_1,STRICT", "SSE4_2,STRICT", "AVX,STRICT",
            "AVX2,STRICT", "AVX512,STRICT", "AUTO"]
#: the precisions compared (harlib.models.inference.PRECISIONS): fp32, and the smoke profile's fp64
PRECISIONS = ("fp32", "fp64")
#: notebook 13's settings retrained: its headline name → (window length, model keyword arguments)
RUNS = {"window (s)=4.0:silhouette": (100, {}),
        "memory items=200.0:silhouette": (50, {"memory_size": 200})}
REPO = Path(__file__).resolve().parent.parent


def run_one(precision: str) -> dict:
    """Train the :data:`RUNS` in ``precision`` under this process's settings; setting name →
    silhouette."""
    from dataclasses import replace

    import harlib  # noqa: F401  (pins the rest of the numerics before NumPy and torch load)
    from harlib.data import load_dataset
    from harlib.data.windows import sliding_windows
    from harlib.papers import memae
    from harlib.training.experiment import run_grid
    from harlib.training.profiles import get_profile

    profile = get_profile("smoke")
    config = replace(memae.unsupervised_config(profile), precision=precision)
    ds = load_dataset("dsads")
    out = {}
    for name, (length, kwargs) in RUNS.items():
        ws = sliding_windows(ds, length, length // 2)
        runs = run_grid(ws, "subject_groups", {"memae_lstm": kwargs}, profile.grid_seeds, config,
                        protocol_kwargs=memae.protocol_kwargs(ws, "subject_groups"),
                        max_folds=profile.max_folds)
        out[name] = float(memae.separability(runs).silhouette.mean())
    return out


PINNED = "COMPATIBLE,STRICT"


def compared(table, recorded: dict, pinned=None):
    """``table`` (precision, run, silhouette, ...) with each silhouette's distance from the
    pinned branch's on this CPU in the same precision (``pinned``: a table of those; default
    ``table``'s own ``MKL_CBWR == COMPATIBLE,STRICT`` rows), and, in fp64, from the smoke
    profile's recorded value (the smoke profile trains in fp64)."""
    import numpy as np
    ref = table if pinned is None else pinned
    ref = ref[ref["MKL_CBWR"] == PINNED].set_index(["precision", "run"])["silhouette"]
    out = table.copy()
    out["|Δ| from the pinned branch here"] = [abs(v - ref[(p, r)]) for p, r, v in
                                              zip(out["precision"], out["run"], out["silhouette"])]
    out["recorded (smoke, fp64)"] = [recorded[r]["value"] if p == "fp64" else np.nan
                                     for p, r in zip(out["precision"], out["run"])]
    out["|Δ| from recorded"] = (out["silhouette"] - out["recorded (smoke, fp64)"]).abs()
    return out


def fresh_store_env(store: str, **extra) -> dict:
    """The environment of one training process: a run store of its own that shares the
    parsed datasets (not the runs), one thread, and ``extra``."""
    from harlib.core.config import cache_dir
    for shared in ("parsed", "raw"):
        os.symlink(cache_dir(shared), Path(store) / shared)
    return {**os.environ, "HARLIB_CACHE": store, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1", **extra}


#: QEMU's user mode now and then dies of a segmentation fault of its own (in runs that pass
#: when repeated): such a run is trained again, up to this many times
QEMU_RETRIES = 2


def emulated(cpus: list[str], recorded: dict) -> int:
    """The pinned branch in both precisions under ``qemu-x86_64 -cpu NAME`` for each of ``cpus``,
    beside this CPU's own runs (``tables/bench_mkl_branches.csv``, written first)."""
    import shutil
    qemu = shutil.which("qemu-x86_64")
    if qemu is None:
        raise SystemExit("--emulate needs QEMU's user mode: apt-get install qemu-user")
    from concurrent.futures import ThreadPoolExecutor

    def one(cpu: str, precision: str) -> dict:
        for attempt in range(1 + QEMU_RETRIES):
            with tempfile.TemporaryDirectory() as store:
                env = fresh_store_env(store, PYTHONPATH=str(REPO))
                done = subprocess.run([qemu, "-cpu", cpu, sys.executable, __file__, "--run", "--precision",
                                       precision], env=env, capture_output=True, text=True)
            if done.returncode != -11:                     # not the emulator's own crash
                break
            print(f"{cpu} {precision}: QEMU crashed (SIGSEGV), attempt {attempt + 1}", flush=True)
        if done.returncode != 0:
            raise SystemExit(f"{cpu} {precision}: exit {done.returncode}\n{done.stderr[-2000:]}")
        values = json.loads(done.stdout.strip().splitlines()[-1])
        print(cpu, precision, values, flush=True)
        return values

    jobs = [(c, p) for c in cpus for p in PRECISIONS]
    with ThreadPoolExecutor(max_workers=2) as pool:          # two processes, one thread each
        results = list(pool.map(lambda job: one(*job), jobs))
    rows = []
    for (cpu, precision), values in zip(jobs, results):
        for name, value in values.items():
            rows.append({"emulated CPU": cpu, "MKL_CBWR": PINNED, "precision": precision, "run": name,
                         "silhouette": value})
    import pandas as pd
    from harlib.core.numerics import cpu_model
    from harlib.report.tables import save_table
    here = pd.read_csv(REPO / "tables" / "bench_mkl_branches.csv")   # this CPU's runs, unemulated
    save_table(compared(pd.DataFrame(rows), recorded, here), "bench_mkl_branches_emulated", "standard",
               {"what": "notebook 13's smoke runs retrained under QEMU's user mode per emulated CPU and "
                        "precision, pinned numerics (MKL_CBWR=COMPATIBLE,STRICT), one thread, empty run "
                        "store; silhouette of the test embeddings (the recorded value is the smoke "
                        "profile's, fp64)",
                "host cpu": " / ".join(cpu_model()), "written by": "benchmarks/mkl_branches.py --emulate"},
               floatfmt=".12f")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", action="store_true", help="train once under this process's MKL_CBWR")
    ap.add_argument("--precision", choices=PRECISIONS, default="fp64", help="with --run: the runs' precision")
    ap.add_argument("--emulate", nargs="+", metavar="CPU", help="QEMU CPU models (qemu-x86_64 -cpu help)")
    args = ap.parse_args(argv)
    if args.run:
        print(json.dumps(run_one(args.precision)))
        return 0
    recorded = json.loads((REPO / "notebooks" / "recorded" / "13_memae_hyperparameters.json").read_text())
    recorded = recorded["smoke"]["values"]
    if args.emulate:
        return emulated(args.emulate, recorded)
    rows = []
    for precision, branch in ((p, b) for p in PRECISIONS for b in BRANCHES):
        with tempfile.TemporaryDirectory() as store:
            env = fresh_store_env(store, MKL_CBWR=branch)
            done = subprocess.run([sys.executable, __file__, "--run", "--precision", precision], env=env,
                                  capture_output=True, text=True, check=True)
        values = json.loads(done.stdout.strip().splitlines()[-1])
        for name, value in values.items():
            rows.append({"precision": precision, "MKL_CBWR": branch, "run": name, "silhouette": value})
        print(precision, branch, values, flush=True)
    import pandas as pd
    from harlib.core.numerics import cpu_model
    from harlib.report.tables import save_table
    model, vendor = cpu_model()
    save_table(compared(pd.DataFrame(rows), recorded), "bench_mkl_branches", "standard",
               {"what": "notebook 13's smoke runs retrained once per precision and MKL_CBWR branch, "
                        "one thread, empty run store; silhouette of the test embeddings (the recorded "
                        "value is the smoke profile's, which trains in fp64)",
                "cpu": model, "vendor": vendor, "written by": "benchmarks/mkl_branches.py"}, floatfmt=".12f")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
