"""The size of one query or bulk write over many rows (advisories, scores, notices): large enough to keep
the round trips few, small enough to keep each statement's parameters and memory bounded."""

BATCH = 500
