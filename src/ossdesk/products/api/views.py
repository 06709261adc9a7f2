"""API doors for the product catalogue."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model

from ossdesk.doors.viewsets import ServiceViewSet
from ossdesk.products import selectors, services
from ossdesk.products.api.serializers import (
    ProductInSerializer,
    ProductOutSerializer,
    ProductVersionInSerializer,
    ProductVersionOutSerializer,
)
from ossdesk.products.models import Product, ProductVersion


class ProductViewSet(ServiceViewSet[Product]):
    output_serializer = ProductOutSerializer
    input_serializer = ProductInSerializer
    filterset_fields = ["ecosystem"]
    search_fields = ["name", "package_name"]
    ordering_fields = ["name"]
    ordering = ["name"]

    def get_queryset(self) -> Any:
        return selectors.product_list()

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        return services.product_create(actor=self.actor, **data)

    def perform_service_update(self, instance: Product, changes: dict[str, Any]) -> Model:
        return services.product_update(actor=self.actor, product=instance, **changes)

    def perform_service_delete(self, instance: Product) -> None:
        services.product_delete(actor=self.actor, product=instance)


class ProductVersionViewSet(ServiceViewSet[ProductVersion]):
    output_serializer = ProductVersionOutSerializer
    input_serializer = ProductVersionInSerializer
    filterset_fields = ["product"]
    search_fields = ["version"]
    ordering_fields = ["released_on", "end_of_life_on", "version"]
    ordering = ["product__name", "-released_on"]

    def get_queryset(self) -> Any:
        return selectors.product_version_list()

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        return services.product_version_create(actor=self.actor, **data)

    def perform_service_update(self, instance: ProductVersion, changes: dict[str, Any]) -> Model:
        for key in ("product", "version"):
            if key in changes and changes.pop(key) != getattr(instance, key):
                raise ValidationError({key: "This field cannot be changed; add a new version instead."})
        return services.product_version_update(actor=self.actor, item=instance, **changes)

    def perform_service_delete(self, instance: ProductVersion) -> None:
        services.product_version_delete(actor=self.actor, item=instance)
