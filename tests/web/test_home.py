"""The home pages: an engineer's own queue with the desk's SLA state and this week's breaches; a
customer's open tickets, security exposure and a way to raise a ticket. Query counts stay flat."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ossdesk.accounts.actor import actor_for
from ossdesk.accounts.models import Role
from ossdesk.customers.services import deployment_create
from ossdesk.plans.services import subscription_update
from ossdesk.security import services as security_services
from ossdesk.tickets import services as ticket_services
from ossdesk.tickets.models import Status, Ticket, TicketEvent
from tests.accounts.factories import SYSTEM
from tests.customers.factories import OrganizationFactory, contact_with_login
from tests.plans.factories import subscribe
from tests.products.factories import ProductFactory

World = dict[str, dict[str, Any]]
TICKET_LINK = re.compile(r'<td class="num"><a href="/tickets/(\d+)/">')


@pytest.fixture
def world(world: World) -> World:
    """The web tests' world, with both customers' subscriptions covering one product."""
    product = ProductFactory()
    for key in ("acme", "globex"):
        entry = world[key]
        subscription_update(actor=SYSTEM, subscription=entry["subscription"], products=[product])
        entry["product"] = product
    return world


def _open(world: World, key: str, subject: str, **stored: Any) -> Ticket:
    entry = world[key]
    ticket = ticket_services.ticket_create(
        actor=actor_for(entry["contact"].user),
        organization=entry["org"],
        product=entry["product"],
        severity="S3",
        subject=subject,
        body="Details.",
    )
    if stored:
        Ticket.objects.filter(pk=ticket.pk).update(**stored)
    return ticket


def _shown(response: Any) -> list[int]:
    return [int(pk) for pk in TICKET_LINK.findall(response.content.decode())]


def _breach(ticket: Ticket, at: datetime) -> None:
    TicketEvent.objects.create(ticket=ticket, kind=TicketEvent.Kind.SLA_BREACH, at=at, actor_label="system")


# --- staff ------------------------------------------------------------------------------------------------


def test_engineer_home_is_their_queue(world: World, staff: Any, client: Any) -> None:
    erin, sam = staff[Role.ENGINEER], staff[Role.ADMIN]
    mine = _open(world, "acme", "Mine to answer", assignee=erin)
    _open(world, "globex", "Someone else's", assignee=sam)
    _open(world, "acme", "Nobody's yet")
    solved = _open(world, "acme", "Mine but solved", assignee=erin, status=Status.SOLVED)
    client.force_login(erin)
    response = client.get("/")
    assert response.status_code == 200
    assert _shown(response) == [mine.pk]
    text = response.content.decode()
    assert "Your queue" in text
    assert "1 open assigned to you" in text
    assert solved.subject not in text


def test_staff_home_counts_open_tickets_by_sla_state(world: World, staff: Any, client: Any) -> None:
    for state, n in (("breached", 2), ("running", 3), ("paused", 1), ("", 1)):
        for i in range(n):
            _open(world, "acme", f"{state or 'none'} {i}", sla_state=state)
    _open(world, "globex", "closed breach", sla_state="breached", status=Status.CLOSED)
    client.force_login(staff[Role.ENGINEER])
    text = client.get("/").content.decode()
    counts = dict(
        re.findall(r'<span class="sla [\w-]+">([\w ]+)</span>\s*(?:<a [^>]*>|<span [^>]*>)(\d+)<', text)
    )
    assert counts == {"Breached": "2", "Running": "3", "Paused": "1", "Met": "0", "No SLA": "1"}
    assert '<a href="/tickets/?view=breached" class="sla-count">2</a>' in text


def test_staff_home_plots_this_weeks_breaches(world: World, staff: Any, client: Any) -> None:
    ticket = _open(world, "acme", "Breaches")
    today = timezone.localdate()
    noon = timezone.make_aware(datetime.combine(today, time(12)))
    _breach(ticket, noon)
    _breach(ticket, noon - timedelta(hours=1))
    _breach(ticket, noon - timedelta(days=2))
    _breach(ticket, noon - timedelta(days=7))  # eight days ago counting today: not this week
    client.force_login(staff[Role.ENGINEER])
    text = client.get("/").content.decode()
    svg = re.search(r'<svg class="chart breaches".*?</svg>', text, re.DOTALL).group(0)  # type: ignore[union-attr]
    assert 'role="img"' in svg
    assert '<title id="breach-title">SLA breaches per day over the last 7 days</title>' in svg
    desc = re.search(r'<desc id="breach-desc">(.*?)</desc>', svg).group(1)  # type: ignore[union-attr]
    days = dict(part.rsplit(": ", 1) for part in desc.split("; "))
    assert len(days) == 7
    assert days[f"{today:%A} {today.day} {today:%B}"] == "2"
    two_ago = today - timedelta(days=2)
    assert days[f"{two_ago:%A} {two_ago.day} {two_ago:%B}"] == "1"
    assert sum(int(n) for n in days.values()) == 3
    assert svg.count("<rect") == 2  # a bar only where there were breaches
    assert "3 targets missed in the last 7 days." in text


def test_staff_home_query_count_is_constant(
    world: World, staff: Any, client: Any, django_assert_num_queries: Any
) -> None:
    erin = staff[Role.ENGINEER]

    def populate(n: int) -> None:
        for i in range(n):
            ticket = _open(
                world, "acme" if i % 2 else "globex", f"ticket {i}", assignee=erin, sla_state="running"
            )
            _breach(ticket, timezone.now() - timedelta(days=i % 7))

    client.force_login(erin)
    populate(2)
    with CaptureQueriesContext(connection) as few:
        response = client.get("/")
    assert len(_shown(response)) == 2
    populate(12)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/")
    assert len(_shown(response)) == 10


# --- customers --------------------------------------------------------------------------------------------


def _inventory(world: World, key: str) -> None:
    """A deployment of the customer with a matched lockfile (no advisory affects it)."""
    deployment = deployment_create(
        actor=SYSTEM, organization=world[key]["org"], name="web", product=world[key]["product"]
    )
    security_services.sbom_upload(
        actor=SYSTEM, deployment=deployment, filename="requirements.txt", data=b"flask==3.0.3\n"
    )


def test_customer_home_shows_its_open_tickets_exposure_and_raise_button(world: World, client: Any) -> None:
    _inventory(world, "acme")
    ours = _open(world, "acme", "Our open ticket")
    _open(world, "acme", "Our solved ticket", status=Status.SOLVED)
    theirs = _open(world, "globex", "Another customer's ticket")
    client.force_login(world["acme"]["contact"].user)
    response = client.get("/")
    assert response.status_code == 200
    assert _shown(response) == [ours.pk]
    text = response.content.decode()
    assert theirs.subject not in text
    assert '<a class="button primary" href="/tickets/new/">Raise a ticket</a>' in text
    assert "Security exposure" in text
    assert re.search(r"<dt>Open findings</dt><dd><a [^>]*>0</a></dd>", text)


def test_community_customer_is_told_why_it_cannot_raise_a_ticket(tiers: Any, client: Any) -> None:
    organization = OrganizationFactory(name="Lapsed", slug="lapsed")  # no subscription: Community
    client.force_login(contact_with_login(organization, role="admin", named=False).user)
    text = client.get("/").content.decode()
    assert "Raise a ticket</a>" not in text
    assert "Community does not include the Customer portal channel." in text
    assert 'href="/plans/"' in text


def test_customer_home_counts_no_findings_before_an_inventory_is_matched(world: World, client: Any) -> None:
    client.force_login(world["acme"]["contact"].user)
    text = client.get("/").content.decode()
    assert "<dt>Open findings</dt>" not in text
    assert "No findings yet: no deployment has an SBOM or lockfile to match against advisories." in text
    assert 'href="/security/deployments/"' in text


@pytest.mark.parametrize("plan", ["starter", None])
def test_customer_home_without_sbom_scanning_says_so_instead_of_zero_findings(
    tiers: Any, client: Any, plan: str | None
) -> None:
    organization = OrganizationFactory(name="Small", slug="small")
    if plan:
        today = timezone.localdate()
        subscribe(
            organization, tiers[plan], starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=30)
        )
    client.force_login(contact_with_login(organization, role="admin", named=plan is not None).user)
    text = client.get("/").content.decode()
    assert "<dt>Open findings</dt>" not in text
    label = "Starter" if plan else "Community"
    assert f"Your plan does not include SBOM scanning ({label}); the Business plan does." in text


def test_customer_home_query_count_is_constant(
    world: World, client: Any, django_assert_num_queries: Any
) -> None:
    client.force_login(world["acme"]["contact"].user)
    for i in range(2):
        _open(world, "acme", f"ticket {i}", sla_state="running")
    with CaptureQueriesContext(connection) as few:
        response = client.get("/")
    assert len(_shown(response)) == 2
    for i in range(12):
        _open(world, "acme", f"more {i}", sla_state="running")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/")
    assert len(_shown(response)) == 10


@pytest.mark.parametrize("who", ["staff", "customer"])
def test_home_needs_sign_in(db: Any, client: Any, who: str) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")
