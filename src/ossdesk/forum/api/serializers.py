"""Forum API shapes: explicit input and output serializers; the services decide.

Moderation details (who hid what and why) and what a thread became (ticket, article) are shown to
staff only; members are named as in the forum pages, never by e-mail address.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.urls import reverse
from rest_framework import serializers

from ossdesk.accounts.access import can_moderate_forum
from ossdesk.accounts.models import User
from ossdesk.doors.actor import request_actor
from ossdesk.doors.ids import IdField
from ossdesk.forum.models import Ban, Post, Thread
from ossdesk.forum.presenters import public_name
from ossdesk.forum.services import BODY_MAX, REASON_MAX, TITLE_MAX
from ossdesk.products.models import Product
from ossdesk.tickets.models import Severity

STAFF_ONLY_THREAD = ("hidden_reason", "ticket", "article")
STAFF_ONLY_POST = ("hidden_reason",)


def _for_staff(
    serializer: serializers.Serializer[Any], data: dict[str, Any], fields: tuple[str, ...]
) -> None:
    request = serializer.context.get("request")
    if request is None or not can_moderate_forum(request_actor(request)):
        for name in fields:
            data.pop(name, None)


_Authored = TypeVar("_Authored", Thread, Post)


class _AuthorFields(serializers.ModelSerializer[_Authored]):
    author = serializers.SerializerMethodField()
    author_is_staff = serializers.SerializerMethodField()

    def get_author(self, obj: Thread | Post) -> str:
        return public_name(obj.author)

    def get_author_is_staff(self, obj: Thread | Post) -> bool:
        return obj.author is not None and obj.author.is_vendor_staff


class ThreadOutSerializer(_AuthorFields[Thread]):
    staff_only_fields = STAFF_ONLY_THREAD
    product_name = serializers.CharField(source="product.name", read_only=True)
    product_slug = serializers.CharField(source="product.slug", read_only=True)
    answered = serializers.BooleanField(source="is_answered", read_only=True)
    reply_count = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Thread
        fields = [
            "id",
            "product",
            "product_name",
            "product_slug",
            "title",
            "body",
            "body_html",
            "author",
            "author_is_staff",
            "status",
            "hidden",
            "hidden_reason",
            "accepted_post",
            "answered",
            "reply_count",
            "created_at",
            "last_post_at",
            "url",
            "ticket",
            "article",
        ]

    def get_url(self, thread: Thread) -> str:
        return reverse("web:forum-thread", args=[thread.pk])

    def to_representation(self, instance: Thread) -> dict[str, Any]:
        data = dict(super().to_representation(instance))
        _for_staff(self, data, self.staff_only_fields)
        return data


class PostOutSerializer(_AuthorFields[Post]):
    staff_only_fields = STAFF_ONLY_POST

    class Meta:
        model = Post
        fields = [
            "id",
            "thread",
            "author",
            "author_is_staff",
            "body",
            "body_html",
            "created_at",
            "edited_at",
            "hidden",
            "hidden_reason",
        ]

    def to_representation(self, instance: Post) -> dict[str, Any]:
        data = dict(super().to_representation(instance))
        _for_staff(self, data, self.staff_only_fields)
        return data


class BanOutSerializer(serializers.ModelSerializer[Ban]):
    user_name = serializers.SerializerMethodField()
    banned_by = serializers.SerializerMethodField()
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = Ban
        fields = [
            "id",
            "user",
            "user_name",
            "until",
            "reason",
            "banned_by",
            "created_at",
            "lifted_at",
            "lifted_reason",
            "in_force",
        ]

    def get_user_name(self, ban: Ban) -> str:
        return public_name(ban.user)

    def get_banned_by(self, ban: Ban) -> str:
        return public_name(ban.banned_by)

    def get_in_force(self, ban: Ban) -> bool:
        return ban.in_force()


class ThreadInSerializer(serializers.Serializer[None]):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    title = serializers.CharField(max_length=TITLE_MAX)
    body = serializers.CharField(max_length=BODY_MAX)


class ThreadQuerySerializer(serializers.Serializer[None]):
    product = IdField(required=False, default=None)
    answered = serializers.BooleanField(required=False, allow_null=True, default=None)
    search = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class PostInSerializer(serializers.Serializer[None]):
    body = serializers.CharField(max_length=BODY_MAX)


class PostQuerySerializer(serializers.Serializer[None]):
    thread = IdField(required=False, default=None)


class PostCreateInSerializer(PostInSerializer):
    thread = IdField(help_text="The thread to answer in")


class AcceptInSerializer(serializers.Serializer[None]):
    post = IdField()


class ReasonInSerializer(serializers.Serializer[None]):
    reason = serializers.CharField(max_length=REASON_MAX)


class ConvertInSerializer(serializers.Serializer[None]):
    severity = serializers.ChoiceField(choices=Severity.choices, required=False, default="S4")


class BanInSerializer(serializers.Serializer[None]):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    reason = serializers.CharField(max_length=REASON_MAX)
    until = serializers.DateTimeField(required=False, allow_null=True, default=None)


class BanQuerySerializer(serializers.Serializer[None]):
    in_force = serializers.BooleanField(required=False, allow_null=True, default=None)
