from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "ossdesk.channels"
    label = "channels"

    def ready(self) -> None:
        from ossdesk.channels import hook_handlers  # models are loaded only now
        from ossdesk.channels.notify import notice_mail
        from ossdesk.notify import subscribe

        hook_handlers.subscribe()
        subscribe("mail", notice_mail)
