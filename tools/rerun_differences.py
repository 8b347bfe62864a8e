"""How the standard profile's headline numbers of notebooks executed again by
``tools/rerun.sh`` (a run store of their own, on the machine it describes) differ from the
committed ones, within the committed tolerances: writes tables/standard_rerun.{csv,md,json}
(no training), or the table ``--table`` names (a re-execution on another machine keeps the
earlier machine's table).

    python tools/rerun_differences.py [build/rerun] [--against REV] [--table NAME]

``--against REV`` compares with the recordings committed at git revision REV (for a notebook
whose recording changed after it was executed again) instead of the working tree's.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

import harlib  # noqa: F401  (pins the numerics before numpy loads)
from harlib.report.headlines import rerun_differences
from harlib.report.tables import project_root, save_table


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(project_root() / "build" / "rerun"),
                    help="what tools/rerun.sh wrote (default build/rerun)")
    ap.add_argument("--against", metavar="REV", help="compare with the recordings of this git revision")
    ap.add_argument("--table", default="standard_rerun",
                    help="the table to write under tables/ (default standard_rerun)")
    args = ap.parse_args(argv)
    if not args.table.startswith("standard_rerun"):
        raise SystemExit(f"--table {args.table!r}: name it standard_rerun or standard_rerun_<what>, so that it "
                         "reads as a re-execution's table")
    folder = Path(args.folder)
    machine = folder / "machine.json"
    if not machine.is_file():
        raise SystemExit(f"{machine} is missing: execute the notebooks with bash tools/rerun.sh first")
    again = folder / "notebooks" / "recorded"
    with tempfile.TemporaryDirectory() as committed:
        if args.against:
            for path in sorted(again.glob("*.json")):
                text = subprocess.run(["git", "show", f"{args.against}:notebooks/recorded/{path.name}"],
                                      cwd=project_root(), capture_output=True, text=True)
                if text.returncode != 0:
                    raise SystemExit(f"{path.name} at {args.against}: {text.stderr.strip()}")
                Path(committed, path.name).write_text(text.stdout)
        table = rerun_differences(again, "standard", Path(committed) if args.against else None)
    if table.empty:
        raise SystemExit(f"no notebook recorded standard values in {folder / 'notebooks' / 'recorded'}")
    save_table(table, args.table, "standard",
               {"what": "standard-profile headline values of notebooks executed again from a run store of "
                        "their own (every run trained again), against the committed values and their tolerances",
                "machine": json.loads(machine.read_text()),
                "source": "build/rerun/notebooks/recorded against notebooks/recorded"
                          + (f" at {args.against}" if args.against else ""),
                "written by": "tools/rerun.sh, then tools/rerun_differences.py"}, floatfmt=".3g")
    print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
