"""Run profiles: how much compute a notebook spends.

``smoke``     CI: tiny subsets (128 training windows) and one epoch, so every notebook runs end to end in minutes;
              its runs train in fp64, so that its recorded numbers hold to 1e-6 on any x86 CPU
              (README, "Reproducibility across machines").
``standard``  Meaningful numbers on one 2-core CPU machine in hours, not days: at most
              10 epochs (patience 3) on a stratified sample of at most 2,000 training
              windows, validation on at most 500, testing on all test windows. The papers'
              heavier methods (STDual-X) get ``budget_seconds`` = 480 s of one core per
              run instead, which the recorded cost table turns into windows and epochs.
              Notebook 02's zoo gets 20 s per run by model cost (``grid_budget``): every
              training window while ≥ 5 epochs fit (up to 30, patience 10), fewer windows
              for the slowest models. Where the two compared protocols run alike
              (:mod:`harlib.papers.protocols`, notebooks 12, 22 and 23), each epoch trains on
              ``grid_train_windows`` windows drawn afresh from every training window instead
              of a fixed sample of them.
``paper``     The papers' own settings (WHAR Arena v1 training: up to 100 epochs,
              patience 10, all folds), meant for a GPU.

A profile holds every budget the notebooks use (windows, epochs, seeds, folds, timing
repeats, augmentation and pre-training epochs), so a notebook never branches on a
profile's name: it reads the fields.

Chosen by the notebook parameter ``profile`` or, when that is ``None``, by the environment
variable ``HARLIB_PROFILE`` (default ``standard``).
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    max_epochs: int
    patience: int
    seeds: tuple[int, ...]
    max_train_windows: int | None   # stratified subsample of the training windows
    max_val_windows: int | None     # ... of the validation windows (scored every epoch)
    max_test_windows: int | None    # ... of the test windows
    max_folds: int | None           # subject-group folds actually run (None = all)
    description: str
    num_threads: int | None = None  # torch threads per process (None: torch's default)
    # notebook 01: the cheap CNN's training windows (None = all of them)
    cheap_model_train_windows: int | None = None
    # notebook 02: the zoo grid's training windows per run and its seeds
    grid_train_windows: int | None = None
    grid_seeds: tuple[int, ...] = (0,)
    # notebook 02: the zoo's budget by model cost, as TrainConfig fields (budget_seconds,
    # max_epochs, patience, budget_keep_windows_to_epochs, max_train_windows); None: every
    # model gets grid_train_windows windows for max_epochs epochs
    grid_budget: dict | None = None
    # notebook 02: the anchors retrained with a larger budget on the first folds (None: skip)
    budget_check: dict | None = None
    # efficiency tables: timed repeats per measurement, and the batch whose per-window
    # latency they report beside the single window's
    efficiency_repeats: int = 50
    efficiency_batch: int = 100
    # augmentation and pre-training stages (papers A and B): epochs of each
    augment_epochs: int = 1
    pretrain_epochs: int = 1
    # the diffusion augmenter's sampling steps (None: the augmenter's own default, 20); its
    # cost grows with them times the synthetic windows, which paper B makes per real window
    augment_sample_steps: int | None = None
    # the training windows the augmenter fits on and makes its synthetic windows for (a
    # class-stratified sample; None: every training window of the fold)
    augment_fit_windows: int | None = None
    # the papers' methods (notebooks 10–36): seconds of one core per training run, turned
    # into windows and epochs per model by the recorded cost table (None: no budget)
    budget_seconds: float | None = None
    # notebook 26 (paper B's Fig. 7): rounds of consecutive single-window inferences
    latency_rounds: int = 10
    latency_per_round: int = 100
    # notebook 40: also time inference with all of the machine's threads (the smoke profile
    # does not: beside CI's other process it would measure oversubscription)
    all_threads_latency: bool = True
    # the training runs' precision (TrainConfig.precision): fp64 for the smoke profile, whose
    # recorded numbers are compared to 1e-6 on any CPU (harlib.models.inference)
    precision: str = "fp32"
    # headline checks (harlib.report.headlines): the tolerance each trained headline value is
    # recorded with, where that tolerance comes from, the multiple of the standard error of
    # the difference between two executions' means over seeds × folds that replaces it when
    # larger (None: never; harlib.report.headlines.difference_se), and whether a
    # notebook without recorded values for this profile fails its check
    headline_tolerance: float = 0.02
    headline_tolerance_source: str = "stated floor"
    headline_se_multiple: float | None = None
    headlines_required: bool = False

    def grid_overrides(self) -> dict:
        """The TrainConfig fields of notebook 02's zoo grid: ``grid_budget`` where the
        profile has one, otherwise ``grid_train_windows`` windows per run."""
        return {"max_train_windows": self.grid_train_windows, **(self.grid_budget or {})}

    def as_dict(self) -> dict:
        return asdict(self)


# The smoke profile's tolerance for trained numbers: its runs are fp64 under pinned numerics
# (harlib.core.numerics), which MKL's branches and the two CPU levels leave equal to about
# 1e-10 (one linear probe aside, recorded per level); the tolerance absorbs float formatting.
SMOKE_TOLERANCE = (1e-6, "fp64 runs under pinned numerics: equal across MKL's branches and CPU levels "
                         "to about 1e-10 (tables/bench_mkl_branches.md, tables/cpu_levels.md); "
                         "1e-6 absorbs float formatting")
# The standard profile's floor, for a value that is one run or whose runs agree closely.
STANDARD_FLOOR = ("floor 0.02 (the fixed tolerance used before per-value spreads), for one-run values; "
                  "3 standard errors of the difference between two executions' means where larger")

PROFILES = {
    # sized by the measured seconds of each notebook (tables/test_times_smoke): with 400
    # training windows and two epochs, evaluation and training of ~700 runs made the test
    # command take 41 min on two cores; 128 windows and one epoch keep every code path
    "smoke": Profile("smoke", max_epochs=1, patience=1, seeds=(0,), max_train_windows=128,
                     max_val_windows=64, max_test_windows=128, max_folds=1,
                     description="CI: every notebook end to end in minutes; numbers meaningless",
                     num_threads=1, cheap_model_train_windows=128, grid_train_windows=128,
                     grid_seeds=(0,), efficiency_repeats=3, efficiency_batch=10,
                     latency_rounds=3, latency_per_round=10,
                     all_threads_latency=False,
                     # notebook 02's zoo (19 models × 4 datasets) is the suite's largest cost:
                     # 100 windows and one epoch per run; the larger-budget check doubles both
                     grid_budget={"max_train_windows": 100, "max_epochs": 1, "patience": 1},
                     budget_check={"max_train_windows": 200, "max_epochs": 2, "patience": 1,
                                   "folds": 1},
                     # the augmenter on the classifier's 128 windows, not on every training
                     # window (9,000–23,000 where the protocols run alike): two thirds of
                     # notebook 23's time in the suite before
                     augment_epochs=1, pretrain_epochs=1, augment_sample_steps=2, augment_fit_windows=128,
                     precision="fp64",
                     headline_tolerance=SMOKE_TOLERANCE[0], headline_tolerance_source=SMOKE_TOLERANCE[1],
                     headlines_required=True),
    "standard": Profile("standard", max_epochs=10, patience=3, seeds=(0, 1, 2),
                        max_train_windows=2000, max_val_windows=500, max_test_windows=None,
                        max_folds=3,
                        description="one 2-core CPU machine: hours for the whole pipeline",
                        # one torch thread per run: sums split by thread move fp32 results, and the
                        # committed numbers were trained one thread per process
                        num_threads=1,
                        cheap_model_train_windows=None, grid_train_windows=1000, grid_seeds=(0,),
                        efficiency_repeats=50,
                        grid_budget={"budget_seconds": 20.0, "max_epochs": 30, "patience": 10,
                                     "budget_keep_windows_to_epochs": 5,
                                     "max_train_windows": None},
                        budget_check={"max_train_windows": 4000, "max_epochs": 30, "patience": 10,
                                      "folds": 1},
                        augment_epochs=20, pretrain_epochs=5, budget_seconds=480.0,
                        headline_tolerance=0.02, headline_se_multiple=3.0, headlines_required=True,
                        headline_tolerance_source=STANDARD_FLOOR),
    "paper": Profile("paper", max_epochs=100, patience=10, seeds=(0, 1, 2),
                     max_train_windows=None, max_val_windows=None, max_test_windows=None,
                     max_folds=None,
                     description="the papers' settings, for a GPU",
                     cheap_model_train_windows=None, grid_train_windows=None, grid_seeds=(0, 1, 2),
                     efficiency_repeats=50, budget_check=None,   # it already trains on everything
                     augment_epochs=200, pretrain_epochs=20,
                     headline_tolerance=0.02, headline_se_multiple=3.0,
                     headline_tolerance_source=STANDARD_FLOOR),
}


def get_profile(name: str | None = None) -> Profile:
    """The profile called ``name``, or the one ``HARLIB_PROFILE`` names (default standard)."""
    name = name or os.environ.get("HARLIB_PROFILE") or "standard"
    if name not in PROFILES:
        raise KeyError(f"unknown profile {name!r}; choose one of {', '.join(PROFILES)}")
    return PROFILES[name]
