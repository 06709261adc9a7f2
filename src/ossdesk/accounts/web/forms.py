"""The account pages' forms: they parse and validate input; services decide."""

from __future__ import annotations

from django import forms


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, widget=forms.TextInput(attrs={"autofocus": True, "placeholder": "e.g. monitoring"})
    )
