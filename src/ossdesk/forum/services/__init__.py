"""Writes of the forum, by concern: asking and answering (posting), moderation, what staff make of a
thread (conversion), the rate limits and the rules every write checks. Callers import from here.

Anyone signed in and not banned writes, within rate limits counted from the database (so they hold
across processes); staff moderate, and every moderation says why. Every write is audited; the Markdown
is rendered and sanitised here, with the knowledge base's renderer, on every save.
"""

from __future__ import annotations

from ossdesk.forum.services.conversion import (
    MOVED_TO_TICKET,
    paying_contact,
    thread_to_article,
    thread_to_ticket,
)
from ossdesk.forum.services.moderation import (
    ban_create,
    ban_lift,
    post_hide,
    post_unhide,
    thread_hide,
    thread_lock,
    thread_unhide,
    thread_unlock,
)
from ossdesk.forum.services.posting import (
    post_create,
    post_edit,
    thread_accept,
    thread_create,
    thread_unaccept,
)
from ossdesk.forum.services.rates import RateLimit, RateLimited, rate_limits
from ossdesk.forum.services.rules import (
    BODY_MAX,
    REASON_MAX,
    TITLE_MAX,
    UNAUDITED,
    write_refusal,
)

__all__ = [
    "BODY_MAX",
    "MOVED_TO_TICKET",
    "REASON_MAX",
    "TITLE_MAX",
    "UNAUDITED",
    "RateLimit",
    "RateLimited",
    "ban_create",
    "ban_lift",
    "paying_contact",
    "post_create",
    "post_edit",
    "post_hide",
    "post_unhide",
    "rate_limits",
    "thread_accept",
    "thread_create",
    "thread_hide",
    "thread_lock",
    "thread_to_article",
    "thread_to_ticket",
    "thread_unaccept",
    "thread_unhide",
    "thread_unlock",
    "write_refusal",
]
