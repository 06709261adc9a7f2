from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "ossdesk.channels"
    label = "channels"

    def ready(self) -> None:
        from ossdesk.channels import hook_handlers  # models are loaded only now

        hook_handlers.subscribe()
