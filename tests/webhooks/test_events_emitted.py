"""The services emit the documented webhook events: tickets, SLA, findings, advisories — each to the
organisation it is about (and the vendor's endpoints), never to another organisation's."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ossdesk.accounts.actor import Actor, actor_for
from ossdesk.accounts.models import Role
from ossdesk.customers.services import contact_update, deployment_create
from ossdesk.plans.services import subscription_update
from ossdesk.security import services as security
from ossdesk.tickets import services as tickets
from ossdesk.tickets.escalation import ticket_check
from ossdesk.webhooks.models import Event
from ossdesk.webhooks.services import endpoint_create
from tests.products.factories import ProductFactory

SYSTEM = Actor.system("tests")
OFFLINE = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "advisories" / "osv-scanner-offline-dbs"
)


@pytest.fixture
def hooked(settings: Any, customers: dict[str, Any], staff: dict[str, Any]) -> dict[str, Any]:
    settings.OSSDESK_WEBHOOKS_ALLOW_HTTP = True
    product = ProductFactory(
        name="Django support", slug="django-support", ecosystem="PyPI", package_name="django"
    )
    for entry in customers.values():
        subscription_update(actor=SYSTEM, subscription=entry["org"].subscriptions.get(), products=[product])
    admin = actor_for(staff[Role.ADMIN])
    vendor, _ = endpoint_create(
        actor=admin, organization=None, url="http://127.0.0.1:9/all", event_types=["*"]
    )
    acme, _ = endpoint_create(
        actor=admin, organization=customers["acme"]["org"], url="http://127.0.0.1:9/acme", event_types=["*"]
    )
    return {**customers, "product": product, "vendor": vendor, "acme_hook": acme, "staff": staff}


def _events(endpoint) -> list[tuple[str, Any]]:
    return [
        (d.event.type, d.event.payload) for d in endpoint.deliveries.select_related("event").order_by("id")
    ]


def test_ticket_events(hooked):
    contact = hooked["acme"]["contact"]
    ticket = tickets.ticket_create(
        actor=actor_for(contact.user),
        organization=hooked["acme"]["org"],
        product=hooked["product"],
        severity="S2",
        subject="Replica lag",
        body="The standby is an hour behind.",
    )
    engineer = actor_for(hooked["staff"][Role.ENGINEER])
    tickets.ticket_reply(actor=engineer, ticket=ticket, body="Looking.", public=False)  # a note: no event
    tickets.ticket_reply(actor=engineer, ticket=ticket, body="Please send the logs.")
    tickets.ticket_set_severity(actor=engineer, ticket=ticket, severity="S3", reason="Workaround in place")
    tickets.ticket_set_status(actor=engineer, ticket=ticket, status="solved")
    types = [t for t, _ in _events(hooked["acme_hook"])]
    assert types == ["ticket.created", "ticket.replied", "ticket.updated", "ticket.solved"]
    assert [t for t, _ in _events(hooked["vendor"])] == types
    payloads = dict(_events(hooked["acme_hook"]))
    assert payloads["ticket.created"]["subject"] == "Replica lag"
    assert payloads["ticket.replied"]["reply"]["from_customer"] is False
    assert payloads["ticket.replied"]["ticket"]["id"] == ticket.pk
    assert payloads["ticket.updated"]["changes"]["severity"] == ["S2", "S3"]
    assert payloads["ticket.solved"]["status"] == "solved"
    # globex's ticket reaches the vendor's endpoint only.
    tickets.ticket_create(
        actor=actor_for(hooked["globex"]["contact"].user),
        organization=hooked["globex"]["org"],
        product=hooked["product"],
        severity="S3",
        subject="Globex question",
        body="How do we tune autovacuum?",
    )
    assert len(_events(hooked["acme_hook"])) == 4
    assert _events(hooked["vendor"])[-1][1]["subject"] == "Globex question"


def test_sla_events(hooked):
    # S1 clocks run around the clock only with a contact reachable 24/7 on record.
    contact_update(actor=SYSTEM, contact=hooked["acme"]["admin"], phone="+49 30 1234", reachable_24x7=True)
    ticket = tickets.ticket_create(
        actor=actor_for(hooked["acme"]["contact"].user),
        organization=hooked["acme"]["org"],
        product=hooked["product"],
        severity="S1",
        subject="Down",
        body="Production is down.",
    )
    opened = ticket.opened_at
    ticket_check(ticket, now=opened + timedelta(minutes=35))  # past half of S1's first-response hour
    assert [t for t, _ in _events(hooked["acme_hook"])][-1] == "sla.warning"
    ticket_check(ticket, now=opened + timedelta(days=3))
    types = {t for t, _ in _events(hooked["acme_hook"])}
    assert {"sla.warning", "sla.breached"} <= types
    breach = next(p for t, p in _events(hooked["acme_hook"]) if t == "sla.breached")
    assert breach["ticket"]["id"] == ticket.pk
    assert breach["clock"] in {"first_response", "update_cadence", "workaround", "resolution"}


@pytest.mark.skipif(not OFFLINE.is_dir(), reason="../shared/data is not beside the checkout")
def test_finding_and_advisory_events(hooked, tmp_path):
    web = deployment_create(
        actor=SYSTEM, organization=hooked["acme"]["org"], name="web", product=hooked["product"]
    )
    other = deployment_create(
        actor=SYSTEM, organization=hooked["globex"]["org"], name="web", product=hooked["product"]
    )
    security.sbom_upload(actor=SYSTEM, deployment=web, filename="requirements.txt", data=b"django==3.1.0\n")
    security.sbom_upload(actor=SYSTEM, deployment=other, filename="requirements.txt", data=b"django==3.1.0\n")
    (tmp_path / "r.json").write_text(
        json.dumps(json.loads((OFFLINE / "PyPI" / "PYSEC-2021-98.json").read_text()))
    )
    security.advisories_import(actor=SYSTEM, path=tmp_path)
    acme = _events(hooked["acme_hook"])
    assert [t for t, _ in acme] == ["finding.created", "advisory.published"]
    assert acme[0][1]["advisory"] == "PYSEC-2021-98"
    assert acme[0][1]["deployment"] == web.pk
    assert acme[1][1]["id"] == "PYSEC-2021-98"
    # The vendor hears of both customers' findings and both advisories reaching them.
    assert sorted(t for t, _ in _events(hooked["vendor"])) == [
        "advisory.published",
        "advisory.published",
        "finding.created",
        "finding.created",
    ]
    security.sbom_upload(actor=SYSTEM, deployment=web, filename="requirements.txt", data=b"django==3.2.4\n")
    assert _events(hooked["acme_hook"])[-1][0] == "finding.closed"
    assert _events(hooked["acme_hook"])[-1][1]["status"] == "fixed"
    assert Event.objects.filter(type="finding.closed", organization=hooked["globex"]["org"]).count() == 0
