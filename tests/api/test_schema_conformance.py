"""The API answers what its OpenAPI schema says, to a customer admin and to a staff admin.

schemathesis generates requests from `/api/schema/` (valid ones and deliberately invalid ones) and sends
them in-process to the WSGI application over the seeded demo data. Every operation must answer without a
server error, with a status code the schema documents, in the documented content type and body shape.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ossdesk.accounts.models import Role, User
from ossdesk.accounts.services import api_token_create
from ossdesk.customers.models import Contact
from ossdesk.demo import demo_seed
from tests.accounts.factories import SYSTEM, staff_user

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Requests per operation: valid ones, and ones made invalid on purpose (costlier to generate: many
# mutations are discarded). OSSDESK_FUZZ_EXAMPLES multiplies both for a longer local run.
SCALE = int(os.environ.get("OSSDESK_FUZZ_EXAMPLES", "1"))
MODES = {schemathesis.GenerationMode.POSITIVE: 4 * SCALE, schemathesis.GenerationMode.NEGATIVE: 2 * SCALE}


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    # Thousands of expected 4xx answers; a 500 still logs at ERROR.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    # Like Django's test client: a request's end must not close the connection that holds the test's
    # transaction (and with it the seeded data).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        logging.getLogger("django.request").setLevel(logging.NOTSET)


@pytest.fixture
def seeded(tiers: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_seed()


def _token(user: User) -> str:
    _, key = api_token_create(actor=SYSTEM, user=user, name="schemathesis")
    return key


def _fuzz_operation(operation: Any, mode: Any, headers: dict[str, str], failures: dict[Any, str]) -> int:
    """Send generated requests to one operation; keep the first message of each kind of failure."""
    calls = 0

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MODES[mode],
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        nonlocal calls
        calls += 1
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except FailureGroup as group:
            for failure in group.exceptions:
                line = f"{operation.label} [{mode}]: {failure.title}: {failure.message}"
                failures.setdefault((operation.label, failure.title), line[:700])

    with contextlib.suppress(Unsatisfiable):  # nothing in this operation can be made invalid (negative mode)
        run()
    return calls


def _fuzz(app: WSGIHandler, key: str) -> tuple[list[str], int]:
    """Run every operation; return one line per (operation, kind of failure) and the number of requests."""
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app)
    headers = {"Authorization": f"Token {key}"}
    failures: dict[Any, str] = {}
    calls = 0
    for result in schema.get_all_operations():
        for mode in MODES:
            calls += _fuzz_operation(result.ok(), mode, headers, failures)
    return sorted(failures.values()), calls


@pytest.mark.parametrize("who", ["customer", "staff"])
def test_every_operation_answers_as_documented(who: str, seeded: None, wsgi_app: WSGIHandler) -> None:
    if who == "customer":
        user = Contact.objects.get(email="dana@meridian.example").user
    else:
        user = staff_user(Role.ADMIN)
    assert user is not None
    failures, calls = _fuzz(wsgi_app, _token(user))
    assert calls > 0
    assert not failures, "\n".join(failures)


@pytest.fixture
def schema(client: Any) -> dict[str, Any]:
    return client.get("/api/schema/", {"format": "json"}).json()


def _answer(schema: dict[str, Any], method: str, path: str, status: str) -> dict[str, Any]:
    content = schema["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    if "$ref" in content:
        return schema["components"]["schemas"][content["$ref"].rsplit("/", 1)[1]]
    return content


def test_the_schema_states_what_the_answers_are(schema: dict[str, Any]) -> None:
    """The nine places issue 10 found, checked without the fuzzer."""
    assert _answer(schema, "get", "/api/kb/suggest", "200")["type"] == "object"
    assert _answer(schema, "get", "/api/search/", "200")["type"] == "object"
    advisory = schema["components"]["schemas"]["VendorAdvisory"]
    assert {"author", "reviewer"}.isdisjoint(advisory["required"])  # staff only
    for method in ("post", "put", "patch"):
        path = "/api/deployments/" if method == "post" else "/api/deployments/{id}/"
        status = "201" if method == "post" else "200"
        product = _answer(schema, method, path, status)["properties"]["product"]
        assert product["allOf"] == [{"$ref": "#/components/schemas/ProductRef"}]
    organization = schema["components"]["schemas"]["OrganizationOut"]["properties"]
    assert organization["account_manager"]["nullable"] is True
    suggestion = schema["components"]["schemas"]["Suggestion"]["properties"]
    assert suggestion["product"]["nullable"] is True
    for method, path, codes in [
        ("get", "/api/contacts/", {"200", "400", "401", "403", "404"}),
        ("post", "/api/contacts/", {"201", "400", "401", "403", "404", "415"}),
        ("get", "/api/contacts/{id}/", {"200", "401", "403", "404"}),
        ("delete", "/api/organizations/{id}/", {"204", "401", "403", "404", "409"}),
        ("post", "/api/forum/posts/", {"201", "400", "401", "403", "404", "415", "429"}),
    ]:
        assert set(schema["paths"][path][method]["responses"]) == codes, (method, path)
