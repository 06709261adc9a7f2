"""Rendering a mail from its templates (`channels/email/<kind>.*`), and links in mails."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import Context
from django.template.loader import get_template, render_to_string

from ossdesk.channels.threading import ticket_subject, ticket_token


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def _render_plain(name: str, context: Mapping[str, Any]) -> str:
    """Render a text template without HTML escaping: a subject or a text body is not HTML."""
    template = get_template(name).template  # type: ignore[attr-defined]
    return str(template.render(Context(dict(context), autoescape=False)))


def render_mail(kind: str, context: Mapping[str, Any]) -> RenderedMail:
    """Render `channels/email/<kind>.subject.txt`, `.txt` and `.html` with the shared context."""
    full: dict[str, Any] = {
        "vendor_name": settings.OSSDESK_VENDOR_NAME,
        "site_url": settings.OSSDESK_MAIL_LINK_URL.rstrip("/"),
        **context,
    }
    ticket = full.get("ticket")
    if ticket is not None:
        full["token"] = ticket_token(ticket)
    base = f"channels/email/{kind}"
    subject = " ".join(_render_plain(f"{base}.subject.txt", full).split())
    if ticket is not None:
        subject = ticket_subject(ticket, subject)
    full["subject"] = subject
    return RenderedMail(
        subject=subject[:400],
        text=_render_plain(f"{base}.txt", full).strip() + "\n",
        html=render_to_string(f"{base}.html", full).strip() + "\n",
    )


def mail_link(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.OSSDESK_MAIL_LINK_URL.rstrip("/") + "/" + path.lstrip("/")
