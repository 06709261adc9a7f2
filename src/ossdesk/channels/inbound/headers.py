"""A received mail's headers: Message-IDs and the key a mail is stored by, the summary the inbox shows of
any bytes, subjects, and whether a machine sent the mail."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.header import decode_header, make_header
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import Message
from email.parser import BytesParser
from email.utils import parseaddr
from functools import lru_cache

MESSAGE_ID_TOKEN = re.compile(r"<[^<>\s]+>")
AUTO_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Reply-From", "X-AutoReply-From")
NO_REPLY_LOCAL = re.compile(
    r"^(no-?reply|do-?not-?reply|donotreply|mailer-daemon|postmaster|bounces?|auto-?reply)([+._-].*)?$",
    re.IGNORECASE,
)
REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|antw|fw|fwd|wg)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


class MalformedMail(ValueError):
    """The mail cannot be read reliably; the message says why, for the quarantine list."""


@dataclass(frozen=True)
class Summary:
    """What the inbox shows of a mail even when it cannot be parsed: never raises."""

    key: str
    message_id: str
    from_address: str
    subject: str


class _ParsedOnce(HeaderRegistry):
    """The email package parses a header again on every read, and walking one message reads its
    Content-Type a dozen times: each distinct (name, value) is parsed once. Header objects are
    immutable strings, so sharing them is safe."""

    def __init__(self) -> None:
        super().__init__()
        self._parse = lru_cache(maxsize=4096)(super().__call__)

    def __call__(self, name: str, value: str) -> BaseHeader:
        header: BaseHeader = self._parse(name, value)
        return header


POLICY = policy.default.clone(header_factory=_ParsedOnce())


def mail_parser() -> BytesParser:
    """A parser that reads headers with POLICY (each distinct header parsed once)."""
    return BytesParser(policy=POLICY)


def unescape_header(value: str) -> str:
    """Raw 8-bit header bytes arrive as surrogate escapes: read them as UTF-8, else Windows-1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    data = value.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def header_text(msg: Message, name: str) -> str:
    """A header's value on one line; raises MalformedMail when it cannot be read."""
    try:
        value = msg.get(name)
    except (ValueError, TypeError, IndexError, AttributeError) as exc:
        raise MalformedMail(f"the {name} header cannot be read: {exc}") from exc
    if value is None:
        return ""
    return " ".join(unescape_header(str(value)).split())


def message_ids(value: str) -> tuple[str, ...]:
    """The `<...>` Message-IDs in an In-Reply-To or References value, in order."""
    return tuple(MESSAGE_ID_TOKEN.findall(value or ""))


def message_key(message_id: str, raw: bytes) -> str:
    """The unique key a mail is stored by: its Message-ID, else the SHA-256 of its bytes."""
    if message_id and len(message_id) <= 250:
        return message_id
    if message_id:
        return "sha256:" + hashlib.sha256(message_id.encode("utf-8", "replace")).hexdigest()
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def first_message_id(value: str) -> str:
    """The first `<...>` Message-ID in a header value, else the value itself (cut to 250)."""
    found = message_ids(value)
    if found:
        return found[0]
    return value.strip()[:250]


def summarise(raw: bytes) -> Summary:
    """Message-ID, sender and subject for storing and listing; best effort, whatever the bytes are."""
    try:
        msg = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
        message_id = first_message_id(unescape_header(str(msg.get("Message-ID", ""))))
        from_address = parseaddr(unescape_header(str(msg.get("From", ""))))[1].lower()
        subject = _subject(msg)
    except Exception:  # a summary must never stop a mail from being stored
        message_id, from_address, subject = "", "", ""
    return Summary(
        key=message_key(message_id, raw),
        message_id=message_id,
        from_address=from_address[:254],
        subject=subject[:400],
    )


def _subject(msg: Message) -> str:
    value = msg.get("Subject", "")
    try:
        text = str(make_header(decode_header(str(value))))
    except (LookupError, UnicodeError, ValueError):
        text = str(value)
    return " ".join(unescape_header(text).split())


def reply_subject(subject: str) -> str:
    """`Re: <subject>` without piling up prefixes."""
    text = REPLY_PREFIX.sub("", subject or "").strip()
    return f"Re: {text}" if text else "Re: your mail"


def thread_subject(subject: str) -> str:
    """A subject for a new ticket: without Re:/Fwd: prefixes."""
    return REPLY_PREFIX.sub("", subject or "").strip()


def is_no_reply_address(address: str) -> bool:
    """Addresses that must never get an automatic answer (RFC 3834: do not answer robots)."""
    local = address.rsplit("@", 1)[0] if "@" in address else address
    return not address or bool(NO_REPLY_LOCAL.match(local))


def auto_reason(msg: Message, envelope_from: str | None = None) -> str:
    """Why a mail was sent by a machine (so it opens no ticket and gets no answer); empty when a person
    wrote it. RFC 3834 Auto-Submitted, RFC 3464 delivery reports, Precedence, vacation headers."""
    auto_submitted = header_text(msg, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    if msg.get_content_type() == "multipart/report":
        report = msg.get_param("report-type") or "report"
        return f"a delivery or read report (multipart/report; report-type={report})"
    for name in AUTO_HEADERS:
        if msg.get(name) is not None:
            return f"an automatic answer ({name})"
    precedence = header_text(msg, "Precedence").lower()
    if precedence in AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    if msg.get("List-Id") is not None:
        return "mailing-list mail (List-Id)"
    if envelope_from == "" or header_text(msg, "Return-Path") == "<>":
        return "a null return path (<>): a bounce or another automatic notice"
    sender = parseaddr(header_text(msg, "From"))[1].lower()
    if sender.split("@", 1)[0] in {"mailer-daemon", "postmaster"}:
        return f"sent by {sender}"
    return ""
