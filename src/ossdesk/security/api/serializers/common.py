"""What the security serializers share: absolute links, choice fields documented by their values, who
reads internal notes, and the deployment a row belongs to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from ossdesk.accounts.access import can_read_internal_notes
from ossdesk.customers.models import Deployment
from ossdesk.doors.actor import request_actor


def absolute_url(context: Mapping[str, Any], path: str) -> str:
    """The path as an absolute URL when the serializer has a request, else as it is."""
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


def reads_internal_notes(context: Mapping[str, Any]) -> bool:
    """Whether the requesting person sees the vendor's internal business (`can_read_internal_notes`)."""
    request = context.get("request")
    return request is not None and can_read_internal_notes(request_actor(request))


def choice_field(choices: Any, what: str = "", **kwargs: Any) -> serializers.CharField:
    """A choice field documented by its values, not as an OpenAPI enum component.

    `status`, `severity` and `source` already name the helpdesk's and the plans' enums; one more choice
    set under the same field name renames every one of them (StatusEnum -> Status7d9Enum) until the
    settings' ENUM_NAME_OVERRIDES name them. The services check the value and say what is allowed.
    """
    values = [value for value, _ in choices] if choices and isinstance(choices[0], tuple) else list(choices)
    help_text = f"{what}{' ' if what else ''}One of: {', '.join(values)}."
    return serializers.CharField(help_text=help_text, **kwargs)


class DeploymentRefSerializer(serializers.Serializer[Deployment]):
    id = serializers.IntegerField()
    name = serializers.CharField()
