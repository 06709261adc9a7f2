from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "ossdesk.tickets"
    label = "tickets"
