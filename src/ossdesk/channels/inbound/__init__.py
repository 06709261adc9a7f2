"""Reading a received mail: what it says, who sent it, what it answers, what it carries, and whether a
person wrote it at all. Pure functions over bytes: no Django, no database, so every shape real clients
produce can be tested on its own. By concern: headers (Message-IDs, subjects, machine senders), text
(charsets, HTML, quoted history) and parsing (the MIME tree and its attachments). Callers import from here.

`parse_mail` raises `MalformedMail` (with a sentence staff can act on) when the MIME structure cannot be
trusted: a multipart without its boundaries, base64 that does not decode, a broken header block, no
sender. Smaller defects that real clients produce every day are tolerated.
"""

from __future__ import annotations

from ossdesk.channels.inbound.headers import (
    MalformedMail,
    Summary,
    auto_reason,
    is_no_reply_address,
    message_ids,
    message_key,
    reply_subject,
    summarise,
    thread_subject,
)
from ossdesk.channels.inbound.parsing import (
    MAX_ATTACHMENTS,
    MAX_MIME_DEPTH,
    MailAttachment,
    ParsedMail,
    parse_mail,
)
from ossdesk.channels.inbound.text import decode_text, html_to_text, sanitise_html, strip_quoted

__all__ = [
    "MAX_ATTACHMENTS",
    "MAX_MIME_DEPTH",
    "MailAttachment",
    "MalformedMail",
    "ParsedMail",
    "Summary",
    "auto_reason",
    "decode_text",
    "html_to_text",
    "is_no_reply_address",
    "message_ids",
    "message_key",
    "parse_mail",
    "reply_subject",
    "sanitise_html",
    "strip_quoted",
    "summarise",
    "thread_subject",
]
