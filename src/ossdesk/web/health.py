"""Health of the database and the task queue, for load balancers and operators."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from huey.contrib.djhuey import HUEY
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from ossdesk import __version__
from ossdesk.web.supervisor import supervision_record

HEARTBEAT_KEY = "ossdesk:worker-heartbeat"
WORKER_STALE_AFTER = 180  # seconds: three missed one-minute beats


def database_status() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "vendor": connection.vendor, "error": str(exc)}
    return {
        "ok": True,
        "vendor": connection.vendor,
        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
    }


def queue_status() -> dict[str, Any]:
    backend = type(HUEY.storage).__name__.replace("Storage", "").lower() or "unknown"
    try:
        pending = HUEY.pending_count()
        beat = HUEY.get(HEARTBEAT_KEY, peek=True)
    except Exception as exc:
        return {"ok": False, "backend": backend, "error": str(exc)}
    worker: dict[str, Any] = {"last_seen": None, "alive": False}
    if beat:
        seen = datetime.fromisoformat(beat)
        worker = {"last_seen": beat, "alive": (datetime.now(UTC) - seen).total_seconds() < WORKER_STALE_AFTER}
    try:
        supervised = supervision_record("worker")
    except Exception as exc:
        supervised = {"state": "unknown", "error": str(exc)}
    if supervised is not None:
        # A heartbeat stays fresh for minutes after a kill; the supervisor knows at once.
        worker["alive"] = worker["alive"] and supervised["state"] == "running"
        worker["supervisor"] = supervised
    return {"ok": True, "backend": backend, "pending": pending, "worker": worker}


HEALTH = inline_serializer(
    "Health",
    {
        "status": serializers.ChoiceField(choices=["ok", "failing"]),
        "version": serializers.CharField(),
        "database": serializers.DictField(),
        "queue": serializers.DictField(),
    },
)


@extend_schema(responses={200: HEALTH, 503: OpenApiResponse(HEALTH, description="something is failing")})
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def health(request: Request) -> Response:
    """`ok` is true when the database answers and the queue storage is reachable."""
    database, queue = database_status(), queue_status()
    ok = database["ok"] and queue["ok"]
    return Response(
        {"status": "ok" if ok else "failing", "version": __version__, "database": database, "queue": queue},
        status=200 if ok else 503,
    )
