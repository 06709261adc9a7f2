"""The preferences form: one radio group per kind of mail the person can receive."""

from __future__ import annotations

from typing import Any

from django import forms

from ossdesk.channels.models import Delivery, InboundMessage, MailKind, OutboundEmail


class PreferencesForm(forms.Form):
    def __init__(self, *args: Any, kinds: tuple[MailKind, ...], current: dict[str, Delivery], **kwargs: Any):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind] = forms.ChoiceField(
                label=MailKind(kind).label,
                choices=Delivery.choices,
                widget=forms.RadioSelect,
                initial=current[kind],
            )


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "All"), *OutboundEmail.Status.choices])


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Needs attention"), *InboundMessage.Status.choices],
    )


class AssignContactForm(forms.Form):
    email = forms.EmailField(label="Contact's e-mail address")
    organization = forms.SlugField(
        required=False, label="Customer (slug)", help_text="Only when several customers have this address"
    )
