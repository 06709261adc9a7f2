"""Builders of products for the tests."""

from __future__ import annotations

import factory

from ossdesk.products.models import Product


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    ecosystem = "PyPI"
