"""Security pages, included by ossdesk.web.urls (so their names live in the `web` namespace)."""

from django.urls import path

from ossdesk.security.web.views import (
    advisories,
    deployments,
    findings,
    notices,
    portfolio,
    sboms,
    vendor,
    vex,
)

urlpatterns = [
    # The canonical URL each CSAF document names as its "self" reference (csaf.VendorAdvisory.canonical_url).
    path("csaf/<int:year>/<str:filename>", vendor.vendor_canonical, name="csaf-canonical"),
    path("security/", portfolio.portfolio, name="security"),
    path("security/affected/", portfolio.affected_lookup, name="security-affected"),
    path("security/advisories/", advisories.advisory_list, name="security-advisories"),
    path("security/advisories/<path:key>/", advisories.advisory_detail, name="security-advisory"),
    path("security/deployments/", deployments.deployment_list, name="security-deployments"),
    path("security/deployments/new/", deployments.deployment_create, name="security-deployment-create"),
    path("security/deployments/<int:pk>/", deployments.deployment_detail, name="security-deployment"),
    path("security/deployments/<int:pk>/edit/", deployments.deployment_edit, name="security-deployment-edit"),
    path("security/deployments/<int:pk>/upload/", sboms.deployment_upload, name="security-deployment-upload"),
    path("security/sboms/<int:pk>/download/", sboms.sbom_download, name="security-sbom-download"),
    path("security/sboms/<int:pk>/confirm/", sboms.sbom_confirm, name="security-sbom-confirm"),
    path("security/findings/", findings.finding_list, name="security-findings"),
    path("security/findings/<int:pk>/", findings.finding_detail, name="security-finding"),
    path("security/findings/<int:pk>/status/", findings.finding_status, name="security-finding-status"),
    path("security/findings/<int:pk>/vex/", findings.finding_vex, name="security-finding-vex"),
    path("security/vex/", vex.vex_list, name="security-vex"),
    path("security/vex/import/", vex.vex_import, name="security-vex-import"),
    path("security/vex/export/<str:kind>/", vex.vex_export, name="security-vex-export"),
    path("security/vendor-advisories/", vendor.vendor_list, name="security-vendor-list"),
    path("security/vendor-advisories/new/", vendor.vendor_create, name="security-vendor-create"),
    path("security/vendor-advisories/<str:tracking_id>/", vendor.vendor_detail, name="security-vendor"),
    path(
        "security/vendor-advisories/<str:tracking_id>/edit/", vendor.vendor_edit, name="security-vendor-edit"
    ),
    path(
        "security/vendor-advisories/<str:tracking_id>/submit/",
        vendor.vendor_submit,
        name="security-vendor-submit",
    ),
    path(
        "security/vendor-advisories/<str:tracking_id>/publish/",
        vendor.vendor_publish,
        name="security-vendor-publish",
    ),
    path(
        "security/vendor-advisories/<str:tracking_id>/withdraw/",
        vendor.vendor_withdraw,
        name="security-vendor-withdraw",
    ),
    path(
        "security/vendor-advisories/<str:tracking_id>/<str:kind>.json",
        vendor.vendor_download,
        name="security-vendor-download",
    ),
    path("security/notices/", notices.notice_list, name="security-notices"),
    path("security/notices/<int:pk>/", notices.notice_detail, name="security-notice"),
    path("security/notices/<int:pk>/acknowledge/", notices.notice_acknowledge, name="security-notice-ack"),
]
