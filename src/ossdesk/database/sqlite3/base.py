"""Django's SQLite backend, whose statements outside a transaction retry when the database is busy.

With `transaction_mode = IMMEDIATE` (docs/decisions/0004) the write lock is taken by `BEGIN IMMEDIATE`,
before anything is written, and a single statement in autocommit mode is its own transaction: when either
fails busy, nothing has changed and it can simply run again. A statement inside an open transaction is
never retried here; the transaction it belongs to decides.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.backends.sqlite3 import base

from ossdesk.config.env import create_private
from ossdesk.database.busy import call_patiently


class PatientCursor(base.SQLiteCursorWrapper):
    def execute(self, query: str, params: Any = None) -> Any:
        run = super().execute
        if self.connection.in_transaction:
            return run(query, params)
        return call_patiently(lambda: run(query, params), what=_first_words(query))

    def executemany(self, query: str, param_list: Any) -> Any:
        run = super().executemany
        if self.connection.in_transaction:
            return run(query, param_list)
        params = list(param_list)  # an iterator would be spent by the first attempt
        return call_patiently(lambda: run(query, params), what=_first_words(query))


def _first_words(query: str) -> str:
    return " ".join(query.split()[:3])


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        database = str(conn_params["database"])
        if not database.startswith("file:") and database != ":memory:":  # a path, not a URI
            # Created 0600 before SQLite opens it: its WAL and SHM files take the database file's mode.
            create_private(Path(database))
        return super().get_new_connection(conn_params)

    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=PatientCursor)
