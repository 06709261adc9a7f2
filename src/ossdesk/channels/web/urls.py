"""Outbound mail pages, included by ossdesk.web.urls (so their names live in the `web` namespace)."""

from django.urls import path

from ossdesk.channels.web import views

urlpatterns = [
    path("mail/outbox/", views.outbox, name="mail-outbox"),
    path("mail/outbox/<int:pk>/retry/", views.outbox_retry, name="mail-outbox-retry"),
    path("account/notifications/preferences/", views.preferences, name="notification-preferences"),
]
