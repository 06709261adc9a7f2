"""The database layer's own rules: what a busy database looks like and how long a write waits for it
(docs/decisions/0007-writes-wait-for-a-busy-database.md)."""
