"""The plan of tools/reproduce.sh: which numbered notebooks to execute, in which order and
queues, and how long their training takes by the standard profile's recorded run times.

A selection is notebook numbers or file names (``31 32``, ``31_stdualx_results.ipynb``) and/or
papers (``--paper C``); none selects every notebook. Notebooks with the same first digit form
a group, executed in order, because a paper's notebooks load each other's runs (32–35 load
notebook 31's, 12–14 notebook 11's). With ``-j N`` the groups are dealt to N queues that run
side by side: the longest group first, each to the queue with the least training so far.
The summary notebooks (90–99), which read every other notebook's tables, run after all
queues.

The estimate reads ``tables/91_notebook_times.csv`` (the standard profile's training minutes
of each notebook's runs) and the runs tables it is computed from, so that a run two
notebooks of the selection share counts once: the later one loads it.

    python tools/reproduce_plan.py 31 32 -j 2          # the plan and its estimate
    python tools/reproduce_plan.py --queues --paper B   # the queues, one line each, for the shell
    python tools/reproduce_plan.py --write-table        # tables/reproduce_estimate.{csv,md,json}
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# name: (first, last) notebook number, inclusive
PAPERS = {"data": (0, 9), "A": (10, 19), "B": (20, 29), "C": (30, 39), "deploy": (40, 89)}
LAST = (90, 99)                 # the summary notebooks: after everything else
GROUP_NAMES = {"0": "data", "1": "paper A", "2": "paper B", "3": "paper C", "9": "summary"}
TIMES = "tables/91_notebook_times.csv"
TRAINING = "training of its runs (min)"
EXECUTION = "committed execution (min)"
SOURCE = ("the standard profile's recorded run times (tables/91_notebook_times.csv and the "
          "runs tables it sums); training only: runs already in the run store load instead "
          "of training, so a re-run is faster")


class SelectionError(ValueError):
    """A selection names a notebook or paper that does not exist."""


def number(stem: str) -> int:
    return int(stem[:2])


def is_last(stem: str) -> bool:
    return LAST[0] <= number(stem) <= LAST[1]


def find_notebooks(folder: Path) -> list[str]:
    """The numbered notebooks of a folder, by name (= by number)."""
    return sorted(p.stem for p in Path(folder).glob("[0-9][0-9]_*.ipynb"))


def _ranges() -> str:
    return ", ".join(f"{name} = {a:02d}–{b:02d}" for name, (a, b) in PAPERS.items())


def select(items: list[str], papers: list[str], available: list[str]) -> list[str]:
    """The notebooks (stems of ``available``) that notebook numbers or names ``items`` and
    papers ``papers`` select, in execution order: by number, the summary notebooks (90–99)
    last. Nothing selected: every notebook."""
    if not items and not papers:
        return order(list(available))
    chosen: set[str] = set()
    unknown_papers, empty_papers, unknown = [], [], []
    keys = {k.lower(): k for k in PAPERS}
    for p in papers:
        key = keys.get(p.strip().lower())
        if key is None:
            unknown_papers.append(p)
            continue
        a, b = PAPERS[key]
        hits = [s for s in available if a <= number(s) <= b]
        if not hits:
            empty_papers.append(key)
        chosen.update(hits)
    for item in items:
        name = Path(item.strip()).name
        name = name[:-len(".ipynb")] if name.endswith(".ipynb") else name
        if re.fullmatch(r"\d{1,2}", name):
            hits = [s for s in available if number(s) == int(name)]
        else:
            hits = [s for s in available if s == name]
        if not hits:
            unknown.append(item)
        chosen.update(hits)
    problems = []
    if unknown:
        problems.append("no notebook " + ", ".join(repr(u) for u in unknown)
                        + "; the notebooks are " + ", ".join(available))
    if unknown_papers:
        problems.append("no paper " + ", ".join(repr(p) for p in unknown_papers)
                        + f"; the papers are {_ranges()}")
    if empty_papers:
        problems.append("no notebooks for paper " + ", ".join(empty_papers)
                        + f" ({_ranges()}); the notebooks are " + ", ".join(available))
    if problems:
        raise SelectionError("\n".join(problems))
    return order(sorted(chosen))


def order(stems: list[str]) -> list[str]:
    """Execution order: by number, the summary notebooks (90–99) last."""
    return sorted(stems, key=lambda s: (is_last(s), s))


def group_key(stem: str) -> str:
    return stem[0]


def group_label(key: str) -> str:
    name = GROUP_NAMES.get(key, "deployment" if key in "45678" else "")
    return f"{key}0–{key}9" + (f" ({name})" if name else "")


def groups(stems: list[str]) -> tuple[list[list[str]], list[str]]:
    """The notebooks other than 90–99 grouped by first digit (each group in order, the groups
    by number), and the summary notebooks that run after them."""
    out: dict[str, list[str]] = {}
    for s in sorted(s for s in stems if not is_last(s)):
        out.setdefault(group_key(s), []).append(s)
    return [out[k] for k in sorted(out)], sorted(s for s in stems if is_last(s))


def read_times(path: Path) -> dict[str, dict]:
    """``{notebook: {"training": min, "execution": min, "runs": n}}`` from a notebook-times
    table; an empty cell (no runs, or not recorded) reads as 0."""
    def num(x):
        try:
            v = float(x)
        except (TypeError, ValueError):
            return 0.0
        return 0.0 if math.isnan(v) else v
    with open(path, newline="") as f:
        return {row["notebook"]: {"training": num(row.get(TRAINING)), "execution": num(row.get(EXECUTION)),
                                  "runs": int(num(row.get("runs")))} for row in csv.DictReader(f)}


def read_runs(tables: Path) -> dict[str, dict[str, float]]:
    """``{"31": {run_key: training minutes}}``: the distinct runs of each notebook's
    ``<number>_*runs*.csv`` tables (the runs 91_notebook_times sums), by notebook number; an
    augmentation run (``augment_run_key``, ``augment_seconds``) counts as a run of its own."""
    out: dict[str, dict[str, float]] = {}
    for p in sorted(Path(tables).glob("[0-9][0-9]_*runs*.csv")):
        with open(p, newline="") as f:
            reader = csv.DictReader(f)
            if not {"run_key", "train_seconds"} <= set(reader.fieldnames or []):
                continue
            runs = out.setdefault(p.name[:2], {})
            for row in reader:
                try:
                    runs.setdefault(row["run_key"], float(row["train_seconds"]) / 60)
                    if row.get("augment_run_key"):
                        runs.setdefault(row["augment_run_key"], float(row["augment_seconds"]) / 60)
                except ValueError:
                    pass
    return out


def estimate(stems: list[str], times: dict[str, dict],
             runs: dict[str, dict[str, float]] | None = None) -> dict[str, dict]:
    """Per notebook of ``stems`` (in execution order): ``training`` minutes on one core, ``runs``
    it trains and ``shared`` runs that an earlier notebook of ``stems`` trains (they load),
    ``recorded`` whether the times table knows the notebook. A notebook's training is its
    recorded training less its shared runs' minutes (known from the runs tables)."""
    seen: set[str] = set()
    out = {}
    for s in stems:
        t = times.get(s)
        own = (runs or {}).get(s[:2], {})
        shared = [k for k in own if k in seen]
        seen.update(own)
        if t is None:
            out[s] = {"training": 0.0, "runs": 0, "shared": 0, "recorded": False}
            continue
        out[s] = {"training": max(0.0, t["training"] - sum(own[k] for k in shared)),
                  "runs": max(0, t["runs"] - len(shared)), "shared": len(shared), "recorded": True}
    return out


def balance(groups_: list[list[str]], minutes: dict[str, float], jobs: int) -> list[list[list[str]]]:
    """Deal groups to ``jobs`` queues: the longest group first (ties: by number), each to the
    queue with the fewest minutes so far (ties: the first). One queue keeps the groups in
    number order. Empty queues are dropped."""
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    if jobs == 1:
        return [list(groups_)] if groups_ else []
    weight = lambda g: sum(minutes.get(s, 0.0) for s in g)
    queues: list[list[list[str]]] = [[] for _ in range(jobs)]
    loads = [0.0] * jobs
    for g in sorted(groups_, key=lambda g: (-weight(g), g[0])):
        i = min(range(jobs), key=lambda i: (loads[i], i))
        queues[i].append(g)
        loads[i] += weight(g)
    return [q for q in queues if q]


def queue_minutes(queue: list[list[str]], minutes: dict[str, float]) -> float:
    return sum(minutes.get(s, 0.0) for g in queue for s in g)


def wall_minutes(queues: list[list[list[str]]], last: list[str], minutes: dict[str, float]) -> float:
    """Estimated wall time: the longest queue, then the summary notebooks."""
    return max((queue_minutes(q, minutes) for q in queues), default=0.0) + sum(minutes.get(s, 0.0) for s in last)


def make_plan(stems: list[str], jobs: int, times: dict[str, dict],
              runs: dict[str, dict[str, float]] | None = None) -> dict:
    est = estimate(order(stems), times, runs)
    minutes = {s: e["training"] for s, e in est.items()}
    gs, last = groups(stems)
    queues = balance(gs, minutes, jobs)
    return {"notebooks": order(stems), "jobs": jobs, "estimate": est, "queues": queues, "last": last,
            "total": sum(minutes.values()), "wall": wall_minutes(queues, last, minutes),
            "execution": sum(times.get(s, {}).get("execution", 0.0) for s in stems)}


def _hours(minutes: float) -> str:
    return f"{minutes:.0f} min ({minutes / 60:.1f} h)"


def format_plan(plan: dict, profile: str = "standard") -> str:
    est, jobs = plan["estimate"], plan["jobs"]
    minutes = {s: e["training"] for s, e in est.items()}
    lines = [f"Notebooks to execute (profile {profile}, {jobs} queue{'s' if jobs > 1 else ''}):"]
    for i, q in enumerate(plan["queues"], 1):
        label = f"queue {i}" if jobs > 1 else "in order"
        lines.append(f"  {label} [{_hours(queue_minutes(q, minutes))}]: "
                     + " | ".join(" ".join(s[:2] for s in g) for g in q))
    if plan["last"]:
        lines.append("  then: " + " ".join(s[:2] for s in plan["last"]))
    lines.append("Estimated training on one core, from " + SOURCE + ":")
    width = max(len(s) for s in plan["notebooks"])
    for s in plan["notebooks"]:
        e = est[s]
        note = "" if e["recorded"] else "  (no recorded time)"
        if e["shared"]:
            note = f"  ({e['shared']} runs of earlier notebooks load)"
        lines.append(f"  {s:<{width}}  {e['runs']:>4} runs  {e['training']:7.1f} min{note}")
    lines.append(f"  {'total':<{width}}  {sum(e['runs'] for e in est.values()):>4} runs  "
                 f"{plan['total']:7.1f} min = {plan['total'] / 60:.1f} h")
    queues = len(plan["queues"])
    lines.append(f"Estimated wall time of the training with {queues} queues side by side: "
                 f"{_hours(plan['wall'])} (the longest queue)" if queues > 1 else
                 f"Estimated wall time of the training, one notebook at a time: {_hours(plan['wall'])}")
    lines.append(f"The notebooks' own execution besides training adds about {plan['execution']:.0f} min "
                 "on one core (their committed execution, stored runs loaded).")
    if profile != "standard":
        lines.append(f"These are the standard profile's times; the {profile} profile's runs take a different time.")
    return "\n".join(lines)


def format_queues(plan: dict) -> str:
    """One line per queue, ``queue <notebook> … | <notebook> …`` (``|`` between groups), then
    ``last <notebook> …``: for the shell."""
    lines = ["queue " + " | ".join(" ".join(g) for g in q) for q in plan["queues"]]
    if plan["last"]:
        lines.append("last " + " ".join(plan["last"]))
    return "\n".join(lines)


def estimate_table(plan: dict) -> list[dict]:
    """Per group: its notebooks, runs it trains, one-core training minutes and hours, and its
    queue; then the total and the estimated wall time with the plan's workers."""
    minutes = {s: e["training"] for s, e in plan["estimate"].items()}
    where = {g[0]: i for i, q in enumerate(plan["queues"], 1) for g in q}
    rows = []
    gs = [g for q in plan["queues"] for g in q]
    gs = sorted(gs) + ([plan["last"]] if plan["last"] else [])
    for g in gs:
        m = sum(minutes[s] for s in g)
        rows.append({"group": group_label(group_key(g[0])), "notebooks": " ".join(s[:2] for s in g),
                     "runs trained": sum(plan["estimate"][s]["runs"] for s in g),
                     "training (min)": round(m, 1), "training (h)": round(m / 60, 1),
                     "queue": str(where[g[0]]) if g[0] in where else "after the queues"})
    rows.append({"group": "all, one core", "notebooks": f"{len(plan['notebooks'])} notebooks",
                 "runs trained": sum(e["runs"] for e in plan["estimate"].values()),
                 "training (min)": round(plan["total"], 1),
                 "training (h)": round(plan["total"] / 60, 1), "queue": ""})
    rows.append({"group": f"estimated wall time, {plan['jobs']} workers", "notebooks": "the longest queue",
                 "runs trained": "", "training (min)": round(plan["wall"], 1),
                 "training (h)": round(plan["wall"] / 60, 1), "queue": ""})
    return rows


def write_table(plan: dict, folder: Path, name: str = "reproduce_estimate") -> Path:
    rows = estimate_table(plan)
    cols = list(rows[0])
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    meta = {"profile": "standard", "source": "tables/91_notebook_times.csv and the runs tables it sums "
            "(a run two notebooks share counts once); training only",
            "workers": plan["jobs"], "written by": "python tools/reproduce_plan.py --write-table"}
    cell = lambda v: f"{v:.1f}" if isinstance(v, float) else str(v)
    md = ["\n".join(f"<!-- {k}: {json.dumps(v)} -->" for k, v in meta.items()), "",
          "| " + " | ".join(cols) + " |",
          "|" + "|".join("---:" if isinstance(rows[0][c], (int, float)) else "---" for c in cols) + "|"]
    md += ["| " + " | ".join(cell(r[c]) for c in cols) + " |" for r in rows]
    (folder / f"{name}.md").write_text("\n".join(md) + "\n")
    (folder / f"{name}.json").write_text(json.dumps(meta, indent=2) + "\n")
    return folder / f"{name}.csv"


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="tools/reproduce.sh", allow_abbrev=False, description=(
        "Execute the numbered notebooks (all, or a selection) with papermill; "
        "the summary notebooks (90–99) run last."))
    ap.add_argument("notebooks", nargs="*", help="notebook numbers or file names, e.g. 31 32 or 31_stdualx_results.ipynb")
    ap.add_argument("--paper", action="append", default=[], metavar="NAME",
                    help=f"every notebook of a paper ({_ranges()}); may be repeated")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="queues of notebook groups side by side (default 1)")
    ap.add_argument("--dry-run", action="store_true", help="print the plan and its estimate, execute nothing")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--plan", action="store_true", help="print the plan and its estimate (the default)")
    mode.add_argument("--queues", action="store_true", help="print the queues, one line each, for the shell")
    mode.add_argument("--write-table", action="store_true",
                      help="write tables/reproduce_estimate.{csv,md,json} for every notebook (-j 2 unless given)")
    ap.add_argument("--repo", type=Path, default=REPO, help=argparse.SUPPRESS)
    a = ap.parse_intermixed_args(argv)
    if a.jobs < 1:
        ap.error(f"-j/--jobs must be at least 1, not {a.jobs}")
    return a


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    a = parse_args(argv)
    available = find_notebooks(a.repo / "notebooks")
    jobs = a.jobs
    if a.write_table:
        if a.notebooks or a.paper:
            print("reproduce_plan: --write-table covers every notebook; it takes no selection", file=sys.stderr)
            return 2
        jobs = 2 if not any(x in ("-j", "--jobs") or x.startswith(("-j", "--jobs=")) for x in argv) else jobs
    try:
        stems = select(a.notebooks, a.paper, available)
    except SelectionError as e:
        print(f"tools/reproduce.sh: {e}", file=sys.stderr)
        return 2
    times_path = a.repo / TIMES
    times = read_times(times_path) if times_path.is_file() else {}
    plan = make_plan(stems, jobs, times, read_runs(a.repo / "tables"))
    if a.queues:
        print(format_queues(plan))
    elif a.write_table:
        path = write_table(plan, a.repo / "tables")
        print(f"wrote {path.relative_to(a.repo)} (.md, .json)")
        print(path.with_suffix(".md").read_text())
    else:
        if not times:
            print(f"(no {TIMES}: no estimate)")
        print(format_plan(plan, os.environ.get("HARLIB_PROFILE", "standard")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
