"""The search tests share test_search's `world` (two customers' tickets, replies, notes and articles)."""

from tests.search.test_search import world  # noqa: F401 - re-exported as a fixture
