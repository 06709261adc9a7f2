"""Builders shared by the domain tests. None yet: the pure domain's values are built in each test module (a
builder two modules share goes here; tests/domain/test_osv_matcher.py still reads test_osv's records)."""
