"""Reading numeric text tables and filling sensor gaps, shared by the text-format loaders."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def read_table(path: Path, n_columns: int, delimiter: str | None = None,
               allow_nan: bool = True) -> np.ndarray:
    """A numeric text table as float64 ``(rows, n_columns)``; blank lines are skipped.

    A row with another number of fields, a field that is not a number, an infinite value or
    (with ``allow_nan=False``) a NaN raises ``ValueError`` naming the file and 1-based line.
    """
    try:
        table = np.loadtxt(path, delimiter=delimiter, ndmin=2, dtype=np.float64)
    except ValueError as exc:
        raise_bad_line(path, n_columns, delimiter, allow_nan, exc)
    if table.shape[0] == 0:
        raise ValueError(f"{path}: no data rows")
    bad = np.isinf(table).any() or (not allow_nan and np.isnan(table).any())
    if table.shape[1] != n_columns or bad:
        raise_bad_line(path, n_columns, delimiter, allow_nan, None)
    return table


def raise_bad_line(path, n_columns, delimiter=None, allow_nan=False, cause=None, text=None):
    """Find the first line of ``path`` (or of ``text``, its contents) with other than
    ``n_columns`` fields, a field that is not a number, an infinite value or (unless
    ``allow_nan``) a NaN, and raise ``ValueError`` naming the file and line."""
    if text is None:
        text = Path(path).read_text(encoding="latin-1")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split(delimiter)
        if len(fields) != n_columns:
            raise ValueError(f"{path}, line {number}: expected {n_columns} fields, "
                             f"found {len(fields)}") from cause
        for field in fields:
            try:
                value = float(field)
            except ValueError:
                raise ValueError(f"{path}, line {number}: {field.strip()!r} "
                                 f"is not a number") from cause
            if np.isinf(value):
                raise ValueError(f"{path}, line {number}: infinite value {field.strip()!r}") from cause
            if np.isnan(value) and not allow_nan:
                raise ValueError(f"{path}, line {number}: missing value "
                                 f"({field.strip()!r}); this dataset documents no gaps") from cause
    raise ValueError(f"{path}: cannot be parsed ({cause})") from cause


def fill_gaps(signals: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Linearly interpolate NaN per column over the row index, edges held at the nearest
    valid value. Columns with no valid value become 0; their indices are returned."""
    out = np.array(signals, dtype=np.float64)
    rows = np.arange(len(out))
    empty = []
    for j in np.flatnonzero(np.isnan(out).any(axis=0)):
        ok = ~np.isnan(out[:, j])
        if ok.any():
            out[~ok, j] = np.interp(rows[~ok], rows[ok], out[ok, j])
        else:
            out[:, j] = 0.0
            empty.append(int(j))
    return out.astype(np.float32), empty
