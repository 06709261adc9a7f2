from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "ossdesk.customers"
    label = "customers"
