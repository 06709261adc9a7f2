"""API doors for the signed-in user and their tokens."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from ossdesk.accounts import services
from ossdesk.accounts.api.serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenInSerializer,
    ApiTokenOutSerializer,
    MeSerializer,
)
from ossdesk.accounts.models import ApiToken, User
from ossdesk.doors.actor import request_actor


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    """Who the token or session belongs to."""
    user = request.user
    assert isinstance(user, User)  # IsAuthenticated, the default permission, lets only a signed-in user in
    return Response(MeSerializer(user).data)


class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[ApiToken],
):
    """Your own API tokens. Creating one shows its key once; deleting one revokes it."""

    serializer_class = ApiTokenOutSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        return ApiToken.objects.filter(user_id=self.request.user.pk or 0)

    @extend_schema(request=ApiTokenInSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request: Request) -> Response:
        serializer = ApiTokenInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assert isinstance(request.user, User)
        token, key = services.api_token_create(
            actor=request_actor(request), user=request.user, **serializer.validated_data
        )
        data = ApiTokenOutSerializer(token).data | {"key": key}
        return Response(data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.api_token_revoke(actor=request_actor(request), token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
