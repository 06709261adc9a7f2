"""Serving an attachment: always as a download, never rendered by the browser.

The caller has already found the attachment through the selectors (ticket and message visible to the
actor); this only streams it from storage, which lives outside the web root.
"""

from __future__ import annotations

from django.http import FileResponse, Http404

from ossdesk.tickets.models import Attachment


def attachment_response(attachment: Attachment) -> FileResponse:
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were talked into rendering it, the file runs with no origin and no scripts.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
