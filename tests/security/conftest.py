"""Fixtures for security assurance, built through the services from real third-party data.

acme and globex (both on Business) each run a web deployment whose pip lockfile pins vulnerable Flask,
Django and Requests; acme also runs a batch deployment with flask-cors and pandas. The lockfiles are
uploaded first and osv-scanner's offline advisories imported after, so the import matches the portfolio
and sends each customer its notices, exactly as a fresh advisory would.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ossdesk.accounts.actor import Actor, actor_for
from ossdesk.accounts.models import Role, User
from ossdesk.customers.models import Deployment, Organization
from ossdesk.customers.services import deployment_create
from ossdesk.plans.services import subscription_update
from ossdesk.products.models import Product
from ossdesk.security import services
from tests.factories import SYSTEM, ProductFactory, staff_user

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
ADVISORIES = DATA / "advisories" / "osv-scanner-offline-dbs"
LOCKFILES = DATA / "lockfiles" / "osv-scanner-fixtures"
REQUIREMENTS = LOCKFILES / "cmd/osv-scanner/scan/source/testdata/locks-requirements"
# flask==1.0.0, django==1.11.29, requests==2.20.0: PYSEC-2023-62, PYSEC-2021-98, PYSEC-2023-74.
WEB_LOCKFILE = REQUIREMENTS / "requirements.txt"
# flask==1.0.0, flask-cors==1.0.0, pandas==0.23.4: adds PYSEC-2020-43 and PYSEC-2020-73.
BATCH_LOCKFILE = REQUIREMENTS / "unresolvable-requirements.txt"
# ansi-html 0.0.1: GHSA-whgm-jr23-g3j9 (CVE-2021-23424, CVSS 7.5: high).
NPM_LOCKFILE = LOCKFILES / "cmd/osv-scanner/scan/source/testdata/locks-insecure/my-package-lock.json"

Security = dict[str, Any]


def isolate_files(settings: Any, tmp_path: Path) -> None:
    """Uploads go to the test's own directory, outside any web root."""
    # WhiteNoise warns on every client when STATIC_ROOT (in the fresh data directory) does not exist.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }


def upload(deployment: Deployment, path: Path, actor: Actor = SYSTEM) -> Any:
    sbom, _ = services.sbom_upload(
        actor=actor, deployment=deployment, filename=path.name, data=path.read_bytes()
    )
    return sbom


def _deployment(organization: Organization, name: str, product: Product) -> Deployment:
    return deployment_create(actor=SYSTEM, organization=organization, name=name, product=product)


@pytest.fixture
def analysts(staff: dict[str, User]) -> dict[str, User]:
    """Two security analysts (four eyes), the admin and an engineer."""
    return {
        "author": staff[Role.SECURITY_ANALYST],
        "reviewer": staff_user(Role.SECURITY_ANALYST),
        "admin": staff[Role.ADMIN],
        "engineer": staff[Role.ENGINEER],
    }


@pytest.fixture
def security(customers: dict[str, dict[str, Any]], analysts: dict[str, User]) -> Security:
    """acme and globex with deployments, lockfiles uploaded, the offline advisories imported."""
    product = ProductFactory(name="Storefront", slug="storefront")
    world: Security = {"product": product, **customers}
    for key, entry in customers.items():
        organization = entry["org"]
        subscription_update(actor=SYSTEM, subscription=organization.subscriptions.get(), deployments=5)
        entry["web"] = _deployment(organization, f"{key}-web", product)
        entry["web_sbom"] = upload(entry["web"], WEB_LOCKFILE)
    acme = customers["acme"]
    acme["batch"] = _deployment(acme["org"], "acme-batch", product)
    acme["batch_sbom"] = upload(acme["batch"], BATCH_LOCKFILE)
    world["import"] = services.advisories_import(actor=Actor.system("tests"), path=ADVISORIES)
    return world


@pytest.fixture
def client_of(api_client_for: Callable[[User], Any]) -> Callable[[Any], Any]:
    """An API client for a user or a contact (its user)."""

    def make(who: Any) -> Any:
        return api_client_for(getattr(who, "user", None) or who)

    return make


@pytest.fixture
def actor_of() -> Callable[[Any], Actor]:
    def make(who: Any) -> Actor:
        return actor_for(getattr(who, "user", None) or who)

    return make
