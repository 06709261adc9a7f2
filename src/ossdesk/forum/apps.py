from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "ossdesk.forum"
    label = "forum"
