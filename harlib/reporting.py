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
    here = Path(__file__).resolve().parent.parent
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
