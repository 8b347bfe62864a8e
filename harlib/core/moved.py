"""Where the modules of the flat layout went.

harlib's modules once sat side by side in one folder; they now live in one package per
layer (core, data, models, evaluation, training, deploy, papers, report). Code written
against the flat layout keeps working: ``import harlib`` installs a finder that answers an
old module name (``harlib.papers.baselines``, ``harlib.training.train``, …) with a module that reads each
name from where it lives now, and warns once (``FutureWarning``) naming the new places.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types
import warnings

#: old module → the modules that now hold its names (searched in this order)
MOVED: dict[str, tuple[str, ...]] = {
    "harlib.analysis": ("harlib.papers.baselines", "harlib.papers.claims", "harlib.training.experiment", "harlib.evaluation.embeddings", "harlib.papers.memae", "harlib.papers.usad", "harlib.papers.stdualx",),
    "harlib.augment": ("harlib.training.augment",),
    "harlib.budget": ("harlib.training.budget",),
    "harlib.checks": ("harlib.core.checks",),
    "harlib.classical": ("harlib.models.classical", "harlib.training.trainers.classical",),
    "harlib.clustering": ("harlib.training.trainers.clustering",),
    "harlib.config": ("harlib.core.config",),
    "harlib.data.atomic": ("harlib.core.atomic",),
    "harlib.deployment": ("harlib.deploy.deployment",),
    "harlib.diffusion": ("harlib.training.diffusion",),
    "harlib.efficiency": ("harlib.deploy.efficiency", "harlib.papers.usad",),
    "harlib.engine": ("harlib.training.engine", "harlib.models.inference",),
    "harlib.experiment": ("harlib.training.experiment",),
    "harlib.export": ("harlib.deploy.export",),
    "harlib.fidelity": ("harlib.evaluation.fidelity",),
    "harlib.headlines": ("harlib.report.headlines",),
    "harlib.inspection": ("harlib.report.inspection",),
    "harlib.invariants": ("harlib.evaluation.invariants",),
    "harlib.leakage": ("harlib.evaluation.leakage",),
    "harlib.losses": ("harlib.training.losses",),
    "harlib.metrics": ("harlib.evaluation.metrics",),
    "harlib.normalization": ("harlib.data.normalization",),
    "harlib.numerics": ("harlib.core.numerics",),
    "harlib.plotting": ("harlib.report.plotting",),
    "harlib.profiles": ("harlib.training.profiles",),
    "harlib.published": ("harlib.papers.published",),
    "harlib.recipes": ("harlib.papers.usad", "harlib.papers.stdualx", "harlib.papers.recipes",),
    "harlib.registry": ("harlib.core.registry",),
    "harlib.reporting": ("harlib.report.tables",),
    "harlib.robustness": ("harlib.evaluation.robustness",),
    "harlib.runs": ("harlib.training.runs",),
    "harlib.samplers": ("harlib.training.samplers",),
    "harlib.splits": ("harlib.evaluation.splits",),
    "harlib.streaming": ("harlib.deploy.streaming",),
    "harlib.summary": ("harlib.report.summary",),
    "harlib.train": ("harlib.training.train",),
    "harlib.trainers": ("harlib.training.trainers", "harlib.training.trainers.base", "harlib.training.trainers.supervised", "harlib.training.trainers.unsupervised", "harlib.evaluation.clustering", "harlib.models.base",),
    "harlib.windows": ("harlib.data.windows",),
}


class MovedModule(types.ModuleType):
    """An old module name: every attribute is read from the modules that hold it now."""

    def __init__(self, name: str, targets: tuple[str, ...]):
        super().__init__(name, f"moved to {', '.join(targets)}")
        self.__targets = targets

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        for target in self.__targets:
            module = importlib.import_module(target)
            if hasattr(module, attr):
                return getattr(module, attr)
        raise AttributeError(f"module {self.__name__!r} (moved to {', '.join(self.__targets)}) "
                             f"has no attribute {attr!r}")

    def __dir__(self):
        names = set()
        for target in self.__targets:
            names.update(n for n in dir(importlib.import_module(target)) if not n.startswith("_"))
        return sorted(names)


class MovedFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the old module names of :data:`MOVED`."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in MOVED:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        targets = MOVED[spec.name]
        warnings.warn(f"{spec.name} moved to {', '.join(targets)}; import from there",
                      FutureWarning, stacklevel=2)
        return MovedModule(spec.name, targets)

    def exec_module(self, module) -> None:
        pass


def install() -> None:
    """Put the finder on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, MovedFinder) for f in sys.meta_path):
        sys.meta_path.append(MovedFinder())
