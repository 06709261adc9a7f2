"""Every write of security assurance, by concern: advisory imports, the EPSS and KEV feeds, inventory
uploads, finding status, VEX statements, notices and vendor advisories. Each write audits; matching runs in
the same transaction. Callers import from here."""

from __future__ import annotations

from ossdesk.security.services.advisories import (
    ADVISORY_FIELDS,
    ImportReport,
    advisories_import,
)
from ossdesk.security.services.bulk import BATCH
from ossdesk.security.services.feeds import (
    FeedReport,
    epss_import,
    kev_import,
    priorities_refresh,
)
from ossdesk.security.services.findings import (
    finding_set_status,
    risk_acceptances_expire,
)
from ossdesk.security.services.inventories import (
    LISTED_CHANGES,
    UPLOAD_BATCH,
    ComponentRow,
    batch_committed,
)
from ossdesk.security.services.notices import (
    notice_acknowledge,
    notices_send,
)
from ossdesk.security.services.sboms import (
    CRITICAL,
    FORGOTTEN_AFTER,
    IN_PROGRESS,
    MAX_PROBLEMS,
    STALLED_AFTER,
    UploadPreview,
    sbom_confirm,
    sbom_discard,
    sbom_for_the_worker,
    sbom_preview,
    sbom_process,
    sbom_receive,
    sbom_upload,
    sboms_resume,
)
from ossdesk.security.services.vendor import (
    MAX_PACKAGES,
    PACKAGE_FIELDS,
    VENDOR_FIELDS,
    vendor_advisory_create,
    vendor_advisory_publish,
    vendor_advisory_submit,
    vendor_advisory_update,
    vendor_advisory_withdraw,
    vendor_csaf,
    vendor_document,
    vendor_osv,
    vendor_packages,
)
from ossdesk.security.services.vex import (
    vex_import,
    vex_record,
    vex_statements_export,
)

__all__ = [
    "ADVISORY_FIELDS",
    "BATCH",
    "CRITICAL",
    "FORGOTTEN_AFTER",
    "IN_PROGRESS",
    "LISTED_CHANGES",
    "MAX_PACKAGES",
    "MAX_PROBLEMS",
    "PACKAGE_FIELDS",
    "STALLED_AFTER",
    "UPLOAD_BATCH",
    "VENDOR_FIELDS",
    "ComponentRow",
    "FeedReport",
    "ImportReport",
    "UploadPreview",
    "advisories_import",
    "batch_committed",
    "epss_import",
    "finding_set_status",
    "kev_import",
    "notice_acknowledge",
    "notices_send",
    "priorities_refresh",
    "risk_acceptances_expire",
    "sbom_confirm",
    "sbom_discard",
    "sbom_for_the_worker",
    "sbom_preview",
    "sbom_process",
    "sbom_receive",
    "sbom_upload",
    "sboms_resume",
    "vendor_advisory_create",
    "vendor_advisory_publish",
    "vendor_advisory_submit",
    "vendor_advisory_update",
    "vendor_advisory_withdraw",
    "vendor_csaf",
    "vendor_document",
    "vendor_osv",
    "vendor_packages",
    "vex_import",
    "vex_record",
    "vex_statements_export",
]
