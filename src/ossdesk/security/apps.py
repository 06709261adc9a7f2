from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "ossdesk.security"
    label = "security"
