"""Reads of the product catalogue: not tenant data, every signed-in user may read it."""

from __future__ import annotations

from django.db.models import QuerySet

from ossdesk.products.models import Product, ProductVersion


def product_list(*, search: str = "") -> QuerySet[Product]:
    qs = Product.objects.prefetch_related("versions")
    if search:
        qs = qs.filter(name__icontains=search)
    return qs


def product_version_list(*, product_id: int | None = None) -> QuerySet[ProductVersion]:
    qs = ProductVersion.objects.select_related("product")
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    return qs
