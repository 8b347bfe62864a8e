"""Training budgets by model cost: a profile states how much CPU time a run may take, and
each model gets the training windows and epochs that fit in it.

The cost of a model is read from a recorded table, ``harlib/training/costs.json``: seconds per
training window (forward, backward and AdamW step, one thread, batch 64) at a reference
input of 9 channels × 128 samples, per precision, measured once by
``benchmarks/train_throughput.py``. It is never measured at run time, so a run's windows,
epochs and key are the same on every machine. Where the table also records the model at the
run's own input shape (``seconds_per_window_at_shape``, written by the benchmark's
``--shapes``), that value is used. Otherwise the reference cost is scaled by
``channels × length``, which is only a first approximation: on small inputs a step's fixed
costs dominate and on many channels it overestimates (the 1-D CNN's measured cost is twice
the scaled one at 3 × 60 and a sixth of it at 45 × 75; ``tables/bench_train_cost_by_shape.md``).

Allocation (:func:`allocate`), for ``n`` available training windows, at most ``E`` epochs
and a budget of ``B`` seconds at ``c`` seconds per window:

1. every window for ``E`` epochs if ``n · E · c ≤ B``;
2. otherwise ``E`` epochs on as many windows as fit, ``B / (E · c)``, if that keeps at least
   ``min_windows``;
3. otherwise ``min_windows`` windows for as many epochs as fit, at least ``min_epochs``
   (the budget is then exceeded, and the record says by how much).

With ``keep_windows_to_epochs=K`` the order changes: windows are worth more than epochs
(a stratified sample drops most windows of the rare classes, which macro-F1 weighs as much
as the common ones), so every window is kept while at least ``K`` epochs fit, and only
then are windows cut, at ``K`` epochs:

2'. every window for ``B / (n · c)`` epochs if that is at least ``K``;
3'. otherwise ``B / (K · c)`` windows for ``K`` epochs, at least ``min_windows``
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
    at_shape = costs.get("seconds_per_window_at_shape", {}).get(shape_key(channels, length), {})
    if precision in at_shape.get(model, {}):
        return at_shape[model][precision]
    return scaled_from_reference(model, precision, channels, length, costs)


def scaled_from_reference(model: str, precision: str, channels: int, length: int,
                          costs: dict) -> float:
    """The reference (9 × 128) cost of ``model`` scaled by ``channels × length``: what a
    budget uses for a shape the table has not measured."""
    ref = costs["reference"]
    return costs["seconds_per_window"][model][precision] * (channels * length) / (ref["channels"] * ref["length"])


def shape_key(channels: int, length: int) -> str:
    """How the cost table names an input shape: ``"9x150"``."""
    return f"{int(channels)}x{int(length)}"


def allocate(n_available: int, max_epochs: int, budget_seconds: float, cost: float,
             min_windows: int = 500, min_epochs: int = 3,
             keep_windows_to_epochs: int | None = None) -> dict:
    """Training windows and epochs for one run (see the module docstring)."""
    if n_available < 1 or max_epochs < 1 or budget_seconds <= 0 or cost <= 0:
        raise ValueError(f"allocate needs positive inputs, got n={n_available}, epochs={max_epochs}, "
                         f"budget={budget_seconds}, cost={cost}")
    if keep_windows_to_epochs is not None and not 1 <= keep_windows_to_epochs <= max_epochs:
        raise ValueError(f"keep_windows_to_epochs must be between 1 and max_epochs={max_epochs}, "
                         f"got {keep_windows_to_epochs}")
    if n_available * max_epochs * cost <= budget_seconds:
        windows, epochs, rule = n_available, max_epochs, "all windows"
    elif keep_windows_to_epochs is not None:
        k = keep_windows_to_epochs
        fit_epochs = math.floor(budget_seconds / (n_available * cost))
        if fit_epochs >= k:
            windows, epochs, rule = n_available, fit_epochs, "all windows, fewer epochs"
        else:
            windows = min(n_available, max(min_windows, int(budget_seconds / (k * cost))))
            epochs, rule = k, "fewer windows"
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
