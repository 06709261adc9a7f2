"""Mail pages, included by ossdesk.web.urls (so their names live in the `web` namespace)."""

from django.urls import path

from ossdesk.channels.web import views

urlpatterns = [
    path("mail/outbox/", views.outbox, name="mail-outbox"),
    path("mail/outbox/<int:pk>/", views.outbox_mail, name="mail-outbox-mail"),
    path("mail/outbox/<int:pk>/retry/", views.outbox_retry, name="mail-outbox-retry"),
    path("mail/inbox/", views.inbox, name="mail-inbox"),
    path("mail/inbox/<int:pk>/retry/", views.inbox_retry, name="mail-inbox-retry"),
    path("mail/inbox/<int:pk>/assign/", views.inbox_assign, name="mail-inbox-assign"),
    path("mail/inbox/<int:pk>/discard/", views.inbox_discard, name="mail-inbox-discard"),
    path("account/notifications/preferences/", views.preferences, name="notification-preferences"),
]
