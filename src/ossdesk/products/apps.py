from django.apps import AppConfig


class ProductsConfig(AppConfig):
    name = "ossdesk.products"
    label = "products"
