"""Webhooks end to end: real HTTP to a local server, signatures checked with the receiver from the docs.

Time is frozen by passing `now` to the sweep; nothing sleeps for minutes.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from ossdesk.accounts.actor import Actor, actor_for
from ossdesk.accounts.models import Notification, Role
from ossdesk.audit.models import AuditEntry
from ossdesk.security.models import Advisory, Finding, VendorAdvisory
from ossdesk.security.payloads import advisory_payload, finding_payload
from ossdesk.tickets.models import Ticket
from ossdesk.tickets.payloads import ticket_payload
from ossdesk.webhooks import policy, services, signing, transport
from ossdesk.webhooks.models import Delivery, Endpoint, Event
from tests.customers.factories import contact_with_login

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
SYSTEM = Actor.system("tests")


# --- the receiver from the docs ---------------------------------------------------------------------------


def docs_receiver(secret: str) -> dict[str, Any]:
    """Run the docs' receiver code block and return its names, with SECRET set."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), flags=re.DOTALL)
    (code,) = [b for b in blocks if "def verify_ossdesk_request" in b]
    names: dict[str, Any] = {"__name__": "docs_receiver"}
    exec(compile(code, str(DOCS), "exec"), names)  # noqa: S102 - our own documentation, checked by this test
    names["SECRET"] = secret
    return names


# --- a real local HTTP server -----------------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Records every request; answers with the queued statuses (then `default`), optionally slowly."""

    url: str
    requests: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    default: int = 200
    delay: float = 0.0

    def answer(self) -> int:
        return self.answers.pop(0) if self.answers else self.default


def _serve(handler: type[BaseHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.requests.append(Received(self.path, dict(self.headers.items()), body))
            if state.delay:
                time.sleep(state.delay)
            code = state.answer()
            reply = json.dumps({"got": self.path}).encode()
            self.send_response(code)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server, state.url = _serve(Handler)
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _local_http(settings: Any) -> None:
    settings.OSSDESK_WEBHOOKS_ALLOW_HTTP = True
    settings.OSSDESK_WEBHOOKS_DISABLE_AFTER = 10
    settings.OSSDESK_WEBHOOKS_MAX_ATTEMPTS = 8
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def send(django_capture_on_commit_callbacks: Any) -> Callable[..., Event | None]:
    """emit() as a service would call it, with the commit (and so the first attempt) happening."""

    def run(event_type: str, payload: dict[str, Any], organization_id: int | None) -> Event | None:
        with django_capture_on_commit_callbacks(execute=True):
            return services.emit(event_type, payload, organization_id=organization_id)

    return run


def _endpoint(
    customers: dict[str, Any] | None,
    url: str,
    *,
    org: str | None = "acme",
    patterns: list[str] | None = None,
) -> tuple[Endpoint, str]:
    if org is None or customers is None:
        return services.endpoint_create(
            actor=SYSTEM, organization=None, url=url, event_types=patterns or ["*"]
        )
    admin = customers[org]["admin"].user
    return services.endpoint_create(
        actor=actor_for(admin),
        organization=customers[org]["org"],
        url=url,
        event_types=patterns or ["*"],
    )


# --- pure parts: signing, patterns, backoff -----------------------------------------------------------------


def test_signature_verifies_and_refuses_tampering_and_replay() -> None:
    body = b'{"type":"ticket.created"}'
    header = signing.signature_header("whsec_k", 1_700_000_000, body)
    assert header.startswith("v1=")
    assert signing.verify_signature("whsec_k", "1700000000", body, header, now=1_700_000_100)
    assert signing.verify_signature("whsec_k", "1700000000", body.decode(), header, now=1_700_000_000)
    assert signing.verify_signature("whsec_k", "1700000000", body, f"v1=00,{header}", now=1_700_000_000)
    assert not signing.verify_signature("whsec_x", "1700000000", body, header, now=1_700_000_000)
    assert not signing.verify_signature("whsec_k", "1700000000", body + b" ", header, now=1_700_000_000)
    assert not signing.verify_signature("whsec_k", "1700000001", body, header, now=1_700_000_000)
    assert not signing.verify_signature("whsec_k", "1700000000", body, header, now=1_700_000_301)
    assert not signing.verify_signature("whsec_k", "soon", body, header)
    assert not signing.verify_signature("whsec_k", "1700000000", body, "v0=abc", now=1_700_000_000)
    assert not signing.verify_signature("whsec_k", "1700000000", body, "", now=1_700_000_000)


@pytest.mark.parametrize(
    ("attempt", "minutes"), [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 32), (7, 60), (8, 60), (40, 60)]
)
def test_retry_delay_doubles_up_to_an_hour(attempt: int, minutes: int) -> None:
    assert policy.retry_delay(attempt) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("patterns", "event_type", "expected"),
    [
        (["ticket.*"], "ticket.created", True),
        (["ticket.*"], "sla.breached", False),
        (["finding.created"], "finding.created", True),
        (["finding.created"], "finding.closed", False),
        (["*"], "alert.fired", True),
        (["tick*"], "ticket.created", False),
        ([], "ticket.created", False),
    ],
)
def test_patterns_select_event_types(patterns: list[str], event_type: str, expected: bool) -> None:
    assert policy.subscribes(patterns, event_type) is expected


def test_pattern_validation() -> None:
    for good in ["*", "ticket.*", "sla.breached", "advisory.*"]:
        assert policy.pattern_problem(good) is None
    for bad in ["ticket", "tickets.*", "ticket.deleted", "ping", "*.created"]:
        assert "is not an event type" in (policy.pattern_problem(bad) or "")


def test_payload_builders_are_json_and_carry_ids() -> None:
    now = datetime(2026, 3, 2, 9, 14, tzinfo=UTC)
    ticket = Ticket(
        pk=4711,
        organization_id=17,
        product_id=3,
        subject="Replica lag",
        severity="S2",
        status="new",
        opened_at=now,
        updated_at=now,
    )
    data = json.loads(json.dumps(ticket_payload(ticket)))
    assert data["id"] == 4711
    assert (data["organization"], data["severity"], data["opened_at"]) == (17, "S2", "2026-03-02T09:14:00Z")
    assert data["api_url"] == "/api/tickets/4711/"
    finding = Finding(
        pk=9,
        organization_id=17,
        deployment_id=2,
        advisory=Advisory(osv_id="GHSA-xxxx", record={}, modified=now),
        ecosystem="PyPI",
        name="django",
        version="4.2.0",
        detected_at=now,
    )
    assert json.loads(json.dumps(finding_payload(finding)))["advisory"] == "GHSA-xxxx"
    vendor = VendorAdvisory(
        pk=1,
        tracking_id="OSD-2026-0001",
        title="Backport",
        summary="s",
        published_at=now,
        ecosystem="PyPI",
        package="django",
        additional_packages=[{"ecosystem": "Maven", "package": "org.apache.kafka:kafka-clients"}],
    )
    assert advisory_payload(vendor)["id"] == "OSD-2026-0001"
    assert advisory_payload(vendor)["packages"] == [
        {"ecosystem": "PyPI", "package": "django"},
        {"ecosystem": "Maven", "package": "org.apache.kafka:kafka-clients"},
    ]
    assert advisory_payload(vendor)["tlp"] == "CLEAR"
    assert advisory_payload(Advisory(osv_id="PYSEC-1", record={}, modified=now))["source"] == "osv"


# --- delivering -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_event_is_delivered_signed_and_verified_by_the_docs_receiver(
    customers: dict[str, Any], receiver: Receiver, send: Callable[..., Event | None]
) -> None:
    endpoint, secret = _endpoint(customers, f"{receiver.url}/hooks/acme", patterns=["ticket.*"])
    event = send("ticket.created", {"id": 1, "subject": "Zürich down"}, customers["acme"]["org"].pk)

    assert event is not None
    (request,) = receiver.requests
    delivery = Delivery.objects.get(event=event)
    assert request.path == "/hooks/acme"
    assert request.headers["Ossdesk-Event"] == "ticket.created"
    assert request.headers["Ossdesk-Delivery"] == str(delivery.key)
    assert request.headers["Content-Type"] == "application/json"
    assert abs(int(request.headers["Ossdesk-Timestamp"]) - time.time()) < 60
    docs = docs_receiver(secret)
    assert docs["verify_ossdesk_request"](secret, request.headers, request.body)
    assert not docs["verify_ossdesk_request"]("whsec_wrong", request.headers, request.body)
    assert signing.verify_signature(
        secret, request.headers["Ossdesk-Timestamp"], request.body, request.headers["Ossdesk-Signature"]
    )
    envelope = json.loads(request.body)
    assert envelope == {
        "id": event.pk,
        "type": "ticket.created",
        "created_at": envelope["created_at"],
        "organization": customers["acme"]["org"].pk,
        "data": {"id": 1, "subject": "Zürich down"},
    }
    assert (delivery.status, delivery.attempt, delivery.response_code) == ("succeeded", 1, 200)
    assert delivery.response_body == '{"got": "/hooks/acme"}'
    assert delivery.duration_ms is not None
    assert delivery.next_attempt_at is None
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


@pytest.mark.django_db
def test_the_docs_receiver_runs_and_refuses_a_wrong_signature(
    customers: dict[str, Any], send: Callable[..., Event | None]
) -> None:
    names = docs_receiver("not yet known")
    server, url = _serve(names["Receiver"])
    try:
        good, names["SECRET"] = _endpoint(customers, f"{url}/good")
        other, _ = _endpoint(customers, f"{url}/other")
        names["print"] = lambda *args: None  # the example prints each event
        send("ticket.solved", {"id": 2}, customers["acme"]["org"].pk)
    finally:
        server.shutdown()
        server.server_close()
    assert Delivery.objects.get(endpoint=good).response_code == 204
    refused = Delivery.objects.get(endpoint=other, attempt=1)
    assert (refused.response_code, refused.status) == (401, "failed")
    assert refused.error == "HTTP 401: only 2xx counts as delivered."


@pytest.mark.django_db
def test_rolled_back_change_sends_and_stores_nothing(
    customers: dict[str, Any], receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    _endpoint(customers, receiver.url)
    with (  # noqa: PT012 - the emit and the failure belong to one transaction
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.emit("ticket.created", {"id": 1}, organization_id=customers["acme"]["org"].pk)
        raise RuntimeError("the ticket service failed")
    assert receiver.requests == []
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_emit_without_subscribers_stores_nothing_and_unknown_types_fail(
    customers: dict[str, Any], receiver: Receiver, send: Callable[..., Event | None]
) -> None:
    _endpoint(customers, receiver.url, patterns=["finding.*"])
    assert send("ticket.created", {"id": 1}, customers["acme"]["org"].pk) is None
    assert not Event.objects.exists()
    with pytest.raises(ValueError, match="Unknown webhook event type"):
        services.emit("ticket.exploded", {}, organization_id=None)
    assert receiver.requests == []


@pytest.mark.django_db
def test_failed_delivery_is_retried_with_exponential_backoff_then_given_up(
    customers: dict[str, Any], receiver: Receiver, send: Callable[..., Event | None], settings: Any
) -> None:
    settings.OSSDESK_WEBHOOKS_DISABLE_AFTER = 100
    receiver.default = 500
    endpoint, _ = _endpoint(customers, receiver.url)
    event = send("sla.breached", {"ticket": {"id": 1}}, customers["acme"]["org"].pk)

    first = Delivery.objects.get(event=event, attempt=1)
    assert (first.status, first.response_code) == ("failed", 500)
    assert first.attempted_at is not None
    last_at = first.attempted_at
    for attempt, minutes in [(2, 1), (3, 2), (4, 4), (5, 8), (6, 16), (7, 32), (8, 60)]:
        waiting = Delivery.objects.get(event=event, status="pending")
        assert waiting.attempt == attempt
        assert waiting.next_attempt_at == last_at + timedelta(minutes=minutes)
        # Not yet due: the sweep leaves it alone.
        assert services.deliveries_sweep(now=waiting.next_attempt_at - timedelta(seconds=1)) == 0
        assert services.deliveries_sweep(now=waiting.next_attempt_at) == 1
        last_at = waiting.next_attempt_at

    rows = list(Delivery.objects.filter(event=event).order_by("attempt"))
    assert [r.status for r in rows] == ["failed"] * 7 + ["gave_up"]
    assert {r.response_code for r in rows} == {500}
    assert len(receiver.requests) == 8
    assert {r.headers["Ossdesk-Delivery"] for r in receiver.requests} == {str(first.key)}
    assert services.deliveries_sweep(now=last_at + timedelta(days=1)) == 0
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures) == (True, 8)


@pytest.mark.django_db
def test_success_after_a_failure_resets_the_failure_count(
    customers: dict[str, Any], receiver: Receiver, send: Callable[..., Event | None]
) -> None:
    receiver.answers = [503]
    endpoint, _ = _endpoint(customers, receiver.url)
    event = send("ticket.updated", {"id": 1}, customers["acme"]["org"].pk)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1
    retry = Delivery.objects.get(event=event, status="pending")
    assert services.deliveries_sweep(now=retry.next_attempt_at) == 1
    retry.refresh_from_db()
    assert (retry.status, retry.attempt, retry.response_code) == ("succeeded", 2, 200)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


@pytest.mark.django_db
def test_slow_receiver_times_out_and_is_retried(
    customers: dict[str, Any], receiver: Receiver, send: Callable[..., Event | None], settings: Any
) -> None:
    settings.OSSDESK_WEBHOOKS_TIMEOUT = 0.3
    receiver.delay = 1.0
    _endpoint(customers, receiver.url)
    event = send("alert.fired", {"check": "disk"}, customers["acme"]["org"].pk)
    first = Delivery.objects.get(event=event, attempt=1)
    assert (first.status, first.response_code) == ("failed", None)
    assert first.error == "No answer within 0.3 s."
    assert Delivery.objects.filter(event=event, attempt=2, status="pending").exists()


@pytest.mark.django_db
def test_refused_connection_is_a_logged_failure(
    customers: dict[str, Any], send: Callable[..., Event | None]
) -> None:
    with socket.socket() as probe:  # a free port, then nobody listening on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _endpoint(customers, f"http://127.0.0.1:{port}/")
    event = send("ticket.created", {"id": 1}, customers["acme"]["org"].pk)
    first = Delivery.objects.get(event=event, attempt=1)
    assert first.status == "failed"
    assert "ConnectionRefusedError" in first.error


@pytest.mark.django_db
def test_endpoint_is_disabled_after_repeated_failures_and_owners_are_told(
    customers: dict[str, Any], receiver: Receiver, send: Callable[..., Event | None], settings: Any
) -> None:
    settings.OSSDESK_WEBHOOKS_DISABLE_AFTER = 3
    receiver.default = 500
    acme = customers["acme"]
    second_admin = contact_with_login(acme["org"], role="admin")
    endpoint, _ = _endpoint(customers, receiver.url)
    for n in range(3):
        send("ticket.created", {"id": n}, acme["org"].pk)

    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    assert endpoint.disabled_at is not None
    assert endpoint.disabled_reason.startswith("3 deliveries failed in a row; last: HTTP 500")
    notified = set(Notification.objects.filter(kind="webhook_disabled").values_list("recipient", flat=True))
    assert notified == {acme["admin"].user.pk, second_admin.user.pk}  # not the plain contact
    notice = Notification.objects.get(recipient=acme["admin"].user)
    assert endpoint.url in notice.subject
    entry = AuditEntry.objects.filter(object_type="webhooks.endpoint").order_by("-seq").first()
    assert (entry.action, entry.actor_label, entry.after["is_active"]) == ("update", "webhooks", False)
    assert "secret" not in entry.after

    # Disabled: no new events, and the pending retries wait instead of being sent.
    assert send("ticket.created", {"id": 9}, acme["org"].pk) is None
    far = datetime.now(UTC) + timedelta(days=1)
    assert services.deliveries_sweep(now=far) == 0
    assert len(receiver.requests) == 3
    assert Delivery.objects.filter(endpoint=endpoint, status="pending").count() == 3

    # Switched back on: failures forgotten, the waiting retries go out.
    receiver.default = 200
    services.endpoint_update(actor=actor_for(acme["admin"].user), endpoint=endpoint, is_active=True)
    endpoint.refresh_from_db()
    assert (endpoint.consecutive_failures, endpoint.disabled_at, endpoint.disabled_reason) == (0, None, "")
    assert services.deliveries_sweep(now=far) == 3
    assert Delivery.objects.filter(endpoint=endpoint, status="succeeded").count() == 3


@pytest.mark.django_db
def test_vendor_endpoint_without_creator_notifies_vendor_admins(
    staff: dict[str, Any], receiver: Receiver, send: Callable[..., Event | None], settings: Any
) -> None:
    settings.OSSDESK_WEBHOOKS_DISABLE_AFTER = 1
    receiver.default = 500
    _endpoint(None, receiver.url, org=None)
    send("advisory.published", {"id": "OSD-1"}, None)
    assert list(Notification.objects.values_list("recipient", flat=True)) == [staff[Role.ADMIN].pk]


# --- tenancy of events ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_organisation_endpoints_get_only_their_own_events_and_vendor_endpoints_get_all(
    customers: dict[str, Any], receiver: Receiver, send: Callable[..., Event | None]
) -> None:
    _endpoint(customers, f"{receiver.url}/acme", org="acme")
    _endpoint(customers, f"{receiver.url}/globex", org="globex")
    _endpoint(customers, f"{receiver.url}/vendor", org=None)
    _endpoint(customers, f"{receiver.url}/vendor-findings", org=None, patterns=["finding.*"])

    send("ticket.created", {"who": "acme"}, customers["acme"]["org"].pk)
    send("finding.created", {"who": "globex"}, customers["globex"]["org"].pk)
    send("advisory.published", {"who": "vendor"}, None)

    got = sorted((r.path, json.loads(r.body)["data"]["who"]) for r in receiver.requests)
    assert got == [
        ("/acme", "acme"),
        ("/globex", "globex"),
        ("/vendor", "acme"),
        ("/vendor", "globex"),
        ("/vendor", "vendor"),
        ("/vendor-findings", "globex"),
    ]


# --- the API: endpoints -------------------------------------------------------------------------------------


@pytest.fixture
def clients(customers: dict[str, Any], staff: dict[str, Any], api_client_for: Any) -> dict[str, Any]:
    return {
        "acme_admin": api_client_for(customers["acme"]["admin"].user),
        "acme_contact": api_client_for(customers["acme"]["contact"].user),
        "globex_admin": api_client_for(customers["globex"]["admin"].user),
        "staff_admin": api_client_for(staff[Role.ADMIN]),
        "engineer": api_client_for(staff[Role.ENGINEER]),
    }


@pytest.mark.django_db
def test_customer_admin_registers_an_endpoint_and_sees_the_secret_once(
    customers: dict[str, Any], clients: dict[str, Any], receiver: Receiver
) -> None:
    api = clients["acme_admin"]
    response = api.post(
        "/api/webhooks/endpoints/",
        {
            "url": f"{receiver.url}/in",
            "event_types": ["ticket.*", "finding.created"],
            "description": "bridge",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    endpoint = Endpoint.objects.get(pk=body["id"])
    assert body["secret"] == endpoint.secret
    assert body["secret"].startswith("whsec_")
    assert (body["organization"], body["event_types"], body["is_active"]) == (
        customers["acme"]["org"].pk,
        ["ticket.*", "finding.created"],
        True,
    )
    assert endpoint.created_by == customers["acme"]["admin"].user
    assert "secret" not in api.get(f"/api/webhooks/endpoints/{endpoint.pk}/").json()
    assert "secret" not in api.get("/api/webhooks/endpoints/").json()["results"][0]
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.object_type, entry.organization_id) == (
        "create",
        "webhooks.endpoint",
        customers["acme"]["org"].pk,
    )
    assert "secret" not in entry.after

    changed = api.patch(f"/api/webhooks/endpoints/{endpoint.pk}/", {"event_types": ["sla.*"]})
    assert changed.status_code == 200
    assert changed.json()["event_types"] == ["sla.*"]
    assert api.delete(f"/api/webhooks/endpoints/{endpoint.pk}/").status_code == 204
    assert not Endpoint.objects.filter(pk=endpoint.pk).exists()
    assert AuditEntry.objects.order_by("-seq").first().action == "delete"


@pytest.mark.django_db
def test_staff_admin_registers_vendor_endpoint_and_other_staff_only_read(
    customers: dict[str, Any], clients: dict[str, Any], receiver: Receiver
) -> None:
    made = clients["staff_admin"].post(
        "/api/webhooks/endpoints/", {"url": receiver.url, "event_types": ["*"]}
    )
    assert made.status_code == 201, made.json()
    assert made.json()["organization"] is None
    _endpoint(customers, receiver.url, org="globex")
    assert clients["engineer"].get("/api/webhooks/endpoints/").json()["count"] == 2
    assert clients["engineer"].get("/api/webhooks/endpoints/", {"vendor": "true"}).json()["count"] == 1
    refused = clients["engineer"].post(
        "/api/webhooks/endpoints/", {"url": receiver.url, "event_types": ["*"]}
    )
    assert refused.status_code == 403
    # A customer admin cannot register a vendor-wide endpoint by sending organization: null.
    own = clients["acme_admin"].post(
        "/api/webhooks/endpoints/", {"url": receiver.url, "event_types": ["*"], "organization": None}
    )
    assert own.json()["organization"] == customers["acme"]["org"].pk


@pytest.mark.django_db
def test_customers_never_see_or_touch_another_organisations_endpoints(
    customers: dict[str, Any], clients: dict[str, Any], receiver: Receiver, send: Callable[..., Event | None]
) -> None:
    acme_endpoint, _ = _endpoint(customers, f"{receiver.url}/acme", org="acme")
    globex_endpoint, _ = _endpoint(customers, f"{receiver.url}/globex", org="globex")
    send("ticket.created", {"id": 1}, customers["globex"]["org"].pk)
    globex_delivery = Delivery.objects.get(endpoint=globex_endpoint)
    missing = globex_endpoint.pk + 1000
    missing_delivery = globex_delivery.pk + 1000
    api = clients["acme_admin"]
    before = (AuditEntry.objects.count(), Delivery.objects.count(), Endpoint.objects.count())

    listed = api.get("/api/webhooks/endpoints/")
    assert [e["id"] for e in listed.json()["results"]] == [acme_endpoint.pk]
    assert (
        api.get("/api/webhooks/endpoints/", {"organization": customers["globex"]["org"].pk}).json()["results"]
        == []
    )
    assert api.get("/api/webhooks/deliveries/").json()["results"] == []
    assert api.get("/api/webhooks/deliveries/", {"endpoint": globex_endpoint.pk}).json()["results"] == []
    for method, path, other in [
        ("get", "/api/webhooks/endpoints/{}/", missing),
        ("patch", "/api/webhooks/endpoints/{}/", missing),
        ("delete", "/api/webhooks/endpoints/{}/", missing),
        ("post", "/api/webhooks/endpoints/{}/test/", missing),
        ("get", "/api/webhooks/endpoints/{}/deliveries/", missing),
    ]:
        foreign = getattr(api, method)(path.format(globex_endpoint.pk), {"url": "http://x"})
        absent = getattr(api, method)(path.format(other), {"url": "http://x"})
        assert foreign.status_code == 404, (method, path)
        assert foreign.json() == absent.json(), (method, path)
    for path in ["/api/webhooks/deliveries/{}/", "/api/webhooks/deliveries/{}/redeliver/"]:
        method = "post" if "redeliver" in path else "get"
        foreign = getattr(api, method)(path.format(globex_delivery.pk))
        assert foreign.status_code == 404, path
        assert foreign.json() == getattr(api, method)(path.format(missing_delivery)).json()
    created = api.post(
        "/api/webhooks/endpoints/",
        {"url": receiver.url, "event_types": ["*"], "organization": customers["globex"]["org"].pk},
    )
    assert created.status_code == 404
    assert (AuditEntry.objects.count(), Delivery.objects.count(), Endpoint.objects.count()) == before
    assert len(receiver.requests) == 1

    # A plain contact sees no endpoints, not even their own organisation's, and may not add one.
    contact = clients["acme_contact"]
    assert contact.get("/api/webhooks/endpoints/").json()["results"] == []
    assert contact.get(f"/api/webhooks/endpoints/{acme_endpoint.pk}/").status_code == 404
    assert (
        contact.post("/api/webhooks/endpoints/", {"url": receiver.url, "event_types": ["*"]}).status_code
        == 403
    )
    assert b"globex" not in api.get("/api/webhooks/endpoints/").content.lower()


# --- URL validation: HTTPS and SSRF -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "http://93.184.215.14/hook",
            "Use an https:// URL; plain http:// is accepted only when OSSDESK_WEBHOOKS_ALLOW_HTTP is on.",
        ),
        ("ftp://93.184.215.14/hook", "Use an https:// URL"),
        ("https://127.0.0.1/hook", "127.0.0.1 resolves to a non-public address (127.0.0.1)"),
        ("https://localhost:8443/hook", "non-public address"),
        ("https://10.1.2.3/hook", "non-public address (10.1.2.3)"),
        ("https://192.168.0.10/hook", "non-public address"),
        ("https://169.254.169.254/latest/meta-data", "non-public address (169.254.169.254)"),
        ("https://100.64.0.1/hook", "non-public address"),
        ("https://[::1]/hook", "non-public address (::1)"),
        ("https://[::ffff:10.0.0.1]/hook", "non-public address"),
        ("https://user:pw@93.184.215.14/hook", "Do not put credentials in the URL"),
        ("https:///nohost", "The URL needs a host name."),
        ("https://no-such-host.invalid/hook", "cannot be resolved"),
    ],
)
def test_unsafe_urls_are_refused_with_a_field_message(
    url: str, message: str, clients: dict[str, Any], settings: Any
) -> None:
    settings.OSSDESK_WEBHOOKS_ALLOW_HTTP = False
    before = (Endpoint.objects.count(), AuditEntry.objects.count())
    response = clients["acme_admin"].post("/api/webhooks/endpoints/", {"url": url, "event_types": ["*"]})
    assert response.status_code == 400
    (error,) = response.json()["errors"]["url"]
    assert message in error
    if "non-public" in message:
        assert "accepted only when OSSDESK_WEBHOOKS_ALLOW_HTTP is on" in error
    assert (Endpoint.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_public_https_url_is_accepted(clients: dict[str, Any], settings: Any) -> None:
    settings.OSSDESK_WEBHOOKS_ALLOW_HTTP = False
    response = clients["acme_admin"].post(
        "/api/webhooks/endpoints/", {"url": "https://93.184.215.14/hook?team=ops", "event_types": ["*"]}
    )
    assert response.status_code == 201, response.json()


@pytest.mark.django_db
def test_bad_event_types_are_refused(clients: dict[str, Any], receiver: Receiver) -> None:
    api = clients["acme_admin"]
    response = api.post("/api/webhooks/endpoints/", {"url": receiver.url, "event_types": ["ticket.deleted"]})
    assert response.status_code == 400
    assert "'ticket.deleted' is not an event type" in response.json()["errors"]["event_types"][0]
    empty = api.post("/api/webhooks/endpoints/", {"url": receiver.url, "event_types": []})
    assert empty.json()["errors"]["event_types"] == ["Subscribe to at least one event type, e.g. ticket.*."]


@pytest.mark.django_db
def test_address_is_checked_again_before_each_attempt(
    customers: dict[str, Any], receiver: Receiver, send: Callable[..., Event | None], settings: Any
) -> None:
    _endpoint(customers, receiver.url)
    settings.OSSDESK_WEBHOOKS_ALLOW_HTTP = False
    event = send("ticket.created", {"id": 1}, customers["acme"]["org"].pk)
    first = Delivery.objects.get(event=event, attempt=1)
    assert first.status == "failed"
    assert first.error.startswith("Use an https:// URL")
    assert receiver.requests == []


# --- ping, log, redeliver -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ping_is_sent_and_logged(
    customers: dict[str, Any],
    clients: dict[str, Any],
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    endpoint, secret = _endpoint(customers, receiver.url, patterns=["finding.closed"])
    api = clients["acme_admin"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/webhooks/endpoints/{endpoint.pk}/test/")
    assert response.status_code == 202
    assert (response.json()["event_type"], response.json()["status"]) == ("ping", "pending")
    (request,) = receiver.requests
    assert request.headers["Ossdesk-Event"] == "ping"
    assert docs_receiver(secret)["verify_ossdesk_request"](secret, request.headers, request.body)
    assert json.loads(request.body)["data"]["endpoint"] == endpoint.pk
    log = api.get(f"/api/webhooks/endpoints/{endpoint.pk}/deliveries/").json()
    assert log["count"] == 1
    assert (log["results"][0]["status"], log["results"][0]["response_code"]) == ("succeeded", 200)
    assert AuditEntry.objects.order_by("-seq").first().action == "action"


@pytest.mark.django_db
def test_redeliver_sends_the_same_event_again_with_the_same_key(
    customers: dict[str, Any],
    clients: dict[str, Any],
    receiver: Receiver,
    send: Callable[..., Event | None],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.OSSDESK_WEBHOOKS_MAX_ATTEMPTS = 1
    receiver.answers = [500]
    _endpoint(customers, receiver.url)
    event = send("finding.created", {"id": 5}, customers["acme"]["org"].pk)
    given_up = Delivery.objects.get(event=event)
    assert given_up.status == "gave_up"
    api = clients["acme_admin"]

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/webhooks/deliveries/{given_up.pk}/redeliver/")
    assert response.status_code == 202, response.json()
    again = Delivery.objects.get(pk=response.json()["id"])
    assert (again.status, again.attempt, again.is_redelivery, again.key) == (
        "succeeded",
        1,
        True,
        given_up.key,
    )
    first, second = receiver.requests
    assert first.body == second.body
    assert first.headers["Ossdesk-Delivery"] == second.headers["Ossdesk-Delivery"]
    assert AuditEntry.objects.order_by("-seq").first().action == "action"

    # While a delivery of the same key waits, another redelivery is refused.
    Delivery.objects.filter(pk=again.pk).update(status="pending")
    refused = api.post(f"/api/webhooks/deliveries/{given_up.pk}/redeliver/")
    assert refused.status_code == 400
    assert "already waiting" in refused.json()["errors"]["delivery"][0]


@pytest.mark.django_db
def test_delivery_log_is_paginated_in_constant_queries(
    customers: dict[str, Any], clients: dict[str, Any], receiver: Receiver, send: Callable[..., Event | None]
) -> None:
    endpoint, _ = _endpoint(customers, receiver.url)
    api = clients["acme_admin"]
    url = f"/api/webhooks/endpoints/{endpoint.pk}/deliveries/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(url, {"page_size": 2}).status_code == 200
            assert api.get("/api/webhooks/deliveries/").status_code == 200
        return len(captured)

    send("ticket.created", {"id": 0}, customers["acme"]["org"].pk)
    queries()  # the token's first use of the day is recorded once
    few = queries()
    for n in range(1, 5):
        send("ticket.created", {"id": n}, customers["acme"]["org"].pk)
    assert queries() == few
    page = api.get(url, {"page_size": 2}).json()
    assert page["count"] == 5
    assert len(page["results"]) == 2
    assert page["next"] is not None


# --- the network edge without Django ----------------------------------------------------------------------


def test_signing_policy_and_transport_import_no_django() -> None:
    code = (
        "import sys, ossdesk.webhooks.signing, ossdesk.webhooks.policy, ossdesk.webhooks.transport;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTPS server on 127.0.0.1 with a self-signed certificate; yields its URL and the certificate."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        capture_output=True,
        check=True,
    )

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}/hook", cert
    server.shutdown()
    server.server_close()


def test_https_checks_the_certificate_of_the_pinned_address(
    tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, cert = tls_server
    untrusted = transport.post(url, b"{}", {}, timeout=5, allow_local=True)
    assert untrusted.status is None
    assert "CERTIFICATE_VERIFY_FAILED" in untrusted.error

    trusting = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(transport.ssl, "create_default_context", lambda: trusting)
    trusted = transport.post(url, b"{}", {}, timeout=5, allow_local=True)
    assert (trusted.status, trusted.body, trusted.error, trusted.ok) == (200, "ok", "", True)
