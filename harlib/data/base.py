"""Containers shared by every dataset loader.

A loaded dataset is a list of :class:`Recording` objects — continuous,
per-subject streams of shape ``(time, channels)`` with one integer label per
sample — plus metadata: sampling rate, class names and one :class:`Channel`
per column saying which sensor placement and modality it comes from.
Datasets distributed already cut into windows (BasicMotions, the official
UCI-HAR Inertial Signals) are stored with one recording per window.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Sequence

import numpy as np

from ..core.atomic import temp_file
from ..core.checks import is_number

UNLABELLED = -1
"""Label of samples that belong to no class (HAPT gaps, PAMAP2 transient 0, OPPORTUNITY null)."""


@dataclass(frozen=True)
class Channel:
    """One signal column: e.g. ``Channel("torso_acc_x", "torso", "acc", "x", "m/s^2")``."""

    name: str
    placement: str
    modality: str
    axis: str = ""
    unit: str = ""


def imu_channels(placement: str, modalities: Sequence[str], units: dict[str, str] | None = None,
                 axes: str = "xyz") -> list[Channel]:
    """Channels of one IMU: ``placement_modality_axis`` for each modality and axis."""
    units = units or {}
    return [Channel(f"{placement}_{m}_{a}", placement, m, a, units.get(m, ""))
            for m in modalities for a in axes]


@dataclass
class Recording:
    """One continuous stream of one subject.

    signals: ``(time, channels)`` float32; labels: ``(time,)`` int16 class
    indices into ``HARDataset.class_names``, ``UNLABELLED`` (-1) where none.
    """

    subject: int
    session: str
    signals: np.ndarray
    labels: np.ndarray

    def __post_init__(self):
        if self.signals.ndim != 2:
            raise ValueError(f"recording {self.session!r}: signals must be (time, channels), "
                             f"got shape {self.signals.shape}")
        if self.labels.shape != (self.signals.shape[0],):
            raise ValueError(f"recording {self.session!r}: {self.signals.shape[0]} samples but "
                             f"labels of shape {self.labels.shape}")

    def __len__(self) -> int:
        return self.signals.shape[0]


@dataclass
class HARDataset:
    """A loaded dataset: recordings plus what a user needs to interpret them."""

    name: str
    sampling_rate: float
    class_names: tuple[str, ...]
    channels: tuple[Channel, ...]
    recordings: list[Recording]
    description: str = ""
    missing_values: str = "none"
    official_split: dict[str, list[int]] | None = None
    stand_in_for: str | None = None
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        """Refuse what no loader should produce: a sampling rate that is not a positive
        number, no recordings, a class name listed twice, and recordings that disagree with
        the channel and class lists."""
        self.class_names = tuple(self.class_names)
        self.channels = tuple(self.channels)
        rate = self.sampling_rate
        if not (is_number(rate) and rate > 0):
            raise ValueError(f"{self.name}: sampling_rate must be a positive number of samples per "
                             f"second, got {rate!r}")
        if not self.recordings:
            raise ValueError(f"{self.name}: no recordings; a dataset needs at least one")
        twice = sorted({c for c in self.class_names if self.class_names.count(c) > 1})
        if twice:
            raise ValueError(f"{self.name}: class_names lists {twice} more than once; each class "
                             "needs its own name (labels index class_names)")
        n = len(self.class_names)
        for rec in self.recordings:
            if rec.signals.shape[1] != len(self.channels):
                raise ValueError(f"{self.name}: recording {rec.session!r} has "
                                 f"{rec.signals.shape[1]} channels, metadata lists {len(self.channels)}")
            if not np.issubdtype(rec.labels.dtype, np.integer):
                raise ValueError(f"{self.name}: recording {rec.session!r} has labels of type "
                                 f"{rec.labels.dtype}; labels are integer class indices")
            bad = (rec.labels < UNLABELLED) | (rec.labels >= n)
            if bad.any():
                values = np.unique(rec.labels[bad])[:10].tolist()
                raise ValueError(f"{self.name}: recording {rec.session!r} has labels {values} "
                                 f"outside 0..{n - 1} (the {n} class_names) and {UNLABELLED} "
                                 "(unlabelled). Codes that start at 1 need shifting by one.")

    # ---- summaries -------------------------------------------------------------
    @property
    def n_channels(self) -> int:
        return len(self.channels)

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def subjects(self) -> list[int]:
        return sorted({r.subject for r in self.recordings})

    @property
    def n_samples(self) -> int:
        return sum(len(r) for r in self.recordings)

    def placements(self) -> dict[str, list[int]]:
        """Channel indices grouped by sensor placement, in channel order."""
        groups: dict[str, list[int]] = {}
        for i, ch in enumerate(self.channels):
            groups.setdefault(ch.placement, []).append(i)
        return groups

    def modalities(self) -> dict[str, list[int]]:
        groups: dict[str, list[int]] = {}
        for i, ch in enumerate(self.channels):
            groups.setdefault(ch.modality, []).append(i)
        return groups

    def sample_counts(self) -> dict[str, int]:
        """Labelled samples per class (unlabelled samples are counted under '(unlabelled)')."""
        counts: Counter = Counter()
        for rec in self.recordings:
            counts.update(rec.labels.tolist())
        out = {name: int(counts.get(i, 0)) for i, name in enumerate(self.class_names)}
        if counts.get(UNLABELLED):
            out["(unlabelled)"] = int(counts[UNLABELLED])
        return out

    def select_channels(self, placements: Sequence[str] | None = None,
                        modalities: Sequence[str] | None = None) -> "HARDataset":
        """A copy keeping only channels of the given placements and/or modalities."""
        keep = [i for i, ch in enumerate(self.channels)
                if (placements is None or ch.placement in placements)
                and (modalities is None or ch.modality in modalities)]
        if not keep:
            raise ValueError(f"{self.name}: no channel matches placements={placements} "
                             f"modalities={modalities}; have placements {list(self.placements())} "
                             f"and modalities {list(self.modalities())}")
        recs = [replace(r, signals=np.ascontiguousarray(r.signals[:, keep])) for r in self.recordings]
        return replace(self, channels=tuple(self.channels[i] for i in keep), recordings=recs)

    def card(self) -> dict:
        """A one-row summary used by the dataset cards in notebook 00."""
        return {
            "dataset": self.name,
            "stand-in for": self.stand_in_for or "",
            "subjects": len(self.subjects),
            "classes": self.n_classes,
            "channels": self.n_channels,
            "placements": ", ".join(self.placements()),
            "modalities": ", ".join(self.modalities()),
            "rate (Hz)": self.sampling_rate,
            "recordings": len(self.recordings),
            "samples": self.n_samples,
            "hours": round(self.n_samples / self.sampling_rate / 3600, 2),
        }

    # ---- (de)serialisation for the parsed-array cache -----------------------
    def save(self, path: Path, source: str | None = None) -> None:
        """Write to ``path`` (an .npz) atomically: the arrays go to a uniquely named temporary
        file that replaces ``path`` only when complete, so a partial file never survives and
        processes writing the same dataset at once cannot disturb each other. ``source``
        (the identity of the raw files it was parsed from) is stored with it."""
        path = Path(path)
        meta = {
            "name": self.name, "sampling_rate": self.sampling_rate,
            "class_names": list(self.class_names), "channels": [asdict(c) for c in self.channels],
            "description": self.description, "missing_values": self.missing_values,
            "official_split": self.official_split, "stand_in_for": self.stand_in_for,
            "extra": self.extra,
            "subjects": [r.subject for r in self.recordings],
            "sessions": [r.session for r in self.recordings],
            "source": source,
        }
        lengths = np.array([len(r) for r in self.recordings], dtype=np.int64)
        fd, tmp = temp_file(path.parent, path.name, suffix=".partial.npz")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, meta=np.array(json.dumps(meta)), lengths=lengths,
                         signals=np.concatenate([r.signals for r in self.recordings]).astype(np.float32),
                         labels=np.concatenate([r.labels for r in self.recordings]).astype(np.int16))
            os.chmod(tmp, 0o644)                 # as a plain new file (mkstemp makes it 0600)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path) -> "HARDataset":
        return cls.load_with_source(path)[0]

    @classmethod
    def load_with_source(cls, path: Path) -> tuple["HARDataset", str | None]:
        """The dataset stored at ``path`` and the identity of the raw files it came from
        (``None`` if not recorded)."""
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            signals, labels, lengths = z["signals"], z["labels"], z["lengths"]
        if int(lengths.sum()) != len(signals) or len(labels) != len(signals):
            raise ValueError(f"{path}: {len(signals)} samples stored but the recordings add up "
                             f"to {int(lengths.sum())}")
        bounds = np.concatenate([[0], np.cumsum(lengths)])
        recs = [Recording(s, sess, signals[a:b], labels[a:b])
                for s, sess, a, b in zip(meta["subjects"], meta["sessions"], bounds[:-1], bounds[1:])]
        return cls(name=meta["name"], sampling_rate=meta["sampling_rate"],
                   class_names=tuple(meta["class_names"]),
                   channels=tuple(Channel(**c) for c in meta["channels"]), recordings=recs,
                   description=meta["description"], missing_values=meta["missing_values"],
                   official_split=meta["official_split"], stand_in_for=meta["stand_in_for"],
                   extra=meta["extra"]), meta.get("source")

    def check_finite(self) -> None:
        """Raise ``ValueError`` naming the first recording, sample and channel that holds a
        NaN or infinite value (after a loader's own gap policy, none may remain)."""
        for rec in self.recordings:
            bad = ~np.isfinite(rec.signals)
            if bad.any():
                t, c = np.argwhere(bad)[0]
                raise ValueError(f"{self.name}: recording {rec.session!r} holds {int(bad.sum())} "
                                 f"NaN or infinite values (first at sample {t}, channel "
                                 f"{self.channels[c].name!r}) after parsing")
