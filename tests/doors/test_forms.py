"""A service's ValidationError shown on the form that sent the input: on its field when the form has one."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from ossdesk.doors.forms import form_errors


class _NameForm(forms.Form):
    name = forms.CharField()


def _bound() -> _NameForm:
    form = _NameForm({"name": "Acme"})
    assert form.is_valid()
    return form


def test_a_field_message_lands_on_its_field() -> None:
    form = _bound()
    form_errors(form, ValidationError({"name": ["Taken.", "Too plain."]}))
    assert form.errors == {"name": ["Taken.", "Too plain."]}


def test_a_message_for_a_field_the_form_lacks_is_the_forms_own() -> None:
    form = _bound()
    form_errors(form, ValidationError({"country": "Unknown country."}))
    assert form.non_field_errors() == ["Unknown country."]
    assert "name" not in form.errors


def test_messages_without_a_field_are_the_forms_own() -> None:
    form = _bound()
    form_errors(form, ValidationError(["One.", "Two."]))
    assert form.non_field_errors() == ["One.", "Two."]
