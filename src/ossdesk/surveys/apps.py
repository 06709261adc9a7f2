from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "ossdesk.surveys"
    label = "surveys"
    verbose_name = "Satisfaction surveys"
