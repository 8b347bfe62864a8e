"""Papers A, B and C under the paper profile on a CUDA machine, as a resumable queue.

A CUDA machine may be lent for a short while (one command of at most about ten minutes, a
few commands in all). The work is therefore cut into small **items**, each one training run
(one model × dataset × protocol × fold × seed) or one measurement, small enough to finish
well inside one command; a **ledger** (``tables/paper/gpu_queue.json``, committed) records
every finished item, so the next command starts at the first unfinished one::

    python tools/gpu_papers.py --list                # the queue, each item done or pending
    python tools/gpu_papers.py --budget-s 420        # run items until 420 s are spent
    python tools/gpu_papers.py --items C3 B1/paper-style   # only items whose id starts so

The queue, in order of importance:

1. ``headline``: CUDA latency (C9, and every Table 5 model of paper B), then each
   headline claim under both protocols, paper-style and subject-independent, seed 0, first
   fold: C3 (STDual-X with its recipe on the UCI-HAR stand-in rebuilt from HAPT; the
   official code's three leaks against held-out subjects without them), B1 and B3 (USAD,
   Table 2's full row, on WISDM 2019 and on HAPT; random windows against subject groups)
   and paper A's model on HAPT (the LSTM over each window and its 4 preceding windows,
   notebook 11; no claim of A's is on HAPT, its figures stand beside it only as context);
2. ``seeds``: the same runs with seeds 1 and 2;
3. ``ablation``: paper C's "w/o STDAT" and "w/o contrastive loss" on the UCI-HAR stand-in
   (its one placement leaves no cross-sensor attention to remove, so "w/o CSA" is not
   here), then paper B's other Table 2 rows on WISDM 2019;
4. ``folds``: further subject-group folds of B1, B3 and A (seed 0).

USAD's diffusion augmenter is trained once per fold and seed as an item of its own (an
augmentation run in the run store, keyed by the fold's training windows, the augmenter's
options and the seed), made by the trainer's own ``synthetic()`` preparation, so it has
the key the fine-tuning run looks up; the fine-tuning item follows it at once. The run
store on a lent machine starts empty, so a fine-tuning item that does not find its
augmentation trains it first. Point ``HARLIB_CACHE`` at a folder that stays between the
commands of one loan (``.harlib-cache/`` in the checkout is ignored by git) so the
augmentation made by one command serves the fine-tuning in the next.

Each command stops starting items once ``--budget-s`` is spent, and does not start an
item whose estimated seconds (measured ones of the same kind from the ledger, else a
guess) no longer fit, unless it is the command's first. An item is marked in the ledger
when it starts; a command killed meanwhile loses that item only, and an item started
twice without finishing is left out (``--retry`` tries it again). On the lent machine,
write the ledger and tables where they come back from, and fold them in here::

    HARLIB_OUTPUT=$OUT HARLIB_CACHE=.harlib-cache python tools/gpu_papers.py --budget-s 420
    python tools/gpu_papers.py --merge <returned>/tables/paper/gpu_queue.json

(a ledger under ``HARLIB_OUTPUT`` that does not exist yet starts as a copy of the committed
one). The tables, rebuilt from the ledger after every item, go beside it:

    gpu_queue_runs       one row per finished item (metrics, run and augmentation keys,
                         seconds, device, torch version, date)
    gpu_queue_headline   per claim (or ablation row) and protocol: n runs, mean accuracy
                         and its 95 % t-interval over seeds and folds (n ≥ 2), macro-F1,
                         the paper's figure, device and torch version
    gpu_queue_latency    CUDA latency of STDual-X, USAD and B's Table 5 models

The datasets that travel to such a machine are the UCI-HAR stand-in (``uci_har_hapt``),
HAPT and WISDM 2019 (watch accelerometer). DSADS, the stand-in for PAMAP2 (A2, B2, C1,
C4–C8), is too large to take there, so those claims keep their standard-profile CPU
numbers. ``--quick`` checks the script on a CPU (1 epoch, 200 windows, 1 augmentation
and pre-training epoch, a run store beside the ledger) with the ledger at the scratch path
``--ledger`` names, never the committed one: its numbers mean nothing. The earlier tables
of this script (``gpu_papers_*``) stay as they were committed.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

LEDGER_NAME = "gpu_queue.json"
#: the committed ledger
COMMITTED_LEDGER = REPO / "tables" / "paper" / LEDGER_NAME
LEDGER_FORMAT = 1
#: an item started this often without finishing is left out (``--retry`` runs it again)
MAX_ATTEMPTS = 2
TIERS = ("headline", "seeds", "ablation", "folds")
PROTOCOL_LABELS = ("paper-style", "subject-independent")
#: seeds of the ``seeds`` tier (seed 0 is the headline's)
EXTRA_SEEDS = (1, 2)
#: subject-group folds queued per headline setting (fold 0 in the headline, the rest last)
SUBJECT_FOLDS = 5
QUICK = {"max_epochs": 1, "max_train_windows": 200, "max_val_windows": 200, "max_test_windows": 200}
METRICS = ("accuracy", "f1_macro", "f1_weighted", "balanced_accuracy", "nmi", "ari")


# ---- the settings and the queue -----------------------------------------------------------
@dataclass(frozen=True)
class Windows:
    dataset: str
    length: int
    stride: int
    history: int = 0
    stand_in: str = ""


WINDOWS = {
    "uci_har": Windows("uci_har_hapt", 128, 64, stand_in="uci_har_hapt (stand-in for UCI-HAR)"),
    "wisdm": Windows("wisdm2019_watch_accel", 90, 45, stand_in="wisdm2019_watch_accel (stand-in for WISDM)"),
    "hapt": Windows("hapt", 50, 25, stand_in="hapt (stand-in for OPPORTUNITY)"),
    "hapt_history": Windows("hapt", 128, 64, history=4,
                            stand_in="hapt (a harder single-phone set; no claim of A's is on it)"),
}


@dataclass(frozen=True)
class Setting:
    """One row of the headline table: a method (or ablation row) on one window set."""

    key: str                 # the items' id prefix
    claim: str               # the headline's claim column: a claim id, or a label
    row: str                 # the method or ablation row
    family: str              # "stdualx", "usad" or "memae"
    windows: str             # a key of WINDOWS
    variant: str = ""        # the row of the family's ablation (stdualx_ablation, usad_ablation)
    guess_s: float = 120.0   # a guess of one run's seconds on the GPU (before any is measured)
    guess_augment_s: float = 0.0   # > 0: USAD's diffusion augmentation comes first
    drop_from: str = ""      # the paper's figure is the drop from this setting's accuracy
    subject_folds: int = 1   # subject-group folds queued (the paper-style protocol has one split)

    @property
    def augmented(self) -> bool:
        """Whether its runs pre-train on an augmentation run (an item of its own first)."""
        return self.guess_augment_s > 0


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-").replace("--", "-")


def _settings() -> dict[str, Setting]:
    from harlib.papers.published import USAD_TABLE2
    out = [
        Setting("C3", "C3", "STDual-X", "stdualx", "uci_har", "STDual-X", guess_s=90),
        Setting("B1", "B1", "USAD (Table 2's Data Augmentation row)", "usad", "wisdm",
                "Data Augmentation", guess_s=240, guess_augment_s=300, subject_folds=SUBJECT_FOLDS),
        Setting("B3", "B3", "USAD (Table 2's Data Augmentation row)", "usad", "hapt",
                "Data Augmentation", guess_s=300, guess_augment_s=300, subject_folds=SUBJECT_FOLDS),
        Setting("A", "A (HAPT)", "memae_lstm (preceding windows)", "memae", "hapt_history",
                guess_s=150, subject_folds=SUBJECT_FOLDS),
        Setting("C4.wo-stdat", "C4", "w/o STDAT", "stdualx", "uci_har", "w/o STDAT", guess_s=90,
                drop_from="C3"),
        Setting("C6.wo-triplet", "C6", "w/o contrastive loss", "stdualx", "uci_har",
                "w/o contrastive loss", guess_s=90, drop_from="C3"),
    ]
    out += [Setting(f"T2.{_slug(row)}", USAD_TABLE2[row]["wisdm"]["accuracy"], row, "usad", "wisdm",
                    row, guess_s=180)
            for row in USAD_TABLE2 if row != "Data Augmentation"]
    return {s.key: s for s in out}


SETTINGS = _settings()
HEADLINE_SETTINGS = ("C3", "B1", "B3", "A")
ABLATION_SETTINGS = tuple(k for k in SETTINGS if k not in HEADLINE_SETTINGS)


@dataclass(frozen=True)
class Item:
    id: str
    tier: str
    kind: str                # "latency", "augment" or "train"
    setting: str = ""        # a key of SETTINGS
    protocol: str = ""       # one of PROTOCOL_LABELS
    fold: int = 0
    seed: int = 0
    guess_s: float = 60.0

    @property
    def family(self) -> str:
        """Items of one family take about as long: a measured one estimates the others."""
        return f"{self.setting}/{self.protocol}/{self.kind}" if self.setting else self.kind


def _runs(setting: str, protocol: str, fold: int, seed: int, tier: str) -> list[Item]:
    s = SETTINGS[setting]
    base = f"{setting}/{protocol}/f{fold}/s{seed}"
    items = []
    if s.augmented:
        items.append(Item(f"{base}/augment", tier, "augment", setting, protocol, fold, seed,
                          s.guess_augment_s))
    items.append(Item(base, tier, "train", setting, protocol, fold, seed, s.guess_s))
    return items


def build_queue() -> list[Item]:
    """The queue, most important first (see the module's docstring)."""
    q = [Item("latency", "headline", "latency", guess_s=60.0)]
    for k in HEADLINE_SETTINGS:
        for p in PROTOCOL_LABELS:
            q += _runs(k, p, 0, 0, "headline")
    for seed in EXTRA_SEEDS:
        for k in HEADLINE_SETTINGS:
            for p in PROTOCOL_LABELS:
                q += _runs(k, p, 0, seed, "seeds")
    for k in ABLATION_SETTINGS:
        for p in PROTOCOL_LABELS:
            q += _runs(k, p, 0, 0, "ablation")
    for k in HEADLINE_SETTINGS:
        for fold in range(1, SETTINGS[k].subject_folds):
            q += _runs(k, "subject-independent", fold, 0, "folds")
    return q


def select(queue: list[Item], prefixes: Iterable[str] | None) -> list[Item]:
    """The items whose id starts with one of ``prefixes`` (all without any), in queue order."""
    prefixes = list(prefixes or [])
    if not prefixes:
        return list(queue)
    unknown = [p for p in prefixes if not any(i.id.startswith(p) for i in queue)]
    if unknown:
        raise SystemExit(f"--items: no item id starts with {', '.join(map(repr, unknown))}; "
                         "see --list")
    return [i for i in queue if any(i.id.startswith(p) for p in prefixes)]


# ---- the ledger ---------------------------------------------------------------------------
class LedgerError(RuntimeError):
    pass


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Ledger:
    """The finished items (``done``: id → entry) and every start (``attempts``), in a JSON
    file rewritten atomically after each change."""

    def __init__(self, path: Path, quick: bool = False, seed_from: Path | None = None):
        self.path = Path(path)
        if not self.path.exists() and seed_from is not None and Path(seed_from).is_file() \
                and Path(seed_from).resolve() != self.path.resolve():
            self.data = self._read(Path(seed_from))
        elif self.path.exists():
            self.data = self._read(self.path)
        else:
            self.data = {"format": LEDGER_FORMAT, "quick": quick, "done": {}, "attempts": []}
        if bool(self.data["quick"]) != quick:
            raise LedgerError(f"{self.path}: a {'--quick' if self.data['quick'] else 'real'} ledger; "
                              f"this is a {'--quick' if quick else 'real'} run (keep the two apart)")

    @staticmethod
    def _read(path: Path) -> dict:
        try:
            data = json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise LedgerError(f"queue ledger {path} is unreadable ({exc}); repair it from git "
                              "or remove it to start the queue again") from exc
        ok = (isinstance(data, dict) and data.get("format") == LEDGER_FORMAT
              and isinstance(data.get("done"), dict) and isinstance(data.get("attempts"), list)
              and all(isinstance(e, dict) for e in data["done"].values())
              and all(isinstance(a, dict) and "id" in a for a in data["attempts"]))
        if not ok:
            raise LedgerError(f"queue ledger {path} is not a ledger of format {LEDGER_FORMAT} "
                              "(a dict with 'format', 'quick', 'done' and 'attempts'); repair it "
                              "from git or remove it to start the queue again")
        data.setdefault("quick", False)
        return data

    @property
    def done(self) -> dict:
        return self.data["done"]

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.partial")
        tmp.write_text(json.dumps(self.data, indent=1, default=str) + "\n")
        os.replace(tmp, self.path)

    def unfinished_attempts(self, item_id: str) -> int:
        if item_id in self.done:
            return 0
        return sum(a["id"] == item_id for a in self.data["attempts"])

    def status(self, item: Item) -> str:
        if item.id in self.done:
            return "done"
        n = self.unfinished_attempts(item.id)
        return "stuck" if n >= MAX_ATTEMPTS else f"pending (tried {n}×)" if n else "pending"

    def estimate(self, item: Item) -> tuple[float, str]:
        """Seconds the item should take: the mean of finished items of its family, else its guess."""
        seen = [e["seconds"] for e in self.done.values()
                if e.get("family") == item.family and e.get("seconds") is not None]
        if seen:
            return float(np.mean(seen)), f"measured ({len(seen)})"
        return item.guess_s, "guess"

    def start(self, item: Item, env: dict) -> dict:
        attempt = {"id": item.id, "started": _now(), **env}
        self.data["attempts"].append(attempt)
        self.save()
        return attempt

    def finish(self, item: Item, entry: dict) -> None:
        self.done[item.id] = entry
        self.save()

    def merge(self, other: "Ledger") -> list[str]:
        """Add ``other``'s finished items and attempts that this ledger lacks; the ids added."""
        added = [k for k in other.done if k not in self.done]
        for k in added:
            self.done[k] = other.done[k]
        mine = {json.dumps(a, sort_keys=True) for a in self.data["attempts"]}
        self.data["attempts"] += [a for a in other.data["attempts"]
                                  if json.dumps(a, sort_keys=True) not in mine]
        self.save()
        return added


def run_queue(items: list[Item], ledger: Ledger, budget_s: float, execute: Callable[[Item], dict],
              env: dict, *, skip: Callable[[Item], str | None] = lambda item: None,
              retry: bool = False, clock: Callable[[], float] = time.perf_counter,
              log: Callable[[str], None] = print, after: Callable[[], None] = lambda: None,
              in_store: Callable[[str], bool] = lambda key: False) -> dict:
    """Run the unfinished ``items`` in order until ``budget_s`` is spent: no item starts
    after that, nor one whose estimate no longer fits (the command's first always starts).
    A fine-tuning item whose augmentation item finished earlier, in another command, and
    whose augmentation run is not ``in_store(run key)`` counts that item's seconds too (it
    trains the augmentation again). ``execute(item)`` returns the item's entry; the ledger
    records it with its seconds, date and ``env`` (device, torch), and ``after()`` follows
    each finished item. Returns what happened: ``{"ran", "failed", "skipped": [ids],
    "stopped_before": id or None}``."""
    t0 = clock()
    out = {"ran": [], "failed": [], "skipped": [], "stopped_before": None}
    by_id = {i.id: i for i in items}

    def estimate(item: Item) -> tuple[float, str]:
        est, source = ledger.estimate(item)
        aug = by_id.get(item.id + "/augment")
        key = (ledger.done.get(aug.id) or {}).get("run_key") if aug else None
        if aug and aug.id not in out["ran"] and key and not in_store(key):
            more, _ = ledger.estimate(aug)
            return est + more, source + " + its augmentation"
        return est, source

    for item in items:
        status = ledger.status(item)
        if status == "done":
            continue
        if status == "stuck" and not retry:
            log(f"{item.id}: started {ledger.unfinished_attempts(item.id)} times without finishing; "
                "left out (--retry runs it)")
            out["skipped"].append(item.id)
            continue
        reason = skip(item)
        if reason:
            log(f"{item.id}: {reason}")
            out["skipped"].append(item.id)
            continue
        elapsed = clock() - t0
        est, source = estimate(item)
        if elapsed >= budget_s or (out["ran"] or out["failed"]) and elapsed + est > budget_s:
            log(f"time budget: {elapsed:.0f} of {budget_s:.0f} s spent; {item.id} "
                f"(estimate {est:.0f} s, {source}) and later items not started")
            out["stopped_before"] = item.id
            break
        ledger.start(item, env)
        log(f"{item.id}: started (estimate {est:.0f} s, {source})")
        t = clock()
        try:
            entry = execute(item)
        except Exception as exc:      # recorded, and the queue goes on
            ledger.data["attempts"][-1]["error"] = f"{type(exc).__name__}: {exc}"
            ledger.save()
            log(f"{item.id}: FAILED after {clock() - t:.0f} s\n{traceback.format_exc()}")
            out["failed"].append(item.id)
            continue
        seconds = clock() - t
        ledger.finish(item, {"id": item.id, "tier": item.tier, "kind": item.kind,
                             "family": item.family, **entry, "seconds": seconds,
                             "date": _now(), **env})
        log(f"{item.id}: done in {seconds:.1f} s (estimate {est:.0f} s)")
        out["ran"].append(item.id)
        after()
    return out


# ---- the items' work ----------------------------------------------------------------------
def one_imu_groups(channels: int) -> dict:
    return {"placement": {"imu0": list(range(channels))}, "modality": {"all": list(range(channels))}}


def latency_table(repeats: int) -> pd.DataFrame:
    """Batch-1 and batch-100 CUDA latency: STDual-X at UCI-HAR's shape (C9), USAD at
    UCI-HAR's shape (B's 1.6 ms target) and every Table 5 model at B's two shapes."""
    import torch
    from harlib.deploy.efficiency import cuda_latency_ms
    from harlib.models import create_model
    from harlib.papers.published import USAD_TABLE5, paper_claim
    from harlib.papers.usad import _table5_models
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


@lru_cache(maxsize=None)
def windows(key: str):
    from harlib.data import load_dataset
    from harlib.data.windows import sliding_windows
    w = WINDOWS[key]
    return sliding_windows(load_dataset(w.dataset), w.length, w.stride, history=w.history)


@lru_cache(maxsize=None)
def _split(key: str, protocol: str, fold: int):
    from harlib.evaluation.splits import make_splits
    from harlib.papers.stdualx import protocol_split
    ws = windows(key)
    if key == "uci_har":     # paper C: the official test subjects held out, the leaks on or off
        if fold:
            raise ValueError("paper C's protocols have one split (fold 0)")
        return protocol_split(ws, protocol, test_subjects=ws.info["official_split"]["test"])
    if protocol == "paper-style":
        if fold:
            raise ValueError("the random-window protocol has one split (fold 0)")
        return ws, make_splits("random_windows", ws, test_fraction=0.3)[0]
    groups = min(10, len(set(ws.subject.tolist())))
    return ws, make_splits("subject_groups", ws, n_groups=groups)[fold]


def config_for(item: Item, profile, device: str, quick: bool):
    """What the item trains with: ``(model name, TrainConfig, model kwargs)``; an
    augmentation item and its fine-tuning item get the same (the model kwargs of paper A's
    model come from its windows: ``None`` here, see :func:`job`)."""
    from harlib.papers.recipes import recipe
    from harlib.papers.stdualx import stdualx_ablation
    from harlib.papers.usad import usad_ablation
    from harlib.training.train import TrainConfig
    s = SETTINGS[item.setting]
    q = QUICK if quick else {}
    if s.family == "stdualx":
        variant = stdualx_ablation()[s.variant]
        return ("stdualx", recipe("stdualx", profile, device=device, **variant["config"], **q),
                dict(variant["model_kwargs"]))
    if s.family == "usad":
        row = usad_ablation(profile)[s.variant]
        cfg = dict(row["config"])
        if bool(cfg.get("augment")) != s.augmented:
            raise ValueError(f"{s.key}: its queue has {'an' if s.augmented else 'no'} augmentation "
                             f"item, its configuration augment={cfg.get('augment')!r}")
        if s.augmented:
            cfg["augment_kwargs"] = {**cfg["augment_kwargs"],
                                     "epochs": 1 if quick else profile.augment_epochs}
            cfg["pretrain_epochs"] = 1 if quick else profile.pretrain_epochs
        return "usad", TrainConfig.from_profile(profile, device=device, **cfg, **q), dict(row["model_kwargs"])
    if s.family == "memae":
        cfg = TrainConfig.from_profile(profile, device=device, trainer="unsupervised",
                                       loss="reconstruction_memory",
                                       pretrain_epochs=1 if quick else profile.pretrain_epochs,
                                       trainer_kwargs={"clusterer": "kmeans"}, **q)
        return "memae_lstm", cfg, None
    raise ValueError(f"unknown family {s.family!r}")


def job(item: Item, profile, device: str, quick: bool):
    """What the item trains: ``(model, window set, split, TrainConfig, model kwargs)``."""
    s = SETTINGS[item.setting]
    ws, split = _split(s.windows, item.protocol, item.fold)
    model, config, kwargs = config_for(item, profile, device, quick)
    if kwargs is None:
        from harlib.models.memae import MemAELSTM
        kwargs = MemAELSTM.for_windows(ws)
    return model, ws, split, config, kwargs


def prepare_augmentation(model: str, ws, split, config, seed: int, model_kwargs: dict, store):
    """The augmentation run a fine-tuning run of ``fit(model, ws, split, config, seed)``
    uses, made (or loaded) by the same steps: ``fit``'s resolution of the configuration,
    the trainer's prepared windows and its ``synthetic()``."""
    from harlib.training.train import apply_budget
    from harlib.training.trainers.base import RunRequest, _start
    from harlib.training.trainers.registry import trainer_for
    trainer = trainer_for(model, config)
    config = trainer.resolve(config)
    budget = None
    if config.budget_seconds is not None:
        config, budget = apply_budget(config, model, ws, split)
    req = RunRequest(model, ws, split, config, seed, dict(model_kwargs), store, budget=budget)
    synth = trainer.synthetic(req, _start(req))
    if synth is None:
        raise ValueError(f"{model}'s configuration makes no augmentation (augment={config.augment!r})")
    return synth[2]


class Runner:
    """Runs items on this machine's device and returns their ledger entries."""

    def __init__(self, quick: bool, store):
        import torch
        from harlib.training.profiles import get_profile
        self.quick, self.store = quick, store
        self.cuda = torch.cuda.is_available()
        self.device = "cuda" if self.cuda else "cpu"
        self.profile = get_profile("paper")
        self.env = {"device": torch.cuda.get_device_name(0) if self.cuda else "cpu",
                    "torch": torch.__version__}

    def skip(self, item: Item) -> str | None:
        return "needs CUDA; not run here" if item.kind == "latency" and not self.cuda else None

    def __call__(self, item: Item) -> dict:
        if item.kind == "latency":
            table = latency_table(repeats=100)
            print(table.round(3).to_string(), flush=True)
            return {"latency": table.to_dict(orient="records"), "repeats": 100}
        model, ws, split, config, kwargs = job(item, self.profile, self.device, self.quick)
        s = SETTINGS[item.setting]
        base = {"claim": s.claim, "row": s.row, "stand_in": WINDOWS[s.windows].stand_in,
                "dataset": ws.dataset, "protocol": item.protocol, "split": split.protocol,
                "fold": split.fold, "seed": item.seed, "model": model, "quick": self.quick}
        if item.kind == "augment":
            res = prepare_augmentation(model, ws, split, config, item.seed, kwargs, self.store)
            return {**base, "run_key": res.key, "augmentation_key": res.key,
                    "n_synthetic": int(res.record["n_synthetic"]), "cached": bool(res.cached)}
        from harlib.training.train import fit
        before = {p.name for p in self.store.root.iterdir()} if self.store.root.is_dir() else set()
        res = fit(model, ws, split, config, seed=item.seed, model_kwargs=kwargs, store=self.store)
        rec, aug = res.record, res.record.get("augmentation") or {}
        print(f"{item.id}: accuracy {res.metrics['accuracy']:.4f}, macro-F1 "
              f"{res.metrics.get('f1_macro', float('nan')):.4f}, {rec['epochs_run']} epochs"
              + (f", augmentation {aug['run_key']} "
                 f"({'found in the store' if aug['run_key'] in before else 'trained first'})"
                 if aug else ""), flush=True)
        return {**base, "run_key": res.key, "cached": bool(res.cached),
                "metrics": {m: res.metrics[m] for m in METRICS if m in res.metrics},
                "n_train": rec["n_windows"]["train"], "n_test": rec["n_windows"]["test"],
                "epochs": rec["epochs_run"], "best_epoch": rec["best_epoch"],
                "train_seconds": rec["train_seconds"],
                "augmentation_key": aug.get("run_key"),
                "augmentation_found": (aug["run_key"] in before) if aug else None}


# ---- the tables ---------------------------------------------------------------------------
def runs_table(ledger: Ledger, queue: list[Item]) -> pd.DataFrame:
    order = {i.id: n for n, i in enumerate(queue)}
    rows = []
    for key, e in sorted(ledger.done.items(), key=lambda kv: order.get(kv[0], len(order))):
        if e.get("kind") not in ("train", "augment"):
            continue
        metrics = e.get("metrics") or {}
        rows.append({"item": key, "tier": e["tier"], "kind": e["kind"], "claim": e["claim"],
                     "row": e["row"], "stand_in": e["stand_in"], "protocol": e["protocol"],
                     "split": e["split"], "fold": e["fold"], "seed": e["seed"], "model": e["model"],
                     **{m: metrics.get(m, math.nan) for m in METRICS},
                     **{k: e.get(k) for k in ("n_train", "n_test", "epochs", "best_epoch",
                                              "train_seconds", "seconds", "run_key",
                                              "augmentation_key", "augmentation_found",
                                              "n_synthetic", "device", "torch", "date")}})
    return pd.DataFrame(rows)


HEADLINE_COLUMNS = ["claim", "row", "stand_in", "protocol", "n", "accuracy", "accuracy 95 % CI low",
                    "accuracy 95 % CI high", "f1_macro", "ours, as the paper states it",
                    "the paper reports", "the paper's figure", "seeds", "folds", "device", "torch"]


def headline_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Per claim (or ablation row) and protocol, in %: n runs, mean accuracy with its 95 %
    t-interval over seeds and folds (n ≥ 2), mean macro-F1; "ours, as the paper states
    it" is the mean accuracy, or for an ablation whose figure is a drop, the method's
    accuracy minus the row's over the runs both have (same fold and seed)."""
    from harlib.evaluation.intervals import interval
    from harlib.papers.published import PAPER_CLAIMS
    if runs.empty or not (runs.kind == "train").any():
        return pd.DataFrame(columns=HEADLINE_COLUMNS)
    train = runs[runs.kind == "train"]
    by_claim = {s.claim: s for s in SETTINGS.values()}
    rows = []
    for (claim, row, stand_in, protocol), g in train.groupby(["claim", "row", "stand_in", "protocol"],
                                                              sort=False):
        acc = 100 * g.accuracy.to_numpy(dtype=float)
        ci = interval(acc)
        m, lo, hi = ci.mean, ci.low, ci.high
        stated = m
        setting = by_claim.get(claim)
        if setting is not None and setting.drop_from:
            ref = train[(train.claim == SETTINGS[setting.drop_from].claim) & (train.protocol == protocol)]
            pairs = g.merge(ref, on=["fold", "seed"], suffixes=("", "_ref"))
            stated = (100 * (pairs.accuracy_ref - pairs.accuracy).mean()) if len(pairs) else math.nan
        c = PAPER_CLAIMS.get(claim)
        rows.append({"claim": claim, "row": row, "stand_in": stand_in, "protocol": protocol,
                     "n": len(g), "accuracy": m, "accuracy 95 % CI low": lo,
                     "accuracy 95 % CI high": hi, "f1_macro": 100 * g.f1_macro.astype(float).mean(),
                     "ours, as the paper states it": stated,
                     "the paper reports": c["value"] if c else math.nan,
                     "the paper's figure": f"{c['where']} ({c['unit']})" if c else "",
                     "seeds": " ".join(str(s) for s in sorted(set(g.seed))),
                     "folds": " ".join(str(f) for f in sorted(set(g.fold))),
                     "device": "; ".join(sorted(set(g.device))), "torch": "; ".join(sorted(set(g.torch)))})
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)


def latency_rows(ledger: Ledger) -> pd.DataFrame:
    e = ledger.done.get("latency")
    if not e:
        return pd.DataFrame()
    return pd.DataFrame(e["latency"]).assign(device=e["device"], torch=e["torch"], date=e["date"])


def write_table(df: pd.DataFrame, folder: Path, name: str, meta: dict, floatfmt: str = ".3f") -> None:
    """``name``.csv, .md (the metadata as a header) and .json (the metadata), as
    :func:`harlib.report.tables.save_table` writes them, into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"profile": "paper", **meta}
    df.to_csv(folder / f"{name}.csv", index=False)
    header = "\n".join(f"<!-- {k}: {json.dumps(v, default=str)} -->" for k, v in meta.items())
    body = df.to_markdown(index=False, floatfmt=floatfmt) if len(df) else "(no finished item yet)"
    (folder / f"{name}.md").write_text(header + "\n\n" + body + "\n")
    (folder / f"{name}.json").write_text(json.dumps(meta, indent=2, default=str) + "\n")


def write_tables(ledger: Ledger, queue: list[Item]) -> None:
    folder = ledger.path.parent
    runs = runs_table(ledger, queue)
    devices = sorted({e.get("device") for e in ledger.done.values() if e.get("device")})
    torches = sorted({e.get("torch") for e in ledger.done.values() if e.get("torch")})
    pending = [i.id for i in queue if i.id not in ledger.done]
    meta = {"ledger": ledger.path.name, "devices": devices, "torch": torches,
            "quick": ledger.data["quick"], "items done": len(ledger.done),
            "items pending": len(pending), "next pending": pending[:1]}
    write_table(runs, folder, "gpu_queue_runs", meta)
    write_table(headline_table(runs), folder, "gpu_queue_headline",
                {**meta, "unit": "%; accuracy is the mean over seeds and folds with its 95 % "
                                 "t-interval (n >= 2)"}, floatfmt=".2f")
    lat = latency_rows(ledger)
    if len(lat):
        write_table(lat, folder, "gpu_queue_latency", {**meta, "unit": "ms, median of 100 calls"})


# ---- the command line ---------------------------------------------------------------------
def list_queue(queue: list[Item], ledger: Ledger) -> str:
    lines, total = [], 0.0
    for item in queue:
        status = ledger.status(item)
        if status == "done":
            e = ledger.done[item.id]
            lines.append(f"{item.id:<60} {item.tier:<9} {'done':<18} {e.get('seconds', 0):>6.0f} s "
                         f"on {e.get('device', '?')}")
            continue
        est, source = ledger.estimate(item)
        total += est
        errors = [a["error"] for a in ledger.data["attempts"] if a["id"] == item.id and a.get("error")]
        lines.append(f"{item.id:<60} {item.tier:<9} {status:<18} {est:>6.0f} s {source:<13} "
                     f"(pending so far: {total / 60:.0f} min)"
                     + (f"; last error: {errors[-1][:120]}" if errors else ""))
    done = sum(i.id in ledger.done for i in queue)
    lines.append(f"{done} of {len(queue)} items done; about {total / 60:.0f} min of estimated work left")
    return "\n".join(lines)


def ledger_path(arg: str | None, quick: bool) -> tuple[Path, Path | None]:
    """The ledger's path and the ledger a missing one starts from."""
    if quick:
        if not arg:
            raise SystemExit("--quick needs --ledger PATH (a scratch path; never the committed ledger)")
        path = Path(arg).resolve()
        if path == COMMITTED_LEDGER.resolve() or path.parent == COMMITTED_LEDGER.parent.resolve():
            raise SystemExit(f"--quick writes no tables into {COMMITTED_LEDGER.parent}; give a scratch --ledger")
        return path, None
    if arg:
        return Path(arg).resolve(), COMMITTED_LEDGER
    from harlib.report.tables import output_dir
    return (output_dir("tables", "paper") / LEDGER_NAME).resolve(), COMMITTED_LEDGER


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget-s", type=float, default=float("inf"),
                    help="start no item after this many seconds, nor one whose estimate no longer fits")
    ap.add_argument("--items", nargs="+", metavar="PREFIX", help="only the items whose id starts so")
    ap.add_argument("--list", action="store_true", help="print the queue with each item's status")
    ap.add_argument("--ledger", help=f"the ledger (default: tables/paper/{LEDGER_NAME} under HARLIB_OUTPUT "
                                     "or the checkout); its tables go beside it")
    ap.add_argument("--quick", action="store_true", help="check the script on a CPU; numbers meaningless")
    ap.add_argument("--retry", action="store_true", help=f"run items started {MAX_ATTEMPTS} times unfinished")
    ap.add_argument("--merge", metavar="LEDGER", help="add another ledger's finished items, rewrite the tables")
    ap.add_argument("--tables", action="store_true", help="rewrite the tables from the ledger only")
    args = ap.parse_args(argv)
    path, seed_from = ledger_path(args.ledger, args.quick)
    ledger = Ledger(path, quick=args.quick, seed_from=seed_from)
    queue = build_queue()
    if args.list:
        print(list_queue(select(queue, args.items), ledger))
        return 0
    if args.merge:
        added = ledger.merge(Ledger(Path(args.merge), quick=args.quick))
        print(f"{len(added)} finished items added to {path}: {', '.join(added) or 'none'}")
        write_tables(ledger, queue)
        return 0
    if args.tables:
        write_tables(ledger, queue)
        return 0
    from harlib.training.runs import RunStore
    store = RunStore(path.parent / "runs") if args.quick else RunStore()
    runner = Runner(args.quick, store)
    if not runner.cuda and not args.quick:
        print("no CUDA device: the paper profile's runs would take hours here", file=sys.stderr)
    ledger.save()
    t0 = time.perf_counter()
    out = run_queue(select(queue, args.items), ledger, args.budget_s, runner, runner.env,
                    skip=runner.skip, retry=args.retry, after=lambda: write_tables(ledger, queue),
                    in_store=store.has)
    write_tables(ledger, queue)
    print(f"{len(out['ran'])} items done, {len(out['failed'])} failed in {time.perf_counter() - t0:.0f} s; "
          f"ledger {path}", flush=True)
    return 1 if out["failed"] else 0


if __name__ == "__main__":
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    sys.exit(main())
