"""A thin viewset: reads through a selector's queryset, writes through services, explicit serializers."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from ossdesk.accounts.actor import Actor
from ossdesk.doors.actor import request_actor

_M = TypeVar("_M", bound=Model)


class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[_M]):
    """List and retrieve from `get_queryset` (a selector); create/update/delete call `perform_*` services."""

    output_serializer: type[serializers.Serializer[_M]]
    input_serializer: type[serializers.Serializer[Any]] | None = None

    @property
    def actor(self) -> Actor:
        return request_actor(self.request)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action in {"create", "update", "partial_update"} and self.input_serializer is not None:
            return self.input_serializer
        return self.output_serializer

    def _validated(self, request: Request, *, partial: bool = False, instance: Any = None) -> dict[str, Any]:
        assert self.input_serializer is not None
        serializer = self.input_serializer(
            data=request.data, partial=partial, instance=instance, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _out(self, instance: Model, status_code: int = status.HTTP_200_OK) -> Response:
        instance = self.get_queryset().get(pk=instance.pk)
        return Response(
            self.output_serializer(instance, context=self.get_serializer_context()).data, status=status_code
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.perform_service_create(self._validated(request))
        return self._out(instance, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        changes = self._validated(request, partial=partial, instance=instance)
        return self._out(self.perform_service_update(instance, changes))

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.perform_service_delete(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def perform_service_update(self, instance: Any, changes: dict[str, Any]) -> Model:
        raise NotImplementedError

    def perform_service_delete(self, instance: Any) -> None:
        raise NotImplementedError


class SelectorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[_M]):
    """List and retrieve from a selector's queryset; writes are actions, each one service (no create,
    update or delete of its own, so the router offers none)."""

    output_serializer: type[serializers.Serializer[_M]]

    @property
    def actor(self) -> Actor:
        return request_actor(self.request)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return self.output_serializer

    def _out(self, instance: Model) -> Response:
        instance = self.get_queryset().get(pk=instance.pk)
        return Response(self.output_serializer(instance, context=self.get_serializer_context()).data)
