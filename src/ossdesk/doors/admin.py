"""The admin's door: saves and deletes made in the Django admin go through the same services as every
other door's (and so are audited). Every app's ModelAdmin for a model with services extends ServiceAdmin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import admin
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest

from ossdesk.accounts.actor import Actor
from ossdesk.doors.actor import request_actor

_M = TypeVar("_M", bound=Model)


class ServiceAdmin(admin.ModelAdmin[_M]):
    """Admin saves and deletes go through the same services as every other door (and so are audited).

    `create_service(actor, **fields)`, `update_service(actor, instance, **changes)` and
    `delete_service(actor, instance)` are set per model; the form's changed fields are the changes.
    """

    create_service: Callable[..., Model] | None = None
    update_service: Callable[..., Model] | None = None
    delete_service: Callable[..., None] | None = None
    m2m_fields: tuple[str, ...] = ()

    def _actor(self, request: HttpRequest) -> Actor:
        return request_actor(request)

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm[_M], change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if change:
            assert self.update_service is not None
            saved = type(self).update_service(self._actor(request), obj._original, **data)  # type: ignore[misc]
        else:
            assert self.create_service is not None
            fields = {name: form.cleaned_data[name] for name in form.fields if name in form.cleaned_data}
            saved = type(self).create_service(self._actor(request), **fields)  # type: ignore[misc]
        obj.pk = saved.pk

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj: Any = super().get_object(request, object_id, from_field)  # it carries `_original` to save_model
        if obj is not None:
            obj._original = type(obj).objects.get(pk=obj.pk)
        return obj

    def save_related(self, request: HttpRequest, form: ModelForm[_M], formsets: Any, change: bool) -> None:
        # Many-to-many fields were passed to the service with the other fields.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        assert self.delete_service is not None
        type(self).delete_service(self._actor(request), obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
