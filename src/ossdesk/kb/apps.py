from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "ossdesk.kb"
    label = "kb"
