"""API doors for the forum: threads and replies (read by anyone, written by members signed in), accepting
an answer, moderation and bans (staff), and what staff make of a thread (a ticket, an article draft)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ossdesk.accounts.access import can_accept_answer, can_moderate_forum
from ossdesk.doors.schema import ErrorSerializer
from ossdesk.doors.viewsets import ServiceViewSet
from ossdesk.forum import selectors, services
from ossdesk.forum.api.serializers import (
    AcceptInSerializer,
    BanInSerializer,
    BanOutSerializer,
    BanQuerySerializer,
    ConvertInSerializer,
    PostCreateInSerializer,
    PostInSerializer,
    PostOutSerializer,
    PostQuerySerializer,
    ReasonInSerializer,
    ThreadInSerializer,
    ThreadOutSerializer,
    ThreadQuerySerializer,
)
from ossdesk.forum.models import Ban, Post, Thread

PUBLIC_READS = frozenset({"list", "retrieve"})


def _valid(serializer_class: type[Any], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _throttled(exc: services.RateLimited) -> Response:
    """429 with the reason and a Retry-After header, like DRF's own throttles."""
    return Response(
        {"detail": str(exc), "retry_after": exc.retry_after},
        status=status.HTTP_429_TOO_MANY_REQUESTS,
        headers={"Retry-After": str(exc.retry_after)},
    )


_Public = TypeVar("_Public", Thread, Post)


class _PublicReads(ServiceViewSet[_Public]):
    """Anyone, signed in or not, reads; everything else needs a signed-in caller."""

    http_method_names = ["get", "post", "head", "options"]
    filter_backends: list[Any] = []  # filters go through the selectors

    def get_permissions(self) -> list[Any]:
        if self.action in PUBLIC_READS or (self.action == "posts" and self.request.method == "GET"):
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]


@extend_schema_view(list=extend_schema(parameters=[ThreadQuerySerializer]))
class ThreadViewSet(_PublicReads[Thread]):
    """Threads anyone may read (`?product=`, `?answered=`, `?search=` title terms); members ask."""

    output_serializer = ThreadOutSerializer
    input_serializer = ThreadInSerializer

    def get_queryset(self) -> QuerySet[Thread]:
        query = _valid(ThreadQuerySerializer, self.request.query_params) if self.action == "list" else {}
        return selectors.thread_list(
            actor=self.actor,
            product_id=query.get("product"),
            answered=query.get("answered"),
            search=query.get("search", ""),
        )

    @extend_schema(responses={201: ThreadOutSerializer, 429: ErrorSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().create(request, *args, **kwargs)
        except services.RateLimited as exc:
            return _throttled(exc)

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        return services.thread_create(actor=self.actor, **data)

    @extend_schema(methods=["GET"], responses=PostOutSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=PostInSerializer, responses={201: PostOutSerializer, 429: ErrorSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def posts(self, request: Request, pk: str | None = None) -> Response:
        """GET: the thread's replies (anyone). POST: answer (signed in, not banned, thread open)."""
        thread = self.get_object()
        context = self.get_serializer_context()
        if request.method == "POST":
            data = _valid(PostInSerializer, request.data)
            try:
                post = services.post_create(actor=self.actor, thread=thread, body=data["body"])
            except services.RateLimited as exc:
                return _throttled(exc)
            return Response(PostOutSerializer(post, context=context).data, status=status.HTTP_201_CREATED)
        posts = selectors.post_list(actor=self.actor, thread=thread)
        # DRF's stub ties paginate_queryset to the viewset's own model; DRF pages any queryset.
        page: list[Post] | None = self.paginate_queryset(posts)  # type: ignore[arg-type]
        return self.get_paginated_response(PostOutSerializer(page, many=True, context=context).data)

    @extend_schema(request=AcceptInSerializer, responses=ThreadOutSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """The thread's author or staff accept one of its replies as the answer."""
        thread = self.get_object()
        wanted = _valid(AcceptInSerializer, request.data)["post"]
        post = selectors.post_list(actor=self.actor, thread=thread).filter(pk=wanted).first()
        if post is None:
            if not can_accept_answer(self.actor, thread.author_id):
                raise PermissionDenied("Only the person who asked, or the support team, accepts an answer.")
            return Response({"detail": "No such reply in this thread."}, status=status.HTTP_404_NOT_FOUND)
        return self._out(services.thread_accept(actor=self.actor, thread=thread, post=post))

    @extend_schema(request=None, responses=ThreadOutSerializer)
    @action(detail=True, methods=["post"])
    def unaccept(self, request: Request, pk: str | None = None) -> Response:
        return self._out(services.thread_unaccept(actor=self.actor, thread=self.get_object()))

    def _moderate(self, request: Request, operation: Callable[..., Thread]) -> Response:
        thread = self.get_object()
        if not can_moderate_forum(self.actor):
            raise PermissionDenied("Only the support team moderates the forum.")
        reason = _valid(ReasonInSerializer, request.data)["reason"]
        return self._out(operation(actor=self.actor, thread=thread, reason=reason))

    @extend_schema(request=ReasonInSerializer, responses=ThreadOutSerializer)
    @action(detail=True, methods=["post"])
    def hide(self, request: Request, pk: str | None = None) -> Response:
        return self._moderate(request, services.thread_hide)

    @extend_schema(request=ReasonInSerializer, responses=ThreadOutSerializer)
    @action(detail=True, methods=["post"])
    def unhide(self, request: Request, pk: str | None = None) -> Response:
        return self._moderate(request, services.thread_unhide)

    @extend_schema(request=ReasonInSerializer, responses=ThreadOutSerializer)
    @action(detail=True, methods=["post"])
    def lock(self, request: Request, pk: str | None = None) -> Response:
        return self._moderate(request, services.thread_lock)

    @extend_schema(request=ReasonInSerializer, responses=ThreadOutSerializer)
    @action(detail=True, methods=["post"])
    def unlock(self, request: Request, pk: str | None = None) -> Response:
        return self._moderate(request, services.thread_unlock)

    @extend_schema(request=ConvertInSerializer, responses={201: dict})
    @action(detail=True, methods=["post"], url_path="convert-to-ticket")
    def convert_to_ticket(self, request: Request, pk: str | None = None) -> Response:
        """Staff: a private ticket raised by the author's contact; refusals say why (403)."""
        thread = self.get_object()
        severity = _valid(ConvertInSerializer, request.data)["severity"]
        ticket = services.thread_to_ticket(actor=self.actor, thread=thread, severity=severity)
        return Response(
            {"ticket": ticket.pk, "organization": ticket.organization_id}, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={201: dict})
    @action(detail=True, methods=["post"], url_path="draft-article")
    def draft_article(self, request: Request, pk: str | None = None) -> Response:
        """Staff: a public knowledge-base draft from the question and its accepted answer."""
        article = services.thread_to_article(actor=self.actor, thread=self.get_object())
        return Response({"article": article.pk, "slug": article.slug}, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(parameters=[PostQuerySerializer]))
class PostViewSet(_PublicReads[Post]):
    """Replies anyone may read (`?thread=`); members answer (POST `thread`, `body`), their author edits one
    (PATCH `body`); staff hide them."""

    output_serializer = PostOutSerializer
    input_serializer = PostCreateInSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Post]:
        qs = selectors.post_list(actor=self.actor).select_related("thread")
        if self.action == "list":
            thread_id = _valid(PostQuerySerializer, self.request.query_params)["thread"]
            if thread_id is not None:
                qs = qs.filter(thread_id=thread_id)
        return qs

    def get_serializer_class(self) -> type[Any]:
        if self.action == "create":
            return PostCreateInSerializer
        return PostInSerializer if self.action == "partial_update" else PostOutSerializer

    @extend_schema(responses={201: PostOutSerializer, 429: ErrorSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().create(request, *args, **kwargs)
        except services.RateLimited as exc:
            return _throttled(exc)

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        thread = selectors.thread_list(actor=self.actor).filter(pk=data["thread"]).first()
        if thread is None:
            raise ValidationError({"thread": "No such thread."})
        return services.post_create(actor=self.actor, thread=thread, body=data["body"])

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        post = self.get_object()
        body = _valid(PostInSerializer, request.data)["body"]
        return self._out(services.post_edit(actor=self.actor, post=post, body=body))

    def _moderate(self, request: Request, operation: Callable[..., Post]) -> Response:
        post = self.get_object()
        if not can_moderate_forum(self.actor):
            raise PermissionDenied("Only the support team moderates the forum.")
        reason = _valid(ReasonInSerializer, request.data)["reason"]
        return self._out(operation(actor=self.actor, post=post, reason=reason))

    @extend_schema(request=ReasonInSerializer, responses=PostOutSerializer)
    @action(detail=True, methods=["post"])
    def hide(self, request: Request, pk: str | None = None) -> Response:
        return self._moderate(request, services.post_hide)

    @extend_schema(request=ReasonInSerializer, responses=PostOutSerializer)
    @action(detail=True, methods=["post"])
    def unhide(self, request: Request, pk: str | None = None) -> Response:
        return self._moderate(request, services.post_unhide)


@extend_schema_view(list=extend_schema(parameters=[BanQuerySerializer]))
class BanViewSet(ServiceViewSet[Ban]):
    """Staff: bans (`?in_force=`), ban a member (`until` empty = permanent), lift a ban. Others see none."""

    output_serializer = BanOutSerializer
    input_serializer = BanInSerializer
    http_method_names = ["get", "post", "head", "options"]
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Ban]:
        query = _valid(BanQuerySerializer, self.request.query_params) if self.action == "list" else {}
        return selectors.ban_list(actor=self.actor, in_force=query.get("in_force"))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not can_moderate_forum(self.actor):
            raise PermissionDenied("Only the support team bans members.")
        return super().create(request, *args, **kwargs)

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        return services.ban_create(actor=self.actor, **data)

    @extend_schema(request=ReasonInSerializer, responses=BanOutSerializer)
    @action(detail=True, methods=["post"])
    def lift(self, request: Request, pk: str | None = None) -> Response:
        ban = self.get_object()
        reason = _valid(ReasonInSerializer, request.data)["reason"]
        return self._out(services.ban_lift(actor=self.actor, ban=ban, reason=reason))
