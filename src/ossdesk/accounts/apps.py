from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ossdesk.accounts"
    label = "accounts"

    def ready(self) -> None:
        from ossdesk.accounts.api import schema  # noqa: F401 - registers the OpenAPI auth extension
