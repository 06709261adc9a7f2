from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from ossdesk.accounts.actor import actor_for
from ossdesk.accounts.models import ApiToken, User
from ossdesk.audit.services import audit_record, snapshot

PRIVATE = frozenset({"last_login"})


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ["username", "email", "role", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (*BaseUserAdmin.fieldsets, ("ossdesk", {"fields": ("role", "display_name")}))  # type: ignore[misc]
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, ("ossdesk", {"fields": ("email", "role")}))

    def save_model(self, request: Any, obj: User, form: Any, change: bool) -> None:
        before = snapshot(User.objects.get(pk=obj.pk), exclude=PRIVATE) if change else None
        super().save_model(request, obj, form, change)
        audit_record(
            actor=actor_for(request.user),
            action="update" if change else "create",
            instance=obj,
            before=before,
            after=snapshot(obj, exclude=PRIVATE),
        )

    def delete_model(self, request: Any, obj: User) -> None:
        audit_record(
            actor=actor_for(request.user),
            action="delete",
            instance=obj,
            before=snapshot(obj, exclude=PRIVATE),
        )
        super().delete_model(request, obj)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    exclude = ["key_hash"]

    def has_add_permission(self, request: Any) -> bool:
        return False
