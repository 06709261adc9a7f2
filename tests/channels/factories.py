"""Builders for the mail tests: the hand-written messages in tests/channels/messages/ and the helpdesk the
`helpdesk` fixture (tests/channels/conftest.py) sets up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ossdesk.channels import intake
from ossdesk.channels.models import InboundMessage, Mailbox
from ossdesk.customers.models import Contact, Organization
from ossdesk.products.models import Product

MESSAGES = Path(__file__).parent / "messages"
DOMAIN = "mail.test"


def eml(name: str, *, ticket: Any = None, **replace: str) -> bytes:
    """A message fixture with CRLF line ends (as it travels), `{TICKET}` set to the ticket's id."""
    raw = (MESSAGES / name).read_bytes()
    if ticket is not None:
        raw = raw.replace(b"{TICKET}", str(ticket.pk).encode())
    for old, new in replace.items():
        raw = raw.replace(old.encode(), new.encode())
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@dataclass
class Helpdesk:
    product: Product
    other_product: Product
    acme: Organization
    ana: Contact  # named, with a portal login
    jurgen: Contact  # named, no login
    tanaka: Contact
    guest: Contact  # not named: may not raise cases
    hobby: Organization  # its subscription lapsed: Community
    sam: Contact
    mailbox: Mailbox

    def receive(self, raw: bytes, *, mailbox: Mailbox | None = None) -> InboundMessage:
        """Store and process, as the LMTP receiver and the worker would."""
        row, _ = intake.inbound_store(raw=raw, source="test", mailbox=mailbox or self.mailbox)
        return intake.inbound_process(inbound_id=row.pk)
