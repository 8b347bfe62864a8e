"""The trainer registry: a name → trainer class, and the choice of trainer for a run.

timm's pattern: this module imports no trainer. Each trainer module registers its class
with :data:`TRAINERS`, and the package :mod:`harlib.training.trainers` imports every one.
"""
from __future__ import annotations

from ...core.registry import Registry

TRAINERS: Registry = Registry("trainer")


def trainer_for(model_name: str, config):
    """The trainer a run of ``model_name`` under ``config`` uses.

    Every registered trainer is asked first whether it *owns* the model (a trainer that is
    the only one able to run it: the classical models, the clustering baselines); an owner
    runs it when the configured trainer is the owner itself or one it stands in for
    (:attr:`~harlib.training.trainers.base.Trainer.stands_in_for`). Any other model goes to
    the configured trainer, which must accept it. Unknown names raise with the known ones
    listed."""
    trainers = [TRAINERS.get(name)() for name in TRAINERS.names()]
    for trainer in trainers:
        if trainer.owns(model_name):
            if config.trainer != trainer.name and config.trainer not in trainer.stands_in_for:
                raise ValueError(f"{model_name!r} is {trainer.kind_of_model}; it cannot use "
                                 f"trainer {config.trainer!r}")
            return trainer
    trainer = TRAINERS.get(config.trainer)()
    if not trainer.accepts(model_name):
        known = ", ".join(dict.fromkeys(m for t in trainers for m in t.model_names()))
        raise KeyError(f"unknown model {model_name!r} for trainer {config.trainer!r}. Known: {known}")
    return trainer
