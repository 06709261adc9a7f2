"""The customers tests share the API tests' fast password hasher (and STATIC_ROOT for WhiteNoise)."""

from tests.api.conftest import _fast_passwords  # noqa: F401 - re-exported as a fixture
