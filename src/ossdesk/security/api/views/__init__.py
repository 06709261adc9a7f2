"""API doors for security assurance, by concern: advisories, SBOMs, findings, VEX, vendor advisories,
notices and the portfolio's exposure. `web.api_urls` registers the viewsets from here.

Every read goes through the security selectors, which scope by the actor: another organisation's SBOM,
finding, notice or VEX statement answers exactly like a missing one (404). Every write is one service;
who may do it (analysts, four eyes, the customer's plan) is the services' decision, not the door's.
"""

from __future__ import annotations

from ossdesk.security.api.views.advisories import AdvisoryViewSet
from ossdesk.security.api.views.exposure import portfolio
from ossdesk.security.api.views.findings import FindingViewSet
from ossdesk.security.api.views.notices import NoticeViewSet
from ossdesk.security.api.views.sboms import (
    SbomFilter,
    SbomViewSet,
)
from ossdesk.security.api.views.vendor import (
    VendorAdvisoryFilter,
    VendorAdvisoryViewSet,
)
from ossdesk.security.api.views.vex import (
    CycloneDxVexRenderer,
    OpenVexRenderer,
    VexFormatNegotiation,
    VexViewSet,
)

__all__ = [
    "AdvisoryViewSet",
    "CycloneDxVexRenderer",
    "FindingViewSet",
    "NoticeViewSet",
    "OpenVexRenderer",
    "SbomFilter",
    "SbomViewSet",
    "VendorAdvisoryFilter",
    "VendorAdvisoryViewSet",
    "VexFormatNegotiation",
    "VexViewSet",
    "portfolio",
]
