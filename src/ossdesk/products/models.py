"""The open-source projects the vendor supports, their versions and support lifecycles."""

from __future__ import annotations

from django.db import models


class Product(models.Model):
    """A supported open-source project (PostgreSQL, Kafka, Django ...)."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    ecosystem = models.CharField(max_length=40, blank=True, help_text="OSV ecosystem of its packages")
    package_name = models.CharField(max_length=200, blank=True)
    homepage = models.URLField(blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProductVersion(models.Model):
    """A release line with its lifecycle: released, end of regular support, end of life."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=64)
    released_on = models.DateField(null=True, blank=True)
    end_of_support_on = models.DateField(null=True, blank=True)
    end_of_life_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["product__name", "-released_on", "version"]
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="product_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} {self.version}"
