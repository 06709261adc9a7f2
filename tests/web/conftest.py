"""The web tests share the API tests' fixtures: a fast password hasher and `world`."""

from tests.api.conftest import _fast_passwords, world  # noqa: F401 - re-exported as fixtures
