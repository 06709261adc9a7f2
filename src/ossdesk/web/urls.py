"""Web pages: the home page here, every other page with its app (each included in the `web` namespace)."""

from django.urls import include, path

from ossdesk.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("ossdesk.accounts.web.urls")),
    path("", include("ossdesk.customers.web.urls")),
    path("", include("ossdesk.plans.web.urls")),
    path("", include("ossdesk.tickets.web.urls")),
    path("", include("ossdesk.security.web.urls")),
    path("", include("ossdesk.channels.web.urls")),
    path("", include("ossdesk.kb.web.urls")),
    path("", include("ossdesk.forum.web.urls")),
    path("", include("ossdesk.search.web.urls")),
    path("", include("ossdesk.surveys.web.urls")),
]
