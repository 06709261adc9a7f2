"""URL map: the web UI at /, the REST API under /api/, the Django admin under /admin/."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("ossdesk.web.api_urls")),
    path("", include("ossdesk.web.urls")),
]

handler404 = "ossdesk.doors.api.page_not_found"
handler500 = "ossdesk.doors.api.server_error"
