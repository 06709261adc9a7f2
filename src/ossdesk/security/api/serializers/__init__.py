"""Security assurance API shapes, by concern: input serializers parse, output serializers shape; services
decide. Callers import from here."""

from __future__ import annotations

from ossdesk.security.api.serializers.advisories import (
    AdvisoryDetailSerializer,
    AdvisoryQuerySerializer,
    AdvisoryRefSerializer,
    AdvisorySerializer,
    AffectedCustomerSerializer,
    AffectedPackageSerializer,
    AffectedSerializer,
)
from ossdesk.security.api.serializers.common import DeploymentRefSerializer
from ossdesk.security.api.serializers.findings import (
    FINDING_CLOCK_STATES,
    FindingQuerySerializer,
    FindingSerializer,
    FindingStatusInSerializer,
    RemediationClockSerializer,
)
from ossdesk.security.api.serializers.notices import (
    NoticeQuerySerializer,
    NoticeSerializer,
)
from ossdesk.security.api.serializers.portfolio import (
    ExposureSerializer,
    PortfolioAdvisorySerializer,
    PortfolioSerializer,
)
from ossdesk.security.api.serializers.sboms import (
    ChangesSerializer,
    ComponentSerializer,
    FindingChangeSerializer,
    MatchSerializer,
    SbomHeldSerializer,
    SbomSerializer,
    SbomUploadedSerializer,
    SbomUploadInSerializer,
    UploadFlagsSerializer,
    UploadPreviewSerializer,
)
from ossdesk.security.api.serializers.vendor import (
    PublishedSerializer,
    RangeSerializer,
    VendorAdvisoryInSerializer,
    VendorAdvisorySerializer,
    VendorPackageSerializer,
    WithdrawSerializer,
)
from ossdesk.security.api.serializers.vex import (
    VexExportQuerySerializer,
    VexImportedSerializer,
    VexImportInSerializer,
    VexInSerializer,
    VexRecordedSerializer,
    VexScopeSerializer,
    VexStatementSerializer,
)

__all__ = [
    "FINDING_CLOCK_STATES",
    "AdvisoryDetailSerializer",
    "AdvisoryQuerySerializer",
    "AdvisoryRefSerializer",
    "AdvisorySerializer",
    "AffectedCustomerSerializer",
    "AffectedPackageSerializer",
    "AffectedSerializer",
    "ChangesSerializer",
    "ComponentSerializer",
    "DeploymentRefSerializer",
    "ExposureSerializer",
    "FindingChangeSerializer",
    "FindingQuerySerializer",
    "FindingSerializer",
    "FindingStatusInSerializer",
    "MatchSerializer",
    "NoticeQuerySerializer",
    "NoticeSerializer",
    "PortfolioAdvisorySerializer",
    "PortfolioSerializer",
    "PublishedSerializer",
    "RangeSerializer",
    "RemediationClockSerializer",
    "SbomHeldSerializer",
    "SbomSerializer",
    "SbomUploadInSerializer",
    "SbomUploadedSerializer",
    "UploadFlagsSerializer",
    "UploadPreviewSerializer",
    "VendorAdvisoryInSerializer",
    "VendorAdvisorySerializer",
    "VendorPackageSerializer",
    "VexExportQuerySerializer",
    "VexImportInSerializer",
    "VexImportedSerializer",
    "VexInSerializer",
    "VexRecordedSerializer",
    "VexScopeSerializer",
    "VexStatementSerializer",
    "WithdrawSerializer",
]
