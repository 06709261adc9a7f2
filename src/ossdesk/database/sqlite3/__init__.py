"""Django's SQLite backend, with writes that wait out a busy database (ossdesk.database.busy)."""
