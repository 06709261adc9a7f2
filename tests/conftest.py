"""Shared fixtures: the seeded tiers, staff of every role, customers on each tier, API clients."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import Role, User
from ossdesk.accounts.services import api_token_create
from ossdesk.plans.models import Plan
from ossdesk.plans.services import plans_seed_defaults
from tests.accounts.factories import staff_user
from tests.customers.factories import OrganizationFactory, contact_with_login
from tests.plans.factories import subscribe

REQUIRE_SERVICES = os.environ.get("OSSDESK_REQUIRE_SERVICES") == "1"
SYSTEM = Actor.system("tests")

# `--hypothesis-profile=coverage` (scripts/run_tests.py's coverage floors): under the tracer every example
# runs several times slower, and the 200 ms deadline would then fail a test for the tracer's time; and the
# examples are the same on every run, so that the lines they reach (and so the floor) do not vary.
hypothesis_settings.register_profile("coverage", deadline=None, derandomize=True)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness is for attackers, not for the test suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_at_once():
    """Tasks enqueued by services run in the same process, so their effects are testable."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture
def system_actor() -> Actor:
    return SYSTEM


@pytest.fixture
def tiers(db) -> dict[str, Plan]:
    plans_seed_defaults(actor=SYSTEM)
    return {plan.code: plan for plan in Plan.objects.all()}


@pytest.fixture
def staff(db) -> dict[str, User]:
    """One user per staff role, keyed by role."""
    return {
        role: staff_user(role)
        for role in (Role.ADMIN, Role.ENGINEER, Role.ACCOUNT_MANAGER, Role.SECURITY_ANALYST)
    }


@pytest.fixture
def customers(tiers):
    """Two customers, each on Business (five deployments), each with a customer admin and a plain contact."""
    today = timezone.localdate()
    result = {}
    for key in ("acme", "globex"):
        organization = OrganizationFactory(name=key.capitalize(), slug=key)
        subscribe(
            organization,
            tiers["business"],
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=335),
            deployments=5,
        )
        admin_contact = contact_with_login(organization, role="admin")
        plain_contact = contact_with_login(organization, role="contact")
        result[key] = {"org": organization, "admin": admin_contact, "contact": plain_contact}
    return result


@pytest.fixture
def api_client_for() -> Callable[[User], APIClient]:
    """An API client authenticated with a fresh token of the given user."""

    def make(user: User) -> APIClient:
        _, key = api_token_create(actor=SYSTEM, user=user, name="tests")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("OSSDESK_TEST_REDIS_URL", "").strip()
    if not url:
        if REQUIRE_SERVICES:
            pytest.fail("OSSDESK_REQUIRE_SERVICES=1 but OSSDESK_TEST_REDIS_URL is not set")
        pytest.skip("Redis tests need OSSDESK_TEST_REDIS_URL")
    return url


@pytest.fixture(scope="session")
def _csaf_validator_process():
    from tests.validators.csaf import ValidatorUnavailable

    try:
        return _CSAF_DOCUMENTS.validator()
    except (ValidatorUnavailable, OSError, subprocess.TimeoutExpired) as error:
        return error


@pytest.fixture
def csaf_validator(_csaf_validator_process):
    """The BSI/Secvisogram CSAF validator (installed with npm on first use); skips without node or the
    npm registry, fails instead with OSSDESK_REQUIRE_SERVICES=1."""
    if isinstance(_csaf_validator_process, Exception):
        if REQUIRE_SERVICES:
            pytest.fail(
                f"OSSDESK_REQUIRE_SERVICES=1 but the CSAF validator is unavailable: {_csaf_validator_process}"
            )
        pytest.skip(f"the CSAF validator is unavailable: {_csaf_validator_process}")
    return _csaf_validator_process


@pytest.fixture
def shared_schemas():
    """The official SARIF, CycloneDX and OpenVEX JSON schemas of ``../shared/data/schemas`` (see
    ``tests/validators/schemas.py``); missing, they fail the test (OSSDESK_ALLOW_MISSING_SHARED_DATA=1:
    skip)."""
    from tests.validators import schemas

    if not schemas.available():
        if os.environ.get("OSSDESK_ALLOW_MISSING_SHARED_DATA") == "1":
            pytest.skip(f"shared schemas missing at {schemas.SCHEMAS.resolve()}")
        missing = schemas.SCHEMAS.resolve()
        pytest.fail(f"shared schemas missing at {missing} (OSSDESK_ALLOW_MISSING_SHARED_DATA=1 skips)")
    return schemas


# --- every CSAF document the run builds passes the BSI/Secvisogram validator -------------------------------

_CSAF_DOCUMENTS = None


def pytest_configure(config):
    global _CSAF_DOCUMENTS
    from tests.validators.csaf import Collector

    _CSAF_DOCUMENTS = Collector()
    _CSAF_DOCUMENTS.install()


# --- the PostgreSQL pass runs only the tests that use the database ---------------------------------------

# A test reaches the database only through one of these fixtures (or the `django_db` marker): pytest-django
# blocks every other access. A test with none of them does the same thing whatever DATABASE_URL says, and has
# run on the SQLite pass already; scripts/run_tests.py's PostgreSQL pass would only repeat it. The subprocess
# tests (cli, config) drop DATABASE_URL from their children's environment, so they too are the same on both.
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
    }
)


def uses_database(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(fixtures & DATABASE_FIXTURES) or any(
        item.get_closest_marker(name) is not None for name in ("django_db", "postgres")
    )


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, leave out the tests that never touch the database (OSSDESK_TEST_ALL_ON_POSTGRES=1 keeps
    them): they ran on the SQLite pass, and running them again there tells nothing new."""
    from django.db import connection

    if connection.vendor != "postgresql" or os.environ.get("OSSDESK_TEST_ALL_ON_POSTGRES") == "1":
        return
    kept = [item for item in items if uses_database(item)]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if not uses_database(item)])
        items[:] = kept


def pytest_runtest_setup(item):
    if _CSAF_DOCUMENTS is not None:
        _CSAF_DOCUMENTS.current_test = item.nodeid


@pytest.fixture(autouse=True)
def _csaf_documents_built_here_are_valid():
    """Every CSAF document a test builds, even on the way (a submit, a publish, a download), passes the
    validator; an invalid one fails that test. Checked per test rather than at the end of the session, so
    the verdict reaches the result under pytest-xdist too, where each worker has a session of its own."""
    from tests.validators.csaf import ValidatorUnavailable

    before = len(_CSAF_DOCUMENTS.documents) if _CSAF_DOCUMENTS is not None else 0
    yield
    if _CSAF_DOCUMENTS is None or len(_CSAF_DOCUMENTS.documents) == before:
        return
    try:
        problems = _CSAF_DOCUMENTS.problems(start=before)
    except (ValidatorUnavailable, OSError, subprocess.TimeoutExpired) as error:
        if REQUIRE_SERVICES:
            pytest.fail(f"OSSDESK_REQUIRE_SERVICES=1 but the CSAF validator is unavailable: {error}")
        return  # without node or the npm registry the documents go unchecked, as csaf_validator skips
    if problems:
        pytest.fail("invalid CSAF (BSI validator): " + "\n".join(problems))


def pytest_sessionfinish(session, exitstatus):
    if _CSAF_DOCUMENTS is not None:
        _CSAF_DOCUMENTS.close()
