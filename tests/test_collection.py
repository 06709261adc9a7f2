"""Test ids are the same in every process: pytest-xdist's workers each collect the suite and must agree on
every id, so an id may not come from a set's order, an object's address or a temporary path.

Two collections of the whole suite under two hash seeds (which reorder sets of strings) run side by side
and must list the same ids in the same order.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_collected_ids_do_not_depend_on_the_hash_seed() -> None:
    if os.environ.get("DATABASE_URL"):
        pytest.skip("collection does not depend on the database; the SQLite pass checks it")
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests"],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for seed in ("1", "2")
    ]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs[0][-2000:]
    first, second = ([line for line in out.splitlines() if "::" in line] for out in outputs)
    assert first, outputs[0][-2000:]
    differing = sorted(set(first) ^ set(second))
    assert not differing, "ids that change with PYTHONHASHSEED:\n" + "\n".join(differing[:20])
    assert first == second, "the same ids, collected in another order"
