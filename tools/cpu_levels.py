"""How the smoke profile's headline numbers recorded for CPUs without AVX2 (x86-64-v2, on an
emulated SSE4.2 CPU) differ from those recorded for CPUs with it (x86-64-v3), per notebook:
writes tables/cpu_levels.{csv,md,json} from notebooks/recorded/ (no training).

    python tools/cpu_levels.py
"""
from __future__ import annotations

import harlib  # noqa: F401  (pins the numerics before numpy loads)
from harlib.report.headlines import level_differences
from harlib.report.tables import save_table


def main() -> int:
    table = level_differences("smoke")
    save_table(table, "cpu_levels", "standard",
               {"what": "smoke-profile headline values per notebook, x86-64-v2 (recorded on an emulated "
                        "SSE4.2 CPU) against x86-64-v3 (recorded on an AVX2 CPU)",
                "source": "notebooks/recorded/*.json", "written by": "tools/cpu_levels.py"}, floatfmt=".3g")
    print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
