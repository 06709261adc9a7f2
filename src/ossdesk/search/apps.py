from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "ossdesk.search"
    label = "search"
    verbose_name = "Search"
