"""Helpdesk pages, included by ossdesk.web.urls (so their names live in the `web` namespace)."""

from django.urls import path

from ossdesk.tickets.web.views import actions, new_ticket, notifications, queue, saved_views, ticket

urlpatterns = [
    path("tickets/", queue.queue, name="tickets"),
    path("tickets/new/", new_ticket.ticket_create, name="ticket-create"),
    path("tickets/views/", saved_views.saved_view_save, name="saved-view-save"),
    path("tickets/views/<int:pk>/delete/", saved_views.saved_view_delete, name="saved-view-delete"),
    path("tickets/<int:pk>/", ticket.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/reply/", actions.ticket_reply, name="ticket-reply"),
    path("tickets/<int:pk>/status/", actions.ticket_status, name="ticket-status"),
    path("tickets/<int:pk>/severity/", actions.ticket_severity, name="ticket-severity"),
    path("tickets/<int:pk>/assign/", actions.ticket_assign, name="ticket-assign"),
    path("tickets/<int:pk>/workaround/", actions.ticket_workaround, name="ticket-workaround"),
    path("tickets/<int:pk>/tags/", actions.ticket_tags, name="ticket-tags"),
    path("tickets/<int:pk>/time/", actions.ticket_time, name="ticket-time"),
    path(
        "tickets/<int:pk>/attachments/<int:attachment_pk>/",
        ticket.attachment_download,
        name="ticket-attachment",
    ),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/badge/", notifications.notification_badge, name="notification-badge"),
    path("notifications/read-all/", notifications.notifications_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification-read"),
]
