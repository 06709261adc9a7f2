"""Ids as the API takes them: whole numbers a database key can hold, else 400 with the field's message.

A larger number would reach the database driver and fail there (SQLite and PostgreSQL keys are signed
64-bit integers), so every id in a filter or an input is bounded here, and the schema says so.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

ID_MIN = 1
ID_MAX = 2**63 - 1


@extend_schema_field({"type": "integer", "format": "int64", "minimum": ID_MIN, "maximum": ID_MAX})
class IdFilter(django_filters.NumberFilter):
    """Filter by the id of a related object (`?organization=12`)."""

    # The django-filter stub types NumberFilter.field_class as DecimalField only; any number field will do.
    field_class = forms.IntegerField  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", ID_MIN)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


class IdField(serializers.IntegerField):
    """An id in a request body or query."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", ID_MIN)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)
