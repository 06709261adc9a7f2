from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ossdesk.web"
    label = "web"
