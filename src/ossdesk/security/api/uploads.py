"""Reading an uploaded file off an API request: a multipart part, or the raw body named by `?filename=`.

The services check what a file says (empty, too large, unreadable); this only refuses to hold more than
the services' limit in memory, before a byte of an oversized body is read.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.request import Request

from ossdesk.domain.inventory import MAX_BYTES

MISSING = "Send the file as the multipart part `file`, or as the request body with ?filename=."


def _too_large(name: str, size: int | None, limit: int) -> ValidationError:
    if size is None:
        return ValidationError({"file": f"{name} is larger than the limit of {limit:,} bytes."})
    return ValidationError({"file": f"{name} is {size:,} bytes; the limit is {limit:,}."})


def _raw_body(request: Request, filename: str, limit: int) -> bytes:
    """The request body, at most `limit` bytes, whether it declares its length or comes in chunks."""
    meta = request.META
    declared = meta.get("CONTENT_LENGTH") or ""
    if declared.isdigit():
        if int(declared) > limit:
            raise _too_large(filename, int(declared), limit)
        stream = request.stream
        data = stream.read(limit + 1) if stream is not None else b""
    elif _chunked(meta):
        # Django reads only CONTENT_LENGTH bytes (none here); the server has decoded the chunks and ends
        # the input stream after the body (`wsgi.input_terminated`), so read that stream itself.
        data = meta["wsgi.input"].read(limit + 1)
    else:
        data = b""
    if len(data) > limit:
        raise _too_large(filename, None, limit)
    return data


def _chunked(meta: dict[str, Any]) -> bool:
    encoding = meta.get("HTTP_TRANSFER_ENCODING", "").lower()
    return "chunked" in encoding and bool(meta.get("wsgi.input_terminated"))


def upload_from_request(request: Request, *, limit: int | None = None) -> tuple[str, bytes]:
    """The file's name and bytes; a missing or oversized file raises a field error on `file`."""
    limit = MAX_BYTES if limit is None else limit
    filename = request.query_params.get("filename", "").strip()
    if filename and not request.content_type.startswith("multipart/"):
        return filename, _raw_body(request, filename, limit)
    try:
        form = request.data
    except UnsupportedMediaType:  # a raw body without ?filename=
        raise ValidationError({"file": MISSING}) from None
    upload = form.get("file") if hasattr(form, "get") else None
    if upload is None or not hasattr(upload, "read"):
        raise ValidationError({"file": MISSING})
    if upload.size is not None and upload.size > limit:
        raise _too_large(upload.name or "upload", upload.size, limit)
    return upload.name or "upload", upload.read()
