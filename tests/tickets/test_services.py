"""Ticket services: intake against the contract, replies and transitions, routing, escalation, hours."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ossdesk.accounts.actor import Actor, actor_for
from ossdesk.accounts.models import Notification, Role
from ossdesk.audit.services import audit_verify
from ossdesk.domain.entitlements import EntitlementDenied
from ossdesk.plans.services import agreement_create, subscription_update
from ossdesk.tickets import services
from ossdesk.tickets.escalation import sla_sweep, ticket_check
from ossdesk.tickets.models import Attachment, SlaNotice, Ticket, TicketEvent, TimeEntry
from ossdesk.tickets.services import Upload, attachments
from ossdesk.tickets.sla import clock_states
from tests.accounts.factories import SYSTEM, staff_user
from tests.customers.factories import contact_with_login
from tests.plans.factories import subscribe
from tests.products.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(customers):
    product = ProductFactory(name="PostgreSQL", slug="postgresql")
    for entry in customers.values():
        subscription = entry["org"].subscriptions.get()
        subscription_update(actor=SYSTEM, subscription=subscription, products=[product])
    return product


@pytest.fixture
def acme(customers, product):
    entry = customers["acme"]
    return {**entry, "actor": actor_for(entry["admin"].user), "product": product}


@pytest.fixture
def engineer(db):
    return staff_user(Role.ENGINEER)


@pytest.fixture
def team(engineer, product):
    return services.team_create(
        actor=SYSTEM, name="Databases", products=[product], members=[engineer], lead=engineer
    )


def raise_ticket(acme, **overrides):
    fields = {
        "actor": acme["actor"],
        "organization": acme["org"],
        "product": acme["product"],
        "subject": "Replication stopped",
        "body": "Standby stopped replaying WAL.",
        "severity": "S2",
    }
    return services.ticket_create(**{**fields, **overrides})


# -- intake ---------------------------------------------------------------------------------------------


def test_intake_opens_routes_and_starts_clocks(acme, team, engineer):
    ticket = raise_ticket(acme)
    assert ticket.status == "new"
    assert (ticket.team, ticket.assignee) == (team, engineer)
    assert ticket.contact == acme["admin"]
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds[:2] == ["opened", "assigned"]
    assert ticket.messages.get().from_customer
    states = clock_states(ticket)
    assert states["first_response"].state == "running"
    assert str(states["first_response"].target) == "4bh"  # Business S2
    assert Ticket.objects.get(pk=ticket.pk).next_due_at is not None
    assert Notification.objects.filter(recipient=engineer, kind="ticket.assigned").exists()


def test_intake_refuses_product_not_covered(acme):
    other = ProductFactory(name="Kafka")
    with pytest.raises(EntitlementDenied) as caught:
        raise_ticket(acme, product=other)
    assert caught.value.code == "product"
    assert "does not cover Kafka" in str(caught.value)
    assert not Ticket.objects.exists()


def test_intake_refuses_channel_and_names_the_plan(acme):
    staff = Actor.system("phone desk")
    with pytest.raises(EntitlementDenied) as caught:
        raise_ticket(acme, actor=staff, contact=acme["admin"], channel="dedicated")
    assert caught.value.code == "channel"
    assert caught.value.allowed_by == "Enterprise"
    assert not Ticket.objects.exists()


def test_community_cannot_open_s1(acme, tiers):
    subscription = acme["org"].subscriptions.get()
    today = timezone.localdate()
    subscription_update(
        actor=SYSTEM,
        subscription=subscription,
        starts_on=today - timedelta(days=60),
        ends_on=today - timedelta(days=1),
    )
    with pytest.raises(EntitlementDenied) as caught:
        raise_ticket(acme, severity="S1")
    assert caught.value.code == "severity"
    assert caught.value.allowed_by == "Starter"
    assert "Community does not cover S1" in str(caught.value)


def test_intake_requires_a_named_contact(acme):
    unnamed = contact_with_login(acme["org"], named=False)
    with pytest.raises(EntitlementDenied) as caught:
        raise_ticket(acme, actor=actor_for(unnamed.user))
    assert caught.value.code == "named_contact"
    assert not Ticket.objects.exists()


def test_customer_cannot_raise_for_another_organisation(acme, customers):
    with pytest.raises(Exception, match="No such organisation"):
        raise_ticket(acme, organization=customers["globex"]["org"])


def test_intake_field_errors_write_nothing(acme):
    with pytest.raises(ValidationError) as caught:
        raise_ticket(acme, subject=" ", body="", is_proactive=True)
    assert set(caught.value.message_dict) == {"subject", "body", "planned_for"}
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()


def test_proactive_case(acme):
    ticket = raise_ticket(
        acme, severity="S4", is_proactive=True, planned_for=timezone.now() + timedelta(days=3)
    )
    assert ticket.is_proactive


# -- attachments ---------------------------------------------------------------------------------------


def test_attachment_stored_outside_web_root(acme, settings):
    ticket = raise_ticket(acme, attachments=[Upload("pg.log", b"FATAL: could not write", "text/plain")])
    attachment = Attachment.objects.get()
    assert attachment.message.ticket == ticket
    assert attachment.size == 22
    from django.core.files.storage import default_storage

    assert attachment.file.path.startswith(str(default_storage.location))
    assert attachment.file.read() == b"FATAL: could not write"
    assert not attachment.file.path.startswith(str(settings.STATIC_ROOT))


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (Upload("run.exe", b"MZ..."), ".exe files are not accepted"),
        (Upload("page.html", b"<script>"), ".html files are not accepted"),
        (Upload("empty.txt", b""), "is empty"),
        (Upload("x.txt", b"<svg/>", "image/svg+xml"), r"image/svg\+xml content is not accepted"),
        (Upload("setup.dat", b"MZ\x90\x00"), "looks like a Windows executable"),
    ],
)
def test_attachment_refusals_write_nothing(acme, upload, message):
    with pytest.raises(ValidationError, match=message):
        raise_ticket(acme, attachments=[upload])
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


def test_attachment_size_limit(acme, monkeypatch):
    monkeypatch.setattr(attachments, "ATTACHMENT_MAX_BYTES", 1024)
    with pytest.raises(ValidationError, match="the limit is"):
        raise_ticket(acme, attachments=[Upload("big.log", b"x" * 2048)])


# -- replies and statuses ---------------------------------------------------------------------------------


def test_reply_flow_moves_clocks(acme, team, engineer):
    ticket = raise_ticket(acme)
    staff = actor_for(engineer)
    services.ticket_reply(actor=staff, ticket=ticket, body="Which version?", public=False)
    assert clock_states(ticket)["first_response"].state == "running"  # a note is no response
    services.ticket_reply(actor=staff, ticket=ticket, body="Which version are you on?")
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert clock_states(ticket)["first_response"].state == "met"
    services.ticket_set_status(actor=staff, ticket=ticket, status="waiting_on_customer")
    services.ticket_reply(actor=acme["actor"], ticket=ticket, body="16.2")
    ticket.refresh_from_db()
    assert ticket.status == "open"  # the customer answered
    assert clock_states(ticket)["next_response"].state == "running"


def test_a_paused_clock_stores_its_reason_as_a_code_and_shows_the_words(acme, team, engineer):
    from ossdesk.tickets.commitments import first_response
    from ossdesk.tickets.models import TicketClock
    from ossdesk.tickets.sla import clock_summary

    ticket = raise_ticket(acme)
    staff = actor_for(engineer)
    services.ticket_reply(actor=staff, ticket=ticket, body="Which version are you on?")
    services.ticket_set_status(actor=staff, ticket=ticket, status="waiting_on_customer")
    stored = TicketClock.objects.get(ticket=ticket, name="workaround")
    assert (stored.state, stored.pause_reason) == ("paused", "waiting_on_customer")
    rows = {row["name"]: row for row in clock_summary(clock_states(ticket))}
    assert rows["workaround"]["pause_reason"] == "the ticket is waiting on customer"
    TicketClock.objects.filter(ticket=ticket, name="first_response").update(
        state="paused", pause_reason="no_reachable_contact"
    )
    promised = first_response(ticket)
    assert promised is not None
    assert promised.waiting == "no contact reachable 24/7 is on record, so the clock runs in business hours"


def test_the_pause_reason_migration_turns_stored_words_into_codes_and_back(acme, team, engineer):
    import importlib

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from ossdesk.tickets.models import TicketClock

    name = "0003_clock_pause_reason_codes"
    module = importlib.import_module(f"ossdesk.tickets.migrations.{name}")
    historical = MigrationExecutor(connection).loader.project_state(("tickets", name), at_end=True).apps
    ticket = raise_ticket(acme)
    words = {
        "resolution": "the ticket is waiting on third party",
        "first_response": "no contact reachable 24/7 is on record, so the clock runs in business hours",
        "update_cadence": "the ticket is waiting on customer",
    }
    for clock, text in words.items():
        TicketClock.objects.update_or_create(ticket=ticket, name=clock, defaults={"pause_reason": text})

    def stored():
        rows = TicketClock.objects.filter(ticket=ticket, name__in=words)
        return dict(rows.values_list("name", "pause_reason"))

    module.to_codes(historical, None)
    assert stored() == {
        "resolution": "waiting_on_third_party",
        "first_response": "no_reachable_contact",
        "update_cadence": "waiting_on_customer",
    }
    module.to_text(historical, None)
    assert stored() == words


def test_customer_cannot_write_internal_notes_or_see_them(acme):
    ticket = raise_ticket(acme)
    with pytest.raises(PermissionDenied):
        services.ticket_reply(actor=acme["actor"], ticket=ticket, body="psst", public=False)


def test_status_rules(acme, engineer):
    ticket = raise_ticket(acme)
    staff = actor_for(engineer)
    with pytest.raises(PermissionDenied):
        services.ticket_set_status(actor=acme["actor"], ticket=ticket, status="waiting_on_third_party")
    services.ticket_set_status(actor=staff, ticket=ticket, status="solved")
    assert clock_states(ticket)["resolution"].state in {"met", "none"}
    services.ticket_set_status(actor=acme["actor"], ticket=ticket, status="open")  # reopen a solved one
    services.ticket_set_status(actor=acme["actor"], ticket=ticket, status="closed")
    with pytest.raises(ValidationError, match="cannot become"):
        services.ticket_set_status(actor=staff, ticket=ticket, status="open")
    with pytest.raises(ValidationError, match="closed"):
        services.ticket_reply(actor=staff, ticket=ticket, body="late")


def test_severity_change_retargets(acme, engineer):
    ticket = raise_ticket(acme, severity="S3")
    assert str(clock_states(ticket)["first_response"].target) == "1bd"
    services.ticket_set_severity(actor=actor_for(engineer), ticket=ticket, severity="S1", reason="outage")
    states = clock_states(ticket)
    assert str(states["first_response"].target) == "1h"
    assert states["first_response"].started_at == ticket.opened_at
    with pytest.raises(PermissionDenied):
        services.ticket_set_severity(actor=acme["actor"], ticket=ticket, severity="S4", reason="x")
    with pytest.raises(ValidationError):
        services.ticket_set_severity(actor=actor_for(engineer), ticket=ticket, severity="S2", reason=" ")


def test_workaround_meets_its_clock(acme, engineer):
    ticket = raise_ticket(acme, severity="S2")
    services.ticket_mark_workaround(actor=actor_for(engineer), ticket=ticket, note="restart the standby")
    assert clock_states(ticket)["workaround"].state == "met"


# -- routing -----------------------------------------------------------------------------------------------


def test_least_loaded_then_round_robin(acme, product):
    a, b = staff_user(Role.ENGINEER), staff_user(Role.ENGINEER)
    services.team_create(actor=SYSTEM, name="DB", products=[product], members=[a, b])
    assignees = [raise_ticket(acme).assignee for _ in range(4)]
    assert sorted(assignees.count(x) for x in (a, b)) == [2, 2]
    assert assignees[0] != assignees[1]


def test_round_robin_ignores_load(acme, product):
    a, b = staff_user(Role.ENGINEER), staff_user(Role.ENGINEER)
    services.team_create(
        actor=SYSTEM, name="DB", products=[product], members=[a, b], assignment="round_robin"
    )
    assert [raise_ticket(acme).assignee for _ in range(4)] == [a, b, a, b]


def test_severity_specific_team_and_default(acme, product):
    a, b, c = (staff_user(Role.ENGINEER) for _ in range(3))
    services.team_create(
        actor=SYSTEM, name="Major incidents", products=[product], severities=["S1"], members=[a]
    )
    services.team_create(actor=SYSTEM, name="Front line", members=[c], is_default=True)
    assert raise_ticket(acme, severity="S1").team.name == "Major incidents"
    assert raise_ticket(acme, severity="S3").team.name == "Front line"
    del b


def test_manual_reassignment(acme, team):
    other = staff_user(Role.ENGINEER)
    ticket = raise_ticket(acme)
    services.ticket_assign(actor=actor_for(other), ticket=ticket, assignee=other)
    ticket.refresh_from_db()
    assert ticket.assignee == other
    with pytest.raises(ValidationError):
        services.ticket_assign(actor=actor_for(other), ticket=ticket, assignee=acme["admin"].user)


# -- warnings and escalation -----------------------------------------------------------------------------


def test_warnings_and_breach_notify_once(acme, team, engineer, staff):
    from ossdesk.customers.services import contact_update

    acme["org"].account_manager = staff[Role.ACCOUNT_MANAGER]
    acme["org"].save()
    contact_update(actor=SYSTEM, contact=acme["contact"], reachable_24x7=True)
    ticket = raise_ticket(acme, severity="S1")  # Business S1: 1 h round the clock
    later = ticket.opened_at + timedelta(minutes=46)
    assert ticket_check(ticket, now=later) == 1  # 50% (quiet) and 75% crossed together: one notice
    assert set(SlaNotice.objects.values_list("level", flat=True)) == {"warn50", "warn75"}
    assert ticket_check(ticket, now=later) == 0  # a second run notifies nobody twice
    breach = ticket.opened_at + timedelta(minutes=61)
    Ticket.objects.filter(pk=ticket.pk).update(next_check_at=breach)
    assert sla_sweep(now=breach) >= 1
    assert sla_sweep(now=breach) == 0
    ticket.refresh_from_db()
    assert ticket.escalation_level == 2
    manager_notes = Notification.objects.filter(recipient=staff[Role.ACCOUNT_MANAGER], kind="sla.breach")
    assert manager_notes.count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind="sla_breach").count() == 1


def test_the_policys_warning_levels_drive_notices_escalation_and_checks(acme, team, monkeypatch):
    """A policy that warns at 60 % and 80 % (not the registry's 50/75/90): escalation announces those levels,
    escalates at 80 % (three quarters or more), and the next check is queued for the next of them."""
    from dataclasses import replace

    from ossdesk.customers.services import contact_update
    from ossdesk.tickets import sla

    contact_update(actor=SYSTEM, contact=acme["contact"], reachable_24x7=True)
    ticket = raise_ticket(acme, severity="S1")  # Business S1: 1 h round the clock
    policy_for = sla.policy_for

    def warning_at_60_and_80(*args, **kwargs):
        policy = policy_for(*args, **kwargs)
        return replace(policy, warnings=dict.fromkeys(policy.targets, (0.6, 0.8))) if policy else None

    monkeypatch.setattr(sla, "policy_for", warning_at_60_and_80)
    opened = ticket.opened_at
    assert ticket_check(ticket, now=opened + timedelta(minutes=46)) == 1
    assert set(SlaNotice.objects.filter(ticket=ticket).values_list("level", flat=True)) == {"warn60"}
    ticket.refresh_from_db()
    assert ticket.escalation_level == 0
    assert ticket.next_check_at == opened + timedelta(minutes=48)  # 80 % of 1 h
    assert ticket_check(ticket, now=opened + timedelta(minutes=48)) == 1
    levels = SlaNotice.objects.filter(ticket=ticket, clock="first_response").values_list("level", flat=True)
    assert set(levels) == {"warn60", "warn80"}
    ticket.refresh_from_db()
    assert ticket.escalation_level == 1
    assert ticket.next_check_at == opened + timedelta(hours=1)  # then the breach


def test_sweep_picks_only_due_tickets(acme, team):
    ticket = raise_ticket(acme, severity="S1")
    assert sla_sweep(now=ticket.opened_at + timedelta(minutes=1)) == 0
    assert ticket.next_check_at is None or Ticket.objects.get(pk=ticket.pk).next_check_at > ticket.opened_at


# -- checks queued at the exact instant ------------------------------------------------------------------


@pytest.fixture
def queued():
    """The checks the services queue with an ETA (the test Huey runs in immediate mode, where a task
    with an ETA waits in the immediate-mode schedule instead of running)."""
    from huey.contrib.djhuey import HUEY

    HUEY.storage.flush_schedule()

    def checks(ticket):
        return sorted(
            datetime.fromisoformat(task.args[1])
            for task in HUEY.scheduled()
            if task.name.endswith("ticket_check_task") and task.args[0] == ticket.pk
        )

    yield checks
    HUEY.storage.flush_schedule()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a call as if its transaction committed (the test's own transaction never does)."""

    def run(call, /, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(**kwargs)

    return run


def test_each_warning_and_the_breach_are_checked_at_their_instant(acme, team, queued, committed):
    from ossdesk.customers.services import contact_update
    from ossdesk.tickets.escalation import ticket_check_due

    contact_update(actor=SYSTEM, contact=acme["contact"], reachable_24x7=True)
    ticket = committed(raise_ticket, acme=acme, severity="S1")  # Business S1: 1 h round the clock
    opened = ticket.opened_at
    assert queued(ticket) == [opened + timedelta(minutes=30)]  # 50 % of 1 h, not the next minute's sweep
    for minutes, level in ((30, "warn50"), (45, "warn75"), (54, "warn90"), (60, "breach")):
        instant = opened + timedelta(minutes=minutes)
        assert queued(ticket)[-1] == instant
        assert committed(ticket_check_due, ticket_id=ticket.pk, due_at=instant, now=instant) == 1
        assert SlaNotice.objects.filter(ticket=ticket, clock="first_response", level=level).exists()
    event = ticket.events.get(kind="sla_breach", value="first_response:breach")
    assert event.at == opened + timedelta(hours=1)  # to the second


def test_a_check_made_stale_by_a_reply_announces_nothing(acme, team, engineer, queued, committed):
    from ossdesk.tickets.escalation import ticket_check_due

    ticket = committed(raise_ticket, acme=acme, severity="S2")
    stale = queued(ticket)[0]
    committed(services.ticket_reply, actor=actor_for(engineer), ticket=ticket, body="On it.")
    ticket.refresh_from_db()
    assert ticket.next_check_at != stale
    assert queued(ticket)[-1] == ticket.next_check_at  # the reply queued the check of its new instant
    assert committed(ticket_check_due, ticket_id=ticket.pk, due_at=stale, now=stale) == 0
    assert not SlaNotice.objects.filter(ticket=ticket, clock="first_response").exists()


def test_a_check_delivered_early_is_queued_again_for_its_instant(acme, team, queued, committed):
    from ossdesk.tickets.escalation import ticket_check_due

    ticket = committed(raise_ticket, acme=acme, severity="S2")
    due = queued(ticket)[0]
    early = due - timedelta(seconds=3)
    assert committed(ticket_check_due, ticket_id=ticket.pk, due_at=due, now=early) == 0
    assert queued(ticket) == [due, due]
    assert not SlaNotice.objects.filter(ticket=ticket).exists()


def test_a_queue_that_cannot_be_reached_loses_no_reply(acme, team, engineer, committed, caplog):
    import logging
    import socket

    from huey.contrib.djhuey import HUEY
    from huey.storage import RedisStorage

    ticket = raise_ticket(acme, severity="S2")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    HUEY.immediate = False
    HUEY.storage = RedisStorage(name="unreachable", host="127.0.0.1", port=port)
    try:
        with caplog.at_level(logging.ERROR):
            message = committed(
                services.ticket_reply, actor=actor_for(engineer), ticket=ticket, body="On it."
            )
    finally:
        HUEY.immediate = True  # back to the tests' in-memory queue
    assert message.pk is not None
    assert ticket.events.filter(kind="vendor_reply").exists()
    assert any("on_commit" in record.getMessage() for record in caplog.records)  # said, not swallowed


def test_a_threshold_between_two_seconds_is_checked_at_the_later_one():
    from ossdesk.tickets.sla import next_whole_second

    at = timezone.now().replace(microsecond=500_000)
    assert next_whole_second(at) == at.replace(microsecond=0) + timedelta(seconds=1)
    assert next_whole_second(at.replace(microsecond=0)) == at.replace(microsecond=0)


# -- reachability -----------------------------------------------------------------------------------------


def test_s1_without_reachable_contact_then_with_one(acme, team):
    from ossdesk.customers.services import contact_update

    ticket = raise_ticket(acme, severity="S1")
    assert ticket.events.get(kind="opened").value == "unreachable"
    contact_update(actor=SYSTEM, contact=acme["contact"], reachable_24x7=True)
    assert ticket.events.filter(kind="reachability", value="yes").count() == 1


# -- consulting hours ------------------------------------------------------------------------------------


def test_consulting_hours_draw_on_the_bank(acme, engineer, tiers):
    today = timezone.localdate()
    org = acme["org"]
    subscribe(
        org,
        tiers["enterprise"],
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=30),
        products=[acme["product"]],
    )
    agreement_create(
        actor=SYSTEM,
        organization=org,
        reference="EA-9",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=30),
        consulting_hours_bank=Decimal(2),
    )
    ticket = raise_ticket(acme)
    staff = actor_for(engineer)
    services.time_log(actor=staff, ticket=ticket, minutes=30)  # support time, not consulting
    engagement = services.engagement_create(actor=staff, organization=org, title="Upgrade plan")
    services.time_log(actor=staff, engagement=engagement, minutes=90)
    balance = services.consulting_balance(organization=org)
    assert (balance.bank_hours, balance.used_hours, balance.remaining_hours) == (
        2,
        Decimal("1.50"),
        Decimal("0.50"),
    )
    with pytest.raises(EntitlementDenied, match=r"0\.50 consulting hours left"):
        services.time_log(actor=staff, engagement=engagement, minutes=60)
    assert TimeEntry.objects.count() == 2


def test_consulting_needs_an_agreement(acme, engineer):
    ticket = raise_ticket(acme)
    with pytest.raises(EntitlementDenied) as caught:
        services.time_log(actor=actor_for(engineer), ticket=ticket, minutes=60, consulting=True)
    assert caught.value.allowed_by == "Enterprise"


def test_everything_is_audited(acme, engineer):
    ticket = raise_ticket(acme)
    services.ticket_reply(actor=actor_for(engineer), ticket=ticket, body="On it")
    assert audit_verify().ok


def test_a_ticket_opened_as_the_clock_passes_a_second_still_opens(acme, monkeypatch):
    """The evaluation instant and the opening instant are one reading of the clock: read twice, a whole
    second could pass between the two and the opening would fall after `now` (ValueError before)."""
    start = timezone.now().replace(microsecond=999_000)
    ticks = iter(range(10_000))

    def ticking() -> datetime:
        return start + timedelta(milliseconds=2 * next(ticks))  # every reading is 2 ms later

    monkeypatch.setattr(timezone, "now", ticking)
    ticket = raise_ticket(acme)
    opened = ticket.events.get(kind="opened").at
    assert opened <= ticket.updated_at
    reply = services.ticket_reply(actor=acme["actor"], ticket=ticket, body="And again.")
    assert ticket.opened_at <= reply.created_at
