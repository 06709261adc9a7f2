"""Reading a received mail: what it says, who sent it, what it answers, what it carries, and whether a
person wrote it at all. Pure functions over bytes: no Django, no database, so every shape real clients
produce can be tested on its own.

`parse_mail` raises `MalformedMail` (with a sentence staff can act on) when the MIME structure cannot be
trusted: a multipart without its boundaries, base64 that does not decode, a broken header block, no
sender. Smaller defects that real clients produce every day are tolerated.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from email import errors, policy
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from functools import lru_cache
from html.parser import HTMLParser

import nh3

MESSAGE_ID_TOKEN = re.compile(r"<[^<>\s]+>")
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
AUTO_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Reply-From", "X-AutoReply-From")
NO_REPLY_LOCAL = re.compile(
    r"^(no-?reply|do-?not-?reply|donotreply|mailer-daemon|postmaster|bounces?|auto-?reply)([+._-].*)?$",
    re.IGNORECASE,
)
REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|antw|fw|fwd|wg)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
# Where the quoted history of a reply starts, in the shapes Gmail, Outlook, Apple Mail and
# Thunderbird write it (English, German, French).
QUOTE_STARTS = (
    re.compile(r"^On .{4,300}wrote:\s*$", re.DOTALL),
    re.compile(r"^Am .{4,300}schrieb .{1,200}:\s*$", re.DOTALL),
    re.compile(r"^Le .{4,300}a écrit\s*:\s*$", re.DOTALL),
    re.compile(r"^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine)\s*-{2,}\s*$", re.I),
    re.compile(r"^_{20,}\s*$"),
)
OUTLOOK_HEADER = re.compile(r"^\*?(From|Von|De)\s*:\*?\s+\S", re.IGNORECASE)
OUTLOOK_FOLLOWING = re.compile(r"^\*?(Sent|Date|Gesendet|Envoyé|To|An|À)\s*:", re.IGNORECASE)
BLOCK_TAGS = frozenset(
    {"p", "div", "br", "tr", "li", "ul", "ol", "table", "blockquote", "pre", "hr", "section", "article"}
    | {f"h{n}" for n in range(1, 7)}
)
DROP_WITH_CONTENT = {"script", "style", "title", "head", "template", "noscript", "object", "iframe"}


# A mail's MIME tree deeper than this is no person's mail (clients nest a handful of levels); Python's
# email package walks it recursively and would fail deep inside instead of saying why.
MAX_MIME_DEPTH = 50
TOO_DEEP = f"MIME parts are nested too deeply to read (more than {MAX_MIME_DEPTH} levels)"
# Files kept from one mail; the rest are named on the ticket as left out (one 428 KB mail carried 3,000).
MAX_ATTACHMENTS = 50


class MalformedMail(ValueError):
    """The mail cannot be read reliably; the message says why, for the quarantine list."""


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


@dataclass(frozen=True)
class Summary:
    """What the inbox shows of a mail even when it cannot be parsed: never raises."""

    key: str
    message_id: str
    from_address: str
    subject: str


# -- headers ---------------------------------------------------------------------------------------


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


def _parser() -> BytesParser:
    return BytesParser(policy=POLICY)


def _unescape(value: str) -> str:
    """Raw 8-bit header bytes arrive as surrogate escapes: read them as UTF-8, else Windows-1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    data = value.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except (ValueError, TypeError, IndexError, AttributeError) as exc:
        raise MalformedMail(f"the {name} header cannot be read: {exc}") from exc
    if value is None:
        return ""
    return " ".join(_unescape(str(value)).split())


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


def _first_message_id(value: str) -> str:
    found = message_ids(value)
    if found:
        return found[0]
    return value.strip()[:250]


def summarise(raw: bytes) -> Summary:
    """Message-ID, sender and subject for storing and listing; best effort, whatever the bytes are."""
    try:
        msg = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
        message_id = _first_message_id(_unescape(str(msg.get("Message-ID", ""))))
        from_address = parseaddr(_unescape(str(msg.get("From", ""))))[1].lower()
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
    from email.header import decode_header, make_header

    value = msg.get("Subject", "")
    try:
        text = str(make_header(decode_header(str(value))))
    except (LookupError, UnicodeError, ValueError):
        text = str(value)
    return " ".join(_unescape(text).split())


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
    auto_submitted = _header(msg, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    if msg.get_content_type() == "multipart/report":
        report = msg.get_param("report-type") or "report"
        return f"a delivery or read report (multipart/report; report-type={report})"
    for name in AUTO_HEADERS:
        if msg.get(name) is not None:
            return f"an automatic answer ({name})"
    precedence = _header(msg, "Precedence").lower()
    if precedence in AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    if msg.get("List-Id") is not None:
        return "mailing-list mail (List-Id)"
    if envelope_from == "" or _header(msg, "Return-Path") == "<>":
        return "a null return path (<>): a bounce or another automatic notice"
    sender = parseaddr(_header(msg, "From"))[1].lower()
    if sender.split("@", 1)[0] in {"mailer-daemon", "postmaster"}:
        return f"sent by {sender}"
    return ""


# -- bodies and attachments ------------------------------------------------------------------------

ASCII_LABELS = frozenset({"us-ascii", "ascii", "ansi_x3.4-1968"})
LATIN1_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1"})


def decode_text(payload: bytes, charset: str | None) -> str:
    """Bytes of a text part as text. Like browsers, ISO-8859-1 is read as Windows-1252 (its superset,
    which Outlook sends under that label); an ASCII label on UTF-8 bytes is forgiven; an unknown
    charset falls back to UTF-8, then Windows-1252."""
    label = (charset or "us-ascii").strip().strip('"').lower()
    if label in ASCII_LABELS:
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            label = "windows-1252"
    if label in LATIN1_LABELS:
        label = "windows-1252"
    try:
        return payload.decode(label, errors="replace")
    except LookupError:
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("cp1252", errors="replace")


def _payload(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _part_text(part: Message) -> str:
    return decode_text(_payload(part), part.get_content_charset())


def sanitise_html(html: str) -> str:
    """Safe HTML: scripts, styles, event handlers, forms and foreign schemes removed (nh3)."""
    return nh3.clean(html, clean_content_tags=DROP_WITH_CONTENT, link_rel="noopener noreferrer")


class _TextWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.pre = 0
        self.href: list[str | None] = []
        self.link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "li":
            self.out.append("\n- ")
        elif tag in BLOCK_TAGS:
            self.out.append("\n")
        if tag == "pre":
            self.pre += 1
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))
            self.link_text.append("")
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self.out.append(f"[{alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self.pre = max(self.pre - 1, 0)
        if tag == "a" and self.href:
            href, text = self.href.pop(), self.link_text.pop()
            if href and href.startswith(("http://", "https://")) and href.strip() != text.strip():
                self.out.append(f" ({href})")
        if tag in BLOCK_TAGS and tag not in {"br", "li"}:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        text = data if self.pre else re.sub(r"\s+", " ", data)
        if self.link_text:
            self.link_text[-1] += text
        self.out.append(text)


def html_to_text(html: str) -> str:
    """Readable text from (sanitised) HTML: paragraphs and list items on their own lines, links kept."""
    writer = _TextWriter()
    writer.feed(sanitise_html(html))
    writer.close()
    lines = [line.strip() for line in "".join(writer.out).replace("\xa0", " ").splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def strip_quoted(text: str) -> str:
    """A reply without the history it quotes (Gmail's "On ... wrote:", Outlook's header block,
    "-----Original Message-----", trailing "> " lines); the whole text if nothing would remain."""
    lines = text.splitlines()
    cut = len(lines)
    for index, line in enumerate(lines):
        stripped = line.strip()
        # Gmail wraps a long "On <date>, <name> <address> wrote:" over two lines.
        joined = " ".join(part.strip() for part in lines[index : index + 2])
        if any(p.match(stripped) for p in QUOTE_STARTS) or (
            stripped.startswith(("On ", "Am ", "Le ")) and any(p.match(joined) for p in QUOTE_STARTS[:3])
        ):
            cut = index
            break
        if OUTLOOK_HEADER.match(stripped) and any(
            OUTLOOK_FOLLOWING.match(following.strip()) for following in lines[index + 1 : index + 4]
        ):
            cut = index
            break
    kept = lines[:cut]
    while kept and (not kept[-1].strip() or kept[-1].lstrip().startswith(">")):
        kept.pop()
    result = "\n".join(kept).strip()
    return result or text.strip()


def _filename(part: Message, index: int) -> str:
    try:
        name = part.get_filename()
    except (ValueError, TypeError, LookupError):
        name = None
    if name:
        name = _unescape(str(name)).replace("/", "_").replace("\\", "_").strip()
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
    value = _header(msg, "From")
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
        msg = _parser().parsebytes(raw)
    except (errors.MessageError, ValueError, TypeError, LookupError) as exc:
        raise MalformedMail(f"The message cannot be parsed: {exc}") from exc
    except RecursionError:  # Python's parser recurses once per level of nesting
        raise MalformedMail(TOO_DEEP) from None
    assert isinstance(msg, EmailMessage)  # policy.default makes EmailMessage objects
    try:
        _check_depth(msg)
        tolerated = _check_defects(msg)
        from_address, from_name = _sender(msg)
        reply_to = parseaddr(_header(msg, "Reply-To"))[1].lower()
        to = tuple(a.lower() for _, a in getaddresses([_header(msg, "To"), _header(msg, "Cc")]) if "@" in a)
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
            message_id=_first_message_id(_header(msg, "Message-ID")),
            from_address=from_address,
            from_name=from_name,
            reply_to=reply_to if "@" in reply_to else "",
            to=to,
            subject=_header(msg, "Subject"),
            in_reply_to=message_ids(_header(msg, "In-Reply-To")),
            references=message_ids(_header(msg, "References")),
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
