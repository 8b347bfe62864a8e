"""Datasets: raw-format loaders behind one registry.

>>> from harlib.data import load_dataset, dataset_names
>>> ds = load_dataset("dsads")            # doctest: +SKIP
"""
from ..core.atomic import CacheWarning
from .archive import CorruptArchiveError, DatasetNotFoundError, Source, locate
from .base import UNLABELLED, Channel, HARDataset, Recording, imu_channels
from .registry import DATASETS, dataset_names, load_dataset, register_dataset

# importing the loader modules registers their datasets
from . import (basicmotions, daliac, dsads, hapt, opportunity, pamap2, uci_har,  # noqa: E402,F401
               wisdm, wisdm2019)

__all__ = ["CacheWarning", "CorruptArchiveError", "DatasetNotFoundError", "Source", "locate", "UNLABELLED",
           "Channel", "HARDataset", "Recording", "imu_channels", "DATASETS", "dataset_names",
           "load_dataset", "register_dataset"]
