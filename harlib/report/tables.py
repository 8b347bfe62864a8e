"""Writing tables (CSV + Markdown) and figures (PNG + SVG) with their provenance.

Standard-profile outputs go to ``figures/`` and ``tables/`` at the project root (they are
the committed results); other profiles write to ``figures/<profile>/`` and
``tables/<profile>/`` so a smoke run never overwrites them.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd


def project_root() -> Path:
    """The checkout that holds ``harlib/`` (or ``$HARLIB_OUTPUT`` if set, or the cwd)."""
    if os.environ.get("HARLIB_OUTPUT"):
        return Path(os.environ["HARLIB_OUTPUT"])
    here = Path(__file__).resolve().parents[2]         # harlib/report/tables.py → the checkout
    return here if (here / "pyproject.toml").is_file() else Path.cwd()


def output_dir(kind: str, profile: str) -> Path:
    """``figures`` or ``tables`` folder for a profile."""
    base = project_root() / kind
    path = base if profile == "standard" else base / profile
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_table(df: pd.DataFrame, name: str, profile: str, meta: dict | None = None,
               floatfmt: str = ".3f") -> Path:
    """Write ``tables/[profile/]name.csv`` and ``.md``; ``meta`` (dataset, protocol, seeds,
    config …) and the profile are recorded in a ``.json`` sidecar and the Markdown header."""
    folder = output_dir("tables", profile)
    meta = {"profile": profile, **(meta or {})}
    df.to_csv(folder / f"{name}.csv", index=False)
    header = "\n".join(f"<!-- {k}: {json.dumps(v, default=str)} -->" for k, v in meta.items())
    (folder / f"{name}.md").write_text(header + "\n\n" + df.to_markdown(index=False,
                                                                       floatfmt=floatfmt) + "\n")
    (folder / f"{name}.json").write_text(json.dumps(meta, indent=2, default=str) + "\n")
    return folder / f"{name}.csv"


def save_figure(fig, name: str, profile: str) -> Path:
    """Write ``figures/[profile/]name.png`` (150 dpi) and ``.svg``."""
    folder = output_dir("figures", profile)
    fig.savefig(folder / f"{name}.png", dpi=150, bbox_inches="tight")
    fig.savefig(folder / f"{name}.svg", bbox_inches="tight", metadata={"Date": None})
    return folder / f"{name}.png"


_NUMBER = r"[-+]?\d+\.\d+"
_QUOTE_BLOCK = r"<!-- quotes: (?P<sources>[^>]*?) -->(?P<body>.*?)<!-- end quotes -->"


def table_numbers(df: pd.DataFrame) -> list[float]:
    """Every number in a table: numeric cells and numbers inside text cells ("0.9 ± 0.1")."""
    import re
    out: list[float] = []
    for col in df.columns:
        for v in df[col].tolist():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                out.append(float(v))
            elif isinstance(v, str):
                out += [float(m) for m in re.findall(_NUMBER, v)]
    return out


def unquotable_numbers(text: str, tables: list[pd.DataFrame]) -> list[str]:
    """Decimal numbers in ``text`` that match no number of ``tables`` at the precision shown
    (a number written with d decimals matches a table value that rounds to it; a leading
    '+' or '-' is kept, so a gap of '+0.036' needs a table value of 0.036 after rounding)."""
    import re
    values = [v for df in tables for v in table_numbers(df)]
    missing = []
    for m in re.finditer(_NUMBER, text):
        token = m.group(0)
        digits = len(token.split(".")[1])
        target = float(token)
        if not any(abs(round(v, digits) - target) < 0.5 * 10 ** -digits for v in values):
            missing.append(token)
    return missing


def check_quotes(markdown: str, root: Path | None = None) -> dict[str, list[str]]:
    """For every ``<!-- quotes: tables/a.csv tables/b.csv -->…<!-- end quotes -->`` block of a
    Markdown text, the decimal numbers it quotes that its source tables do not hold.
    Returns ``{sources: [numbers]}`` for the blocks with problems (empty: all quoted right)."""
    import re
    root = root or project_root()
    problems = {}
    blocks = list(re.finditer(_QUOTE_BLOCK, markdown, flags=re.S))
    if not blocks:
        raise ValueError("no '<!-- quotes: … -->' blocks found")
    for b in blocks:
        paths = b.group("sources").split()
        tables = []
        for p in paths:
            if not (root / p).is_file():
                raise FileNotFoundError(f"quoted table {p} does not exist under {root}")
            tables.append(pd.read_csv(root / p))
        missing = unquotable_numbers(b.group("body"), tables)
        if missing:
            problems[" ".join(paths)] = missing
    return problems
