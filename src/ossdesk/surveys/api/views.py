"""API doors for surveys: the responses (staff all, customers their organisation's; read-only) and the
summary per engineer, team, customer, week or month."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from ossdesk.doors.actor import request_actor
from ossdesk.doors.viewsets import ServiceViewSet
from ossdesk.surveys import selectors
from ossdesk.surveys.api.serializers import (
    RangeQuerySerializer,
    SummaryQuerySerializer,
    SummarySerializer,
    SurveyResponseOutSerializer,
)
from ossdesk.surveys.models import SurveyResponse

RANGE_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First solve date (inclusive)"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last solve date (inclusive)"),
]


def _query(serializer_class: type[RangeQuerySerializer], request: Request) -> dict[str, Any]:
    params = request.query_params
    data = {key: params[key] for key in ("group",) if key in params}
    data.update(
        {field: params[name] for name, field in (("from", "start"), ("to", "end")) if params.get(name)}
    )
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@extend_schema_view(list=extend_schema(parameters=RANGE_PARAMETERS))
class SurveyResponseViewSet(ServiceViewSet[SurveyResponse]):
    """Survey responses, newest solve first; `?from=` and `?to=` narrow by solve date."""

    output_serializer = SurveyResponseOutSerializer
    http_method_names = ["get", "head", "options"]  # answers come by link or portal, not the API
    filter_backends: list[Any] = []  # the range goes through the selector

    def get_queryset(self) -> QuerySet[SurveyResponse]:
        query = _query(RangeQuerySerializer, self.request) if self.action == "list" else {}
        return selectors.survey_list(
            actor=self.actor, date_from=query.get("start"), date_to=query.get("end")
        ).order_by("-solved_at", "-pk")


@extend_schema(
    summary="Satisfaction figures per engineer, team, customer, week or month",
    parameters=[
        OpenApiParameter("group", str, enum=list(selectors.GROUPS), description="Default: month"),
        *RANGE_PARAMETERS,
    ],
    responses=SummarySerializer,
)
@api_view(["GET"])
def summary(request: Request) -> Response:
    """CSAT (good / answered) and response rate (answered / sent) per group, and the totals; customers
    get their own organisation's figures."""
    query = _query(SummaryQuerySerializer, request)
    actor = request_actor(request)
    scope = {"actor": actor, "date_from": query["start"], "date_to": query["end"]}
    rows = selectors.survey_summary(group=query["group"], **scope)
    return Response(
        {
            "group": query["group"],
            "totals": selectors.survey_totals(**scope).as_dict(),
            "results": [row.as_dict() for row in rows],
        }
    )
