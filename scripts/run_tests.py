"""Run the suite: once on the embedded SQLite default, then the database tests again on PostgreSQL.

PostgreSQL runs when OSSDESK_TEST_DATABASE_URL is set and Redis tests when OSSDESK_TEST_REDIS_URL is;
with OSSDESK_REQUIRE_SERVICES=1 a missing or unreachable service fails the run instead of skipping.
Each pass spreads its tests over OSSDESK_TEST_WORKERS processes (pytest-xdist; default: the number of
cores, at least 2, since many tests wait on subprocesses, servers and the browser rather than the CPU);
OSSDESK_TEST_WORKERS=0 runs them in this one process. Extra arguments go to pytest.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile


def workers() -> list[str]:
    configured = os.environ.get("OSSDESK_TEST_WORKERS", "").strip()
    count = int(configured) if configured else max(2, os.cpu_count() or 1)
    return ["-n", str(count)] if count > 0 else []


def pytest(args: list[str], env: dict[str, str]) -> int:
    command = [sys.executable, "-m", "pytest", *workers(), *args]
    print("+", " ".join(command), flush=True)
    return subprocess.call(command, env=env)


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
    with tempfile.TemporaryDirectory(prefix="ossdesk-test-") as data_dir:
        # One secret key for every worker process: each would otherwise race to create the key file.
        env = {**os.environ, "OSSDESK_DATA_DIR": data_dir, "OSSDESK_SECRET_KEY": secrets.token_urlsafe(50)}
        env.pop("DATABASE_URL", None)
        env.pop("OSSDESK_REDIS_URL", None)
        status = pytest(["-m", "not postgres", *extra], env)
        if status != 0 or not postgres_url:
            if not postgres_url:
                print("PostgreSQL pass skipped: OSSDESK_TEST_DATABASE_URL is not set", flush=True)
            return status
        env_pg = {**env, "DATABASE_URL": postgres_url}
        # The same tests, now on PostgreSQL; the pure domain tests need no database and ran above.
        return pytest(["--ignore=tests/domain", "-m", "not sqlite_only", *extra], env_pg)


if __name__ == "__main__":
    sys.exit(main())
