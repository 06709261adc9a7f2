"""The portfolio's exposure: open findings by customer and the advisories reaching the most deployments."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from ossdesk.doors.actor import request_actor
from ossdesk.security import selectors
from ossdesk.security.api.serializers import PortfolioSerializer


@extend_schema(summary="Exposure of the portfolio", responses=PortfolioSerializer)
@api_view(["GET"])
def portfolio(request: Request) -> Response:
    """Open findings by customer and severity, overdue counts, and the advisories reaching most
    deployments. Staff see every customer; a customer sees its own organisation."""
    found = selectors.portfolio(actor=request_actor(request), now=timezone.now())
    return Response(PortfolioSerializer(found).data)
