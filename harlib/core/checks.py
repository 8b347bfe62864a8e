"""Value checks shared by what validates user input (:class:`~harlib.training.train.TrainConfig`,
:class:`~harlib.data.HARDataset`, exported model folders). Booleans are not numbers here,
although Python counts them as integers, and a number must be finite."""
from __future__ import annotations

import math
import numbers


def is_int(v, low: int, high: int | None = None) -> bool:
    """An integer (not a boolean) in ``[low, high]``."""
    return isinstance(v, int) and not isinstance(v, bool) and v >= low and (high is None or v <= high)


def is_number(v) -> bool:
    """A finite real number (not a boolean, not a string); numpy scalars count."""
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)
