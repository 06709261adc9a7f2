"""Parsing a received mail: sender, recipients, thread, text, HTML and attachments, or MalformedMail (with a
sentence staff can act on) when its MIME structure cannot be trusted."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from email import errors, policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr

from ossdesk.channels.inbound.headers import (
    MalformedMail,
    auto_reason,
    first_message_id,
    header_text,
    mail_parser,
    message_ids,
    unescape_header,
)
from ossdesk.channels.inbound.text import decode_text, html_to_text, sanitise_html

# Defects that mean the text or the attachments would be wrong or incomplete if we went on.
FATAL_DEFECTS: dict[type[errors.MessageDefect], str] = {
    errors.StartBoundaryNotFoundDefect: "the multipart boundary never appears in the body",
    errors.NoBoundaryInMultipartDefect: "a multipart part has no boundary parameter",
    errors.MultipartInvariantViolationDefect: "a multipart part has no parts",
    errors.MissingHeaderBodySeparatorDefect: "a header line is broken (no colon), so the headers end early",
    errors.FirstHeaderLineIsContinuationDefect: "the first header line is a continuation line",
    errors.InvalidBase64CharactersDefect: "base64 content contains characters outside the alphabet",
    errors.InvalidBase64LengthDefect: "base64 content has an impossible length (data is missing)",
}

# A mail's MIME tree deeper than this is no person's mail (clients nest a handful of levels); Python's
# email package walks it recursively and would fail deep inside instead of saying why.
MAX_MIME_DEPTH = 50
TOO_DEEP = f"MIME parts are nested too deeply to read (more than {MAX_MIME_DEPTH} levels)"
# Files kept from one mail; the rest are named on the ticket as left out (one 428 KB mail carried 3,000).
MAX_ATTACHMENTS = 50


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str
    content: bytes
    inline: bool = False
    content_id: str = ""


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    from_address: str
    from_name: str
    reply_to: str
    to: tuple[str, ...]
    subject: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    text: str
    html: str
    attachments: tuple[MailAttachment, ...] = ()
    attachments_left_out: int = 0  # beyond the cap: counted, never decoded
    auto: str = ""  # why this is not a person's mail (auto-reply, bounce, bulk); empty for a person's
    defects: tuple[str, ...] = field(default=())

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """The Message-IDs this mail answers, the direct parent first."""
        return (*self.in_reply_to, *reversed(self.references))


def _payload(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _part_text(part: Message) -> str:
    return decode_text(_payload(part), part.get_content_charset())


def _filename(part: Message, index: int) -> str:
    try:
        name = part.get_filename()
    except (ValueError, TypeError, LookupError):
        name = None
    if name:
        name = unescape_header(str(name)).replace("/", "_").replace("\\", "_").strip()
    if name:
        return name[:200]
    content_type = part.get_content_type()
    if content_type == "text/calendar":
        return "invite.ics"
    if content_type == "message/rfc822":
        return f"forwarded-message-{index}.eml"
    extension = mimetypes.guess_extension(content_type) or ".bin"
    return f"attachment-{index}{extension}"


def _rfc822_bytes(part: Message) -> bytes:
    inner = part.get_payload()
    if isinstance(inner, list) and inner:
        inner = inner[0]
    if isinstance(inner, Message):
        return inner.as_bytes(policy=policy.SMTP)
    return _payload(part)


@dataclass
class _Collected:
    extra_text: list[str] = field(default_factory=list)
    attachments: list[MailAttachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    max_attachments: int = MAX_ATTACHMENTS
    left_out: int = 0


def _collect(part: Message, bodies: set[int], found: _Collected, in_alternative: bool = False) -> None:
    """Walk the MIME tree: body parts are skipped, other inline text is kept, everything else (and
    forwarded messages, as .eml) becomes an attachment."""
    content_type = part.get_content_type()
    if part.is_multipart() and content_type != "message/rfc822":
        children = part.get_payload()
        if not isinstance(children, list) or not children:
            raise MalformedMail(f"{content_type}: {FATAL_DEFECTS[errors.MultipartInvariantViolationDefect]}")
        for child in children:
            if isinstance(child, Message):
                _collect(child, bodies, found, in_alternative=content_type == "multipart/alternative")
        return
    disposition = part.get_content_disposition()
    has_name = bool(part.get_filename())
    if id(part) in bodies:
        return
    if content_type in {"text/plain", "text/html"} and disposition != "attachment" and not has_name:
        if content_type == "text/plain" and not in_alternative:
            found.extra_text.append(_part_text(part))
        elif content_type == "text/html" and not in_alternative:
            found.extra_text.append(html_to_text(_part_text(part)))
        return
    if len(found.attachments) >= found.max_attachments:
        found.left_out += 1
        return
    index = len(found.attachments) + 1
    content = _rfc822_bytes(part) if content_type == "message/rfc822" else _payload(part)
    content_id = " ".join(str(part.get("Content-ID", "")).split()).strip("<>")
    found.attachments.append(
        MailAttachment(
            filename=_filename(part, index),
            content_type=content_type,
            content=content,
            inline=disposition == "inline" or (disposition is None and bool(content_id)),
            content_id=content_id,
        )
    )


def _check_depth(msg: Message) -> None:
    """Refuse a MIME tree nested deeper than MAX_MIME_DEPTH, looking without recursion."""
    stack = [(msg, 1)]
    while stack:
        part, depth = stack.pop()
        if depth > MAX_MIME_DEPTH:
            raise MalformedMail(TOO_DEEP)
        children = part.get_payload()
        if isinstance(children, list):
            stack.extend((child, depth + 1) for child in children if isinstance(child, Message))


def _check_defects(msg: Message) -> list[str]:
    """Decode every leaf (that is when base64 defects are recorded), then judge all defects."""
    problems: list[str] = []
    tolerated: list[str] = []
    for part in msg.walk():
        if not part.is_multipart():
            part.get_payload(decode=True)
        for defect in part.defects:
            reason = next((text for kind, text in FATAL_DEFECTS.items() if isinstance(defect, kind)), None)
            where = part.get_content_type()
            if reason is not None:
                problems.append(f"{where}: {reason}")
            else:
                tolerated.append(f"{where}: {type(defect).__name__}")
    if problems:
        raise MalformedMail("Malformed MIME: " + "; ".join(dict.fromkeys(problems)))
    return tolerated


def _sender(msg: Message) -> tuple[str, str]:
    value = header_text(msg, "From")
    header = msg.get("From")
    addresses: tuple[Address, ...] = getattr(header, "addresses", ())
    for address in addresses:
        if address.addr_spec and "@" in address.addr_spec:
            return address.addr_spec.lower(), address.display_name
    name, addr = parseaddr(value)
    if "@" not in addr:
        raise MalformedMail(f"No sender address: From is {value!r}" if value else "No From header")
    return addr.lower(), name


def parse_mail(
    raw: bytes, *, envelope_from: str | None = None, max_attachments: int = MAX_ATTACHMENTS
) -> ParsedMail:
    """Everything ossdesk needs of a received mail; raises MalformedMail when it cannot be trusted.
    Attachments beyond `max_attachments` are counted in `attachments_left_out`, not read."""
    if not raw.strip():
        raise MalformedMail("The message is empty")
    try:
        msg = mail_parser().parsebytes(raw)
    except (errors.MessageError, ValueError, TypeError, LookupError) as exc:
        raise MalformedMail(f"The message cannot be parsed: {exc}") from exc
    except RecursionError:  # Python's parser recurses once per level of nesting
        raise MalformedMail(TOO_DEEP) from None
    assert isinstance(msg, EmailMessage)  # policy.default makes EmailMessage objects
    try:
        _check_depth(msg)
        tolerated = _check_defects(msg)
        from_address, from_name = _sender(msg)
        reply_to = parseaddr(header_text(msg, "Reply-To"))[1].lower()
        to = tuple(
            a.lower() for _, a in getaddresses([header_text(msg, "To"), header_text(msg, "Cc")]) if "@" in a
        )
        plain = msg.get_body(preferencelist=("plain",))
        html_part = msg.get_body(preferencelist=("html",))
        bodies = {id(p) for p in (plain, html_part) if p is not None}
        found = _Collected(max_attachments=max_attachments)
        _collect(msg, bodies, found)
        html = sanitise_html(_part_text(html_part)) if html_part is not None else ""
        if plain is not None:
            text = _part_text(plain)
        elif html_part is not None:
            text = html_to_text(html)
        else:
            text = ""
        text = "\n\n".join(t.strip() for t in [text, *found.extra_text] if t.strip())
        return ParsedMail(
            message_id=first_message_id(header_text(msg, "Message-ID")),
            from_address=from_address,
            from_name=from_name,
            reply_to=reply_to if "@" in reply_to else "",
            to=to,
            subject=header_text(msg, "Subject"),
            in_reply_to=message_ids(header_text(msg, "In-Reply-To")),
            references=message_ids(header_text(msg, "References")),
            text=text.replace("\r\n", "\n").strip(),
            html=html,
            attachments=tuple(found.attachments),
            attachments_left_out=found.left_out,
            auto=auto_reason(msg, envelope_from),
            defects=tuple(tolerated),
        )
    except MalformedMail:
        raise
    except (errors.MessageError, ValueError, TypeError, LookupError, AttributeError, KeyError) as exc:
        raise MalformedMail(f"The message cannot be read: {type(exc).__name__}: {exc}") from exc
    except RecursionError:  # a shape _check_depth does not measure
        raise MalformedMail(TOO_DEEP) from None
