"""Every write to a ticket: intake with entitlement checks, replies, notes, status, severity,
assignment, workaround, tags, attachments, time and consulting hours. Each one appends events,
re-evaluates the clocks and audits, in one transaction."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from ossdesk.accounts.access import can_manage_catalogue, require
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import Role, User
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.customers.models import Contact, Deployment, Organization
from ossdesk.domain.entitlements import EntitlementDenied, check_channel, check_severity
from ossdesk.notify import NotificationKind, notify
from ossdesk.plans.selectors import entitlements_for, plan_refs
from ossdesk.products.models import Product, ProductVersion
from ossdesk.tickets import routing
from ossdesk.tickets.attachment_files import file_written, following_transaction
from ossdesk.tickets.escalation import ticket_check
from ossdesk.tickets.models import (
    OPEN_STATUSES,
    SYSTEM_CHANNELS,
    Attachment,
    Calendar,
    Channel,
    ConsultingEngagement,
    ExtraHoliday,
    Message,
    SavedView,
    Status,
    Tag,
    Team,
    Ticket,
    TicketEvent,
    TimeEntry,
)
from ossdesk.tickets.payloads import ticket_payload
from ossdesk.tickets.selectors import QueueFilter
from ossdesk.tickets.sla import reachability_value, whole_seconds
from ossdesk.webhooks.services import emit

ATTACHMENT_MAX_BYTES: int = settings.OSSDESK_ATTACHMENT_MAX_BYTES
BLOCKED_EXTENSIONS = frozenset(
    {
        ".exe",
        ".com",
        ".bat",
        ".cmd",
        ".msi",
        ".scr",
        ".pif",
        ".vbs",
        ".vbe",
        ".js",
        ".jse",
        ".wsf",
        ".wsh",
        ".ps1",
        ".hta",
        ".cpl",
        ".jar",
        ".lnk",
        ".reg",
        ".dll",
        ".html",
        ".htm",
        ".svg",
        ".xhtml",
    }
)
ROUTING = Actor.system("routing", name="automatic routing")
STAFF_WORKERS = frozenset({Role.ADMIN, Role.ENGINEER, Role.ACCOUNT_MANAGER, Role.SECURITY_ANALYST, "system"})


@dataclass(frozen=True)
class Upload:
    """A file a person attached, before it is stored."""

    name: str
    content: bytes
    content_type: str = ""


def received(at: datetime | None) -> datetime:
    """The instant a message counts from, in whole seconds: when it arrived, never later than now."""
    now = whole_seconds()
    return now if at is None else min(whole_seconds(at), now)


def _require_staff(actor: Actor, what: str) -> None:
    if actor.role not in STAFF_WORKERS:
        raise PermissionDenied(f"Only the vendor's staff may {what}.")


def _require_access(actor: Actor, ticket: Ticket) -> None:
    if actor.is_staff:
        return
    if actor.organization_id != ticket.organization_id:
        raise Ticket.DoesNotExist("No such ticket.")


def _event(
    ticket: Ticket,
    actor: Actor,
    kind: str,
    value: str = "",
    *,
    at: datetime | None = None,
    message: Message | None = None,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        at=at or whole_seconds(),
        kind=kind,
        value=value,
        actor_id=actor.user_id,
        actor_label=actor.display_name,
        message=message,
        data=data or {},
    )


def _notify(
    users: Iterable[User | None], kind: NotificationKind, subject: str, ticket: Ticket, body: str = ""
) -> None:
    notify(
        kind=kind, recipients=users, subject=subject, body=body, ticket=ticket, url=f"/tickets/{ticket.pk}/"
    )


def check_attachment(upload: Upload) -> str:
    """Refuse oversize, empty or executable files, and content types that contradict the name."""
    name = PurePath(upload.name).name.strip()
    if not name:
        raise ValidationError({"attachments": "A file needs a name."})
    suffix = PurePath(name).suffix.lower()
    if suffix in BLOCKED_EXTENSIONS:
        raise ValidationError({"attachments": f"{name}: {suffix} files are not accepted; zip them first."})
    if len(upload.content) == 0:
        raise ValidationError({"attachments": f"{name} is empty."})
    if len(upload.content) > ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {
                "attachments": f"{name} is {len(upload.content) / 1048576:.1f} MiB; the limit is "
                f"{ATTACHMENT_MAX_BYTES // 1048576} MiB."
            }
        )
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    declared = (upload.content_type or guessed).split(";")[0].strip().lower()
    if declared in {"text/html", "application/xhtml+xml", "image/svg+xml", "application/javascript"}:
        raise ValidationError({"attachments": f"{name}: {declared} content is not accepted."})
    if upload.content[:2] == b"MZ" and suffix not in {".zip", ".gz", ".tar", ".7z"}:
        raise ValidationError({"attachments": f"{name} looks like a Windows executable."})
    return guessed


def _store_attachments(message: Message, uploads: Sequence[Upload]) -> list[Attachment]:
    # Every file is checked before any is written: a refused second file leaves no first one behind.
    content_types = [check_attachment(upload) for upload in uploads]
    stored = []
    for upload, content_type in zip(uploads, content_types, strict=True):
        attachment = Attachment(
            message=message,
            filename=PurePath(upload.name).name,
            content_type=content_type,
            size=len(upload.content),
            sha256=hashlib.sha256(upload.content).hexdigest(),
        )
        attachment.file.save(
            attachment.sha256[:16] + PurePath(upload.name).suffix.lower(),
            ContentFile(upload.content),
            save=False,
        )
        file_written(str(attachment.file.name))
        attachment.save()
        stored.append(attachment)
    return stored


def _intake_contact(actor: Actor, organization: Organization, contact: Contact | None) -> Contact:
    if actor.is_customer:
        if actor.organization_id != organization.pk:
            raise Organization.DoesNotExist("No such organisation.")
        contact = Contact.objects.filter(user_id=actor.user_id or 0, organization=organization).first()
    if contact is None:
        raise ValidationError({"contact": "Say which of the customer's contacts is raising the case."})
    if contact.organization_id != organization.pk:
        raise ValidationError({"contact": f"{contact.name} is not a contact of {organization.name}."})
    if not (contact.is_named and contact.is_active):
        raise EntitlementDenied(
            f"{contact.name} is not a named contact of {organization.name}; "
            "only named contacts may raise cases. "
            "A customer admin can make them one if a seat is free.",
            code="named_contact",
            plan_hint=False,
        )
    return contact


def check_intake(*, organization: Organization, channel: str, severity: str, product: Product) -> None:
    """The contract checks a new case must pass; each refusal says why and which plan would allow it."""
    entitlements = entitlements_for(organization=organization)
    plans = plan_refs()
    check_severity(entitlements, severity=severity, plans=plans)
    if channel not in SYSTEM_CHANNELS:  # the vendor's own systems use no channel of the customer's plan
        check_channel(entitlements, channel="portal" if channel == Channel.API else channel, plans=plans)
    if not entitlements.covers_product(product.pk):
        raise EntitlementDenied(
            f"{organization.name}'s {entitlements.plan_label} subscription does not cover {product.name}; "
            "an account manager can add it to the subscription.",
            code="product",
            plan_hint=False,
        )


def ticket_create(**fields: Any) -> Ticket:
    """Open a case after checking the contract: channel, severity, product, named contact (the
    arguments are `ticket_open`'s)."""
    return ticket_open(**fields).ticket


class Opened(NamedTuple):
    ticket: Ticket
    message: Message  # the customer's first message


@transaction.atomic
@following_transaction
def ticket_open(
    *,
    actor: Actor,
    organization: Organization,
    product: Product,
    subject: str,
    body: str,
    severity: str,
    channel: str = Channel.PORTAL,
    contact: Contact | None = None,
    product_version: ProductVersion | None = None,
    deployment: Deployment | None = None,
    is_proactive: bool = False,
    planned_for: datetime | None = None,
    attachments: Sequence[Upload] = (),
    tags: Sequence[str] = (),
    source_message_id: str = "",
    origin: str = "",
    received_at: datetime | None = None,
) -> Opened:
    """Open a case after checking the contract: channel, severity, product, named contact.
    `source_message_id` is the Message-ID of the e-mail that opened it: the acknowledgement answers it.
    A case that ossdesk's own systems open (channel system, security or monitoring) is opened by a system
    actor, and `origin` says what caused it ("advisory OSSDESK-2026-0001"); its contact is who the vendor
    reaches, not who raised it. `received_at`: when the customer's message reached the vendor (an e-mail's
    arrival), which is when the clocks start; default now."""
    if actor.is_customer and channel not in {Channel.PORTAL, Channel.API, Channel.EMAIL}:
        raise ValidationError({"channel": "Customers raise cases through the portal, the API or e-mail."})
    if channel in SYSTEM_CHANNELS and actor.role != "system":
        raise ValidationError({"channel": f"Only {Channel(channel).label} itself opens cases this way."})
    contact = _intake_contact(actor, organization, contact)
    errors = {}
    if not subject.strip():
        errors["subject"] = "Say in a line what is wrong."
    if not body.strip():
        errors["body"] = "Describe the problem: what happened, what you expected, what changed."
    if product_version is not None and product_version.product_id != product.pk:
        errors["product_version"] = f"{product_version} is not a version of {product.name}."
    if deployment is not None and deployment.organization_id != organization.pk:
        errors["deployment"] = "That deployment belongs to another organisation."
    now = whole_seconds()
    opened_at = received(received_at)
    if is_proactive and (planned_for is None or planned_for <= now):
        errors["planned_for"] = "A proactive case needs the planned maintenance's start, in the future."
    if errors:
        raise ValidationError(errors)
    check_intake(organization=organization, channel=channel, severity=severity, product=product)
    ticket = Ticket(
        organization=organization,
        contact=contact,
        product=product,
        product_version=product_version,
        deployment=deployment,
        subject=subject.strip()[:250],
        severity=severity,
        channel=channel,
        is_proactive=is_proactive,
        planned_for=planned_for if is_proactive else None,
        opened_at=opened_at,
        updated_at=now,
    )
    # Routing reads only the product and the severity, so the team and engineer go in with the insert.
    team = routing.team_for(ticket)
    assignee = routing.engineer_for(team) if team is not None else None
    ticket.team, ticket.assignee = team, assignee
    ticket.save(force_insert=True)
    message = Message.objects.create(
        ticket=ticket,
        author_id=actor.user_id,
        author_label=actor.display_name,
        from_customer=channel not in SYSTEM_CHANNELS,
        is_public=True,
        body=body,
        channel=channel,
        created_at=opened_at,
    )
    _store_attachments(message, attachments)
    events = [
        _event(
            ticket,
            actor,
            "opened",
            reachability_value(organization),
            at=opened_at,
            message=message,
            data={
                "severity": severity,
                "channel": channel,
                **({"message_id": source_message_id} if source_message_id else {}),
                **({"origin": origin[:200]} if origin else {}),
            },
        )
    ]
    tag_rows = [Tag.objects.get_or_create(name=t.strip().lower())[0] for t in tags if t.strip()]
    if tag_rows:
        ticket.tags.set(tag_rows)
    if team is not None:
        events.append(_assigned(ticket, ROUTING))
    ticket_check(ticket, now=now, opened=events)
    after = {**snapshot(ticket, exclude=frozenset({"tags"})), "tags": sorted({t.pk for t in tag_rows})}
    audit_record(actor=actor, action="create", instance=ticket, after=after, organization_id=organization.pk)
    _webhook("ticket.created", ticket)
    return Opened(ticket, message)


def _assign(ticket: Ticket, actor: Actor, *, team: Team | None, assignee: User | None) -> None:
    ticket.team, ticket.assignee = team, assignee
    Ticket.objects.filter(pk=ticket.pk).update(team=team, assignee=assignee)
    _assigned(ticket, actor)


def _assigned(ticket: Ticket, actor: Actor) -> TicketEvent:
    """The event and the assignee's notification for the ticket's (stored) team and assignee."""
    team, assignee = ticket.team, ticket.assignee
    event = _event(
        ticket,
        actor,
        "assigned",
        assignee.username if assignee else "",
        data={
            "team": team.name if team else None,
            "assignee": assignee.pk if assignee else None,
            "assignee_name": str(assignee) if assignee else None,
        },
    )
    _notify(
        [assignee],
        NotificationKind.TICKET_ASSIGNED,
        f"#{ticket.pk} assigned to you: {ticket.subject}",
        ticket,
    )
    return event


def _audit_update(actor: Actor, ticket: Ticket, before: dict[str, Any]) -> None:
    after = snapshot(ticket)
    audit_record(
        actor=actor,
        action="update",
        instance=ticket,
        before=before,
        after=after,
        organization_id=ticket.organization_id,
    )
    changes = {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}
    changes.pop("updated_at", None)
    if changes.get("status", [None, None])[1] == Status.SOLVED:
        _webhook("ticket.solved", ticket)
    elif changes:
        _webhook("ticket.updated", ticket, changes=changes, flat=True)


def _webhook(event_type: str, ticket: Ticket, *, flat: bool = False, **extra: Any) -> None:
    """Tell the webhooks that subscribe (docs/webhooks.md gives each event's data)."""
    payload = ticket_payload(ticket)
    data = {**payload, **extra} if flat or not extra else {"ticket": payload, **extra}
    emit(event_type, data, organization_id=ticket.organization_id)


def _touch(ticket: Ticket, **fields: Any) -> None:
    fields["updated_at"] = timezone.now()
    for key, value in fields.items():
        setattr(ticket, key, value)
    Ticket.objects.filter(pk=ticket.pk).update(**fields)


@transaction.atomic
@following_transaction
def ticket_reply(
    *,
    actor: Actor,
    ticket: Ticket,
    body: str,
    public: bool = True,
    attachments: Sequence[Upload] = (),
    channel: str = Channel.PORTAL,
    received_at: datetime | None = None,
) -> Message:
    """A public reply (customer or vendor) or an internal note (vendor only). `received_at`: when the
    message reached the vendor (an e-mail's arrival); its clocks count from then. Default now."""
    _require_access(actor, ticket)
    if not body.strip():
        raise ValidationError({"body": "Write something."})
    if not public and not actor.is_staff:
        raise PermissionDenied("Internal notes are for the vendor's staff.")
    if ticket.status == Status.CLOSED:
        raise ValidationError({"status": "This ticket is closed; open a new one and mention its number."})
    now = whole_seconds()
    at = max(received(received_at), ticket.opened_at)  # a server clock behind ours: never before opening
    from_customer = actor.is_customer
    message = Message.objects.create(
        ticket=ticket,
        author_id=actor.user_id,
        author_label=actor.display_name,
        from_customer=from_customer,
        is_public=public,
        body=body,
        channel=channel,
        created_at=at,
    )
    _store_attachments(message, attachments)
    if not public:
        _event(ticket, actor, "internal_note", at=at, message=message)
    elif from_customer:
        _event(ticket, actor, "customer_message", at=at, message=message)
        if ticket.status in {Status.WAITING_ON_CUSTOMER, Status.SOLVED}:
            _event(ticket, actor, "status", Status.OPEN, at=at, data={"reason": "customer replied"})
            _touch(ticket, status=Status.OPEN, solved_at=None)
        _notify(
            [ticket.assignee],
            NotificationKind.TICKET_CUSTOMER_REPLY,
            f"#{ticket.pk} customer replied: {ticket.subject}",
            ticket,
            body[:500],
        )
    else:
        _event(ticket, actor, "vendor_reply", at=at, message=message)
        if ticket.status == Status.NEW:
            _event(ticket, actor, "status", Status.OPEN, at=at, data={"reason": "first reply"})
            _touch(ticket, status=Status.OPEN)
    _touch(ticket)
    ticket_check(ticket, now=now)
    audit_record(
        actor=actor,
        action="create",
        instance=message,
        after={"ticket": ticket.pk, "public": public, "length": len(body)},
        organization_id=ticket.organization_id,
    )
    if public:
        reply = {
            "id": message.pk,
            "from_customer": message.from_customer,
            "author": message.author_label,
            "created_at": message.created_at.isoformat().replace("+00:00", "Z"),
        }
        _webhook("ticket.replied", ticket, reply=reply)
    return message


ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset(
        {Status.OPEN, Status.WAITING_ON_CUSTOMER, Status.WAITING_ON_THIRD_PARTY, Status.SOLVED, Status.CLOSED}
    ),
    Status.OPEN: frozenset(
        {Status.WAITING_ON_CUSTOMER, Status.WAITING_ON_THIRD_PARTY, Status.SOLVED, Status.CLOSED}
    ),
    Status.WAITING_ON_CUSTOMER: frozenset(
        {Status.OPEN, Status.WAITING_ON_THIRD_PARTY, Status.SOLVED, Status.CLOSED}
    ),
    Status.WAITING_ON_THIRD_PARTY: frozenset(
        {Status.OPEN, Status.WAITING_ON_CUSTOMER, Status.SOLVED, Status.CLOSED}
    ),
    Status.SOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}
CUSTOMER_TRANSITIONS = frozenset({Status.CLOSED, Status.OPEN})


@transaction.atomic
def ticket_set_status(*, actor: Actor, ticket: Ticket, status: str, reason: str = "") -> Ticket:
    """Move a ticket; customers may close it, or reopen a solved one."""
    _require_access(actor, ticket)
    if status not in Status.values:
        raise ValidationError({"status": f"Choose from {', '.join(Status.values)}."})
    if status == ticket.status:
        return ticket
    if status not in ALLOWED_TRANSITIONS[ticket.status]:
        raise ValidationError(
            {
                "status": f"A {ticket.get_status_display().lower()} ticket cannot become "
                f"{Status(status).label.lower()}."
            }
        )
    if actor.is_customer and (
        status not in CUSTOMER_TRANSITIONS or (status == Status.OPEN and ticket.status != Status.SOLVED)
    ):
        raise PermissionDenied("Customers may close a ticket or reopen a solved one.")
    now = whole_seconds()
    before = snapshot(ticket)
    _event(ticket, actor, "status", status, at=now, data={"from": ticket.status, "reason": reason})
    solved_at = now if status == Status.SOLVED else (ticket.solved_at if status == Status.CLOSED else None)
    _touch(ticket, status=status, solved_at=solved_at)
    ticket_check(ticket, now=now)
    _audit_update(actor, ticket, before)
    return ticket


@transaction.atomic
def ticket_set_severity(*, actor: Actor, ticket: Ticket, severity: str, reason: str) -> Ticket:
    """Change severity; every clock is re-targeted from the ticket's start (pauses kept)."""
    _require_staff(actor, "change a ticket's severity")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the severity changes; the customer sees it."})
    if severity == ticket.severity:
        return ticket
    check_severity(entitlements_for(organization=ticket.organization), severity=severity, plans=plan_refs())
    before = snapshot(ticket)
    now = whole_seconds()
    _event(ticket, actor, "severity", severity, at=now, data={"from": ticket.severity, "reason": reason})
    _touch(ticket, severity=severity)
    ticket_check(ticket, now=now)
    _audit_update(actor, ticket, before)
    return ticket


@transaction.atomic
def ticket_assign(*, actor: Actor, ticket: Ticket, assignee: User | None, team: Team | None = None) -> Ticket:
    """Manual (re)assignment to an engineer and/or a team."""
    _require_staff(actor, "assign tickets")
    if assignee is not None and not assignee.is_vendor_staff:
        raise ValidationError({"assignee": f"{assignee} is not on the vendor's staff."})
    team = team if team is not None else ticket.team
    before = snapshot(ticket)
    _assign(ticket, actor, team=team, assignee=assignee)
    _touch(ticket)
    _audit_update(actor, ticket, before)
    return ticket


@transaction.atomic
def ticket_mark_workaround(*, actor: Actor, ticket: Ticket, note: str = "") -> Ticket:
    """Record that a workaround was given: the workaround clock is met."""
    _require_staff(actor, "record a workaround")
    now = whole_seconds()
    _event(ticket, actor, "workaround", at=now, data={"note": note})
    _touch(ticket)
    ticket_check(ticket, now=now)
    audit_record(
        actor=actor,
        action="action",
        instance=ticket,
        after={"workaround": note or True},
        organization_id=ticket.organization_id,
    )
    return ticket


@transaction.atomic
def ticket_set_tags(*, actor: Actor, ticket: Ticket, tags: Sequence[str]) -> Ticket:
    _require_staff(actor, "tag tickets")
    names = sorted({t.strip().lower() for t in tags if t.strip()})
    ticket.tags.set([Tag.objects.get_or_create(name=name)[0] for name in names])
    _event(ticket, actor, "tagged", ",".join(names)[:100])
    audit_record(
        actor=actor,
        action="update",
        instance=ticket,
        after={"tags": names},
        organization_id=ticket.organization_id,
    )
    return ticket


def organization_reachability_changed(*, organization: Organization) -> None:
    """A contact's 24/7 reachability changed: S1 clocks of open tickets take note."""
    value = reachability_value(organization)
    for ticket in Ticket.objects.filter(organization=organization, status__in=OPEN_STATUSES, severity="S1"):
        last = ticket.events.filter(kind__in=["reachability", "opened"]).order_by("-at", "-pk").first()
        if last is not None and last.value == value:
            continue
        _event(ticket, Actor.system("contacts"), "reachability", value)
        ticket_check(ticket)


# -- consulting hours --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsultingBalance:
    bank_hours: Decimal
    used_hours: Decimal

    @property
    def remaining_hours(self) -> Decimal:
        return self.bank_hours - self.used_hours


@transaction.atomic
def engagement_create(
    *, actor: Actor, organization: Organization, title: str, description: str = ""
) -> ConsultingEngagement:
    _require_staff(actor, "open consulting engagements")
    if not title.strip():
        raise ValidationError({"title": "Give the engagement a title."})
    agreement = entitlements_for(organization=organization).agreement
    engagement = ConsultingEngagement.objects.create(
        organization=organization,
        agreement_id=agreement.id if agreement else None,
        title=title.strip(),
        description=description,
    )
    audit_record(
        actor=actor,
        action="create",
        instance=engagement,
        after=snapshot(engagement),
        organization_id=organization.pk,
    )
    return engagement


@transaction.atomic
def time_log(
    *,
    actor: Actor,
    minutes: int,
    ticket: Ticket | None = None,
    engagement: ConsultingEngagement | None = None,
    consulting: bool = False,
    note: str = "",
    work_date: date | None = None,
) -> TimeEntry:
    """Log time on a ticket or an engagement; consulting time draws on the agreement's hour bank."""
    _require_staff(actor, "log time")
    if (ticket is None) == (engagement is None):
        raise ValidationError({"ticket": "Log time on exactly one ticket or engagement."})
    if minutes <= 0 or minutes > 24 * 60:
        raise ValidationError({"minutes": "Between 1 minute and 24 hours."})
    organization = ticket.organization if ticket else engagement.organization  # type: ignore[union-attr]
    consulting = consulting or engagement is not None
    agreement_id = None
    if consulting:
        agreement = entitlements_for(organization=organization).agreement
        if agreement is None:
            raise EntitlementDenied(
                f"{organization.name} has no agreement with a consulting-hour bank.",
                code="consulting_hours",
                allowed_by="Enterprise",
            )
        agreement_id = agreement.id
        balance = consulting_balance(organization=organization)
        if Decimal(minutes) / 60 > balance.remaining_hours:
            raise EntitlementDenied(
                f"{organization.name} has {balance.remaining_hours:.2f} consulting hours left in its bank; "
                f"{minutes / 60:.2f} were asked for.",
                code="consulting_hours",
                plan_hint=False,
            )
    user = User.objects.get(pk=actor.user_id) if actor.user_id else None
    if user is None:
        raise ValidationError({"user": "Time is logged by a person."})
    entry = TimeEntry.objects.create(
        organization=organization,
        ticket=ticket,
        engagement=engagement,
        agreement_id=agreement_id,
        user=user,
        minutes=minutes,
        consulting=consulting,
        note=note,
        work_date=work_date or timezone.localdate(),
    )
    if ticket is not None:
        _event(ticket, actor, "time_logged", str(minutes), data={"consulting": consulting, "note": note})
    audit_record(
        actor=actor, action="create", instance=entry, after=snapshot(entry), organization_id=organization.pk
    )
    return entry


def consulting_balance(*, organization: Organization) -> ConsultingBalance:
    """Hours in the current agreement's bank and hours drawn from it."""
    from django.db.models import Sum

    agreement = entitlements_for(organization=organization).agreement
    if agreement is None:
        return ConsultingBalance(Decimal(0), Decimal(0))
    from ossdesk.plans.models import Agreement

    bank = Agreement.objects.get(pk=agreement.id).consulting_hours_bank
    used = (
        TimeEntry.objects.filter(agreement_id=agreement.id, consulting=True).aggregate(m=Sum("minutes"))["m"]
        or 0
    )
    return ConsultingBalance(Decimal(bank), (Decimal(used) / 60).quantize(Decimal("0.01")))


# -- calendars and holidays ------------------------------------------------------------------------------


@transaction.atomic
def extra_holiday_add(
    *, actor: Actor, day: date, name: str, country: str = "", calendar: Calendar | None = None
) -> ExtraHoliday:
    """A day off beyond public holidays; the deadlines of affected open tickets are recomputed."""
    require(can_manage_catalogue(actor) or actor.role == Role.ACCOUNT_MANAGER, "Only admins add holidays.")
    country = country.upper()
    if (calendar is None) == (not country):
        raise ValidationError({"country": "Give a country (for its customers) or a team calendar, not both."})
    if not name.strip():
        raise ValidationError({"name": "Name the holiday."})
    holiday = ExtraHoliday.objects.create(calendar=calendar, country=country, date=day, name=name.strip())
    audit_record(actor=actor, action="create", instance=holiday, after=snapshot(holiday))
    if country:
        from ossdesk.tickets.tasks import deadlines_recalculate_task

        transaction.on_commit(
            lambda: deadlines_recalculate_task(country=country, changed_from=day.isoformat())
        )
    return holiday


@transaction.atomic
def calendar_create(
    *,
    actor: Actor,
    name: str,
    timezone_name: str,
    weekly: dict[str, Any],
    holidays_country: str = "",
    holidays_subdiv: str = "",
) -> Calendar:
    """A named set of shifts for a team."""
    require(can_manage_catalogue(actor), "Only admins change calendars.")
    from ossdesk.domain.calendar import BusinessCalendar

    try:
        BusinessCalendar(timezone_name, weekly)
    except ValueError as exc:
        raise ValidationError({"weekly": str(exc)}) from None
    calendar = Calendar.objects.create(
        name=name,
        timezone=timezone_name,
        weekly=weekly,
        holidays_country=holidays_country.upper(),
        holidays_subdiv=holidays_subdiv,
    )
    audit_record(actor=actor, action="create", instance=calendar, after=snapshot(calendar))
    return calendar


@transaction.atomic
def team_create(
    *,
    actor: Actor,
    name: str,
    products: Sequence[Product] = (),
    severities: Sequence[str] = (),
    members: Sequence[User] = (),
    lead: User | None = None,
    calendar: Calendar | None = None,
    assignment: str = Team.Assignment.LEAST_LOADED,
    is_default: bool = False,
) -> Team:
    """A team of engineers with product skills, a calendar and an assignment rule."""
    require(can_manage_catalogue(actor), "Only admins change teams.")
    bad = [s for s in severities if s not in {"S1", "S2", "S3", "S4"}]
    if bad:
        raise ValidationError({"severities": f"Unknown severities: {', '.join(bad)}."})
    outsiders = [str(m) for m in [*members, *([lead] if lead else [])] if not m.is_vendor_staff]
    if outsiders:
        raise ValidationError({"members": f"Not on the vendor's staff: {', '.join(outsiders)}."})
    team = Team.objects.create(
        name=name,
        severities=list(severities),
        lead=lead,
        calendar=calendar,
        assignment=assignment,
        is_default=is_default,
    )
    team.products.set(products)
    team.members.set(members)
    audit_record(actor=actor, action="create", instance=team, after=snapshot(team))
    return team


# -- saved queue views ------------------------------------------------------------------------------------


def queue_filter_dict(filters: QueueFilter) -> dict[str, Any]:
    """The filters that are set, as a saved view stores them."""
    return {key: value for key, value in asdict(filters).items() if value not in ("", None)}


@transaction.atomic
def saved_view_save(*, actor: Actor, name: str, filters: QueueFilter, shared: bool = False) -> SavedView:
    """Save the queue's current filters under a name; saving a name again replaces its filters."""
    if not actor.is_staff or actor.user_id is None:
        raise PermissionDenied("Saved views are for the vendor's staff.")
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the view, e.g. “Kafka S1s”."})
    view = SavedView.objects.filter(owner_id=actor.user_id, name=name).first()
    before = snapshot(view) if view else None
    if view is None:
        view = SavedView(owner_id=actor.user_id, name=name)
    view.filters = queue_filter_dict(filters)
    view.shared = shared
    view.save()
    audit_record(
        actor=actor,
        action="update" if before else "create",
        instance=view,
        before=before,
        after=snapshot(view),
    )
    return view


@transaction.atomic
def saved_view_delete(*, actor: Actor, view: SavedView) -> None:
    """Owners delete their views; admins may delete a shared view nobody needs any more."""
    if view.owner_id != actor.user_id and actor.role != Role.ADMIN:
        raise PermissionDenied("Only the view's owner may delete it.")
    audit_record(actor=actor, action="delete", instance=view, before=snapshot(view))
    view.delete()
