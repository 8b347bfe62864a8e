"""harlib: a reproducible companion to three IMU human-activity-recognition papers.

One package per layer; each imports only the layers below it:

``core``        pinned numerics (loaded first), paths, registries, checks, atomic writes
``data``        raw-format loaders, the dataset registry, sliding windows, normalisation
``models``      networks by name (one file per family), classical models, inference
``evaluation``  protocols (splits) and their leaks, metrics, clustering scores, robustness
``training``    the engine, trainers by name, losses, samplers, augmentation, the run store,
                TrainConfig and fit(), run grids, profiles and budgets
``deploy``      efficiency (parameters, FLOPs, latency, memory), ONNX export, streaming
``papers``      one module per paper (its settings and tables), published figures, recipes
``report``      tables, figures, the claims summary, headline checks, model inspection
"""
from .core import numerics  # noqa: F401  (first: pins the CPU numerics before NumPy and torch load)
from .core import moved

moved.install()   # the modules of the flat layout keep working under their old names

__version__ = "0.1.0"
