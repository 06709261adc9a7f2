from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "ossdesk.plans"
    label = "plans"
