"""Opening a ticket: entitlement checks for the channel and severity, the contact, routing, the first
message and the clocks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction

from ossdesk.accounts.actor import Actor
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.customers.models import Contact, Deployment, Organization
from ossdesk.domain.entitlements import EntitlementDenied, check_channel, check_severity
from ossdesk.plans.selectors import entitlements_for, plan_refs
from ossdesk.products.models import Product, ProductVersion
from ossdesk.tickets import routing
from ossdesk.tickets.attachment_files import following_transaction
from ossdesk.tickets.escalation import ticket_check
from ossdesk.tickets.models import SYSTEM_CHANNELS, Channel, Message, Tag, Ticket
from ossdesk.tickets.services.attachments import Upload, store_attachments
from ossdesk.tickets.services.tickets import (
    ROUTING,
    emit_ticket_event,
    received,
    record_assignment,
    record_event,
)
from ossdesk.tickets.sla import reachability_value, whole_seconds


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
    if channel in SYSTEM_CHANNELS and not actor.is_system:
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
    opened_at = received(received_at, now=now)
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
    store_attachments(message, attachments)
    events = [
        record_event(
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
        events.append(record_assignment(ticket, ROUTING))
    ticket_check(ticket, now=now, opened=events)
    after = {**snapshot(ticket, exclude=frozenset({"tags"})), "tags": sorted({t.pk for t in tag_rows})}
    audit_record(actor=actor, action="create", instance=ticket, after=after, organization_id=organization.pk)
    emit_ticket_event("ticket.created", ticket)
    return Opened(ticket, message)
