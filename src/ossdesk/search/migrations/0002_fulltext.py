"""The full-text part of the index, per database vendor (see ossdesk.search.models).

SQLite: an FTS5 table over search_document (external content, rowid = document id) and the triggers that
keep it in step with every insert, update and delete. PostgreSQL: a stored tsvector column (title weighted
A, body B) and its GIN index. Any other vendor gets neither, and search answers nothing.
"""

from collections.abc import Callable

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

SQLITE_CREATE = [
    """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body,
        content='search_document', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN
        INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END
    """,
    """
    CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    END
    """,
    # Only a changed text is indexed again: a ticket's status changing rewrites its messages' rows.
    """
    CREATE TRIGGER search_document_au AFTER UPDATE OF title, body ON search_document
    WHEN old.title IS NOT new.title OR old.body IS NOT new.body BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END
    """,
    # Documents written before this migration (none on a new install) join the full-text index.
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_document_au",
    "DROP TRIGGER IF EXISTS search_document_ad",
    "DROP TRIGGER IF EXISTS search_document_ai",
    "DROP TABLE IF EXISTS search_fts",
]
# PostgreSQL's parser takes `<word` for the start of an HTML tag and drops the tag, and a <script> element's
# content with it; a zero-width space after each `<` keeps code and pasted markup searchable. The selector
# feeds ts_headline the same text and the page removes the space again.
POSTGRESQL_CREATE = [
    """
    ALTER TABLE search_document ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, replace(coalesce(title, ''), '<', '<' || chr(8203))), 'A')
        || setweight(to_tsvector('english'::regconfig, replace(coalesce(body, ''), '<', '<' || chr(8203))), 'B')
    ) STORED
    """,
    "CREATE INDEX search_document_vector ON search_document USING GIN (search_vector)",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS search_document_vector",
    "ALTER TABLE search_document DROP COLUMN IF EXISTS search_vector",
]


def _run(statements: dict[str, list[str]]) -> Callable[[StateApps, BaseDatabaseSchemaEditor], None]:
    def run(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_index")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
    ]
