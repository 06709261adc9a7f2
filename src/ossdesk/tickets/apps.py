from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "ossdesk.tickets"
    label = "tickets"

    def ready(self) -> None:
        from ossdesk.tickets import hook_handlers  # models are loaded only now

        hook_handlers.subscribe()
