"""The shared builders under their old address: each now lives with its app in `tests/<app>/factories.py`.

Kept so that tests written before the move still import; new tests import from the app's module.
"""

from tests.accounts.factories import PASSWORD, SYSTEM, staff_user
from tests.customers.factories import OrganizationFactory, contact_with_login
from tests.plans.factories import subscribe
from tests.products.factories import ProductFactory

__all__ = [
    "PASSWORD",
    "SYSTEM",
    "OrganizationFactory",
    "ProductFactory",
    "contact_with_login",
    "staff_user",
    "subscribe",
]
