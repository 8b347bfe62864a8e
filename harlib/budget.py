"""Training budgets by model cost: a profile states how much CPU time a run may take, and
each model gets the training windows and epochs that fit in it.

The cost of a model is read from a recorded table, ``harlib/costs.json``: seconds per
training window (forward, backward and AdamW step, one thread, batch 64) at a reference
input of 9 channels × 128 samples, per precision, measured once by
``benchmarks/train_throughput.py``. It is never measured at run time, so a run's windows,
epochs and key are the same on every machine. For another input size the cost is scaled by
``channels × length`` relative to the reference (an approximation: convolutions and
recurrences grow about linearly with both).

Allocation (:func:`allocate`), for ``n`` available training windows, at most ``E`` epochs
and a budget of ``B`` seconds at ``c`` seconds per window:

1. every window for ``E`` epochs if ``n · E · c ≤ B``;
2. otherwise ``E`` epochs on as many windows as fit, ``B / (E · c)``, if that keeps at least
   ``min_windows``;
3. otherwise ``min_windows`` windows for as many epochs as fit, at least ``min_epochs``
   (the budget is then exceeded, and the record says by how much).
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

COSTS_PATH = Path(__file__).with_name("costs.json")


@lru_cache(maxsize=4)
def load_costs(path: str | None = None) -> dict:
    p = Path(path) if path else COSTS_PATH
    if not p.is_file():
        raise FileNotFoundError(f"no cost table at {p}; run benchmarks/train_throughput.py")
    return json.loads(p.read_text())


def seconds_per_window(model: str, precision: str, channels: int, length: int,
                       costs: dict | None = None) -> float:
    """Recorded training cost of one window of ``channels × length`` for ``model``."""
    costs = costs or load_costs()
    table = costs["seconds_per_window"]
    if model not in table:
        raise KeyError(f"no recorded cost for model {model!r}; the cost table has "
                       f"{', '.join(sorted(table))}. Re-run benchmarks/train_throughput.py")
    if precision not in table[model]:
        raise KeyError(f"no recorded cost for {model!r} in {precision!r}; it has {sorted(table[model])}")
    ref = costs["reference"]
    return table[model][precision] * (channels * length) / (ref["channels"] * ref["length"])


def allocate(n_available: int, max_epochs: int, budget_seconds: float, cost: float,
             min_windows: int = 500, min_epochs: int = 3) -> dict:
    """Training windows and epochs for one run (see the module docstring)."""
    if n_available < 1 or max_epochs < 1 or budget_seconds <= 0 or cost <= 0:
        raise ValueError(f"allocate needs positive inputs, got n={n_available}, epochs={max_epochs}, "
                         f"budget={budget_seconds}, cost={cost}")
    if n_available * max_epochs * cost <= budget_seconds:
        windows, epochs, rule = n_available, max_epochs, "all windows"
    else:
        fit = int(budget_seconds / (max_epochs * cost))
        if fit >= min(min_windows, n_available):
            windows, epochs, rule = fit, max_epochs, "fewer windows"
        else:
            windows = min(min_windows, n_available)
            epochs = max(min(min_epochs, max_epochs),
                         min(max_epochs, math.floor(budget_seconds / (windows * cost))))
            rule = "fewer epochs"
    return {"windows": int(windows), "epochs": int(epochs), "rule": rule,
            "estimated_seconds": windows * epochs * cost, "budget_seconds": budget_seconds}
