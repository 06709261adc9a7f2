from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "ossdesk.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        from ossdesk.notify import subscribe  # models load after the app configs
        from ossdesk.webhooks.services import notice_emit

        subscribe("webhooks", notice_emit)
