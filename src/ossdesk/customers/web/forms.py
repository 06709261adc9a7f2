"""The customer pages' forms: they parse and validate input; services decide."""

from __future__ import annotations

from zoneinfo import available_timezones

from django import forms

from ossdesk.accounts.models import Role, User
from ossdesk.customers.models import Contact, Framework

TIMEZONES = sorted(available_timezones())


class OrganizationForm(forms.Form):
    name = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"autofocus": True}))
    country = forms.CharField(
        max_length=2,
        help_text="Two-letter ISO code, e.g. DE",
        widget=forms.TextInput(attrs={"size": 3, "autocapitalize": "characters"}),
    )
    subdivision = forms.CharField(max_length=10, required=False, help_text="For public holidays, e.g. BY")
    timezone = forms.ChoiceField(choices=[(tz, tz) for tz in TIMEZONES], initial="UTC")
    compliance_frameworks = forms.MultipleChoiceField(
        choices=Framework.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    account_manager = forms.ModelChoiceField(
        queryset=User.objects.filter(role__in=[Role.ACCOUNT_MANAGER, Role.ADMIN], is_active=True),
        required=False,
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ContactForm(forms.Form):
    name = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"autofocus": True}))
    email = forms.EmailField()
    phone = forms.CharField(max_length=40, required=False)
    role = forms.ChoiceField(choices=Contact.Role.choices, initial=Contact.Role.CONTACT)
    is_named = forms.BooleanField(required=False, initial=True, label="Named contact (may open cases)")
    reachable_24x7 = forms.BooleanField(required=False, label="Reachable 24/7 for S1 cases")
    portal_access = forms.BooleanField(required=False, initial=True, label="Can sign in to the portal")
