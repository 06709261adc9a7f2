"""The search API door: validate the parameters, ask the selector, shape one page."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from ossdesk.doors.actor import request_actor
from ossdesk.search.api.serializers import HitSerializer, SearchPageSerializer, SearchQuerySerializer
from ossdesk.search.selectors import search


# A plain view, not a viewset's `list`: the answer is one page object, not an array (the schema follows).
@extend_schema(
    summary="Search tickets, messages, articles and the forum",
    parameters=[SearchQuerySerializer],
    responses=SearchPageSerializer,
)
@api_view(["GET"])
def search_page(request: Request) -> Response:
    """Full-text search through the tenancy layer: what the caller may read, best match first."""
    query = SearchQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    results = search(actor=request_actor(request), **query.selector_arguments())
    url = request.build_absolute_uri()
    # DRF's stub types a Serializer's instance as one item even with many=True, which takes a list.
    hits = HitSerializer(results.hits, many=True)  # type: ignore[arg-type]
    body: dict[str, Any] = {
        "count": results.total,
        "next": replace_query_param(url, "page", results.page + 1) if results.has_next else None,
        "previous": _previous(url, results.page) if results.has_previous else None,
        "facets": results.facets,
        "results": hits.data,
    }
    return Response(body)


def _previous(url: str, page: int) -> str:
    return remove_query_param(url, "page") if page == 2 else replace_query_param(url, "page", page - 1)
