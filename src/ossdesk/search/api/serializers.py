"""Search API shapes: the query's parameters in, one page of hits out."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ossdesk.doors.ids import IdField
from ossdesk.search.models import Kind
from ossdesk.search.query import MAX_INPUT
from ossdesk.search.selectors import MAX_PER_PAGE, PER_PAGE, Hit
from ossdesk.tickets.models import Status

MAX_PAGE = 100_000


class SearchQuerySerializer(serializers.Serializer[None]):
    q = serializers.CharField(max_length=MAX_INPUT, required=False, allow_blank=True, default="")
    kind = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="ticket, message, article, forum, forum_reply; comma-separated",
    )
    organization = IdField(required=False, default=None)
    product = IdField(required=False, default=None)
    status = serializers.ChoiceField(choices=Status.choices, required=False, default=None)
    date_from = serializers.DateField(required=False, default=None)
    date_to = serializers.DateField(required=False, default=None)
    # Deep pages cost the database more than they help; the bound also keeps the offset a small number.
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, default=1)
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PER_PAGE, default=PER_PAGE
    )

    def validate_kind(self, value: str) -> list[str]:
        kinds = [k.strip() for k in value.split(",") if k.strip()]
        unknown = sorted(set(kinds) - set(Kind.values))
        if unknown:
            raise serializers.ValidationError(
                f"Unknown kind {', '.join(unknown)}; use {', '.join(Kind.values)}."
            )
        return kinds

    def selector_arguments(self) -> dict[str, Any]:
        data = self.validated_data
        return {
            "q": data["q"],
            "kinds": tuple(data["kind"]),
            "organization_id": data["organization"],
            "product_id": data["product"],
            "status": data["status"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "page": data["page"],
            "per_page": data["page_size"],
        }


class HitSerializer(serializers.Serializer[Hit]):
    kind = serializers.CharField()
    id = serializers.IntegerField(
        source="object_id", help_text="The ticket's, message's, article's, forum thread's or forum post's id"
    )
    ticket = serializers.IntegerField(source="ticket_id", allow_null=True)
    thread = serializers.IntegerField(
        source="thread_id", allow_null=True, help_text="Forum threads and replies: the thread"
    )
    title = serializers.CharField()
    title_html = serializers.CharField(help_text="Escaped HTML; matches in <mark>")
    snippet_html = serializers.CharField(help_text="Escaped HTML; matches in <mark>")
    url = serializers.CharField(help_text="The web page")
    is_public = serializers.BooleanField(help_text="False for internal notes and hidden forum posts")
    visibility = serializers.CharField()
    published = serializers.BooleanField()
    status = serializers.CharField()
    updated_at = serializers.DateTimeField()
    score = serializers.FloatField(help_text="Higher is better; comparable within one response only")


class SearchPageSerializer(serializers.Serializer[dict[str, Any]]):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    facets = serializers.DictField(child=serializers.IntegerField(), help_text="Matches per kind")
    results = HitSerializer(many=True)
