"""The mailboxes mail arrives in: delivered to by LMTP, polled over IMAP (each on its own interval, with
the outcome kept on the mailbox), and added, changed and removed by staff (their secrets never in the audit
log). What arrives is stored and processed by `intake`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from ossdesk.accounts.access import can_manage_mailboxes, require
from ossdesk.accounts.actor import Actor
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.channels import imap
from ossdesk.channels.inbox import STAFF_ONLY
from ossdesk.channels.intake import MAIL, Inbound, inbound_process, inbound_store
from ossdesk.channels.models import Mailbox
from ossdesk.memo import memo_scope
from ossdesk.products.models import Product
from ossdesk.unset import UNSET, Unset, given

logger = logging.getLogger(__name__)


# -- LMTP ------------------------------------------------------------------------------------------


def mailbox_for_address(address: str) -> Mailbox | None:
    """The active mailbox that receives mail for an address (LMTP's RCPT TO)."""
    clean = address.strip().strip("<>")
    if not clean:
        return None
    return Mailbox.objects.filter(address__iexact=clean, is_active=True).first()


def lmtp_deliver(
    *, raw: bytes, mail_from: str, recipients: Sequence[str], accepted_at: datetime | None = None
) -> list[str]:
    """Store one delivered message; one LMTP status line per recipient (RFC 2033). A store that fails
    answers 451, so the MTA keeps the mail and tries again: nothing is lost. `accepted_at`: the instant
    the receiver had the whole message."""
    statuses = []
    for recipient in recipients:
        mailbox = mailbox_for_address(recipient)
        if mailbox is None:
            statuses.append(f"550 5.1.1 <{recipient}>: no such mailbox here")
            continue
        try:
            row, created = inbound_store(
                raw=raw, source="lmtp", mailbox=mailbox, envelope_from=mail_from, received_at=accepted_at
            )
        except DatabaseError:
            logger.exception("LMTP: could not store a message for %s", recipient)
            statuses.append(f"451 4.3.0 <{recipient}>: cannot store the message now; try again later")
            continue
        statuses.append(
            f"250 2.0.0 <{recipient}> stored as #{row.pk}{'' if created else ' (already had it)'}"
        )
    return statuses


# -- IMAP ------------------------------------------------------------------------------------------


def mailbox_account(mailbox: Mailbox) -> imap.Account:
    return imap.Account(
        name=mailbox.name,
        host=mailbox.imap_host,
        port=mailbox.imap_port,
        security=mailbox.imap_security,
        username=mailbox.imap_username,
        auth=mailbox.imap_auth,
        password=mailbox.imap_password,
        folder=mailbox.folder or "INBOX",
        processed_folder=mailbox.processed_folder,
        timeout=settings.OSSDESK_MAIL_IMAP_TIMEOUT,
        ca_file=settings.OSSDESK_MAIL_CA_FILE,
    )


def mailbox_access_token(*, mailbox: Mailbox, force: bool = False, now: datetime | None = None) -> str:
    """The mailbox's OAuth 2.0 access token: the stored one while it is valid for another minute, else
    a fresh one from the provider (stored, with a rotated refresh token if the provider sends one)."""
    now = now or timezone.now()
    mailbox.refresh_from_db(fields=["oauth_access_token", "oauth_expires_at", "oauth_refresh_token"])
    valid = mailbox.oauth_expires_at is not None and mailbox.oauth_expires_at > now + timedelta(minutes=1)
    if mailbox.oauth_access_token and valid and not force:
        return str(mailbox.oauth_access_token)
    grant = imap.refresh_access_token(
        token_url=mailbox.oauth_token_url,
        client_id=mailbox.oauth_client_id,
        client_secret=mailbox.oauth_client_secret,
        refresh_token=mailbox.oauth_refresh_token,
        scope=mailbox.oauth_scope,
        now=now,
    )
    with transaction.atomic():
        mailbox.oauth_access_token, mailbox.oauth_expires_at = grant.access_token, grant.expires_at
        fields = ["oauth_access_token", "oauth_expires_at"]
        if grant.refresh_token and grant.refresh_token != mailbox.oauth_refresh_token:
            mailbox.oauth_refresh_token = grant.refresh_token
            fields.append("oauth_refresh_token")
        mailbox.save(update_fields=fields)
        audit_record(
            actor=MAIL,
            action="update",
            instance=mailbox,
            after={
                "oauth_access_token": "refreshed",  # never the secret itself
                "oauth_expires_at": grant.expires_at,
                "refresh_token_rotated": "oauth_refresh_token" in fields,
            },
        )
    return grant.access_token


def _store_into(mailbox: Mailbox) -> imap.Store:
    """Store a fetched message (committed), then process it here, before the server is told: the poll
    is the worker already, and a batch of messages shares its reads of the contract (`memo_scope`)."""

    def store(raw: bytes, received_at: datetime | None) -> object:
        if transaction.get_connection().in_atomic_block:
            # The server is told "done" right after this returns: the row must be committed by then.
            raise RuntimeError("IMAP messages must be stored outside a transaction (autocommit)")
        row, created = inbound_store(
            raw=raw, source=mailbox.source, mailbox=mailbox, enqueue=False, received_at=received_at
        )
        if row.status == Inbound.RECEIVED:  # never raises for the message's sake: failures are kept
            inbound_process(inbound_id=row.pk, stored=row if created else None)
        return row

    return store


def _token_source(mailbox: Mailbox) -> imap.TokenSource | None:
    if mailbox.imap_auth != Mailbox.Auth.XOAUTH2:
        return None
    return lambda force: mailbox_access_token(mailbox=mailbox, force=force)


def _polled(mailbox: Mailbox, error: str) -> None:
    # Bookkeeping of the integration, not a change anyone made: not audited (it would be every minute).
    now = timezone.now()
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=now, last_error=error[:2000])
    mailbox.last_polled_at, mailbox.last_error = now, error[:2000]


def mailbox_fetch(*, mailbox: Mailbox) -> int:
    """One poll of an IMAP mailbox: store each new message (committed), then mark it read or move it.
    The outcome (or the error) is kept on the mailbox; errors are raised too."""
    if not mailbox.imap_host:
        raise ValidationError(
            {"imap_host": f"Mailbox {mailbox.name} has no IMAP server (it receives by LMTP)."}
        )
    try:
        count = imap.poll(
            mailbox_account(mailbox), _store_into(mailbox), _token_source(mailbox), batch=memo_scope
        )
    except Exception as exc:
        _polled(mailbox, f"{type(exc).__name__}: {exc}")
        raise
    _polled(mailbox, "")
    return count


def mailbox_idle(*, mailbox: Mailbox, stop: Any, idle_seconds: float = imap.IDLE_SECONDS) -> None:
    """Fetch, then wait in IMAP IDLE for new mail and fetch again, until `stop` (an Event) is set.

    It runs in a thread of its own: when it stops, it closes that thread's database connections."""
    try:
        imap.idle_loop(
            mailbox_account(mailbox),
            _store_into(mailbox),
            stop=stop,
            token=_token_source(mailbox),
            idle_seconds=idle_seconds,
            on_error=lambda exc: _polled(mailbox, f"{type(exc).__name__}: {exc}"),
            batch=memo_scope,
        )
    finally:
        connections.close_all()


@dataclass(frozen=True)
class PollReport:
    mailboxes: int
    stored: int
    errors: int


def mailboxes_poll_due(*, now: datetime | None = None) -> PollReport:
    """Poll each active IMAP mailbox whose interval has passed; one failing mailbox stops no other."""
    now = now or timezone.now()
    polled = stored = failed = 0
    # Secrets are read when each mailbox is polled, so one that cannot be decrypted (a lost key) fails
    # that mailbox, with the error shown on it, and no other.
    for mailbox in Mailbox.objects.filter(is_active=True).exclude(imap_host="").defer(*SECRET_FIELDS):
        if mailbox.last_polled_at and mailbox.last_polled_at > now - timedelta(
            seconds=mailbox.poll_seconds - 5
        ):
            continue
        polled += 1
        try:
            stored += mailbox_fetch(mailbox=mailbox)
        except Exception:  # recorded on the mailbox; the others still get polled
            logger.exception("IMAP mailbox %s", mailbox.name)
            failed += 1
    return PollReport(mailboxes=polled, stored=stored, errors=failed)


# -- mailboxes -------------------------------------------------------------------------------------

SECRET_FIELDS = frozenset(
    {"imap_password", "oauth_client_secret", "oauth_refresh_token", "oauth_access_token"}
)


def _mailbox_picture(mailbox: Mailbox) -> dict[str, Any]:
    """A mailbox for the audit log: secrets only as "set" or empty."""
    picture = snapshot(mailbox)
    for name in SECRET_FIELDS:
        picture[name] = "(set)" if picture.get(name) else ""
    return picture


def _check_mailbox(mailbox: Mailbox) -> None:
    mailbox.full_clean(exclude=["product"] if mailbox.product_id else None)
    if mailbox.imap_host and not mailbox.imap_username:
        raise ValidationError({"imap_username": "An IMAP mailbox needs the user name to sign in with."})
    if mailbox.imap_host and mailbox.imap_auth == Mailbox.Auth.XOAUTH2:
        missing = [
            f
            for f in ("oauth_token_url", "oauth_client_id", "oauth_refresh_token")
            if not getattr(mailbox, f)
        ]
        if missing:
            raise ValidationError(dict.fromkeys(missing, "Needed for OAuth 2.0 sign-in."))


@transaction.atomic
def mailbox_create(*, actor: Actor, **fields: Any) -> Mailbox:
    """Add a mailbox (staff)."""
    require(can_manage_mailboxes(actor), STAFF_ONLY)
    mailbox = Mailbox(**fields)
    _check_mailbox(mailbox)
    mailbox.save()
    audit_record(actor=actor, action="create", instance=mailbox, after=_mailbox_picture(mailbox))
    return mailbox


@transaction.atomic
def mailbox_update(
    *,
    actor: Actor,
    mailbox: Mailbox,
    name: str | Unset = UNSET,
    address: str | Unset = UNSET,
    product: Product | Unset = UNSET,
    severity: str | Unset = UNSET,
    is_active: bool | Unset = UNSET,
    imap_host: str | Unset = UNSET,
    imap_port: int | Unset = UNSET,
    imap_security: str | Unset = UNSET,
    imap_username: str | Unset = UNSET,
    imap_auth: str | Unset = UNSET,
    imap_password: str | Unset = UNSET,
    folder: str | Unset = UNSET,
    processed_folder: str | Unset = UNSET,
    poll_seconds: int | Unset = UNSET,
    oauth_token_url: str | Unset = UNSET,
    oauth_client_id: str | Unset = UNSET,
    oauth_client_secret: str | Unset = UNSET,
    oauth_refresh_token: str | Unset = UNSET,
    oauth_scope: str | Unset = UNSET,
) -> Mailbox:
    """Change a mailbox's settings (staff); what is left out keeps its value (an empty secret removes the
    stored one). A new refresh token drops the cached access token."""
    require(can_manage_mailboxes(actor), STAFF_ONLY)
    changes = given(
        name=name,
        address=address,
        product=product,
        severity=severity,
        is_active=is_active,
        imap_host=imap_host,
        imap_port=imap_port,
        imap_security=imap_security,
        imap_username=imap_username,
        imap_auth=imap_auth,
        imap_password=imap_password,
        folder=folder,
        processed_folder=processed_folder,
        poll_seconds=poll_seconds,
        oauth_token_url=oauth_token_url,
        oauth_client_id=oauth_client_id,
        oauth_client_secret=oauth_client_secret,
        oauth_refresh_token=oauth_refresh_token,
        oauth_scope=oauth_scope,
    )
    before = _mailbox_picture(mailbox)
    for name, value in changes.items():
        setattr(mailbox, name, value)
    if "oauth_refresh_token" in changes:
        mailbox.oauth_access_token, mailbox.oauth_expires_at = "", None
    _check_mailbox(mailbox)
    mailbox.save()
    audit_record(
        actor=actor, action="update", instance=mailbox, before=before, after=_mailbox_picture(mailbox)
    )
    return mailbox


@transaction.atomic
def mailbox_delete(*, actor: Actor, mailbox: Mailbox) -> None:
    """Remove a mailbox; the mail it received stays."""
    require(can_manage_mailboxes(actor), STAFF_ONLY)
    audit_record(actor=actor, action="delete", instance=mailbox, before=_mailbox_picture(mailbox))
    mailbox.delete()
