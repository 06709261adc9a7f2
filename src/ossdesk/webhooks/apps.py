from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "ossdesk.webhooks"
    label = "webhooks"
