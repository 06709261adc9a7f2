"""A web request whose write met a busy database: 503 with the sender's form, text and all, to send again.

The write itself has already waited (ossdesk.database.busy) and changed nothing; the page gives back what
was typed so nothing a customer wrote is lost. Passwords are not echoed, and files cannot be put back
into a browser's file field: the page says so and offers the field again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from ossdesk.database.busy import is_database_busy, retry_after_seconds

_LONG_TEXT = 60
_NOT_ECHOED = ("csrfmiddlewaretoken",)


@dataclass(frozen=True)
class KeptField:
    name: str
    value: str
    visible: bool


def _kept_fields(request: HttpRequest) -> tuple[list[KeptField], bool]:
    kept: list[KeptField] = []
    dropped_password = False
    for name, values in request.POST.lists():
        if name in _NOT_ECHOED:
            continue
        if "password" in name.lower():
            dropped_password = True
            continue
        for value in values:
            visible = "\n" in value or len(value) > _LONG_TEXT
            kept.append(KeptField(name=name, value=value, visible=visible))
    return kept, dropped_password


def busy_body(wait: int) -> dict[str, Any]:
    """The API's answer (with Retry-After) to a write that could not get the database in time."""
    return {
        "detail": "The service is busy and nothing was saved; send the same request again.",
        "code": "database_busy",
        "retry_after": wait,
    }


def database_busy_response(request: HttpRequest) -> HttpResponse:
    wait = retry_after_seconds()
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(busy_body(wait), status=503)
    else:
        fields, dropped_password = _kept_fields(request)
        context: dict[str, Any] = {
            "action": request.get_full_path(),
            "fields": fields,
            "file_fields": sorted(set(request.FILES)),
            "dropped_password": dropped_password,
            "retry_after": wait,
            "resendable": request.method == "POST",
        }
        response = render(request, "ossdesk/busy.html", context, status=503)
    response["Retry-After"] = str(wait)
    return response


class DatabaseBusyMiddleware:
    """Turns a write that could not get the database in time into 503, never a 500 that drops the text."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_busy(exception):
            return database_busy_response(request)
        return None
