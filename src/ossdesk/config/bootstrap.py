"""Django set up for the processes that are not the web server: the `ossdesk` command and `ossdesk scan`.

The web server and the worker load the settings through WSGI and Huey; a command loads them here, first
making sure it does not silently create an empty database in the wrong folder.
"""

from __future__ import annotations

import os

from ossdesk.config.env import ConfigurationError, data_dir_path, embedded_database

SETTINGS_MODULE = "ossdesk.config.settings"


class SetupError(Exception):
    """Django cannot start here (no database yet, a bad setting): one message the user can act on."""


def django_setup(*, creates_database: bool = False) -> None:
    """Load the settings and apps. Only the commands that create the schema (`migrate`, `run`) may
    start from no database: any other would silently create an empty one in the wrong folder."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django  # here, not at the top: `ossdesk version` and `ossdesk scan --db` never load Django

    if not creates_database:
        require_database()
    try:
        django.setup()
    except ConfigurationError as exc:
        raise SetupError(str(exc)) from None


def require_database() -> None:
    """Refuse to start on an embedded database that does not exist yet."""
    from django.apps import apps

    if apps.ready or os.environ.get("DATABASE_URL"):
        return  # set up already (a test, a command calling another), or a server database
    if os.environ.get("DJANGO_SETTINGS_MODULE") != SETTINGS_MODULE:
        return  # settings of someone else's making
    database = embedded_database(data_dir_path())
    if not database.exists():
        source = "OSSDESK_DATA_DIR" if os.environ.get("OSSDESK_DATA_DIR") else "the default data directory"
        raise SetupError(
            f"no database at {database} ({source}); run `ossdesk migrate` (or `make run`) to create it, "
            "or set OSSDESK_DATA_DIR to the folder that holds ossdesk.sqlite3"
        )
