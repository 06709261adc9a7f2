"""How ossdesk's mail threads: the ticket token in subjects and Message-IDs derived from tickets.

Pure functions over ids and strings, so inbound mail can parse back exactly what outbound mail wrote:
`[#1234]` in a subject, and `<ossdesk.ticket.1234...@domain>` in In-Reply-To / References.
Every mail about a ticket references the ticket's root Message-ID, `ticket_message_id(ticket)`, so mail
clients keep one conversation per ticket even when some mails of it never reached the reader.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import Protocol
from urllib.parse import urlparse

from django.conf import settings

TOKEN_RE = re.compile(r"\[#(\d{1,18})\]")
MESSAGE_ID_RE = re.compile(r"<ossdesk\.ticket\.(\d{1,18})(?:\.[A-Za-z0-9.-]*)?@[^>\s]+>")


class HasPk(Protocol):
    @property
    def pk(self) -> int | None: ...


def mail_domain() -> str:
    """The right-hand side of every Message-ID: OSSDESK_MAIL_DOMAIN, else OSSDESK_VENDOR_URL's host."""
    configured: str = getattr(settings, "OSSDESK_MAIL_DOMAIN", "")
    if configured:
        return configured
    return urlparse(settings.OSSDESK_VENDOR_URL).hostname or "localhost"


def ticket_token(ticket: HasPk) -> str:
    """`[#1234]`: put in every subject about the ticket; inbound mail finds the ticket by it."""
    return f"[#{ticket.pk}]"


def ticket_subject(ticket: HasPk, subject: str) -> str:
    """The subject with the ticket's token in front (once), on one line."""
    token = ticket_token(ticket)
    text = " ".join(subject.split())
    # Notices already say "#1234 ..." in their text; the token replaces that.
    text = re.sub(rf"^#{ticket.pk}\b:?\s*", "", text)
    return text if token in text else f"{token} {text}".strip()


def ticket_id_from_subject(subject: str) -> int | None:
    """The ticket a subject's token names (the first one), or None."""
    match = TOKEN_RE.search(subject or "")
    return int(match.group(1)) if match else None


def ticket_message_id(ticket: HasPk, message: HasPk | None = None) -> str:
    """The ticket's root Message-ID, or the Message-ID of one of its (public) messages."""
    suffix = f".message.{message.pk}" if message is not None else ""
    return f"<ossdesk.ticket.{ticket.pk}{suffix}@{mail_domain()}>"


def ticket_event_message_id(ticket: HasPk, event: HasPk) -> str:
    """The Message-ID of a mail about one ticket event (waiting on you, solved)."""
    return f"<ossdesk.ticket.{ticket.pk}.event.{event.pk}@{mail_domain()}>"


def ticket_notice_message_id(ticket: HasPk, tag: str) -> str:
    """A fresh Message-ID for a notice about a ticket (a warning, an assignment)."""
    return f"<ossdesk.ticket.{ticket.pk}.{tag}.{secrets.token_hex(6)}@{mail_domain()}>"


def standalone_message_id(tag: str) -> str:
    """A fresh Message-ID for a mail about no ticket (a security notice, a digest)."""
    return f"<ossdesk.{tag}.{secrets.token_hex(8)}@{mail_domain()}>"


def ticket_id_from_message_ids(values: Iterable[str]) -> int | None:
    """The ticket named by the first of our Message-IDs among In-Reply-To / References values."""
    for value in values:
        match = MESSAGE_ID_RE.search(value or "")
        if match:
            return int(match.group(1))
    return None


def thread_headers(root: str, previous: str | None, own: str) -> tuple[str, str]:
    """In-Reply-To and References for a mail in a ticket's thread.

    The root comes first in References; the previous mail the recipient got (if any) is what this one
    answers. The root mail (the acknowledgement) answers the customer's own mail when the ticket came by
    e-mail, so it threads under it in their client; otherwise it refers to nothing.
    """
    if own == root:
        return (previous, previous) if previous and previous != own else ("", "")
    parent = previous if previous and previous not in {root, own} else root
    chain = [root] if parent == root else [root, parent]
    return parent, " ".join(chain)
