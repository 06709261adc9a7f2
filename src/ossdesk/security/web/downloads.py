"""Files the security pages hand out: stored SBOMs, VEX documents, vendor advisories as OSV and CSAF.

The caller has already found the object through the selectors; this only shapes the response. Every
download is an attachment the browser does not render.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone

from ossdesk.domain import csaf
from ossdesk.domain import vex as vexdoc
from ossdesk.security import services
from ossdesk.security.models import Sbom, VendorAdvisory

VEX_KINDS = {"openvex": "openvex.json", "cyclonedx": "cdx.json"}
VENDOR_KINDS = {"osv": "osv.json", "csaf": "csaf.json"}


class ExportRefused(Exception):
    """The statements cannot be written in the format asked for; the message says why."""


def _harden(response: HttpResponse | FileResponse) -> HttpResponse | FileResponse:
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were talked into rendering it, the file runs with no origin and no scripts.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _json(document: Any, filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    _harden(response)
    return response


def sbom_response(sbom: Sbom) -> HttpResponse | FileResponse:
    try:
        handle = sbom.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(
        handle, as_attachment=True, filename=sbom.filename, content_type="application/octet-stream"
    )
    return _harden(response)


def vex_response(kind: str, statements: Sequence[vexdoc.Statement]) -> HttpResponse:
    """OpenVEX 0.2.0 or CycloneDX 1.5 VEX; `ExportRefused` when the format cannot say the statements."""
    if kind not in VEX_KINDS:
        raise Http404("No such export format.")
    if not statements:
        raise ExportRefused("There are no statements to export.")
    now = timezone.now()
    stamp = f"{now:%Y%m%dT%H%M%SZ}"
    try:
        if kind == "openvex":
            document = vexdoc.to_openvex(
                statements,
                author=settings.OSSDESK_VENDOR_NAME,
                document_id=f"{settings.OSSDESK_VENDOR_URL.rstrip('/')}/vex/{stamp}-{uuid.uuid4().hex[:12]}",
                timestamp=now,
            )
        else:
            document = vexdoc.to_cyclonedx_vex(statements, timestamp=now)
    except vexdoc.VexError as error:
        raise ExportRefused(str(error)) from None
    return _json(document, f"vex-{stamp}.{VEX_KINDS[kind]}")


def vendor_canonical_response(advisory: VendorAdvisory) -> HttpResponse:
    """A published advisory's CSAF document, served at its canonical URL, under its CSAF file name."""
    source = services.vendor_document(advisory)
    response = _json(csaf.to_csaf(source), source.filename)
    response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline")
    return response


def vendor_response(advisory: VendorAdvisory, kind: str) -> HttpResponse:
    """The vendor advisory as its OSV record or its CSAF 2.0 document (a draft until published)."""
    if kind not in VENDOR_KINDS:
        raise Http404("No such export format.")
    if kind == "osv":
        document = services.vendor_osv(advisory)
    else:
        document = csaf.to_csaf(services.vendor_document(advisory))
    return _json(document, f"{advisory.tracking_id}.{VENDOR_KINDS[kind]}")
