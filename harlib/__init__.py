"""harlib: a reproducible companion to three IMU human-activity-recognition papers.

Modules: ``data`` (raw-format loaders), ``windows`` (segmentation), ``splits`` (evaluation
protocols), ``normalization``, ``models`` (registry), ``losses``, ``train`` (engine and run
cache), ``metrics``, ``profiles``, ``experiment`` (grids of runs → tables, in-process or on
an executor), ``plotting``; ``export`` (ONNX), ``deployment`` (torch vs onnxruntime),
``streaming`` (a recogniser fed sample by sample), ``summary`` (the papers' claims against
ours).
"""
from . import numerics  # first: pins the CPU numerics before NumPy and torch load

__version__ = "0.1.0"
