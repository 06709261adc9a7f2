from __future__ import annotations

from rest_framework import serializers

from ossdesk.products.models import Product, ProductVersion


class ProductVersionOutSerializer(serializers.ModelSerializer[ProductVersion]):
    class Meta:
        model = ProductVersion
        fields = ["id", "product", "version", "released_on", "end_of_support_on", "end_of_life_on"]


class ProductVersionInSerializer(serializers.Serializer[None]):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    version = serializers.CharField(max_length=64)
    released_on = serializers.DateField(required=False, allow_null=True)
    end_of_support_on = serializers.DateField(required=False, allow_null=True)
    end_of_life_on = serializers.DateField(required=False, allow_null=True)


class ProductOutSerializer(serializers.ModelSerializer[Product]):
    versions = ProductVersionOutSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = ["id", "name", "slug", "ecosystem", "package_name", "homepage", "description", "versions"]


class ProductInSerializer(serializers.Serializer[None]):
    name = serializers.CharField(max_length=200)
    ecosystem = serializers.CharField(max_length=40, required=False, allow_blank=True)
    package_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    homepage = serializers.URLField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
