"""Security forms: they parse and validate input; the security and customer services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from ossdesk.customers.models import Deployment, Organization
from ossdesk.domain import vex as vexdoc
from ossdesk.domain.inventory import MAX_BYTES
from ossdesk.domain.versions import ECOSYSTEMS
from ossdesk.products.models import Product, ProductVersion
from ossdesk.security.models import Finding, Severity, VendorAdvisory, VexStatement
from ossdesk.security.web.presenters import split_list

ANY = ""
SEVERITY_FILTER = [(ANY, "All severities"), *Severity.choices]
FINDING_STATUS_FILTER = [*Finding.Status.choices, ("any", "Any status")]
KEV_FILTER = [(ANY, "KEV or not"), ("yes", "In CISA's KEV catalogue"), ("no", "Not in KEV")]
JUSTIFICATION_CHOICES = [
    (ANY, "No justification"),
    *((value, value.replace("_", " ").capitalize()) for value in vexdoc.JUSTIFICATIONS),
]
VEX_SCOPES = [
    ("deployment", "This deployment only"),
    ("organization", "Every deployment of this customer"),
    ("portfolio", "Every customer (vendor statement)"),
]
ECOSYSTEM_CHOICES = [(name, name) for name in sorted(ECOSYSTEMS, key=str.casefold)]


class LookupForm(forms.Form):
    """'Who is affected by …': any advisory id or alias."""

    q = forms.CharField(
        label="Who is affected by",
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": "CVE-2023-32681, GHSA-j8r2-6x86-q33q or PYSEC-2023-74", "type": "search"}
        ),
    )


class AdvisoryFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    severity = forms.ChoiceField(choices=SEVERITY_FILTER, required=False)
    ecosystem = forms.ChoiceField(choices=[(ANY, "All ecosystems"), *ECOSYSTEM_CHOICES], required=False)
    kev = forms.ChoiceField(choices=KEV_FILTER, required=False)

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments; an invalid value filters nothing rather than failing."""
        data = self.cleaned_data if self.is_valid() else {}
        kev = data.get("kev")
        return {
            "search": data.get("q", ""),
            "severity": data.get("severity", ""),
            "ecosystem": data.get("ecosystem", ""),
            "kev": True if kev == "yes" else False if kev == "no" else None,
        }


class FindingFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(choices=FINDING_STATUS_FILTER, required=False)
    severity = forms.ChoiceField(choices=SEVERITY_FILTER, required=False)
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), required=False, empty_label="All customers"
    )

    def __init__(self, *args: Any, organizations: QuerySet[Organization] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        if organizations is None:
            del self.fields["organization"]
        else:
            field.queryset = organizations

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or Finding.Status.OPEN  # open unless asked otherwise
        organization = data.get("organization")
        return {
            "search": data.get("q", ""),
            "status": "" if status == "any" else status,
            "severity": data.get("severity", ""),
            "organization_id": organization.pk if organization else None,
        }


# --- deployments and inventories -------------------------------------------------------------------------


class VersionChoiceField(forms.ModelChoiceField[ProductVersion]):
    def label_from_instance(self, obj: ProductVersion) -> str:
        return f"{obj.product.name} {obj.version}"


class DeploymentForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), empty_label="Choose the customer…", label="Customer"
    )
    name = forms.CharField(
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "e.g. payments-prod", "autofocus": True}),
    )
    product = forms.ModelChoiceField(queryset=Product.objects.none(), empty_label="Choose the product…")
    version = VersionChoiceField(
        queryset=ProductVersion.objects.none(),
        required=False,
        empty_label="Not sure / not listed",
        help_text="The release line it runs, if listed.",
    )
    environment = forms.ChoiceField(choices=Deployment.Environment.choices)
    criticality = forms.ChoiceField(
        choices=Deployment.Criticality.choices,
        initial=Deployment.Criticality.MEDIUM,
        help_text="How much the business depends on it; ranks its findings.",
    )
    internet_facing = forms.BooleanField(required=False, label="Reachable from the internet")

    def __init__(
        self,
        *args: Any,
        organizations: QuerySet[Organization] | None,
        products: QuerySet[Product],
        versions: QuerySet[ProductVersion],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        organization = self.fields["organization"]
        assert isinstance(organization, forms.ModelChoiceField)
        if organizations is None:
            del self.fields["organization"]
        else:
            organization.queryset = organizations
        product = self.fields["product"]
        assert isinstance(product, forms.ModelChoiceField)
        product.queryset = products
        version = self.fields["version"]
        assert isinstance(version, forms.ModelChoiceField)
        version.queryset = versions

    def service_fields(self) -> dict[str, Any]:
        """What deployment_create and deployment_update take."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "product": data["product"],
            "version": data["version"],
            "environment": data["environment"],
            "criticality": data["criticality"],
            "internet_facing": data["internet_facing"],
        }


class SbomUploadForm(forms.Form):
    file = forms.FileField(
        label="SBOM or lockfile",
        help_text=(
            "CycloneDX or SPDX, or a lockfile (requirements.txt, poetry.lock, package-lock.json, "
            f"yarn.lock, go.mod, Cargo.lock, pom.xml …); up to {MAX_BYTES // 1048576} MiB."
        ),
    )


# --- findings and VEX ---------------------------------------------------------------------------------------


class FindingStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Mark it",
        widget=forms.RadioSelect,
        choices=[
            (Finding.Status.FIXED, "Fixed — the deployment no longer runs the affected version"),
            (Finding.Status.NOT_AFFECTED, "Not affected — say why below"),
            (Finding.Status.RISK_ACCEPTED, "Risk accepted — until a date, with a reason"),
            (Finding.Status.OPEN, "Open again"),
        ],
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required for not affected and risk accepted: the next auditor will read it.",
    )
    until = forms.DateField(
        required=False,
        label="Accepted until",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="For a risk acceptance only; the finding opens again after this day.",
    )


class VexStatementForm(forms.Form):
    vulnerability = forms.CharField(max_length=100, help_text="The advisory id or one of its aliases.")
    product = forms.CharField(
        max_length=1000,
        label="Product (purl)",
        help_text="Without a version (pkg:pypi/django) it covers every version.",
    )
    scope = forms.ChoiceField(label="Applies to", choices=VEX_SCOPES, initial="deployment")
    status = forms.ChoiceField(choices=VexStatement.Status.choices, initial=VexStatement.Status.NOT_AFFECTED)
    justification = forms.ChoiceField(
        choices=JUSTIFICATION_CHOICES,
        required=False,
        help_text="For not affected: why, in CISA's words.",
    )
    impact_statement = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For not affected: how the product avoids the vulnerability.",
    )
    action_statement = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For affected: what the customer should do (OpenVEX requires it).",
    )

    def __init__(self, *args: Any, portfolio_wide: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not portfolio_wide:
            scope = self.fields["scope"]
            assert isinstance(scope, forms.ChoiceField)
            scope.choices = [choice for choice in VEX_SCOPES if choice[0] != "portfolio"]


class VexImportForm(forms.Form):
    file = forms.FileField(label="VEX document", help_text="OpenVEX JSON, or CycloneDX VEX (JSON or XML).")
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        label="For customer",
        empty_label="Every customer (vendor statements)",
    )

    def __init__(self, *args: Any, organizations: QuerySet[Organization] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        if organizations is None:
            del self.fields["organization"]
        else:
            field.queryset = organizations


# --- vendor advisories --------------------------------------------------------------------------------------


class VendorAdvisoryForm(forms.Form):
    title = forms.CharField(max_length=300, widget=forms.TextInput(attrs={"autofocus": True}))
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    details = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}))
    product = forms.ModelChoiceField(queryset=Product.objects.none(), empty_label="Choose the product…")
    ecosystem = forms.ChoiceField(choices=[(ANY, "Choose the ecosystem…"), *ECOSYSTEM_CHOICES])
    package = forms.CharField(max_length=300, help_text="As the ecosystem names it, e.g. django.")
    affected_versions = forms.CharField(
        required=False,
        label="Affected versions, listed",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Separated by commas, spaces or new lines; in addition to the ranges.",
    )
    cves = forms.CharField(required=False, label="CVEs", help_text="e.g. CVE-2024-27351, CVE-2024-24680")
    aliases = forms.CharField(required=False, help_text="Other ids: GHSA-…, upstream advisory ids.")
    cvss_vector = forms.CharField(
        required=False,
        max_length=300,
        label="CVSS vector",
        help_text="CVSS 3.x or 4.0 base vector, e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    )
    remediation = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    tlp = forms.ChoiceField(
        required=False,
        label="TLP",
        choices=VendorAdvisory.Tlp.choices,
        initial=VendorAdvisory.Tlp.CLEAR,
        help_text="Who may see it beyond its recipients (Traffic Light Protocol 2.0); CLEAR once public.",
    )

    def __init__(self, *args: Any, products: QuerySet[Product], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        product = self.fields["product"]
        assert isinstance(product, forms.ModelChoiceField)
        product.queryset = products

    def clean_tlp(self) -> str:
        return self.cleaned_data.get("tlp") or VendorAdvisory.Tlp.CLEAR

    def clean_affected_versions(self) -> list[str]:
        return split_list(self.cleaned_data.get("affected_versions", ""))

    def clean_cves(self) -> list[str]:
        return [cve.upper() for cve in split_list(self.cleaned_data.get("cves", ""))]

    def clean_aliases(self) -> list[str]:
        return split_list(self.cleaned_data.get("aliases", ""))


class RangeForm(forms.Form):
    introduced = forms.CharField(
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "0 = from the first version"}),
    )
    fixed = forms.CharField(
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "e.g. 4.2.11-vendor1"}),
    )
    ecosystem = forms.ChoiceField(required=False, choices=[("", "the package above"), *ECOSYSTEM_CHOICES])
    package = forms.CharField(
        required=False, max_length=300, widget=forms.TextInput(attrs={"placeholder": "another package"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("ecosystem")) != bool((data.get("package") or "").strip()):
            raise forms.ValidationError("Another package needs both its ecosystem and its name.")
        return data


MAX_RANGE_ROWS = 50
RangeFormSet = forms.formset_factory(RangeForm, extra=1, max_num=MAX_RANGE_ROWS, validate_max=True)
