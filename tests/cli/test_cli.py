"""The `ossdesk` command as a user runs it: a real process on a fresh data directory."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only

COMMANDS = [
    "run",
    "serve",
    "worker",
    "migrate",
    "seed",
    "createadmin",
    "check",
    "audit",
    "secrets",
    "version",
]


def ossdesk(*args: str, data_dir: Path, env: dict[str, str] | None = None, timeout: float = 120):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "OSSDESK_REDIS_URL", "OSSDESK_ADMIN_PASSWORD"}
    }
    environment.update({"OSSDESK_DATA_DIR": str(data_dir), **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "ossdesk.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command, tmp_path):
    result = ossdesk(command, "--help", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "usage: ossdesk" in result.stdout


def test_version(tmp_path):
    result = ossdesk("version", data_dir=tmp_path)
    assert result.stdout.strip().startswith("ossdesk 0.")


def test_setup_is_idempotent_and_admin_password_printed_once(tmp_path):
    assert ossdesk("migrate", data_dir=tmp_path).returncode == 0
    first = ossdesk("seed", "--demo", data_dir=tmp_path)
    assert "Tiers: 4 created" in first.stdout
    assert "4 customers" in first.stdout
    again = ossdesk("seed", "--demo", data_dir=tmp_path)
    assert "Tiers: already present" in again.stdout
    assert "Demo data: already present" in again.stdout
    admin = ossdesk("createadmin", data_dir=tmp_path)
    assert "password" in admin.stdout
    assert "password" not in ossdesk("createadmin", data_dir=tmp_path).stdout
    check = ossdesk("check", data_dir=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "migrations: up to date" in check.stdout
    verify = ossdesk("audit", "verify", data_dir=tmp_path)
    assert verify.returncode == 0
    assert "Audit log intact" in verify.stdout


def test_admin_password_from_environment(migrated_dir):
    chosen = {"OSSDESK_ADMIN_PASSWORD": "a-chosen-password-42"}
    result = ossdesk("createadmin", data_dir=migrated_dir, env=chosen)
    assert result.returncode == 0
    assert "a-chosen-password-42" not in result.stdout
    login = ossdesk("check", data_dir=migrated_dir)
    assert login.returncode == 0


def test_bad_configuration_exits_2_with_one_line(tmp_path):
    result = ossdesk("check", data_dir=tmp_path, env={"DATABASE_URL": "mysql://root@localhost/x"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "DATABASE_URL" in lines[0]


def test_unmigrated_database_fails_check(tmp_path):
    (tmp_path / "ossdesk.sqlite3").touch()  # a database file without the schema
    result = ossdesk("check", data_dir=tmp_path)
    assert result.returncode == 1
    assert "pending (run ossdesk migrate)" in result.stdout


@pytest.mark.parametrize("command", [("check",), ("seed", "--demo"), ("audit", "verify"), ("worker",)])
def test_without_a_database_only_migrate_creates_one(tmp_path, command):
    empty = tmp_path / "elsewhere"
    result = ossdesk(*command, data_dir=empty)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"no database at {empty / 'ossdesk.sqlite3'}" in lines[0]
    assert "ossdesk migrate" in lines[0]
    assert not empty.exists()  # nothing was created in the wrong folder


def test_migrate_creates_the_database_in_a_folder_that_does_not_exist_yet(tmp_path):
    # The state every refused command above leaves behind (it asserts so): once here, not once per command.
    empty = tmp_path / "elsewhere"
    assert ossdesk("migrate", data_dir=empty).returncode == 0
    assert (empty / "ossdesk.sqlite3").exists()


def test_the_default_data_directory_is_the_checkouts_var_wherever_a_command_starts(tmp_path):
    checkout = Path(__file__).resolve().parents[2]
    environment = {k: v for k, v in os.environ.items() if k not in {"OSSDESK_DATA_DIR", "DATABASE_URL"}}
    environment["PYTHONPATH"] = str(checkout / "src")
    probe = "from ossdesk.config.env import data_dir_path; print(data_dir_path())"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        check=True,
    )
    assert result.stdout.strip() == str(checkout / "var")
    assert not (tmp_path / "var").exists()


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a local test server
        return json.loads(response.read())


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early: {process.communicate()}")
        try:
            return _get_json(url)
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {seconds}s")


def serve_and_stop(tmp_path: Path, env: dict[str, str] | None = None) -> tuple[dict, str, int]:
    """Start `ossdesk run`, read /api/health once the worker has beaten, then Ctrl-C it."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "OSSDESK_REDIS_URL"}}
    environment.update({"OSSDESK_DATA_DIR": str(tmp_path), "OSSDESK_PORT": str(port), **(env or {})})
    process = subprocess.Popen(
        [sys.executable, "-m", "ossdesk.cli", "run", "--web-workers", "1"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/api/health", process, seconds=90)
        deadline = time.monotonic() + 30
        while not health["queue"]["worker"]["alive"] and time.monotonic() < deadline:
            time.sleep(0.3)
            health = _get_json(f"http://127.0.0.1:{port}/api/health")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/plans/", timeout=5) as response:
            page = response.read().decode()
        assert "Enterprise" in page
        # Ctrl-C in a terminal signals the whole foreground process group.
        os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=30)
        # Nothing of the process tree is left running.
        time.sleep(0.5)
        with pytest.raises(ProcessLookupError):
            os.killpg(process.pid, 0)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return health, output, process.returncode


def test_run_serves_the_demo_and_ctrl_c_stops_both(tmp_path):
    health, output, code = serve_and_stop(tmp_path)
    assert health["status"] == "ok"
    assert health["database"]["vendor"] == "sqlite"
    assert health["queue"]["backend"] == "sqlite"
    assert health["queue"]["worker"]["alive"] is True
    assert "serving http://127.0.0.1:" in output
    assert "ossdesk stopped." in output
    assert code == 0
    # A second run keeps the data and does not duplicate the demo.
    health, output, code = serve_and_stop(tmp_path)
    assert "Demo data: already present" in output
    assert code == 0


def test_port_in_use_is_a_clear_error(migrated_dir):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = ossdesk("serve", "--port", str(port), data_dir=migrated_dir)
    assert result.returncode == 2
    assert f"127.0.0.1:{port} is already in use" in result.stderr


@pytest.mark.redis
def test_serve_on_redis_queue(tmp_path, redis_url):
    health, _, code = serve_and_stop(tmp_path, env={"OSSDESK_REDIS_URL": redis_url})
    assert health["queue"]["backend"] == "redis"
    assert health["queue"]["worker"]["alive"] is True
    assert code == 0


def test_serve_restarts_a_killed_worker_and_health_reports_it(migrated_dir):
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "OSSDESK_REDIS_URL"}}
    environment.update({"OSSDESK_DATA_DIR": str(migrated_dir), "OSSDESK_PORT": str(port)})
    process = subprocess.Popen(
        [sys.executable, "-m", "ossdesk.cli", "serve", "--web-workers", "1"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    health_url = f"http://127.0.0.1:{port}/api/health"
    try:
        worker = _worker_when(health_url, process, lambda w: w["alive"])
        first = worker["supervisor"]
        assert first["state"] == "running"
        assert first["restarts"] == 0
        os.kill(first["pid"], signal.SIGKILL)
        worker = _worker_when(health_url, process, lambda w: w["supervisor"]["restarts"] == 1 and w["alive"])
        assert worker["supervisor"]["pid"] != first["pid"]
        assert worker["supervisor"]["last_exit_status"] == -signal.SIGKILL
        os.kill(worker["supervisor"]["pid"], 0)  # the new worker is running
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/plans/", timeout=5) as response:
            assert response.status == 200  # the web never stopped
        os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert "the worker process exited with status -9" in output
    assert "starting it again in 1s (restart 1)" in output
    assert process.returncode == 0


def _worker_when(url: str, process: subprocess.Popen, condition, seconds: float = 60) -> dict:
    """The health report's worker section, once `condition` holds for it."""
    deadline = time.monotonic() + seconds
    worker: dict = {}
    while time.monotonic() < deadline:
        worker = _wait_for(url, process)["queue"]["worker"]
        if "supervisor" in worker and condition(worker):
            return worker
        time.sleep(0.2)
    raise AssertionError(f"the worker never got there: {worker}")


def test_a_command_that_meets_a_busy_database_says_so_and_exits_75(migrated_dir):
    import sqlite3

    other_writer = sqlite3.connect(migrated_dir / "ossdesk.sqlite3", isolation_level=None)
    other_writer.execute("BEGIN IMMEDIATE")
    try:
        env = {"OSSDESK_DB_BUSY_TIMEOUT": "1", "OSSDESK_DB_BUSY_PATIENCE": "1"}
        result = ossdesk("createadmin", data_dir=migrated_dir, env=env)
    finally:
        other_writer.execute("ROLLBACK")
        other_writer.close()
    assert result.returncode == 75, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "ossdesk createadmin: the database stayed busy (another long write); run it again"
    )
    assert "Traceback" not in result.stderr
    assert ossdesk("createadmin", data_dir=migrated_dir).returncode == 0
