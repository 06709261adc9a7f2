from __future__ import annotations

from typing import Any

from django.contrib import admin

from ossdesk.doors.admin import ServiceAdmin
from ossdesk.products import services
from ossdesk.products.models import Product, ProductVersion


def _create(actor: Any, **fields: Any) -> Product:
    return services.product_create(actor=actor, **fields)


def _update(actor: Any, obj: Product, **changes: Any) -> Product:
    changes.pop("slug", None)
    return services.product_update(actor=actor, product=obj, **changes)


def _delete(actor: Any, obj: Product) -> None:
    services.product_delete(actor=actor, product=obj)


@admin.register(Product)
class ProductAdmin(ServiceAdmin[Product]):
    list_display = ["name", "ecosystem", "package_name"]
    search_fields = ["name"]
    fields = ["name", "slug", "ecosystem", "package_name", "homepage", "description"]
    create_service = _create
    update_service = _update
    delete_service = _delete


def _create_version(actor: Any, **fields: Any) -> ProductVersion:
    return services.product_version_create(actor=actor, **fields)


def _update_version(actor: Any, obj: ProductVersion, **changes: Any) -> ProductVersion:
    return services.product_version_update(actor=actor, item=obj, **changes)


def _delete_version(actor: Any, obj: ProductVersion) -> None:
    services.product_version_delete(actor=actor, item=obj)


@admin.register(ProductVersion)
class ProductVersionAdmin(ServiceAdmin[ProductVersion]):
    list_display = ["product", "version", "released_on", "end_of_support_on", "end_of_life_on"]
    list_filter = ["product"]
    fields = ["product", "version", "released_on", "end_of_support_on", "end_of_life_on"]
    create_service = _create_version
    update_service = _update_version
    delete_service = _delete_version
