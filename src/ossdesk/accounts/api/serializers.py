from __future__ import annotations

from rest_framework import serializers

from ossdesk.accounts.models import ApiToken, User


class UserRefSerializer(serializers.ModelSerializer[User]):
    """A user as other records name them (an account manager, an assignee, a team's members)."""

    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "email"]


class MeSerializer(serializers.ModelSerializer[User]):
    organization = serializers.SerializerMethodField()
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "email", "role", "organization"]

    def get_organization(self, user: User) -> int | None:
        contact = getattr(user, "contact", None)
        return contact.organization_id if contact is not None else None


class ApiTokenOutSerializer(serializers.ModelSerializer[ApiToken]):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]


class ApiTokenCreatedSerializer(ApiTokenOutSerializer):
    key = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(ApiTokenOutSerializer.Meta):
        fields = [*ApiTokenOutSerializer.Meta.fields, "key"]


class ApiTokenInSerializer(serializers.Serializer[None]):
    name = serializers.CharField(max_length=100)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
