"""Writes of webhooks: endpoints, emitting events, delivering them, retrying, disabling.

`emit()` is the one call other services make: it stores the event and one pending delivery per
endpoint that subscribes to it and may see it, and hands them to the worker once the caller's
transaction commits. Retries are rows with a due time (`next_attempt_at`) that a sweep picks up
every minute, so a restart loses nothing.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ossdesk.accounts.access import can_manage_webhooks, require
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import Role, User
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.config.queue import enqueue
from ossdesk.customers.models import Contact, Organization
from ossdesk.memo import memoized
from ossdesk.notify import Notice, NotificationKind, notify
from ossdesk.webhooks import policy, signing, transport
from ossdesk.webhooks.models import Delivery, Endpoint, Event

SECRET_PREFIX = "whsec_"  # noqa: S105 - a public prefix, not a secret
NOT_AUDITED = frozenset({"secret", "updated_at", "created_at"})
# While one worker sends a delivery, no other picks it up; long enough for connect, send and read.
LEASE = timedelta(seconds=60)
USER_AGENT = "ossdesk-webhooks/1"
SWEEPER = Actor.system("webhooks")
SEND_TASK = "ossdesk.webhooks.tasks.deliveries_send_task"


# -- settings and gates -------------------------------------------------------------------------------


def _allow_local() -> bool:
    return bool(getattr(settings, "OSSDESK_WEBHOOKS_ALLOW_HTTP", False))


def _max_attempts() -> int:
    return int(getattr(settings, "OSSDESK_WEBHOOKS_MAX_ATTEMPTS", 8))


def _disable_after() -> int:
    return int(getattr(settings, "OSSDESK_WEBHOOKS_DISABLE_AFTER", 10))


def _timeout() -> float:
    return float(getattr(settings, "OSSDESK_WEBHOOKS_TIMEOUT", 5))


# -- endpoints ----------------------------------------------------------------------------------------


def _checked_url(url: str) -> str:
    url = url.strip()
    try:
        transport.resolve(url, allow_local=_allow_local())
    except transport.UrlRefused as exc:
        raise ValidationError({"url": str(exc)}) from None
    return url


def _checked_patterns(patterns: Iterable[str]) -> list[str]:
    cleaned = list(dict.fromkeys(p.strip() for p in patterns if p.strip()))
    if not cleaned:
        raise ValidationError({"event_types": "Subscribe to at least one event type, e.g. ticket.*."})
    problems = [problem for p in cleaned if (problem := policy.pattern_problem(p))]
    if problems:
        raise ValidationError({"event_types": problems})
    return cleaned


def _audit_snapshot(endpoint: Endpoint) -> dict[str, Any]:
    return snapshot(endpoint, exclude=NOT_AUDITED)


@transaction.atomic
def endpoint_create(
    *,
    actor: Actor,
    organization: Organization | None,
    url: str,
    event_types: list[str],
    description: str = "",
    is_active: bool = True,
) -> tuple[Endpoint, str]:
    """Register an endpoint; its signing secret is returned this once."""
    organization_id = organization.pk if organization is not None else None
    require(can_manage_webhooks(actor, organization_id), "You may not manage these webhooks.")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    endpoint = Endpoint(
        organization=organization,
        url=_checked_url(url),
        description=description.strip(),
        event_types=_checked_patterns(event_types),
        secret=secret,
        is_active=is_active,
        created_by=actor.user,
    )
    endpoint.full_clean()
    endpoint.save()
    audit_record(
        actor=actor,
        action="create",
        instance=endpoint,
        after=_audit_snapshot(endpoint),
        organization_id=organization_id,
    )
    return endpoint, secret


@transaction.atomic
def endpoint_update(
    *,
    actor: Actor,
    endpoint: Endpoint,
    url: str | None = None,
    event_types: list[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> Endpoint:
    """Change an endpoint; switching a disabled one back on forgets its failures."""
    require(can_manage_webhooks(actor, endpoint.organization_id), "You may not manage these webhooks.")
    before = _audit_snapshot(endpoint)
    if url is not None:
        endpoint.url = _checked_url(url)
    if event_types is not None:
        endpoint.event_types = _checked_patterns(event_types)
    if description is not None:
        endpoint.description = description.strip()
    if is_active is not None:
        if is_active and not endpoint.is_active:
            endpoint.consecutive_failures = 0
            endpoint.disabled_at = None
            endpoint.disabled_reason = ""
        endpoint.is_active = is_active
    endpoint.full_clean()
    endpoint.save()
    audit_record(
        actor=actor,
        action="update",
        instance=endpoint,
        before=before,
        after=_audit_snapshot(endpoint),
        organization_id=endpoint.organization_id,
    )
    return endpoint


@transaction.atomic
def endpoint_delete(*, actor: Actor, endpoint: Endpoint) -> None:
    """Remove an endpoint and its delivery log; the events themselves stay."""
    require(can_manage_webhooks(actor, endpoint.organization_id), "You may not manage these webhooks.")
    audit_record(
        actor=actor,
        action="delete",
        instance=endpoint,
        before=_audit_snapshot(endpoint),
        organization_id=endpoint.organization_id,
    )
    endpoint.delete()


def _require_active(endpoint: Endpoint) -> None:
    if not endpoint.is_active:
        raise ValidationError({"endpoint": "The endpoint is disabled; switch it on (is_active: true) first."})


@transaction.atomic
def endpoint_ping(*, actor: Actor, endpoint: Endpoint, now: datetime | None = None) -> Delivery:
    """Send a `ping` event to this one endpoint, whatever it subscribes to."""
    require(can_manage_webhooks(actor, endpoint.organization_id), "You may not manage these webhooks.")
    _require_active(endpoint)
    now = now or timezone.now()
    event = Event.objects.create(
        type=policy.PING,
        organization_id=endpoint.organization_id,
        payload={"endpoint": endpoint.pk, "requested_by": actor.label},
        created_at=now,
    )
    delivery = Delivery.objects.create(event=event, endpoint=endpoint, next_attempt_at=now, created_at=now)
    audit_record(
        actor=actor,
        action="action",
        instance=endpoint,
        after={"ping": delivery.pk},
        organization_id=endpoint.organization_id,
    )
    _enqueue_on_commit([delivery.pk])
    return delivery


@transaction.atomic
def delivery_redeliver(*, actor: Actor, delivery: Delivery, now: datetime | None = None) -> Delivery:
    """Send a delivered, failed or given-up event again, as a new series of attempts with the same key."""
    endpoint = delivery.endpoint
    require(can_manage_webhooks(actor, endpoint.organization_id), "You may not manage these webhooks.")
    _require_active(endpoint)
    pending = Delivery.objects.filter(key=delivery.key, status=Delivery.Status.PENDING).first()
    if pending is not None:
        raise ValidationError(
            {"delivery": f"Delivery {pending.pk} of this event is already waiting to be sent."}
        )
    now = now or timezone.now()
    again = Delivery.objects.create(
        event=delivery.event,
        endpoint=endpoint,
        key=delivery.key,
        attempt=1,
        is_redelivery=True,
        next_attempt_at=now,
        created_at=now,
    )
    audit_record(
        actor=actor,
        action="action",
        instance=again,
        after={"redelivery_of": delivery.pk, **snapshot(again)},
        organization_id=endpoint.organization_id,
    )
    _enqueue_on_commit([again.pk])
    return again


# -- emitting -----------------------------------------------------------------------------------------


def _json_safe(payload: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    return result


def listening(event_type: str) -> bool:
    """Whether any active endpoint subscribes to `event_type`: a cheap check before building many payloads."""
    return any(
        policy.subscribes(endpoint.event_types, event_type)
        for endpoint in Endpoint.objects.filter(is_active=True).only("event_types")
    )


def _active_endpoints() -> list[Endpoint]:
    return list(Endpoint.objects.filter(is_active=True).only("id", "organization_id", "event_types"))


def emit(
    event_type: str, payload: dict[str, Any], *, organization_id: int | None, now: datetime | None = None
) -> Event | None:
    """Record an event and a pending delivery for each active endpoint that subscribes to it and may
    see it; the worker sends them once the caller's transaction commits.

    An organisation's endpoints get only that organisation's events; the vendor's endpoints (no
    organisation) get every event. Without any such endpoint nothing is stored and None is returned.
    """
    if event_type not in policy.EVENT_TYPES:
        raise ValueError(f"Unknown webhook event type {event_type!r}; see ossdesk.webhooks.policy")
    targets = [
        endpoint
        for endpoint in memoized("webhooks.endpoints", _active_endpoints)
        if endpoint.organization_id in (None, organization_id)
        and policy.subscribes(endpoint.event_types, event_type)
    ]
    if not targets:
        return None
    now = now or timezone.now()
    with transaction.atomic():
        event = Event.objects.create(
            type=event_type, organization_id=organization_id, payload=_json_safe(payload), created_at=now
        )
        deliveries = Delivery.objects.bulk_create(
            Delivery(event=event, endpoint=endpoint, next_attempt_at=now, created_at=now)
            for endpoint in targets
        )
        _enqueue_on_commit([d.pk for d in deliveries])
    return event


def notice_emit(notice: Notice) -> None:
    """The webhooks channel of `ossdesk.notify`: emit the event a notice comes with, if any."""
    if notice.event is not None:
        emit(notice.event.type, notice.event.data, organization_id=notice.event.organization_id)


def _enqueue_on_commit(delivery_ids: list[int]) -> None:
    transaction.on_commit(lambda: enqueue(SEND_TASK, delivery_ids))


# -- delivering ---------------------------------------------------------------------------------------


def request_body(event: Event) -> bytes:
    """What is POSTed: the same bytes on every attempt of an event."""
    envelope = {
        "id": event.pk,
        "type": event.type,
        "created_at": event.created_at.isoformat().replace("+00:00", "Z"),
        "organization": event.organization_id,
        "data": event.payload,
    }
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()


def request_headers(delivery: Delivery, body: bytes, now: datetime) -> dict[str, str]:
    timestamp = int(now.timestamp())
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Ossdesk-Event": delivery.event.type,
        "Ossdesk-Delivery": str(delivery.key),
        "Ossdesk-Timestamp": str(timestamp),
        "Ossdesk-Signature": signing.signature_header(delivery.endpoint.secret, timestamp, body),
    }


def _claim(delivery_id: int, now: datetime) -> bool:
    """Take a due delivery for this worker; False when it is not due, done, or another worker has it."""
    claimed = Delivery.objects.filter(
        pk=delivery_id,
        status=Delivery.Status.PENDING,
        next_attempt_at__lte=now,
        endpoint__is_active=True,
    ).update(next_attempt_at=now + LEASE)
    return claimed == 1


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> Delivery | None:
    """POST one due delivery and record the outcome; None when it was not due or is someone else's."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = Delivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    body = request_body(delivery.event)
    outcome = transport.post(
        delivery.endpoint.url,
        body,
        request_headers(delivery, body, now),
        timeout=_timeout(),
        allow_local=_allow_local(),
    )
    with transaction.atomic():
        _record(delivery, outcome, now)
    return delivery


def _record(delivery: Delivery, outcome: transport.Outcome, now: datetime) -> None:
    delivery.attempted_at = now
    delivery.response_code = outcome.status
    delivery.response_body = outcome.body[:1000]
    delivery.error = outcome.error[:500]
    delivery.duration_ms = outcome.duration_ms
    delivery.next_attempt_at = None
    endpoint = delivery.endpoint
    if outcome.ok:
        delivery.status = Delivery.Status.SUCCEEDED
        delivery.save()
        Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        return
    if not delivery.error:
        delivery.error = f"HTTP {outcome.status}: only 2xx counts as delivered."
    if delivery.attempt >= _max_attempts():
        delivery.status = Delivery.Status.GAVE_UP
    else:
        delivery.status = Delivery.Status.FAILED
        Delivery.objects.create(
            event_id=delivery.event_id,
            endpoint=endpoint,
            key=delivery.key,
            attempt=delivery.attempt + 1,
            is_redelivery=delivery.is_redelivery,
            next_attempt_at=now + policy.retry_delay(delivery.attempt),
            created_at=now,
        )
    delivery.save()
    Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    endpoint.refresh_from_db(fields=["consecutive_failures", "is_active"])
    if endpoint.is_active and endpoint.consecutive_failures >= _disable_after():
        _disable(endpoint, now=now, last_error=delivery.error)


def _disable(endpoint: Endpoint, *, now: datetime, last_error: str) -> None:
    before = _audit_snapshot(endpoint)
    endpoint.is_active = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = (
        f"{endpoint.consecutive_failures} deliveries failed in a row; last: {last_error}"
    )[:300]
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"])
    audit_record(
        actor=SWEEPER,
        action="update",
        instance=endpoint,
        before=before,
        after=_audit_snapshot(endpoint),
        organization_id=endpoint.organization_id,
    )
    notify(
        kind=NotificationKind.WEBHOOK_DISABLED,
        recipients=_owners(endpoint),
        subject=f"Webhook endpoint disabled: {endpoint.url}"[:300],
        body=f"{endpoint.disabled_reason}\nPending deliveries wait; switch the endpoint back on "
        "to send them, or redeliver from its delivery log.",
        url=f"/api/webhooks/endpoints/{endpoint.pk}/",
    )


def _owners(endpoint: Endpoint) -> list[User]:
    """Who hears that an endpoint was disabled: its creator and, for an organisation's endpoint, the
    organisation's admin contacts; the vendor's admins when nobody else is left."""
    people: dict[int, User] = {}
    if endpoint.created_by is not None and endpoint.created_by.is_active:
        people[endpoint.created_by.pk] = endpoint.created_by
    if endpoint.organization_id is not None:
        admins = Contact.objects.filter(
            organization_id=endpoint.organization_id,
            role=Contact.Role.ADMIN,
            is_active=True,
            user__is_active=True,
        ).select_related("user")
        people.update({c.user.pk: c.user for c in admins if c.user is not None})
    if not people:
        people = {u.pk: u for u in User.objects.filter(role=Role.ADMIN, is_active=True)}
    return list(people.values())


def deliveries_send(*, delivery_ids: list[int], now: datetime | None = None) -> int:
    """Attempt the given deliveries now; returns how many were attempted."""
    return sum(delivery_attempt(delivery_id=pk, now=now) is not None for pk in delivery_ids)


def deliveries_sweep(*, now: datetime | None = None, limit: int = 200) -> int:
    """Attempt every delivery that has come due (first tries the queue missed, retries, expired
    leases) on active endpoints, oldest due first."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(
            status=Delivery.Status.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return deliveries_send(delivery_ids=due, now=now)
