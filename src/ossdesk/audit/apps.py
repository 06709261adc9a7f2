from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ossdesk.audit"
    label = "audit"
