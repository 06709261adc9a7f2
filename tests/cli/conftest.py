"""Data directories made by the real `ossdesk migrate` (and `seed --demo`) once per session.

A test whose subject is not `migrate` or `seed` starts from a copy of them instead of running them
again: each run costs seconds of CPU. The tests about migrating, seeding and the first run still run
those commands themselves. Under xdist each worker makes its own templates.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest


def _closed_cleanly(data_dir: Path) -> Path:
    """Fold any write-ahead log back into the databases, so that their files alone are the data."""
    for database in data_dir.glob("*.sqlite3"):
        connection = sqlite3.connect(database)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
    leftovers = sorted(p.name for p in data_dir.iterdir() if p.name.endswith(("-wal", "-shm", "-journal")))
    assert not leftovers, f"the template's databases are still open: {leftovers}"
    return data_dir


def _copy(template: Path, data_dir: Path) -> Path:
    shutil.copytree(template, data_dir, dirs_exist_ok=True)
    return data_dir


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    from tests.cli.test_cli import ossdesk

    template = tmp_path_factory.mktemp("migrated-template")
    result = ossdesk("migrate", data_dir=template)
    assert result.returncode == 0, result.stderr
    return _closed_cleanly(template)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory, migrated_template) -> Path:
    from tests.cli.test_cli import ossdesk

    template = _copy(migrated_template, tmp_path_factory.mktemp("seeded-template"))
    result = ossdesk("seed", "--demo", data_dir=template)
    assert result.returncode == 0, result.stderr
    return _closed_cleanly(template)


@pytest.fixture
def copy_migrated(migrated_template) -> Callable[[Path], Path]:
    """Make a folder what `ossdesk migrate` would have made of it (for a test that migrates mid-way)."""
    return lambda data_dir: _copy(migrated_template, data_dir)


@pytest.fixture
def migrated_dir(tmp_path, migrated_template) -> Path:
    """`tmp_path` as `ossdesk migrate` leaves it."""
    return _copy(migrated_template, tmp_path)


@pytest.fixture
def seeded_dir(tmp_path, seeded_template) -> Path:
    """`tmp_path` as `ossdesk migrate` then `ossdesk seed --demo` leave it."""
    return _copy(seeded_template, tmp_path)
