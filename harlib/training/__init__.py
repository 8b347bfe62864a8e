"""The training layer: from windows and a split to a stored run.

``engine``      the stages of a run: prepare, build, train_one_epoch, evaluate, early stopping
``trainers/``   trainers by name (supervised, pretrain_finetune, unsupervised, classical,
                clustering), one file each, and the registry that picks one for a run
``train``       TrainConfig (checked) and fit(), the entry point
``experiment``  grids of model × fold × seed → tidy tables, summaries, paired differences
``runs``        the run store and the one cached-run skeleton every trainer uses
``losses``, ``samplers``   losses on (outputs, batch); batch samplers
``augment``, ``diffusion`` the train-only augmentation stage and paper B's diffusion augmenter
``profiles``, ``budget``   smoke / standard / paper settings; budgets by model cost

Registries import no implementation (timm's pattern); importing this package imports the
families, which register themselves: the diffusion augmenter and every trainer.
"""
from . import diffusion, trainers  # noqa: F401  (registers the diffusion augmenter and the trainers)
