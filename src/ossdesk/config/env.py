"""Reading configuration from the environment, failing loudly and by name."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse


class ConfigurationError(RuntimeError):
    """A setting is present but unusable; the message names the variable."""


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not an integer") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


PRIVATE_DIRECTORY = 0o700
PRIVATE_FILE = 0o600


def default_data_dir() -> Path:
    """`var/` of the checkout this code runs from (the folder `make run` uses, whichever folder a command
    is started in); `./var` only for an installed copy that belongs to no checkout."""
    root = Path(__file__).resolve().parents[3]
    if (root / "pyproject.toml").is_file() and (root / "src" / "ossdesk").is_dir():
        return root / "var"
    return Path.cwd() / "var"


def data_dir_path() -> Path:
    """Where the embedded database, queue, uploads and secret key live (nothing is created)."""
    configured = os.environ.get("OSSDESK_DATA_DIR")
    return Path(configured).resolve() if configured else default_data_dir()


def data_dir() -> Path:
    """The data directory, created if missing: a directory only ossdesk's user may enter (created 0700; an
    existing one of ours that others could read is tightened)."""
    path = data_dir_path()
    path.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
    status = path.stat()
    if status.st_uid == os.getuid() and status.st_mode & 0o077:
        path.chmod(PRIVATE_DIRECTORY)
    return path


def embedded_database(directory: Path) -> Path:
    """The SQLite database file used when DATABASE_URL is not set."""
    return directory / "ossdesk.sqlite3"


def create_private(path: Path) -> None:
    """Create an empty file 0600 if it is missing (SQLite and Huey then open it as a new database)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        make_private(path)


def make_private(path: Path) -> None:
    """Tighten a file of ours that an older ossdesk left readable by others."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return
    if status.st_uid == os.getuid() and status.st_mode & 0o077:
        path.chmod(PRIVATE_FILE)


def database_from_url(url: str, *, variable: str = "DATABASE_URL") -> dict[str, Any]:
    """Translate `sqlite:///path` or `postgres://user:pass@host:port/name?opt=v` into Django's form."""
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative/path.db is relative to the working directory; sqlite:////abs/path.db is absolute.
        prefix = "sqlite:///"
        name = unquote(url[len(prefix) :].split("?", 1)[0]) if url.lower().startswith(prefix) else ""
        if not name:
            raise ConfigurationError(
                f"{variable}={url!r} names no database file (sqlite:///path/to/db.sqlite3)"
            )
        return sqlite_database(Path(name))
    if scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parsed.path.lstrip("/"))
        if not name:
            raise ConfigurationError(f"{variable}={url!r} names no database (postgres://user@host:5432/NAME)")
        options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
            "TEST": {"NAME": f"test_{name}"},
        }
    raise ConfigurationError(f"{variable}={url!r}: only sqlite:/// and postgres:// URLs are supported")


def sqlite_database(path: Path) -> dict[str, Any]:
    # Each attempt waits this long for the write lock; ossdesk.database.sqlite3 then tries again with
    # backoff until OSSDESK_DB_BUSY_PATIENCE runs out (docs/decisions/0007).
    busy_timeout = env_int("OSSDESK_DB_BUSY_TIMEOUT", 5)
    if busy_timeout < 1:
        raise ConfigurationError(f"OSSDESK_DB_BUSY_TIMEOUT={busy_timeout} must be at least 1 (seconds)")
    return {
        "ENGINE": "ossdesk.database.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # IMMEDIATE: a writing transaction takes the write lock at BEGIN, so two writers
            # queue on busy_timeout instead of failing half-way ("database is locked").
            "transaction_mode": "IMMEDIATE",
            "timeout": busy_timeout,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                f"PRAGMA busy_timeout={busy_timeout * 1000}; PRAGMA temp_store=MEMORY;"
            ),
        },
        # Tests: an in-memory database, as Django gives its own SQLite engine; said outright because
        # pytest-django recognises only that engine and would give each xdist worker a file beside NAME.
        "TEST": {"NAME": ":memory:"},
    }


@dataclass(frozen=True)
class RedisTarget:
    url: str
    host: str
    port: int
    db: int
    password: str | None


def redis_from_url(url: str, *, variable: str = "OSSDESK_REDIS_URL") -> RedisTarget:
    parsed = urlparse(url)
    if parsed.scheme not in {"redis", "rediss"}:
        raise ConfigurationError(f"{variable}={url!r} must start with redis:// or rediss://")
    if not parsed.hostname:
        raise ConfigurationError(f"{variable}={url!r} names no host")
    path = parsed.path.lstrip("/")
    try:
        db = int(path) if path else 0
    except ValueError:
        raise ConfigurationError(
            f"{variable}={url!r}: the database must be a number (redis://host:6379/0)"
        ) from None
    return RedisTarget(
        url=url,
        host=parsed.hostname,
        port=parsed.port or 6379,
        db=db,
        password=unquote(parsed.password) if parsed.password else None,
    )
