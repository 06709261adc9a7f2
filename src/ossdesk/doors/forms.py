"""Web forms and services: a service's ValidationError shown on the form that sent the input."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def form_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Each message on its field when the form has that field, else among the form's own errors."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                for message in error.messages:
                    form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
