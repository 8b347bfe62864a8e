"""The layout is the architecture: harlib's import graph has no circle and no arrow that
points up a layer, registries import no implementation, every registered trainer keeps
the trainer contract, and the names of the flat layout still import."""
from __future__ import annotations

import ast
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1] / "harlib"
#: bottom to top: a module may import its own layer and the layers below
LAYERS = ("core", "data", "models", "evaluation", "training", "deploy", "papers", "report")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """harlib module → the harlib modules it imports (at any depth of the file)."""
    modules = {module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")
                if node.level:
                    base = base[:len(base) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    hit = sub if sub in modules else target if target in modules else None
                    if hit and hit != name:
                        graph[name].add(hit)
            elif isinstance(node, ast.Import):
                graph[name].update(a.name for a in node.names if a.name in modules and a.name != name)
        graph.setdefault(name, set())
    return graph


def layer(module: str) -> int:
    parts = module.split(".")
    return len(LAYERS) if len(parts) == 1 else LAYERS.index(parts[1])


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def test_every_module_sits_in_a_layer():
    outside = [m for m in import_graph() if m != "harlib" and m.split(".")[1] not in LAYERS]
    assert not outside, f"modules outside the layer packages {LAYERS}: {outside}"


def test_the_import_graph_has_no_circle():
    assert cycles(import_graph()) == []


def test_no_import_points_up_a_layer():
    graph = import_graph()
    upward = sorted((a, b) for a, targets in graph.items() for b in targets
                    if a != "harlib" and layer(b) > layer(a))
    assert upward == []


def test_the_checks_find_a_circle_and_an_upward_arrow():
    graph = {"harlib.core.a": {"harlib.training.b"}, "harlib.training.b": {"harlib.core.a"}}
    assert cycles(graph) == [["harlib.core.a", "harlib.training.b"]]
    assert layer("harlib.training.b") > layer("harlib.core.a")


@pytest.mark.parametrize("registry, families", [
    ("harlib.core.registry", ()),
    ("harlib.models.base", ("harlib.models.cnn", "harlib.models.usad", "harlib.models.memae")),
    ("harlib.training.trainers.registry", ("harlib.training.trainers.supervised",
                                           "harlib.training.trainers.classical")),
    ("harlib.training.augment", ("harlib.training.diffusion",)),
    ("harlib.data.registry", ("harlib.data.dsads", "harlib.data.hapt")),
])
def test_registries_import_no_implementation(registry, families):
    graph = import_graph()
    imported = graph[registry]
    assert not imported & set(families), f"{registry} imports {sorted(imported & set(families))}"
    if registry == "harlib.core.registry":
        assert imported == set()


def test_old_module_names_still_import_and_say_where_they_went():
    import importlib
    import sys

    from harlib.training.train import TrainConfig
    for name in ("harlib.train", "harlib.analysis"):
        sys.modules.pop(name, None)
    with pytest.warns(FutureWarning, match="harlib.train moved to harlib.training.train"):
        old = importlib.import_module("harlib.train")
    assert old.TrainConfig is TrainConfig
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        analysis = importlib.import_module("harlib.analysis")
    from harlib.papers.memae import clustering_table
    from harlib.training.experiment import histories
    assert analysis.clustering_table is clustering_table and analysis.histories is histories
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        analysis.no_such_name


# ---- the trainer contract ----------------------------------------------------------------
# one small run per registered trainer: (model, TrainConfig fields, model kwargs)
TRAINER_CASES = {
    "supervised": ("cnn1d", {}, {}),
    "pretrain_finetune": ("cnn1d", {"augment": "jitter_scale", "pretrain_epochs": 1,
                                    "augment_kwargs": {"amount": 0.5}}, {}),
    "unsupervised": ("lstm_autoencoder", {}, {"hidden": 8}),
    "classical": ("random_forest", {}, {}),
    "clustering": ("kmeans_features", {}, {}),
}


def test_every_registered_trainer_has_a_contract_case():
    from harlib.training.trainers import TRAINERS
    assert sorted(TRAINER_CASES) == TRAINERS.names()


@pytest.mark.parametrize("name", sorted(TRAINER_CASES))
def test_trainer_contract(name, basicmotions_windows, tmp_path):
    """Each trainer: is registered under its own name, accepts the models it lists, is the
    one trainer_for picks for its case, resolves a configuration, trains one stored run
    whose record names it, and loads that run again instead of training it."""
    from harlib.training.runs import RunStore
    from harlib.training.train import TrainConfig, fit
    from harlib.training.trainers import TRAINERS, trainer_for
    ws, split = basicmotions_windows
    model, fields, kwargs = TRAINER_CASES[name]
    trainer = TRAINERS.get(name)()
    assert trainer.name == name
    assert trainer.model_names() and all(trainer.accepts(m) for m in trainer.model_names())
    assert trainer.accepts(model)
    config = TrainConfig(max_epochs=1, patience=1, batch_size=16, num_threads=1, trainer=name,
                         max_train_windows=120, **fields)
    assert trainer_for(model, config).name == name
    resolved = trainer.resolve(config)
    assert resolved.trainer == name
    store = RunStore(tmp_path)
    run = fit(model, ws, split, config, store=store, model_kwargs=kwargs)
    assert not run.cached and store.has(run.key)
    assert run.record["trainer"] == name
    assert 0.0 <= run.metrics["accuracy"] <= 1.0 and np.isfinite(run.metrics["f1_macro"])
    assert len(run.predictions["y_true"]) == run.record["n_windows"]["test"]
    again = fit(model, ws, split, config, store=store, model_kwargs=kwargs)
    assert again.cached and again.key == run.key and again.metrics == run.metrics


def test_owned_models_refuse_a_trainer_they_cannot_use():
    from harlib.training.train import TrainConfig
    from harlib.training.trainers import trainer_for
    with pytest.raises(ValueError, match="'random_forest' is a classical model"):
        trainer_for("random_forest", TrainConfig(trainer="unsupervised"))
    with pytest.raises(ValueError, match="'kmeans_raw' is a clustering baseline"):
        trainer_for("kmeans_raw", TrainConfig(trainer="pretrain_finetune", augment="jitter_scale",
                                              pretrain_epochs=1))
    with pytest.raises(KeyError, match="unknown model 'xgboost'.*random_forest, knn, svm"):
        trainer_for("xgboost", TrainConfig())


def test_layerwise_pretraining_follows_the_configured_precision(basicmotions_windows, tmp_path):
    """Paper A's layer-wise pre-training runs through train_one_epoch, so bf16 reaches it:
    the pre-training losses differ from fp32's, and each stage is in the history."""
    from harlib.training.runs import RunStore
    from harlib.training.train import TrainConfig, fit
    ws, split = basicmotions_windows
    losses = {}
    for precision in ("fp32", "bf16"):
        config = TrainConfig(max_epochs=1, patience=1, batch_size=16, num_threads=1,
                             trainer="unsupervised", pretrain_epochs=1, max_train_windows=120,
                             precision=precision)
        run = fit("memae_lstm", ws, split, config, store=RunStore(tmp_path / precision),
                  model_kwargs={"hidden": 8, "memory_size": 4})
        pre = [h for h in run.record["history"] if h.get("stage", "").startswith("pretrain:")]
        assert pre and all(np.isfinite(h["train_loss"]) for h in pre)
        losses[precision] = [h["train_loss"] for h in pre]
    assert losses["fp32"] != losses["bf16"]


def test_outputs_go_to_the_checkout_from_any_working_folder(tmp_path, monkeypatch):
    """Notebooks run with the notebooks folder as working folder: tables and recorded
    headlines must still land in the checkout (harlib's files moved a level down)."""
    from harlib.report.tables import project_root
    monkeypatch.delenv("HARLIB_OUTPUT", raising=False)
    monkeypatch.chdir(tmp_path)
    assert project_root() == ROOT.parent
    assert (project_root() / "notebooks" / "recorded").is_dir()
