"""API doors for the knowledge base: articles (read per visibility, written by staff) and suggestions."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from ossdesk.doors.actor import request_actor
from ossdesk.doors.viewsets import ServiceViewSet
from ossdesk.kb import selectors, services
from ossdesk.kb.api.serializers import (
    ArticleInSerializer,
    ArticleOutSerializer,
    ArticleQuerySerializer,
    SuggestionSerializer,
    SuggestionsSerializer,
    SuggestQuerySerializer,
)
from ossdesk.kb.models import Article


def _query(serializer_class: type[Any], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ArticleViewSet(ServiceViewSet[Article]):
    """Articles the caller may read (`?search=` terms, `?product=`); staff create, change and delete."""

    output_serializer = ArticleOutSerializer
    input_serializer = ArticleInSerializer
    filter_backends: list[Any] = []  # search and filters go through the selector

    def get_queryset(self) -> QuerySet[Article]:
        query = _query(ArticleQuerySerializer, self.request) if self.action == "list" else {}
        return selectors.article_list(
            actor=self.actor, search=query.get("search", ""), product_id=query.get("product")
        ).order_by("title", "pk")

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        publish = data.pop("publish", False)
        article = services.article_create(actor=self.actor, **data)
        return services.article_publish(actor=self.actor, article=article) if publish else article

    def perform_service_update(self, instance: Article, changes: dict[str, Any]) -> Model:
        publish = changes.pop("publish", False)
        article = services.article_update(actor=self.actor, article=instance, **changes)
        return services.article_publish(actor=self.actor, article=article) if publish else article

    def perform_service_delete(self, instance: Article) -> None:
        services.article_delete(actor=self.actor, article=instance)


@extend_schema(
    summary="Suggest articles for a text",
    parameters=[SuggestQuerySerializer],
    responses=SuggestionsSerializer,
)
@api_view(["GET"])
def suggest(request: Request) -> Response:
    """Up to five published articles the caller may read, best match for `q` first (`?product=` narrows)."""
    query = _query(SuggestQuerySerializer, request)
    articles = selectors.article_suggest(
        actor=request_actor(request), text=query["q"], product_id=query["product"]
    )
    return Response({"results": SuggestionSerializer(articles, many=True).data})
