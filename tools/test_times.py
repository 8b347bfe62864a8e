"""A pytest plugin that tools/test.sh loads (``-p test_times``): the seconds each test file
or notebook took (set-up, call and tear-down of its items), written as JSON to the file
named by ``$HARLIB_TEST_TIMES`` when the session ends. ``python tools/test_times.py A.json
B.json …`` prints them as one table, the notebooks one by one and the unit tests summed."""
from __future__ import annotations

import json
import os
import sys
from collections import defaultdict

_seconds: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report) -> None:
    _seconds[report.nodeid.split("::")[0]] += report.duration


def pytest_sessionfinish(session) -> None:
    path = os.environ.get("HARLIB_TEST_TIMES")
    if path:
        with open(path, "w") as f:
            json.dump(dict(sorted(_seconds.items())), f, indent=1)


def table(paths: list[str]) -> str:
    rows: dict[str, float] = defaultdict(float)
    for path in paths:
        label = os.path.splitext(os.path.basename(path))[0]
        with open(path) as f:
            for name, seconds in json.load(f).items():
                key = "unit tests (tests/)" if name.startswith("tests/") else name
                rows[f"{key} [{label}]" if label.startswith("emulated") else key] += seconds
    lines = ["| file | seconds |", "|---|---:|"]
    lines += [f"| {name} | {s:.0f} |" for name, s in sorted(rows.items())]
    lines.append(f"| **total (one core)** | {sum(rows.values()):.0f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table([p for p in sys.argv[1:] if os.path.exists(p)]))
