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


_NUMBER = r"[-+]?\d+\.\d+"                              # a number inside a table's text cell
# a whole number inside a table's text cell ("15219 × 5", "1,539 windows"), not part of a
# decimal: what a count in prose may quote, never a decimal
_CELL_COUNT = r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?![\d,]|\.\d)"
# A number in prose: an ASCII or Unicode sign, and a power of ten as papers print counts
# ("3.47 × 10⁵" is one number, 347,000).
_PROSE_NUMBER = r"[-+−]?\d+\.\d+(?:\s*×\s*10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?"
# A count in prose: three or more digits, or digits grouped by commas ("22,914"); not a part of
# a decimal number, a word or an identifier ("B119", "x86"). Smaller counts ("3 folds") are
# read as settings and not checked.
_PROSE_INTEGER = r"(?<![\w.,-])(?:\d{1,3}(?:,\d{3})+|\d{3,})(?![\w]|[.,]\d)"
# Counts that are settings or names, not results, and need no table: a year ("WISDM 2019"),
# a count of epochs, calls, rounds, tests or channels, a batch size, a window shape
# ("9 × 128"), a cap ("≤ 4,000", "at most 4,000", "up to 100") and a budget per epoch
# ("1,000 windows per epoch") or per run ("a 2,000-window sample").
_SETTING_INTEGERS = "|".join([
    r"\b(?:19|20)\d\d\b(?!,\d)",
    r"\b[\d,]+(?=[\s-](?:epochs?|calls|rounds|tests|channels)\b)",
    r"\bbatch(?:\s+size|\s+of)?\s+[\d,]+",
    r"\b\d+\s*×\s*\d+\b",
    r"(?:≤|\bat\s+most|\bup\s+to)\s+[\d,]+",
    r"\b[\d,]+(?=\s+windows\s+per\s+epoch\b|-window\b)",
])
_SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
_QUOTE_BLOCK = r"<!-- quotes: (?P<sources>[^>]*?) -->(?P<body>.*?)<!-- end quotes -->"
CLAIMS_SOURCE = "claims"


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


def table_counts(df: pd.DataFrame) -> set[int]:
    """The whole numbers a count in prose may quote from a table: every finite numeric cell
    rounded, and the whole numbers written inside text cells ("15219 × 5")."""
    import re
    out: set[int] = set()
    for col in df.columns:
        for v in df[col].tolist():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                if abs(v) < float("inf"):                      # NaN and ±inf are no count
                    out.add(round(abs(v)))
            elif isinstance(v, str):
                out |= {int(m.replace(",", "")) for m in re.findall(_CELL_COUNT, v)}
    return out


def unquotable_numbers(text: str, tables: list[pd.DataFrame]) -> list[str]:
    """Decimal numbers and counts in ``text`` that match no number of ``tables`` at the
    precision shown (a number written with d decimals matches a table value that rounds to
    it; a count, a value that rounds to the whole number). A signed number ('+0.036',
    '-0.2', '−0.2') must match the sign too; an unsigned one matches a value of either
    sign, since prose gives the direction in words ("0.009 below"). "3.47 × 10⁵" is read
    as 347,000 and matched at the mantissa's precision. Counts are those of three or more
    digits or with grouped digits ("1,539"), except settings and names: years, counts of
    epochs, calls, rounds, tests or channels, batch sizes, window shapes ("9 × 128"), caps
    ("≤ 4,000", "at most", "up to"), budgets ("1,000 windows per epoch", "a 2,000-window
    sample") and anything in inline code."""
    import re
    values = [v for df in tables for v in table_numbers(df)]
    whole = set().union(*(table_counts(df) for df in tables))
    missing = []
    def blank(m):                                                        # keeps the positions
        return " " * len(m.group(0))
    counts = re.sub(_PROSE_NUMBER, blank, re.sub(_SETTING_INTEGERS + r"|`[^`\n]*`", blank, text))
    for m in re.finditer(_PROSE_INTEGER, counts):
        if int(m.group(0).replace(",", "")) not in whole:
            missing.append((m.start(), m.group(0)))
    for m in re.finditer(_PROSE_NUMBER, text):
        token = m.group(0)
        mantissa, _, power = token.partition("×")
        mantissa = mantissa.strip().replace("−", "-")
        scale = 10.0 ** int(power.strip()[2:].translate(_SUPERSCRIPT)) if power else 1.0
        digits = len(mantissa.split(".")[1])
        value = float(mantissa)
        candidates = values if mantissa[0] in "+-" else [abs(v) for v in values]
        if not any(abs(round(v / scale, digits) - value) < 0.5 * 10 ** -digits for v in candidates):
            missing.append((m.start(), token))
    return [token for _, token in sorted(missing)]


def claims_table() -> pd.DataFrame:
    """The papers' stated numbers (:data:`harlib.papers.published.PAPER_CLAIMS`) as a table,
    the quote source ``claims``: one row per claim id with its paper, value and unit. Only
    the values are numbers to quote; the 'where' text is left out, so a row label such as
    "alpha=0.25" is quoted from the notebook table that holds it."""
    from harlib.papers.published import PAPER_CLAIMS
    return pd.DataFrame([{"id": k, "paper": c["paper"], "value": c["value"], "unit": c["unit"]}
                         for k, c in PAPER_CLAIMS.items()])


def quote_source(source: str, root: Path | None = None) -> pd.DataFrame:
    """The table a quote block names: ``claims`` (:func:`claims_table`) or a CSV path
    relative to the project root."""
    if source == CLAIMS_SOURCE:
        return claims_table()
    root = root or project_root()
    if not (root / source).is_file():
        raise FileNotFoundError(f"quoted table {source} does not exist under {root}")
    return pd.read_csv(root / source)


def check_quotes(markdown: str, root: Path | None = None) -> dict[str, list[str]]:
    """For every ``<!-- quotes: tables/a.csv tables/b.csv -->…<!-- end quotes -->`` block of a
    Markdown text, the decimal numbers it quotes that its source tables do not hold.
    A source is a CSV path relative to ``root`` or ``claims`` (the papers' stated numbers).
    Returns ``{sources: [numbers]}`` for the blocks with problems (empty: all quoted right)."""
    import re
    problems = {}
    blocks = list(re.finditer(_QUOTE_BLOCK, markdown, flags=re.S))
    if not blocks:
        raise ValueError("no '<!-- quotes: … -->' blocks found")
    for b in blocks:
        sources = b.group("sources").split()
        missing = unquotable_numbers(b.group("body"), [quote_source(s, root) for s in sources])
        if missing:
            problems[" ".join(sources)] = missing
    return problems


# Decimal numbers in notebook prose that are not results and may stand outside a quote block.
_NOT_RESULTS = "|".join([
    r"`[^`\n]*`",                                          # inline code
    r"(?:§|\b(?:Sections?|[Ee]qs?\.|Tables?|Figs?\.)\s*)\d+(?:\.\d+)*(?:\s*[–-]\s*\d+(?:\.\d+)*)?",
    r"\bv\d+(?:\.\d+)+|\b\d+(?:\.\d+){2,}",                # v1.1, PyTorch 2.2.2, §-less 3.1.3
    r"\d+\.\d+(?=[ -](?:s|Hz)\b)",                         # 1.2 s windows, 0.5-s stride, 0.3 Hz
])
_NOTEBOOK_SOURCE = r"tables/[^/\s]+\.csv|" + CLAIMS_SOURCE


def notebook_quote_problems(path: Path, root: Path | None = None) -> list[str]:
    """The problems of a notebook's Markdown cells, one line each naming the notebook, the
    cell index and the number: a decimal number outside any quote block, a number a block's
    sources do not hold (:func:`check_quotes`), a block left open or crossing into another
    cell, or a source other than a standard-profile table (``tables/<name>.csv``, the
    committed notebook prose describes the standard profile) or ``claims``.

    Inside a quote block, counts of three or more digits are checked too, settings and names
    excepted (:func:`unquotable_numbers`); outside one, only decimals are looked for.

    A decimal number needs no quote block when it is not a result:

    - inside inline code (`` `lr=1e-3` ``, `` `WISDM_ar_v1.1_raw.txt` ``): code, file names
      and settings as the code spells them;
    - a reference: after ``§``, ``Section``, ``Eq.``, ``Table`` or ``Fig.`` ("§3.1.3",
      "§2.5–2.6", "Section 4.4");
    - a version or dotted section number: ``v`` before it ("v1.1") or three or more parts
      ("PyTorch 2.2.2");
    - a window, stride or filter setting: a number followed by ``s`` or ``Hz`` ("1.2 s
      windows", "0.5-s stride", "0.3 Hz"). Measured times are given in ms or minutes, or
      quoted.
    """
    import re
    root = root or project_root()
    problems = []
    for i, cell in enumerate(json.loads(Path(path).read_text())["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        text = re.sub(_NOT_RESULTS, " ", "".join(cell["source"]))
        where = f"{Path(path).name}, cell {i}"
        outside = re.sub(_QUOTE_BLOCK, " ", text, flags=re.S)
        if "<!-- quotes:" in outside or "<!-- end quotes -->" in outside:
            problems.append(f"{where}: a quote block is not closed in the same cell")
        problems += [f"{where}: {n} is outside any quote block"
                     for n in re.findall(_PROSE_NUMBER, outside)]
        for b in re.finditer(_QUOTE_BLOCK, text, flags=re.S):
            problems += [f"{where}: quote source {s} is not a standard-profile table or "
                         f"{CLAIMS_SOURCE!r}" for s in b.group("sources").split()
                         if not re.fullmatch(_NOTEBOOK_SOURCE, s)]
        if re.search(_QUOTE_BLOCK, text, flags=re.S):
            problems += [f"{where}: {', '.join(numbers)} not held by {sources}"
                         for sources, numbers in check_quotes(text, root).items()]
    return problems
