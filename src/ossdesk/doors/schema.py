"""The OpenAPI document states the errors each operation can answer, in the one shape every error has."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers


class ErrorSerializer(serializers.Serializer[dict[str, Any]]):
    """Every API error: `detail` always; field messages, a refusal's code or a delay where they apply."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False, help_text="Why the contract refuses it (403).")
    allowed_by = serializers.CharField(
        required=False, allow_null=True, help_text="The plan that would allow it (403)."
    )
    blocked_by = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        help_text="What still refers to it, and how many (409).",
    )
    retry_after = serializers.IntegerField(required=False, help_text="Seconds to wait (429).")

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # `errors` names a Serializer attribute, so it cannot be declared on the class.
        fields = dict(super().get_fields())
        fields["errors"] = serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text="Field name → its messages (400).",
        )
        return fields


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)


BAD_REQUEST = _error('Invalid input: {"detail", "errors": {field: [messages]}}.')
UNAUTHENTICATED = _error("No valid credentials.")
FORBIDDEN = _error(
    'Not allowed to this caller, or refused by the contract ({"detail", "code", "allowed_by"}).'
)
NOT_FOUND = _error("No such object, or not visible to this caller; or a page past the end.")
UNSUPPORTED = _error("The body is not in a media type this operation reads.")
CONFLICT = _error('Other records still refer to it: {"detail", "blocked_by": {what: count}}.')


WRITES = frozenset({"create", "update", "partial_update"})


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema plus the error answers the API base gives (doors/api.py)."""

    def get_response_serializers(self) -> Any:
        # A ServiceViewSet reads with its input serializer and answers with its output one
        # (doors/viewsets.py); an explicit @extend_schema(responses=...) still wins, as drf-spectacular
        # asks it first.
        output = getattr(self.view, "output_serializer", None)
        if output is not None and getattr(self.view, "action", None) in WRITES:
            return output
        return super().get_response_serializers()

    def _map_serializer(self, serializer: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        # Fields a serializer shows to staff only (`staff_only_fields`) are absent for customers.
        staff_only = set(getattr(serializer, "staff_only_fields", ()))
        if staff_only and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in staff_only]
            if not schema["required"]:
                del schema["required"]
        return schema

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code, answer in self._error_answers():
            if code not in responses:
                responses[code] = self._get_response_for_code(answer, code, direction=direction)
        return responses

    def _error_answers(self) -> list[tuple[str, OpenApiResponse]]:
        answers = [("400", BAD_REQUEST)] if self._takes_input() else []
        if not self._public():
            answers.append(("401", UNAUTHENTICATED))
        answers.append(("403", FORBIDDEN))
        if self._takes_input() or "{" in self.path:
            answers.append(("404", NOT_FOUND))
        if self.method == "DELETE":
            answers.append(("409", CONFLICT))
        if self.method in {"POST", "PUT", "PATCH"}:
            answers.append(("415", UNSUPPORTED))
        return answers

    def _takes_input(self) -> bool:
        """A body, or any query parameter (filters, paging, ordering) can be wrong."""
        if self.method in {"POST", "PUT", "PATCH"}:
            return True
        return any(parameter["in"] == "query" for parameter in self._get_parameters())

    def _public(self) -> bool:
        return all(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions())
