from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ossdesk.accounts"
    label = "accounts"
