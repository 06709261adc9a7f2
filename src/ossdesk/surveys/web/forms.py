"""Survey forms: they parse and validate; the survey services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from ossdesk.surveys.models import Rating
from ossdesk.surveys.services import COMMENT_MAX_CHARS


class AnswerForm(forms.Form):
    """The rating (preset to the click) and an optional comment; sending a comment makes it final."""

    rating = forms.ChoiceField(choices=Rating.choices, widget=forms.RadioSelect, label="Your rating")
    comment = forms.CharField(
        required=False,
        max_length=COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Anything to add? (optional)",
    )


class ResultsFilterForm(forms.Form):
    """The results page's range (by solve date, inclusive) and period."""

    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    period = forms.ChoiceField(
        choices=[("month", "Month"), ("week", "Week")], required=False, initial="month", label="Per"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError("The range ends before it starts.")
        data["period"] = data.get("period") or "month"
        return data
