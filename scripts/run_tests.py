"""Run the suite: once on the embedded SQLite default, then the database tests again on PostgreSQL.

PostgreSQL runs when OSSDESK_TEST_DATABASE_URL is set and Redis tests when OSSDESK_TEST_REDIS_URL is;
with OSSDESK_REQUIRE_SERVICES=1 a missing or unreachable service fails the run instead of skipping.
Each pass spreads its tests over OSSDESK_TEST_WORKERS processes (pytest-xdist; default: the number of
cores, at least 2, since many tests wait on subprocesses, servers and the browser rather than the CPU);
OSSDESK_TEST_WORKERS=0 runs them in this one process. Extra arguments go to pytest.

A whole run (no extra arguments) also holds two coverage floors on the SQLite pass (pytest-cov), each in
a quick run of its own so the long pass runs without the tracer (OSSDESK_TEST_COVERAGE=0 skips them):
- domain/: the domain tests alone; every file 100 % of its lines, except the files named in pyproject's
  [tool.ossdesk.coverage.domain-exceptions], each at most the number of lines it leaves unrun today;
- services: the `services` modules of the apps that have tests/<app>/test_services*.py, measured by those
  files, at least SERVICES_FLOOR % of their lines.
The long pass then leaves out the tests these runs ran.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.validators.csaf import SOCKET_VARIABLE, ValidatorUnavailable, serve  # noqa: E402

PACKAGE = ROOT / "src" / "ossdesk"
# Today's level, rounded down (79.3 % on 2026-12-06, after the split by concern): raise it as the
# services' tests grow.
SERVICES_FLOOR = 79


def workers() -> list[str]:
    configured = os.environ.get("OSSDESK_TEST_WORKERS", "").strip()
    count = int(configured) if configured else max(2, os.cpu_count() or 1)
    return ["-n", str(count)] if count > 0 else []


@contextlib.contextmanager
def csaf_validator(data_dir: str) -> Iterator[str]:
    """The socket of one CSAF validator for every pass and worker of the run (tests/validators/csaf.py);
    without node or npm, "" and each test process tries to start its own, as a bare pytest run does."""
    path = str(Path(data_dir) / "csaf-validator.sock")
    try:
        process = serve(path)
    except (ValidatorUnavailable, OSError, subprocess.TimeoutExpired) as error:
        print(f"CSAF validator not shared: {error}", flush=True)
        yield ""
        return
    try:
        yield path
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)


def pytest(args: list[str], env: dict[str, str]) -> int:
    command = [sys.executable, "-m", "pytest", *workers(), *args]
    print("+", " ".join(command), flush=True)
    return subprocess.call(command, env=env, cwd=ROOT)


def domain_exceptions() -> dict[str, int]:
    """File (relative to domain/) → the most lines it may leave unrun, from pyproject.toml."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        table = tomllib.load(file)["tool"]["ossdesk"]["coverage"]["domain-exceptions"]
    return {name: entry["missing"] for name, entry in table.items()}


def domain_floor_problems(report: dict, allowed: dict[str, int]) -> tuple[list[str], list[str]]:
    """Files over their allowance (failures) and files under it (the allowance can come down)."""
    failures, lower = [], []
    for path, data in sorted(report["files"].items()):
        name = Path(path).as_posix().split("ossdesk/domain/", 1)[1]
        missing = data["missing_lines"]
        limit = allowed.get(name, 0)
        if len(missing) > limit:
            failures.append(f"domain/{name}: {len(missing)} lines unrun (at most {limit}): {missing[:20]}")
        elif len(missing) < limit:
            lower.append(f"domain/{name}: {len(missing)} lines unrun; lower its allowance from {limit}")
    return failures, lower


def coverage_floors(env: dict[str, str], data_dir: str) -> tuple[int, list[str]]:
    """Run the domain tests and the services tests under coverage; the status and the tests they ran."""
    report_path = Path(data_dir) / "domain-coverage.json"
    env_cov = {**env, "COVERAGE_FILE": str(Path(data_dir) / ".coverage")}
    status = pytest(
        [
            "tests/domain",
            "--hypothesis-profile=coverage",
            "--cov=ossdesk.domain",
            "--cov-report=term-missing:skip-covered",
            f"--cov-report=json:{report_path}",
        ],
        env_cov,
    )
    if status != 0:
        return status, []
    failures, lower = domain_floor_problems(json.loads(report_path.read_text()), domain_exceptions())
    for line in lower:
        print("coverage:", line, flush=True)
    if failures:
        print("domain/ coverage below its floor:\n  " + "\n  ".join(failures), file=sys.stderr, flush=True)
        return 1, []
    apps = sorted(
        path.name
        for path in PACKAGE.iterdir()
        if (path / "services.py").is_file() or (path / "services").is_dir()
    )
    tests = [
        path.relative_to(ROOT).as_posix()
        for app in apps
        for path in sorted((ROOT / "tests" / app).glob("test_services*.py"))
    ]
    sources = [f"--cov=ossdesk.{path.split('/')[1]}.services" for path in tests]
    status = pytest(
        ["-m", "not postgres", *tests, *dict.fromkeys(sources), f"--cov-fail-under={SERVICES_FLOOR}"],
        env_cov,
    )
    return status, ["tests/domain", *tests]


def main() -> int:
    extra = sys.argv[1:]
    require = os.environ.get("OSSDESK_REQUIRE_SERVICES") == "1"
    postgres_url = os.environ.get("OSSDESK_TEST_DATABASE_URL", "").strip()
    if require and not postgres_url:
        print("OSSDESK_REQUIRE_SERVICES=1 but OSSDESK_TEST_DATABASE_URL is not set", file=sys.stderr)
        return 2
    if require and not os.environ.get("OSSDESK_TEST_REDIS_URL", "").strip():
        print("OSSDESK_REQUIRE_SERVICES=1 but OSSDESK_TEST_REDIS_URL is not set", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="ossdesk-test-") as data_dir, csaf_validator(data_dir) as socket:
        # One secret key for every worker process: each would otherwise race to create the key file.
        env = {**os.environ, "OSSDESK_DATA_DIR": data_dir, "OSSDESK_SECRET_KEY": secrets.token_urlsafe(50)}
        env.pop("DATABASE_URL", None)
        env.pop("OSSDESK_REDIS_URL", None)
        if socket:
            env[SOCKET_VARIABLE] = socket
        already_ran: list[str] = []
        if not extra and os.environ.get("OSSDESK_TEST_COVERAGE", "1") != "0":
            status, already_ran = coverage_floors(env, data_dir)
            if status != 0:
                return status
        skip = [f"--ignore={path}" for path in already_ran]
        status = pytest(["-m", "not postgres", *skip, *extra], env)
        if status != 0 or not postgres_url:
            if not postgres_url:
                print("PostgreSQL pass skipped: OSSDESK_TEST_DATABASE_URL is not set", flush=True)
            return status
        env_pg = {**env, "DATABASE_URL": postgres_url}
        # The same tests, now on PostgreSQL; the pure domain tests need no database and ran above.
        return pytest(["--ignore=tests/domain", "-m", "not sqlite_only", *extra], env_pg)


if __name__ == "__main__":
    sys.exit(main())
