"""Security pages, included by ossdesk.web.urls (so their names live in the `web` namespace)."""

from django.urls import path

from ossdesk.security.web import views

urlpatterns = [
    # The canonical URL each CSAF document names as its "self" reference (csaf.VendorAdvisory.canonical_url).
    path("csaf/<int:year>/<str:filename>", views.vendor_canonical, name="csaf-canonical"),
    path("security/", views.portfolio, name="security"),
    path("security/affected/", views.affected_lookup, name="security-affected"),
    path("security/advisories/", views.advisory_list, name="security-advisories"),
    path("security/advisories/<path:key>/", views.advisory_detail, name="security-advisory"),
    path("security/deployments/", views.deployment_list, name="security-deployments"),
    path("security/deployments/new/", views.deployment_create, name="security-deployment-create"),
    path("security/deployments/<int:pk>/", views.deployment_detail, name="security-deployment"),
    path("security/deployments/<int:pk>/edit/", views.deployment_edit, name="security-deployment-edit"),
    path("security/deployments/<int:pk>/upload/", views.deployment_upload, name="security-deployment-upload"),
    path("security/sboms/<int:pk>/download/", views.sbom_download, name="security-sbom-download"),
    path("security/sboms/<int:pk>/confirm/", views.sbom_confirm, name="security-sbom-confirm"),
    path("security/findings/", views.finding_list, name="security-findings"),
    path("security/findings/<int:pk>/", views.finding_detail, name="security-finding"),
    path("security/findings/<int:pk>/status/", views.finding_status, name="security-finding-status"),
    path("security/findings/<int:pk>/vex/", views.finding_vex, name="security-finding-vex"),
    path("security/vex/", views.vex_list, name="security-vex"),
    path("security/vex/import/", views.vex_import, name="security-vex-import"),
    path("security/vex/export/<str:kind>/", views.vex_export, name="security-vex-export"),
    path("security/vendor-advisories/", views.vendor_list, name="security-vendor-list"),
    path("security/vendor-advisories/new/", views.vendor_create, name="security-vendor-create"),
    path("security/vendor-advisories/<str:tracking_id>/", views.vendor_detail, name="security-vendor"),
    path(
        "security/vendor-advisories/<str:tracking_id>/edit/", views.vendor_edit, name="security-vendor-edit"
    ),
    path(
        "security/vendor-advisories/<str:tracking_id>/submit/",
        views.vendor_submit,
        name="security-vendor-submit",
    ),
    path(
        "security/vendor-advisories/<str:tracking_id>/publish/",
        views.vendor_publish,
        name="security-vendor-publish",
    ),
    path(
        "security/vendor-advisories/<str:tracking_id>/withdraw/",
        views.vendor_withdraw,
        name="security-vendor-withdraw",
    ),
    path(
        "security/vendor-advisories/<str:tracking_id>/<str:kind>.json",
        views.vendor_download,
        name="security-vendor-download",
    ),
    path("security/notices/", views.notice_list, name="security-notices"),
    path("security/notices/<int:pk>/", views.notice_detail, name="security-notice"),
    path("security/notices/<int:pk>/acknowledge/", views.notice_acknowledge, name="security-notice-ack"),
]
