"""Benchmarks that need Django get a fresh, migrated data directory of their own."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def setup(database_url: str | None = None) -> Path:
    """Point ossdesk at a new temporary data directory (SQLite unless `database_url`) and migrate."""
    data_dir = Path(tempfile.mkdtemp(prefix="ossdesk-bench-"))
    os.environ["OSSDESK_DATA_DIR"] = str(data_dir)
    os.environ.pop("OSSDESK_REDIS_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ossdesk.config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    return data_dir
