"""django-helpdesk, the peer the issues name, installed from PyPI into a virtualenv of its own.

`install()` makes a temp directory with a fresh virtualenv holding the pinned release (and psycopg when
asked, for PostgreSQL); `Helpdesk.project()` then writes a minimal Django project around the `helpdesk`
app for one database (settings, urls, manage.py) and migrates it. Benchmarks run django-helpdesk's own
code in its own process: `Project.manage()` for its management commands, `Project.write()` +
`Project.run()` for a driver script that imports its models and query code. Nothing of ossdesk is
importable there, and nothing of django-helpdesk here.

    helpdesk = _helpdesk.install(postgres=True)
    project = helpdesk.project(database=_helpdesk.postgres_database(url))
    project.write("driver.py", DRIVER)
    print(project.run("driver.py", "setup"))
    helpdesk.discard()
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

PIN = "django-helpdesk==2.6.1"  # the release on PyPI when the benchmarks were written
PSYCOPG = "psycopg[binary]==3.3.9"  # the driver ossdesk itself uses, for a PostgreSQL project

SETTINGS = """\
from pathlib import Path
HERE = Path(__file__).resolve().parent
SECRET_KEY = "benchmark-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "django.contrib.sites", "django.contrib.humanize", "rest_framework", "helpdesk",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
SITE_ID = 1
DATABASES = {"default": %(database)s}
ROOT_URLCONF = "urls"
USE_TZ = True
STATIC_URL = "/static/"
MEDIA_ROOT = HERE / "media"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
HELPDESK_TEAMS_MODE_ENABLED = False  # teams need pinax-teams, not a dependency
# Its acknowledgements are rendered and handed to a backend that drops them (no SMTP server here).
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = "support@mail.test"
"""
SQLITE = '{"ENGINE": "django.db.backends.sqlite3", "NAME": HERE / "helpdesk.sqlite3"}'
URLS = """\
from django.urls import include, path
urlpatterns = [path("helpdesk/", include("helpdesk.urls", namespace="helpdesk"))]
"""
MANAGE = """\
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
"""
VERSIONS = "import django, importlib.metadata as m; print(m.version('django-helpdesk'), django.get_version())"


def run(argv: list[str], cwd: Path | None = None) -> str:
    """Run a command to completion and return its output; on failure raise with the tail of its errors."""
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv[:4])} ... failed (exit {done.returncode}):\n"
            f"{(done.stderr or done.stdout)[-3000:]}"
        )
    return done.stdout


def postgres_database(url: str) -> dict[str, Any]:
    """Django's DATABASES entry for a postgres://user[:password]@host:port/name URL."""
    parsed = urlparse(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parsed.path.lstrip("/"),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
    }


@dataclass(frozen=True)
class Project:
    """A minimal Django project around django-helpdesk, run with its virtualenv's python."""

    directory: Path
    python: str

    def write(self, name: str, source: str) -> Path:
        path = self.directory / name
        path.write_text(source)
        return path

    def run(self, *args: str) -> str:
        """`python ARGS` in the project directory (a driver script and its arguments); its output."""
        return run([self.python, *args], cwd=self.directory)

    def manage(self, *args: str) -> str:
        return self.run("manage.py", *args)

    def popen(self, *args: str, **options: Any) -> subprocess.Popen[str]:
        """`python ARGS` in the project directory, started and not waited for (to stream to its stdin)."""
        return subprocess.Popen([self.python, *args], cwd=self.directory, text=True, **options)


@dataclass(frozen=True)
class Helpdesk:
    """The virtualenv with django-helpdesk installed, in a temp directory of its own."""

    base: Path
    python: str
    version: str
    django: str

    def project(
        self, name: str = "project", database: dict[str, Any] | None = None, settings: str = ""
    ) -> Project:
        """A new project directory `name` for `database` (default: SQLite in the project), migrated.

        `settings` is appended to the settings module (more HELPDESK_* switches, say).
        """
        directory = self.base / name
        directory.mkdir()
        rendered = SETTINGS % {"database": repr(database) if database else SQLITE}
        project = Project(directory=directory, python=self.python)
        project.write("settings.py", rendered + settings)
        project.write("urls.py", URLS)
        project.write("manage.py", MANAGE)
        project.manage("migrate", "-v0")
        return project

    def discard(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


def install(*, postgres: bool = False, pin: str = PIN) -> Helpdesk:
    """A fresh virtualenv in a new temp directory with `pin` from PyPI (and psycopg if `postgres`)."""
    base = Path(tempfile.mkdtemp(prefix="ossdesk-bench-helpdesk-"))
    venv = base / "venv"
    python = str(venv / "bin" / "python")
    packages = [pin, PSYCOPG] if postgres else [pin]
    try:
        run([sys.executable, "-m", "venv", str(venv)])
        run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *packages])
        version, django = run([python, "-c", VERSIONS]).split()
    except Exception:
        shutil.rmtree(base, ignore_errors=True)
        raise
    return Helpdesk(base=base, python=python, version=version, django=django)
