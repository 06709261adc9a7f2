"""Helpdesk pages, included by ossdesk.web.urls (so their names live in the `web` namespace)."""

from django.urls import path

from ossdesk.tickets.web import views

urlpatterns = [
    path("tickets/", views.queue, name="tickets"),
    path("tickets/new/", views.ticket_create, name="ticket-create"),
    path("tickets/views/", views.saved_view_save, name="saved-view-save"),
    path("tickets/views/<int:pk>/delete/", views.saved_view_delete, name="saved-view-delete"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/reply/", views.ticket_reply, name="ticket-reply"),
    path("tickets/<int:pk>/status/", views.ticket_status, name="ticket-status"),
    path("tickets/<int:pk>/severity/", views.ticket_severity, name="ticket-severity"),
    path("tickets/<int:pk>/assign/", views.ticket_assign, name="ticket-assign"),
    path("tickets/<int:pk>/workaround/", views.ticket_workaround, name="ticket-workaround"),
    path("tickets/<int:pk>/tags/", views.ticket_tags, name="ticket-tags"),
    path("tickets/<int:pk>/time/", views.ticket_time, name="ticket-time"),
    path(
        "tickets/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="ticket-attachment",
    ),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/badge/", views.notification_badge, name="notification-badge"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
]
