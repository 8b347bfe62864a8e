"""Run grids on an executor (harlib.training.experiment.run_grid(executor=...)): a local Dask cluster
started here trains the missing runs into a shared run store; every run lands once, results
equal the in-process ones, and an interrupted grid resumes without repeating runs."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from harlib.training.experiment import run_grid
from harlib.training.runs import RunStore
from harlib.training.train import TrainConfig

CONFIG = TrainConfig(max_epochs=2, patience=2, batch_size=16, num_threads=1)


def _grid(ws, store, **kw):
    return run_grid(ws, "subject_groups", ["cnn1d"], [0, 1], CONFIG, protocol_kwargs={"n_groups": 4},
                    max_folds=2, store=store, log=None, **kw)


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=40)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_dask_grid_equals_in_process_and_stores_each_run_once(basicmotions_windows, tmp_path, dask_client):
    ws, _ = basicmotions_windows
    here = _grid(ws, RunStore(tmp_path / "here"))
    shared = RunStore(tmp_path / "shared")
    there = _grid(ws, shared, executor=dask_client)
    assert len(there) == 4 and not there.cached.any()        # trained on the workers in this call
    assert sorted(p.name for p in shared.root.iterdir() if p.is_dir()) == sorted(there.run_key)
    assert list(there.run_key) == list(here.run_key)
    assert there.f1_macro.tolist() == here.f1_macro.tolist()   # bitwise the same runs


def test_an_interrupted_grid_resumes(basicmotions_windows, tmp_path):
    ws, _ = basicmotions_windows
    store = RunStore(tmp_path / "store")
    first = run_grid(ws, "subject_groups", ["cnn1d"], [0], CONFIG, protocol_kwargs={"n_groups": 4},
                     max_folds=2, store=store, log=None)          # half the grid, in-process
    submitted = []

    class CountingExecutor(ThreadPoolExecutor):
        def submit(self, fn, *args, **kwargs):
            submitted.append(args[2:5])
            return super().submit(fn, *args, **kwargs)

    with CountingExecutor(max_workers=2) as ex:
        full = _grid(ws, store, executor=ex)
    assert len(submitted) == 2 and {s[2] for s in submitted} == {1}   # only seed 1 was missing
    assert set(first.run_key) <= set(full.run_key) and len(full) == 4
    with CountingExecutor(max_workers=2) as ex:
        _grid(ws, store, executor=ex)
    assert len(submitted) == 2                                     # nothing left to train


def test_runs_an_executor_trains_are_labelled_trained_and_stored_ones_cached(basicmotions_windows, tmp_path):
    """The run table tells the runs trained in this call (on the executor) from the ones
    loaded from the store, as an in-process grid does."""
    ws, _ = basicmotions_windows
    store = RunStore(tmp_path / "store")

    def grid(seeds, ex):
        return run_grid(ws, "subject_groups", ["random_forest"], seeds, CONFIG, protocol_kwargs={"n_groups": 4},
                        max_folds=1, store=store, log=None, executor=ex)
    with ThreadPoolExecutor(max_workers=1) as ex:
        first = grid([0], ex)
        again = grid([0, 1], ex)
    assert first.cached.tolist() == [False]
    assert dict(zip(again.seed, again.cached)) == {0: True, 1: False}
