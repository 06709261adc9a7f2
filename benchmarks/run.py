"""Run every benchmark (benchmarks/bench_*.py) and print its figures. Never pass/fail on timings.

`python benchmarks/run.py [NAME ...]` runs only the named ones (e.g. `calendar`).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    wanted = set(sys.argv[1:])
    scripts = sorted(HERE.glob("bench_*.py"))
    if wanted:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in wanted]
    if not scripts:
        print("No benchmarks to run.")
        return 0
    failures = 0
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        started = time.perf_counter()
        status = subprocess.call([sys.executable, str(script)])
        print(f"--- {script.stem}: {time.perf_counter() - started:.1f}s, exit {status}", flush=True)
        failures += status != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
