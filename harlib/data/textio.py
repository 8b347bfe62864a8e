"""Reading numeric text tables and filling sensor gaps, shared by the text-format loaders."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def read_table(path: Path, n_columns: int, delimiter: str | None = None,
               allow_nan: bool = True) -> np.ndarray:
    """A numeric text table as float64 ``(rows, n_columns)``; blank lines are skipped.

    A row with another number of fields, a field that is not a number, or (with
    ``allow_nan=False``) a NaN raises ``ValueError`` naming the file and 1-based line.
    """
    try:
        table = np.loadtxt(path, delimiter=delimiter, ndmin=2, dtype=np.float64)
    except ValueError as exc:
        _raise_bad_line(path, n_columns, delimiter, allow_nan, exc)
    if table.shape[0] == 0:
        raise ValueError(f"{path}: no data rows")
    if table.shape[1] != n_columns or (not allow_nan and np.isnan(table).any()):
        _raise_bad_line(path, n_columns, delimiter, allow_nan, None)
    return table


def _raise_bad_line(path, n_columns, delimiter, allow_nan, cause):
    with open(path, encoding="latin-1") as f:
        for number, line in enumerate(f, start=1):
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
                if np.isnan(value) and not allow_nan:
                    raise ValueError(f"{path}, line {number}: missing value (NaN)") from cause
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
