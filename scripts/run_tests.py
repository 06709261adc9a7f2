"""Run the suite: once on the embedded SQLite default, then the database tests again on PostgreSQL.

PostgreSQL runs when OSSDESK_TEST_DATABASE_URL is set and Redis tests when OSSDESK_TEST_REDIS_URL is;
with OSSDESK_REQUIRE_SERVICES=1 a missing or unreachable service fails the run instead of skipping.
Extra arguments go to pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile


def pytest(args: list[str], env: dict[str, str]) -> int:
    command = [sys.executable, "-m", "pytest", *args]
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
        env = {**os.environ, "OSSDESK_DATA_DIR": data_dir}
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
