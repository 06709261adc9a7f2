"""The LMTP receiver an MTA (Postfix, Exim) delivers to: `ossdesk mail lmtp`.

RCPT is refused (550) for an address no active mailbox has, so the MTA bounces it at once; DATA is
stored raw and answered per recipient (RFC 2033): 250 once the message is committed, 451 when it could
not be (the MTA keeps it and tries again). Processing happens afterwards, in the worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import Envelope, Session
from asgiref.sync import sync_to_async

Resolve = Callable[[str], bool]
# (raw message, envelope sender, recipients, the instant the message was accepted)
Deliver = Callable[[bytes, str, Sequence[str], datetime], list[str]]


class LmtpHandler:
    """aiosmtpd hooks around two plain functions (run in a worker thread: they use the database)."""

    def __init__(self, *, accepts: Resolve, deliver: Deliver) -> None:
        self._accepts = sync_to_async(accepts, thread_sensitive=True)
        self._deliver = sync_to_async(deliver, thread_sensitive=True)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if not await self._accepts(address):
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:  # noqa: N802
        # The SLA clocks of a mail start when its last byte arrived, not when a thread is free to store it.
        accepted = datetime.now(UTC)
        raw = envelope.original_content or envelope.content or b""
        data = raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogateescape")
        statuses = await self._deliver(data, envelope.mail_from or "", list(envelope.rcpt_tos), accepted)
        # LMTP answers DATA once per accepted recipient, in RCPT order.
        return "\r\n".join(statuses)


class LmtpController(Controller):
    """aiosmtpd's threaded controller, speaking LMTP instead of SMTP."""

    def factory(self) -> LMTP:
        return LMTP(self.handler, **self.SMTP_kwargs)


class DjangoLmtpController(LmtpController):
    """The receiver for ossdesk: when it stops, the database connections of the thread its handlers ran
    in (asgiref's thread-sensitive executor) are closed."""

    def stop(self, no_assert: bool = False) -> None:
        if self.loop.is_running():
            from django.db import connections

            close = sync_to_async(connections.close_all, thread_sensitive=True)
            with contextlib.suppress(Exception):  # stopping must not fail over a connection
                asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout=5)
        super().stop(no_assert)


def lmtp_controller(
    *,
    host: str,
    port: int,
    accepts: Resolve,
    deliver: Deliver,
    max_bytes: int,
    controller: type[LmtpController] = LmtpController,
) -> LmtpController:
    handler = LmtpHandler(accepts=accepts, deliver=deliver)
    return controller(
        handler,
        hostname=host,
        port=port,
        data_size_limit=max_bytes,
        enable_SMTPUTF8=True,
        ready_timeout=10,
    )


def _usable_connection() -> None:
    """A long-running server keeps its thread's database connection from one message to the next (a
    new one per message costs more than storing a small mail), and replaces it once it has failed."""
    from django.db import connection

    if connection.connection is None or not connection.errors_occurred:
        return
    if connection.is_usable():
        connection.errors_occurred = False
    else:
        connection.close()


def _django_accepts(address: str) -> bool:
    from ossdesk.channels.mailboxes import mailbox_for_address

    _usable_connection()
    return mailbox_for_address(address) is not None


def _django_deliver(raw: bytes, mail_from: str, recipients: Sequence[str], accepted: datetime) -> list[str]:
    from ossdesk.channels.mailboxes import lmtp_deliver

    _usable_connection()
    return lmtp_deliver(raw=raw, mail_from=mail_from, recipients=recipients, accepted_at=accepted)


def django_lmtp_controller(*, host: str, port: int) -> LmtpController:
    """The receiver wired to ossdesk's mailboxes and inbound store (Django must be set up)."""
    from django.conf import settings

    return lmtp_controller(
        host=host,
        port=port,
        accepts=_django_accepts,
        deliver=_django_deliver,
        max_bytes=settings.OSSDESK_MAIL_MAX_BYTES,
        controller=DjangoLmtpController,
    )


def serve_lmtp(*, host: str, port: int, ready: Callable[[str], object] = print) -> None:
    """Run the LMTP receiver until SIGINT or SIGTERM."""
    controller = django_lmtp_controller(host=host, port=port)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    controller.start()
    ready(f"LMTP receiver listening on {host}:{port}")
    try:
        stop.wait()
    finally:
        controller.stop()
