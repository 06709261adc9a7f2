"""Nothing in the data directory is readable by other users of the machine: the directory is 0700, the
database (with its WAL and SHM files), the queue, the secret key and stored files are 0600 (issue 10)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only

# Run as a user would: a fresh process with the default umask of most systems (022), which
# writes a database, enqueues a task and stores an attachment, then reports the modes it sees.
SCRIPT = """
import json, os, stat, sys
os.umask(0o022)
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "ossdesk.config.settings"
django.setup()
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from huey.contrib.djhuey import HUEY

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE t (n INTEGER)")
    cursor.execute("INSERT INTO t VALUES (1)")
HUEY.storage.enqueue(b"a task")
name = default_storage.save("attachments/2026/12/log.txt", ContentFile(b"FATAL: too many connections"))
data = settings.DATA_DIR
paths = ["", "ossdesk.sqlite3", "ossdesk.sqlite3-wal", "ossdesk.sqlite3-shm", "queue.sqlite3",
         "secret_key", "files", "files/attachments", "files/attachments/2026/12", "files/" + name]
print(json.dumps({p: oct(stat.S_IMODE(os.stat(data / p).st_mode)) for p in paths}))
"""


def _modes(data_dir: Path) -> dict[str, str]:
    # Nor OSSDESK_SECRET_KEY (the test runner sets one): the generated key file is among what is checked.
    unset = {"DATABASE_URL", "OSSDESK_REDIS_URL", "OSSDESK_SECRET_KEY"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment["OSSDESK_DATA_DIR"] = str(data_dir)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_fresh_data_directory_is_private(tmp_path: Path) -> None:
    modes = _modes(tmp_path / "data")
    directories = {"", "files", "files/attachments", "files/attachments/2026/12"}
    assert {p: m for p, m in modes.items() if p in directories} == dict.fromkeys(directories, "0o700")
    assert {p: m for p, m in modes.items() if p not in directories} == {
        p: "0o600" for p in modes if p not in directories
    }
    assert len(modes) == 10


def test_an_existing_readable_data_directory_is_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    (data / "secret_key").write_text("k" * 50)
    (data / "secret_key").chmod(0o644)
    modes = _modes(data)
    assert modes[""] == "0o700"
    assert modes["secret_key"] == "0o600"
    assert stat.S_IMODE((data / "secret_key").stat().st_mode) == 0o600
