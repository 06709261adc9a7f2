"""Knowledge-base API shapes: explicit input and output serializers; the services decide."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from ossdesk.doors.ids import IdField
from ossdesk.kb.models import Article, Visibility
from ossdesk.products.models import Product, ProductVersion


class ArticleOutSerializer(serializers.ModelSerializer[Article]):
    product: serializers.PrimaryKeyRelatedField[Product] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    product_name = serializers.CharField(source="product.name", read_only=True, allow_null=True)
    product_versions: serializers.PrimaryKeyRelatedField[ProductVersion] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    author = serializers.CharField(source="author.username", read_only=True, allow_null=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "slug",
            "visibility",
            "status",
            "product",
            "product_name",
            "product_versions",
            "summary",
            "body",
            "body_html",
            "author",
            "from_ticket",
            "created_at",
            "updated_at",
            "published_at",
        ]


class ArticleInSerializer(serializers.Serializer[None]):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()
    slug = serializers.SlugField(max_length=200, required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True
    )
    product_versions = serializers.PrimaryKeyRelatedField(
        queryset=ProductVersion.objects.all(), many=True, required=False
    )
    publish = serializers.BooleanField(required=False, default=False, help_text="Publish after saving")


class ArticleQuerySerializer(serializers.Serializer[None]):
    search = serializers.CharField(required=False, allow_blank=True, default="")
    product = IdField(required=False, default=None)


class SuggestQuerySerializer(serializers.Serializer[None]):
    q = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    product = IdField(required=False, default=None)


class SuggestionSerializer(serializers.ModelSerializer[Article]):
    product: serializers.PrimaryKeyRelatedField[Product] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = ["id", "title", "slug", "summary", "product", "visibility", "url"]

    def get_url(self, article: Article) -> str:
        return reverse("web:kb-article", args=[article.slug])


class SuggestionsSerializer(serializers.Serializer[dict[str, Any]]):
    results = SuggestionSerializer(many=True)
