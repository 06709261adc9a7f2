"""What every API view shares: errors as JSON with field messages, and JSON for unknown API addresses and
crashes (the actor is `doors.actor`, pagination `doors.pagination`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ossdesk.database.busy import is_database_busy, retry_after_seconds
from ossdesk.domain.entitlements import EntitlementDenied
from ossdesk.doors.busy import busy_body


def _django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


def _messages(errors: Any, path: str = "") -> list[str]:
    """DRF nests the errors of list items and nested objects ({"1": [...]}); flatten them to "1: ..."."""
    if isinstance(errors, dict):
        return [
            m
            for key, value in errors.items()
            for m in _messages(value, f"{path}.{key}" if path else str(key))
        ]
    if isinstance(errors, list):
        return [m for item in errors for m in _messages(item, path)]
    return [f"{path}: {errors}" if path else str(errors)]


def _blocked_by(objects: Iterable[Model]) -> dict[str, int]:
    return dict(Counter(str(obj._meta.verbose_name_plural) for obj in objects))


def _conflict(exc: ProtectedError | RestrictedError) -> Response:
    """A delete that other records still refer to: say what blocks it, nothing was changed."""
    objects = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
    blocked_by = _blocked_by(objects)
    listed = ", ".join(f"{count} {what}" for what, count in sorted(blocked_by.items()))
    return Response(
        {"detail": f"Still referred to by {listed}; remove or move those first.", "blocked_by": blocked_by},
        status=status.HTTP_409_CONFLICT,
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if is_database_busy(exc):
        wait = retry_after_seconds()
        return Response(
            busy_body(wait),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(wait)},
        )
    if isinstance(exc, ProtectedError | RestrictedError):
        return _conflict(exc)
    if isinstance(exc, EntitlementDenied):
        return Response(
            {"detail": str(exc), "code": exc.code, "allowed_by": exc.allowed_by},
            status=status.HTTP_403_FORBIDDEN,
        )
    if isinstance(exc, DjangoValidationError):
        return Response(
            {"detail": "Invalid input.", "errors": _django_errors(exc)}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, ObjectDoesNotExist):
        exc = Http404()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {
            "detail": "Invalid input.",
            "errors": {field: _messages(messages) for field, messages in errors.items()},
        }
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def server_error(request: HttpRequest) -> HttpResponse:
    """A crash answers an API client in JSON like every other error (Django has logged the traceback)."""
    if _is_api(request):
        return JsonResponse({"detail": "Server error; it has been logged."}, status=500)
    return defaults.server_error(request)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """An unknown API address answers in JSON too; the web UI keeps its page."""
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
