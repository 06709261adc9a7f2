"""The search page's input: typed and bounded; anything unusable is dropped rather than refused."""

from __future__ import annotations

from typing import Any

from django import forms

from ossdesk.search.models import Kind
from ossdesk.search.query import MAX_INPUT
from ossdesk.tickets.models import Status


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=MAX_INPUT, strip=True)
    kind = forms.MultipleChoiceField(required=False, choices=Kind.choices)
    organization = forms.IntegerField(required=False, min_value=1)
    product = forms.IntegerField(required=False, min_value=1)
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Status.choices])
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)
    page = forms.IntegerField(required=False, min_value=1)

    def selector_arguments(self) -> dict[str, Any]:
        """The selector's keyword arguments; an invalid field counts as not given."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        return {
            "q": (data["q"] or "")[:MAX_INPUT],
            "kinds": tuple(data["kind"] or ()),
            "organization_id": data["organization"],
            "product_id": data["product"],
            "status": data["status"] or None,
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "page": data["page"] or 1,
        }
