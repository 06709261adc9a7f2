"""The actor behind a request, for every door: API views, web pages, template tags."""

from __future__ import annotations

from typing import Any

from ossdesk.accounts.actor import Actor, actor_for


def request_actor(request: Any) -> Actor:
    """The actor behind a request, resolved once per request."""
    cached = getattr(request, "_ossdesk_actor", None)
    if cached is None:
        cached = actor_for(request.user)
        request._ossdesk_actor = cached
    return cached
