"""Template context: the actor, so templates can show staff or portal navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ossdesk.doors.actor import request_actor


def actor(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"actor": None}
    return {"actor": request_actor(request)}
