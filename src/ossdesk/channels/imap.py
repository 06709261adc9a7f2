"""Fetching a mailbox over IMAP: TLS (implicit or STARTTLS), password or OAuth 2.0 XOAUTH2 sign-in with
token refresh, one poll or an IDLE loop. No database here: the caller passes `store`, which must commit
the raw bytes before it returns; only then is the message marked read or moved, so a failure to store
leaves it untouched on the server for the next poll.
"""

from __future__ import annotations

import base64
import contextlib
import imaplib
import json
import logging
import re
import ssl
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from imap_tools import BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessageFlags
from imap_tools.errors import MailboxLoginError, UnexpectedCommandStatusError

logger = logging.getLogger(__name__)

# RFC 2177: re-issue IDLE before 29 minutes; servers and NAT boxes often drop idle links sooner.
IDLE_SECONDS = 20 * 60
RECONNECT_AFTER = (5, 15, 60, 300)
FETCH_LIMIT = 200  # per batch: a poll takes batches until the folder is drained
MAX_BATCHES = 50  # a poll stops after 10,000 messages and lets the next one go on
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
IMAP_ERRORS = (OSError, imaplib.IMAP4.error, UnexpectedCommandStatusError, ssl.SSLError)


class ImapError(Exception):
    """The mailbox could not be read; the message says what to fix."""


class TokenError(ImapError):
    """The OAuth 2.0 token endpoint did not give an access token."""


@dataclass(frozen=True)
class Account:
    """How to reach and sign in to one mailbox."""

    name: str
    host: str
    port: int
    security: str  # "ssl", "starttls" or "none"
    username: str
    auth: str  # "password" or "xoauth2"
    password: str = ""
    folder: str = "INBOX"
    processed_folder: str = ""
    timeout: int = 60
    ca_file: str = ""


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    expires_at: datetime
    refresh_token: str  # the provider may rotate it; empty: keep the old one


def xoauth2_string(username: str, access_token: str) -> str:
    """The SASL XOAUTH2 initial response (Google's and Microsoft's format), before base64."""
    return f"user={username}\x01auth=Bearer {access_token}\x01\x01"


def xoauth2_base64(username: str, access_token: str) -> str:
    return base64.b64encode(xoauth2_string(username, access_token).encode()).decode("ascii")


def refresh_access_token(
    *,
    token_url: str,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    scope: str = "",
    timeout: int = 30,
    now: datetime | None = None,
) -> TokenGrant:
    """Trade a refresh token for an access token (RFC 6749 section 6) at the provider's token URL:
    Microsoft's `https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token`, Google's
    `https://oauth2.googleapis.com/token`."""
    if not (token_url and client_id and refresh_token):
        raise TokenError("OAuth sign-in needs a token URL, a client id and a refresh token")
    form = {"grant_type": "refresh_token", "client_id": client_id, "refresh_token": refresh_token}
    if client_secret:
        form["client_secret"] = client_secret
    if scope:
        form["scope"] = scope
    parsed = urllib.parse.urlsplit(token_url)
    if parsed.scheme != "https" and not (parsed.scheme == "http" and parsed.hostname in LOOPBACK):
        raise TokenError(f"the token URL must be https (plain http only on this machine): {token_url}")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
        token_url,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - checked above
            body = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:300]
        raise TokenError(f"token endpoint answered {exc.code}: {detail}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise TokenError(f"token endpoint unreachable or unreadable: {exc}") from exc
    token = body.get("access_token") if isinstance(body, dict) else None
    if not token:
        raise TokenError(f"token endpoint gave no access_token: {str(body)[:300]}")
    expires_in = int(body.get("expires_in") or 3600)
    return TokenGrant(
        access_token=str(token),
        expires_at=(now or datetime.now(UTC)) + timedelta(seconds=expires_in),
        refresh_token=str(body.get("refresh_token") or ""),
    )


# The access token for a mailbox; True asks for a fresh one (the server refused the cached one).
TokenSource = Callable[[bool], str]


def _connect(account: Account) -> BaseMailBox:
    context = ssl.create_default_context(cafile=account.ca_file or None)
    try:
        if account.security == "ssl":
            return MailBox(account.host, account.port, timeout=account.timeout, ssl_context=context)
        if account.security == "starttls":
            return MailBoxStartTls(account.host, account.port, timeout=account.timeout, ssl_context=context)
        return MailBoxUnencrypted(account.host, account.port, timeout=account.timeout)
    except IMAP_ERRORS as exc:
        raise ImapError(
            f"cannot connect to {account.host}:{account.port} ({account.security}): {exc}"
        ) from exc


def _sign_in(box: BaseMailBox, account: Account, token: TokenSource | None) -> BaseMailBox:
    """Password or XOAUTH2; a refused token is refreshed once and tried again on a new connection."""
    refused = (MailboxLoginError, imaplib.IMAP4.error)  # imaplib raises on a refused AUTHENTICATE
    try:
        if account.auth != "xoauth2":
            box.login(account.username, account.password, initial_folder=None)
            return box
        if token is None:
            raise ImapError("XOAUTH2 sign-in needs a token source")
        try:
            box.xoauth2(account.username, token(False), initial_folder=None)
        except refused:
            _quietly_logout(box)
            box = _connect(account)
            box.xoauth2(account.username, token(True), initial_folder=None)
    except refused as exc:
        _quietly_logout(box)
        raise ImapError(f"{account.host} refused the sign-in of {account.username}: {exc}") from exc
    return box


def open_mailbox(account: Account, token: TokenSource | None = None) -> BaseMailBox:
    """Connect, sign in and select the folder (creating the processed folder if it is missing)."""
    box = _sign_in(_connect(account), account, token)
    try:
        box.folder.set(account.folder)
        if account.processed_folder and not box.folder.exists(account.processed_folder):
            box.folder.create(account.processed_folder)
    except IMAP_ERRORS as exc:
        _quietly_logout(box)
        raise ImapError(f"{account.host}: folder {account.folder!r}: {exc}") from exc
    return box


def _quietly_logout(box: BaseMailBox) -> None:
    with contextlib.suppress(*IMAP_ERRORS):  # the link is gone already
        box.logout()


INTERNALDATE_RE = re.compile(
    rb'INTERNALDATE "([ 0-9]{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})"'
)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def internal_date(text: bytes) -> datetime | None:
    """The INTERNALDATE in a FETCH response (RFC 3501 date-time: when the server received the message);
    month names are English whatever the locale, so strptime's %b is not used."""
    match = INTERNALDATE_RE.search(text)
    if match is None or match.group(2).decode().lower() not in MONTHS:
        return None
    day, month, year, hour, minute, second, sign, off_h, off_m = (g.decode() for g in match.groups())
    offset = timedelta(hours=int(off_h), minutes=int(off_m)) * (-1 if sign == "-" else 1)
    try:
        local = datetime(
            int(year), MONTHS.index(month.lower()) + 1, int(day), int(hour), int(minute), int(second)
        )
    except ValueError:
        return None
    return (local - offset).replace(tzinfo=UTC)


def _raw(box: BaseMailBox, uid: str) -> tuple[bytes, datetime | None] | None:
    """The message's exact bytes and the instant the server received it; BODY.PEEK leaves \\Seen alone."""
    status, data = box.client.uid("FETCH", uid, "(INTERNALDATE BODY.PEEK[])")
    if status != "OK":
        raise ImapError(f"FETCH {uid} failed: {data!r}")
    raw: bytes | None = None
    received: datetime | None = None
    for item in data:
        # The literal (the message) is the second half of a tuple; the other parts carry the attributes.
        head = item[0] if isinstance(item, tuple) else item
        if isinstance(item, tuple) and len(item) >= 2 and isinstance(item[1], bytes) and raw is None:
            raw = item[1]
        if isinstance(head, bytes) and received is None:
            received = internal_date(head)
    return None if raw is None else (raw, received)  # None: expunged meanwhile


# Commits one fetched message: its bytes and the instant the server received it (None: not given).
Store = Callable[[bytes, datetime | None], object]


def fetch_new(
    box: BaseMailBox,
    account: Account,
    store: Store,
    batch: Callable[[], AbstractContextManager[object]] = nullcontext,
) -> int:
    """Store each new message, then mark it read or move it. New means: not \\Seen (flag mode) or
    anything in the folder (move mode). Each run of at most FETCH_LIMIT messages is stored inside
    `batch()`. Returns how many were stored."""
    criteria = "ALL" if account.processed_folder else "UNSEEN"
    stored = 0
    try:
        for _ in range(MAX_BATCHES):
            uids = box.uids(criteria)[:FETCH_LIMIT]
            with batch():
                stored += _fetch_batch(box, account, store, uids)
            if len(uids) < FETCH_LIMIT:
                break  # drained: what arrives now wakes IDLE or waits for the next poll
    except IMAP_ERRORS as exc:
        raise ImapError(f"{account.host}/{account.folder}: {exc}") from exc
    return stored


def _fetch_batch(box: BaseMailBox, account: Account, store: Store, uids: list[str]) -> int:
    stored = 0
    for uid in uids:
        fetched = _raw(box, uid)
        if fetched is None:
            continue
        store(*fetched)  # commits, or raises and leaves the message as it was
        if account.processed_folder:
            box.move(uid, account.processed_folder)
        else:
            box.flag(uid, MailMessageFlags.SEEN, True)
        stored += 1
    return stored


def poll(
    account: Account,
    store: Store,
    token: TokenSource | None = None,
    batch: Callable[[], AbstractContextManager[object]] = nullcontext,
) -> int:
    """One poll: connect, store what is new, disconnect."""
    box = open_mailbox(account, token)
    try:
        return fetch_new(box, account, store, batch)
    finally:
        _quietly_logout(box)


def idle_loop(
    account: Account,
    store: Store,
    *,
    stop: threading.Event,
    token: TokenSource | None = None,
    idle_seconds: float = IDLE_SECONDS,
    on_error: Callable[[Exception], object] | None = None,
    batch: Callable[[], AbstractContextManager[object]] = nullcontext,
) -> None:
    """Fetch, then wait in IDLE until the server reports a change (or `idle_seconds` pass), fetch
    again, until `stop` is set. A lost connection is reopened after a growing pause."""
    failures = 0
    while not stop.is_set():
        box: BaseMailBox | None = None
        try:
            box = open_mailbox(account, token)
            fetch_new(box, account, store, batch)
            failures = 0
            while not stop.is_set():
                box.idle.wait(timeout=idle_seconds)
                fetch_new(box, account, store, batch)
        except Exception as exc:  # the loop outlives a dropped link or a failed store
            if on_error is not None:
                on_error(exc)
            logger.warning("IMAP %s: %s", account.name, exc)
            pause = RECONNECT_AFTER[min(failures, len(RECONNECT_AFTER) - 1)]
            failures += 1
            stop.wait(pause)
        finally:
            if box is not None:
                _quietly_logout(box)
