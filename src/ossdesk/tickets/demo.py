"""Demo teams and tickets in every SLA state, with histories that began in the past.

Services always act at the present instant, so a history that began hours ago is written here
directly as events (the same rows the services write), then evaluated by the same clock code; one audit
entry records that the demo tickets were created.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import User
from ossdesk.audit.services import audit_record
from ossdesk.customers.models import Contact, Organization
from ossdesk.products.models import Product
from ossdesk.tickets import routing
from ossdesk.tickets.escalation import ticket_check
from ossdesk.tickets.models import OPEN_STATUSES, Message, Ticket, TicketClock, TicketEvent
from ossdesk.tickets.services import calendar_create, team_create
from ossdesk.tickets.sla import reachability_value, whole_seconds

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


@dataclass(frozen=True)
class Step:
    """Minutes before now, what happened, and its text."""

    minutes_ago: int
    kind: str
    value: str = ""
    body: str = ""


STORIES: list[tuple[str, str, str, str, list[Step]]] = [
    (
        "meridian-health",
        "PostgreSQL",
        "S1",
        "Primary lost after storage failover; writes failing",
        [
            Step(
                1,
                "opened",
                body="Our primary rejects writes: 'could not write to file pg_wal/…'. "
                "Patient intake is down.",
            ),
        ],
    ),
    (
        "meridian-health",
        "Apache Kafka",
        "S2",
        "Consumer lag grows on the claims topic after broker restart",
        [
            Step(50, "opened", body="Lag on claims-v2 keeps climbing since the rolling restart."),
            Step(
                38,
                "vendor_reply",
                body="Please send the output of kafka-consumer-groups --describe for claims-v2.",
            ),
            Step(37, "status", "waiting_on_customer"),
        ],
    ),
    (
        "meridian-health",
        "Kubernetes",
        "S3",
        "Ingress controller drops websocket connections after 60 s",
        [
            Step(240, "opened", body="Websockets close after exactly 60 s behind ingress-nginx."),
            Step(
                200,
                "vendor_reply",
                body="This is the proxy-read-timeout default; we asked upstream about the "
                "annotation regression.",
            ),
            Step(199, "status", "waiting_on_third_party"),
        ],
    ),
    (
        "meridian-health",
        "PostgreSQL",
        "S4",
        "Planned: major upgrade 16 → 17 next Saturday",
        [
            Step(
                30, "opened", body="Proactive case for the planned upgrade window; please review our runbook."
            ),
        ],
    ),
    (
        "fjord-logistics",
        "PostgreSQL",
        "S1",
        "Database cluster unreachable after network change",
        [
            Step(
                190,
                "opened",
                body="All three nodes unreachable from the app subnet since the firewall change.",
            ),
            Step(185, "customer_message", body="Still down. Any update?"),
            Step(120, "internal_note", body="Paged the on-call DBA twice, no answer yet."),
        ],
    ),
    (
        "fjord-logistics",
        "Apache Kafka",
        "S3",
        "How to size partitions for the new tracking topic?",
        [
            Step(26 * 60, "opened", body="We expect 4k msgs/s; how many partitions should we start with?"),
            Step(
                25 * 60,
                "vendor_reply",
                body="Start with 12; here is how to measure per-partition throughput…",
            ),
            Step(24 * 60, "customer_message", body="Thanks — does that change with compaction enabled?"),
        ],
    ),
    (
        "brightside-analytics",
        "Django",
        "S2",
        "Migrations lock the orders table for minutes",
        [
            Step(
                3 * 24 * 60,
                "opened",
                body="A migration adding an index locks orders for 4 minutes in production.",
            ),
            Step(
                3 * 24 * 60 - 90,
                "vendor_reply",
                body="Use AddIndexConcurrently in a non-atomic migration; example attached in the docs link.",
            ),
            Step(3 * 24 * 60 - 60, "workaround"),
            Step(2 * 24 * 60, "status", "solved"),
        ],
    ),
]


@transaction.atomic
def demo_teams() -> None:
    """Two database shifts that follow the sun, a streaming team, a Python team and a front line."""
    actor = Actor.system("demo")
    erin, sam = User.objects.get(username="erin"), User.objects.get(username="sam")
    products = {p.name: p for p in Product.objects.all()}
    emea = calendar_create(
        actor=actor,
        name="EMEA shift",
        timezone_name="Europe/Berlin",
        weekly={d: [["07:00", "19:00"]] for d in WEEKDAYS},
        holidays_country="DE",
    )
    americas = calendar_create(
        actor=actor,
        name="Americas shift",
        timezone_name="America/New_York",
        weekly={d: [["08:00", "20:00"]] for d in WEEKDAYS},
        holidays_country="US",
    )
    team_create(
        actor=actor,
        name="Database EMEA",
        products=[products["PostgreSQL"]],
        members=[erin, sam],
        lead=erin,
        calendar=emea,
    )
    team_create(
        actor=actor,
        name="Database Americas",
        products=[products["PostgreSQL"]],
        members=[sam, erin],
        lead=sam,
        calendar=americas,
    )
    team_create(
        actor=actor,
        name="Streaming",
        products=[products["Apache Kafka"], products["Kubernetes"]],
        members=[sam],
        lead=sam,
    )
    team_create(
        actor=actor,
        name="Python",
        products=[products["Django"]],
        members=[erin],
        lead=erin,
        assignment="round_robin",
    )
    team_create(actor=actor, name="Front line", members=[erin, sam], lead=erin, is_default=True)


def _at(now: datetime, step: Step) -> datetime:
    return now - timedelta(minutes=step.minutes_ago)


@transaction.atomic
def demo_tickets(now: datetime | None = None) -> int:
    """The demo's tickets: running, paused, met, breached, solved and a proactive one."""
    now = whole_seconds(now)
    engineer = User.objects.get(username="erin")
    for story in STORIES:
        _write_story(story, now, engineer)
    audit_record(
        actor=Actor.system("demo"),
        action="action",
        object_type="tickets.ticket",
        object_id="demo",
        object_repr=f"{len(STORIES)} demo tickets",
        after={"tickets": len(STORIES)},
    )
    return len(STORIES)


# The story whose S1 first response runs (10 minutes under Meridian's agreement): a newcomer who starts
# ossdesk later than the seed, or looks around for long, would find it breached. `ossdesk run` raises it
# again at start-up when less than this is left of it.
LIVE_S1 = STORIES[0]
LIVE_S1_LEAST_LEFT = timedelta(minutes=5)


@transaction.atomic
def demo_live_s1(now: datetime | None = None) -> Ticket | None:
    """At start-up: the demo S1 whose first-response clock is running, raised again (a new ticket,
    opened as long before now as the seed opens it) when the last one has less than LIVE_S1_LEAST_LEFT
    left, was answered or was closed. None when the demo is not installed or the S1 is still alive."""
    now = whole_seconds(now)
    slug, _, severity, subject, _ = LIVE_S1
    organization = Organization.objects.filter(slug=slug).first()
    engineer = User.objects.filter(username="erin").first()
    if organization is None or engineer is None:
        return None
    alive = TicketClock.objects.filter(
        ticket__organization=organization,
        ticket__severity=severity,
        ticket__subject=subject,
        ticket__status__in=OPEN_STATUSES,
        name="first_response",
        state="running",
        due_at__gte=now + LIVE_S1_LEAST_LEFT,
    )
    if alive.exists():
        return None
    ticket = _write_story(LIVE_S1, now, engineer)
    audit_record(
        actor=Actor.system("demo"),
        action="create",
        instance=ticket,
        after={"demo": "the running S1, raised again at start-up"},
        organization_id=organization.pk,
    )
    return ticket


def _write_story(story: tuple[str, str, str, str, list[Step]], now: datetime, engineer: User) -> Ticket:
    """One demo ticket with its history written as events, then evaluated like any other."""
    slug, product_name, severity, subject, steps = story
    organization = Organization.objects.get(slug=slug)
    contact = Contact.objects.filter(organization=organization, is_named=True).order_by("pk").first()
    opened = _at(now, steps[0])
    ticket = Ticket.objects.create(
        organization=organization,
        contact=contact,
        product=Product.objects.get(name=product_name),
        subject=subject,
        severity=severity,
        opened_at=opened,
        updated_at=_at(now, steps[-1]),
        is_proactive=subject.startswith("Planned:"),
        planned_for=now + timedelta(days=7) if subject.startswith("Planned:") else None,
    )
    team = routing.team_for(ticket, now=opened)
    ticket.team = team
    ticket.assignee = routing.engineer_for(team) if team else None
    status = "new"
    for step in steps:
        at = _at(now, step)
        message = None
        if step.body:
            from_customer = step.kind in {"opened", "customer_message"}
            author = contact.name if from_customer and contact else engineer.display_name
            message = Message.objects.create(
                ticket=ticket,
                author=contact.user if from_customer and contact else engineer,
                author_label=author,
                from_customer=from_customer,
                is_public=step.kind != "internal_note",
                body=step.body,
                created_at=at,
            )
        value = reachability_value(organization) if step.kind == "opened" else step.value
        TicketEvent.objects.create(
            ticket=ticket,
            at=at,
            kind=step.kind,
            value=value,
            message=message,
            actor_label=contact.name
            if step.kind in {"opened", "customer_message"} and contact
            else engineer.username,
        )
        if step.kind == "vendor_reply" and status == "new":
            status = "open"
            TicketEvent.objects.create(
                ticket=ticket, at=at, kind="status", value="open", actor_label=engineer.username
            )
        if step.kind == "status":
            status = step.value
    ticket.status = status
    ticket.solved_at = _at(now, steps[-1]) if status == "solved" else None
    ticket.save()
    ticket_check(ticket, now=now)
    return ticket
