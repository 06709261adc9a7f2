"""What the security API doors share: the documented refusal, invalid-input and file responses, query
parameters parsed like a body, and stored files served as downloads."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.request import Request

REFUSAL = OpenApiResponse(
    description='Not allowed ({"detail"}), or refused by the contract ({"detail", "code", "allowed_by"})'
)
INVALID = OpenApiResponse(description='{"detail": "Invalid input.", "errors": {field: [messages]}}')
BINARY = OpenApiResponse(OpenApiTypes.BINARY, description="The file, as an attachment")


def parsed_query(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    """Query parameters parsed like a body: a bad value is a 400 naming the parameter."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def file_download(field_file: Any, filename: str, content_type: str) -> FileResponse:
    """A stored file, always as a download, never rendered by the browser."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
