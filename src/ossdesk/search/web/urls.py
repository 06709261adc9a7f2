"""The search page, included by ossdesk.web.urls (its name lives in the `web` namespace)."""

from django.urls import path

from ossdesk.search.web import views

urlpatterns = [path("search/", views.search_page, name="search")]
