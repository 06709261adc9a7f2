"""Forum forms: they parse and validate; the forum services decide."""

from __future__ import annotations

from django import forms

from ossdesk.forum.services import BODY_MAX, REASON_MAX, TITLE_MAX

MARKDOWN_HELP = "Markdown: code blocks, lists, links. Other HTML is removed."


class ThreadForm(forms.Form):
    """Ask a question. The title has focus; Tab reaches the body, then the button (Ctrl+Enter posts)."""

    title = forms.CharField(
        max_length=TITLE_MAX,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
        help_text="One line: what you want to know.",
    )
    body = forms.CharField(
        label="Details",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "true"}),
        help_text=f"Versions, what you tried, what happened. {MARKDOWN_HELP}",
    )


class PostForm(forms.Form):
    body = forms.CharField(
        label="Reply",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "true"}),
        help_text=MARKDOWN_HELP,
    )


class ReasonForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(a, a) for a in ("hide", "unhide", "lock", "unlock", "ticket", "article")]
    )
    reason = forms.CharField(max_length=REASON_MAX, required=False)


class AcceptForm(forms.Form):
    post = forms.IntegerField(min_value=1, required=False)
    unaccept = forms.BooleanField(required=False)


class BanForm(forms.Form):
    user = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    days = forms.IntegerField(
        min_value=1, max_value=3650, required=False, help_text="Empty = permanent", label="Days"
    )
    reason = forms.CharField(max_length=REASON_MAX)


class LiftForm(forms.Form):
    reason = forms.CharField(max_length=REASON_MAX)
