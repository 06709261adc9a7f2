from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "ossdesk.channels"
    label = "channels"

    def ready(self) -> None:
        from ossdesk.channels.notify import notice_mail  # models load after the app configs
        from ossdesk.notify import subscribe

        subscribe("mail", notice_mail)
