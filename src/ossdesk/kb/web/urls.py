"""Knowledge-base pages, included by ossdesk.web.urls (so their names live in the `web` namespace)."""

from django.urls import path

from ossdesk.kb.web import views

urlpatterns = [
    path("kb/", views.article_list, name="kb"),
    path("kb/new/", views.article_create, name="kb-create"),
    path("kb/preview/", views.article_preview, name="kb-preview"),
    path("kb/suggest/", views.suggest, name="kb-suggest"),
    path("kb/tickets/<int:pk>/link/", views.ticket_link, name="kb-ticket-link"),
    path("kb/links/<int:pk>/delete/", views.ticket_unlink, name="kb-ticket-unlink"),
    path("kb/<slug:slug>/", views.article_detail, name="kb-article"),
    path("kb/<slug:slug>/edit/", views.article_edit, name="kb-edit"),
    path("kb/<slug:slug>/publish/", views.article_publish, name="kb-publish"),
    path("kb/<slug:slug>/delete/", views.article_delete, name="kb-delete"),
]
