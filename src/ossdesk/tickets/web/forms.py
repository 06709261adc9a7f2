"""Helpdesk forms: they parse and validate input; the ticket services decide."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet

from ossdesk.accounts.models import STAFF_ROLES, User
from ossdesk.customers.models import Contact, Deployment
from ossdesk.domain.entitlements import SEVERITY_DEFINITIONS
from ossdesk.products.models import Product, ProductVersion
from ossdesk.tickets.models import SYSTEM_CHANNELS, Channel, Status, Team
from ossdesk.tickets.services import ATTACHMENT_MAX_BYTES, Upload, check_attachment

SEVERITY_CHOICES = [(s, f"{s} — {d}") for s, d in SEVERITY_DEFINITIONS.items()]


class SeverityField(forms.ChoiceField):
    """Offers the severities given, but parses any of S1–S4, so that the service's refusal of one the plan
    does not cover is what the person reads."""

    def valid_value(self, value: Any) -> bool:
        return value in SEVERITY_DEFINITIONS


class DeploymentChoiceField(forms.ModelChoiceField[Deployment]):
    def label_from_instance(self, obj: Deployment) -> str:
        return f"{obj.name} · {obj.get_environment_display()}"


class ContactChoiceField(forms.ModelChoiceField[Contact]):
    def label_from_instance(self, obj: Contact) -> str:
        return f"{obj.name} <{obj.email}>" + ("" if obj.is_named and obj.is_active else " (not named)")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (Django's FileField takes one)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def uploads(files: Sequence[UploadedFile[bytes]]) -> list[Upload]:
    """Read the files into Uploads, refusing what the service would refuse before anything is stored."""
    result = []
    for file in files:
        if file.size is not None and file.size > ATTACHMENT_MAX_BYTES:
            raise ValidationError(
                f"{file.name} is {file.size / 1048576:.1f} MiB; the limit is "
                f"{ATTACHMENT_MAX_BYTES // 1048576} MiB."
            )
        upload = Upload(name=file.name or "", content=file.read(), content_type=file.content_type or "")
        try:
            check_attachment(upload)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        result.append(upload)
    return result


class AttachmentsMixin:
    cleaned_data: dict[str, Any]

    def clean_attachments(self) -> list[Upload]:
        return uploads(self.cleaned_data.get("attachments") or [])


class TicketCreateForm(AttachmentsMixin, forms.Form):
    """Raise a case. The choices shown are the customer's entitlements; the service checks again."""

    product = forms.ModelChoiceField(queryset=Product.objects.all(), empty_label="Choose the product…")
    product_version = forms.ModelChoiceField(
        queryset=ProductVersion.objects.none(),
        required=False,
        label="Version",
        empty_label="Not sure / not listed",
    )
    deployment = DeploymentChoiceField(
        queryset=Deployment.objects.none(), required=False, empty_label="None in particular"
    )
    severity = SeverityField(choices=SEVERITY_CHOICES, widget=forms.RadioSelect)
    subject = forms.CharField(
        max_length=250,
        widget=forms.TextInput(
            attrs={"placeholder": "e.g. Replication lag above 10 minutes since the upgrade to 16.4"}
        ),
    )
    body = forms.CharField(
        label="What happened",
        widget=forms.Textarea(
            attrs={
                "rows": 7,
                "placeholder": "What happened, what you expected, what changed recently, error messages.",
            }
        ),
    )
    attachments = MultipleFileField(
        help_text=f"Logs, screenshots, configuration; up to {ATTACHMENT_MAX_BYTES // 1048576} MiB each."
    )

    def __init__(
        self,
        *args: Any,
        products: QuerySet[Product],
        covered: Sequence[Product],
        severities: Sequence[tuple[str, str]],
        versions: QuerySet[ProductVersion],
        deployments: QuerySet[Deployment],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        product = self.fields["product"]
        assert isinstance(product, forms.ModelChoiceField)
        # Any catalogue product parses, so that an uncovered one reaches the service and its refusal
        # (which names who can add it) is shown; only the covered ones are offered.
        product.queryset = products
        product.choices = [("", "Choose the product…"), *((p.pk, p.name) for p in covered)]
        self.fields["severity"].choices = list(severities) or SEVERITY_CHOICES  # type: ignore[attr-defined]
        version = self.fields["product_version"]
        assert isinstance(version, forms.ModelChoiceField)
        version.queryset = versions
        deployment = self.fields["deployment"]
        assert isinstance(deployment, forms.ModelChoiceField)
        deployment.queryset = deployments
        if not deployments.exists():
            del self.fields["deployment"]


class StaffTicketCreateForm(TicketCreateForm):
    """Staff raise cases for a customer: say who called and through which channel, or plan one ahead."""

    contact = ContactChoiceField(
        queryset=Contact.objects.none(),
        empty_label="Choose the contact…",
        help_text="Only named contacts may raise cases.",
    )
    channel = forms.ChoiceField(
        choices=[c for c in Channel.choices if c[0] != Channel.API and c[0] not in SYSTEM_CHANNELS],
        initial=Channel.PHONE,
    )
    tags = forms.CharField(required=False, help_text="Comma-separated, e.g. upgrade, replication")
    is_proactive = forms.BooleanField(required=False, label="Proactive case ahead of planned maintenance")
    planned_for = forms.DateTimeField(
        required=False,
        label="Maintenance starts (UTC)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    field_order = [
        "contact",
        "channel",
        "product",
        "product_version",
        "deployment",
        "severity",
        "subject",
        "body",
        "attachments",
        "tags",
        "is_proactive",
        "planned_for",
    ]

    def __init__(self, *args: Any, contacts: QuerySet[Contact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contact = self.fields["contact"]
        assert isinstance(contact, forms.ModelChoiceField)
        contact.queryset = contacts

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class ReplyForm(AttachmentsMixin, forms.Form):
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField()


class StaffReplyForm(ReplyForm):
    visibility = forms.ChoiceField(
        choices=[("public", "Public reply to the customer"), ("internal", "Internal note (staff only)")],
        widget=forms.RadioSelect,
        initial="public",
    )
    field_order = ["visibility", "body", "attachments"]


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    reason = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Optional; the customer sees it"}),
    )


class SeverityForm(forms.Form):
    severity = SeverityField(choices=SEVERITY_CHOICES)
    reason = forms.CharField(
        max_length=200, widget=forms.TextInput(attrs={"placeholder": "Why; the customer sees it"})
    )


class AssignForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, empty_label="Keep the team")
    assignee = forms.ModelChoiceField(
        queryset=User.objects.filter(role__in=STAFF_ROLES, is_active=True),
        required=False,
        label="Engineer",
        empty_label="Nobody (unassign)",
    )


class WorkaroundForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "What the workaround is"}),
    )


class TagsForm(forms.Form):
    tags = forms.CharField(required=False, help_text="Comma-separated; leave empty to remove all")

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class TimeForm(forms.Form):
    minutes = forms.IntegerField(min_value=1, max_value=24 * 60)
    consulting = forms.BooleanField(required=False, label="Consulting time (draws on the hour bank)")
    note = forms.CharField(required=False, max_length=300)
    work_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Today if left empty"
    )


class SavedViewForm(forms.Form):
    name = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"placeholder": "e.g. Kafka S1s"}))
    shared = forms.BooleanField(required=False, label="Share with all staff")
