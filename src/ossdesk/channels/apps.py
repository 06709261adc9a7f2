from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "ossdesk.channels"
    label = "channels"
