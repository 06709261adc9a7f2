"""Security assurance: advisories, customers' inventories, findings, VEX statements and notices.

The matching index is two tables keyed the same way: `AffectedPackage` (advisory side) and `Component`
(inventory side), both by (ecosystem, name_key) where name_key is the ecosystem's normalised package
name. A new SBOM looks up its packages' advisories; a new advisory looks up its packages' components.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    NONE = "none", "None"
    UNKNOWN = "unknown", "Unknown"


# Most severe first: the order findings, advisories and notices sort by.
SEVERITY_ORDER: dict[str, int] = {"critical": 0, "high": 1, "medium": 2, "low": 3, "none": 4, "unknown": 5}


class Advisory(models.Model):
    """One OSV record: imported from a published dump, or a vendor advisory once published."""

    class Source(models.TextChoices):
        IMPORT = "import", "Imported"
        VENDOR = "vendor", "Vendor advisory"

    osv_id = models.CharField(max_length=100, unique=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.IMPORT)
    summary = models.CharField(max_length=500, blank=True)
    details = models.TextField(blank=True)
    aliases = models.JSONField(default=list, blank=True)
    modified = models.DateTimeField()
    published = models.DateTimeField(null=True, blank=True)
    withdrawn = models.DateTimeField(null=True, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.UNKNOWN)
    cvss_version = models.CharField(max_length=8, blank=True)
    cvss_vector = models.CharField(max_length=300, blank=True)
    cvss_score = models.FloatField(null=True, blank=True)
    epss = models.FloatField(null=True, blank=True, help_text="Highest EPSS probability of its CVEs")
    epss_percentile = models.FloatField(null=True, blank=True)
    kev = models.BooleanField(default=False, help_text="A CVE of it is in CISA's KEV catalogue")
    kev_added = models.DateField(null=True, blank=True)
    ecosystems = models.JSONField(default=list, blank=True)
    record = models.JSONField(help_text="The OSV record as imported")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the record's canonical JSON")
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-modified"]
        indexes = [models.Index(fields=["severity", "modified"], name="advisory_severity")]

    def __str__(self) -> str:
        return self.osv_id

    @property
    def public_id(self) -> str:
        """The id people know it by: a vendor advisory's own tracking id (OSSDESK-2026-0001). Its OSV
        record carries `x_` in front, as OSV asks of databases without a registered prefix."""
        return advisory_public_id(self.osv_id, self.source)


def advisory_public_id(osv_id: str, source: str) -> str:
    """`Advisory.public_id` for code that reads rows as values, not objects."""
    return osv_id.removeprefix("x_") if source == Advisory.Source.VENDOR else osv_id


class AdvisoryAlias(models.Model):
    """An advisory's id and each alias (CVE, GHSA ...), so any of them finds it."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="alias_rows")
    alias = models.CharField(max_length=100, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["advisory", "alias"], name="advisory_alias_unique")]

    def __str__(self) -> str:
        return self.alias


class AffectedPackage(models.Model):
    """One `affected[]` entry of an advisory, indexed by package for matching."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="packages")
    position = models.PositiveIntegerField(help_text="Index in the record's affected list")
    ecosystem = models.CharField(max_length=40)
    name = models.CharField(max_length=300)
    name_key = models.CharField(max_length=300)
    fixed = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["ecosystem", "name_key"], name="affected_package_key")]

    def __str__(self) -> str:
        return f"{self.ecosystem}/{self.name}"


class EpssScore(models.Model):
    """FIRST's Exploit Prediction Scoring System, one row per CVE from the published CSV."""

    cve = models.CharField(max_length=30, primary_key=True)
    score = models.FloatField()
    percentile = models.FloatField()
    scored_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.cve}: {self.score}"


class KevEntry(models.Model):
    """CISA's Known Exploited Vulnerabilities catalogue, one row per CVE."""

    cve = models.CharField(max_length=30, primary_key=True)
    vendor = models.CharField(max_length=200, blank=True)
    product = models.CharField(max_length=200, blank=True)
    name = models.CharField(max_length=500, blank=True)
    date_added = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    ransomware = models.CharField(max_length=20, blank=True)

    def __str__(self) -> str:
        return self.cve


class Sbom(models.Model):
    """One inventory upload (SBOM or lockfile) of a deployment; the newest applied one is the current one.

    An upload that would close findings beyond what may close unasked is held until someone confirms it;
    `changes` keeps what it did (or, while held, would do) to the findings, named.
    """

    class State(models.TextChoices):
        RECEIVED = "received", "Received, not read yet"
        PROCESSING = "processing", "Being read and matched"
        HELD = "held", "Held for confirmation"
        APPLIED = "applied", "Applied"
        REFUSED = "refused", "Refused"
        DISCARDED = "discarded", "Not applied"

    deployment = models.ForeignKey("customers.Deployment", on_delete=models.CASCADE, related_name="sboms")
    filename = models.CharField(max_length=255)
    format = models.CharField(max_length=60)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    file = models.FileField(upload_to="sboms/%Y/%m/")
    component_count = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    current = models.BooleanField(default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_via = models.CharField(max_length=10, default="portal")
    uploaded_at = models.DateTimeField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.APPLIED)
    confirmed = models.BooleanField(default=False, help_text="Sent with confirm=true, or confirmed later")
    problems = models.JSONField(
        default=list, blank=True, help_text="Why it was refused, or why it needs confirmation"
    )
    changes = models.JSONField(default=dict, blank=True, help_text="Findings it opened, reopened and closed")
    processing_since = models.DateTimeField(null=True, blank=True, help_text="When a worker claimed it")

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.format})"


class Component(models.Model):
    """One package of an SBOM, normalised to purl; `current` while its SBOM is the deployment's newest."""

    sbom = models.ForeignKey(Sbom, on_delete=models.CASCADE, related_name="components")
    deployment = models.ForeignKey("customers.Deployment", on_delete=models.CASCADE, related_name="+")
    ecosystem = models.CharField(max_length=40, blank=True)
    name = models.CharField(max_length=300)
    name_key = models.CharField(max_length=300)
    version = models.CharField(max_length=200, blank=True)
    purl = models.CharField(max_length=1000, blank=True)
    current = models.BooleanField(default=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["ecosystem", "name_key"],
                name="component_current_key",
                condition=models.Q(current=True),
            ),
        ]

    def __str__(self) -> str:
        return self.purl or f"{self.ecosystem}/{self.name}@{self.version}"


class Finding(models.Model):
    """A deployment runs a package version an advisory affects."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        FIXED = "fixed", "Fixed"
        NOT_AFFECTED = "not_affected", "Not affected"
        RISK_ACCEPTED = "risk_accepted", "Risk accepted"

    organization = models.ForeignKey("customers.Organization", on_delete=models.CASCADE, related_name="+")
    deployment = models.ForeignKey("customers.Deployment", on_delete=models.CASCADE, related_name="findings")
    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="findings")
    ecosystem = models.CharField(max_length=40)
    name = models.CharField(max_length=300)
    name_key = models.CharField(max_length=300)
    version = models.CharField(max_length=200)
    purl = models.CharField(max_length=1000, blank=True)
    fixed_versions = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.OPEN)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.UNKNOWN)
    priority = models.FloatField(default=0, help_text="Higher first: severity, KEV, EPSS, exposure")
    detected_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True, help_text="Remediation deadline")
    window_days = models.PositiveIntegerField(null=True, blank=True)
    window_reason = models.CharField(max_length=200, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    risk_accepted_until = models.DateField(null=True, blank=True)
    status_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-priority", "due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deployment", "advisory", "ecosystem", "name_key"], name="finding_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status"], name="finding_org_status"),
            models.Index(fields=["advisory", "status"], name="finding_advisory_status"),
        ]

    def __str__(self) -> str:
        return f"{self.advisory_id}: {self.name} {self.version}"


class VexStatement(models.Model):
    """What an analyst or a customer says of a vulnerability in a product (OpenVEX's four statuses)."""

    class Status(models.TextChoices):
        AFFECTED = "affected", "Affected"
        NOT_AFFECTED = "not_affected", "Not affected"
        FIXED = "fixed", "Fixed"
        UNDER_INVESTIGATION = "under_investigation", "Under investigation"

    organization = models.ForeignKey(
        "customers.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    deployment = models.ForeignKey(
        "customers.Deployment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    vulnerability = models.CharField(max_length=100, db_index=True)
    product = models.CharField(max_length=1000, help_text="purl; without a version it covers every version")
    status = models.CharField(max_length=20, choices=Status.choices)
    justification = models.CharField(max_length=60, blank=True)
    impact_statement = models.TextField(blank=True)
    action_statement = models.TextField(blank=True)
    source = models.CharField(max_length=200, default="manual")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.vulnerability} {self.product}: {self.status}"


class VendorAdvisory(models.Model):
    """An advisory the vendor writes for its own patched builds and backports; published as OSV + CSAF."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"

    class Tlp(models.TextChoices):
        """Traffic Light Protocol 2.0 (FIRST): who may see the advisory beyond its recipients."""

        CLEAR = "CLEAR", "TLP:CLEAR (public)"
        GREEN = "GREEN", "TLP:GREEN (community)"
        AMBER = "AMBER", "TLP:AMBER (recipients' organisations)"
        AMBER_STRICT = "AMBER+STRICT", "TLP:AMBER+STRICT (recipients' organisation only)"
        RED = "RED", "TLP:RED (named recipients only)"

    tracking_id = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=300)
    summary = models.TextField()
    details = models.TextField(blank=True)
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    ecosystem = models.CharField(max_length=40)
    package = models.CharField(max_length=300)
    ranges = models.JSONField(
        default=list,
        help_text='[{"introduced": "4.2.0", "fixed": "4.2.11-vendor1"}, ...]; introduced "0": all',
    )
    affected_versions = models.JSONField(default=list, blank=True, help_text="Affected versions, listed")
    cves = models.JSONField(default=list, blank=True)
    aliases = models.JSONField(default=list, blank=True)
    cvss_vector = models.CharField(max_length=300, blank=True)
    remediation = models.TextField(blank=True)
    additional_packages = models.JSONField(
        default=list,
        blank=True,
        help_text="More packages it covers, each like the first: "
        '[{"ecosystem", "package", "ranges", "affected_versions", "remediation"}]',
    )
    tlp = models.CharField(
        "TLP", max_length=12, choices=Tlp.choices, default=Tlp.CLEAR, help_text="The CSAF distribution label"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="Withdrawn: it stays published, with a final revision saying why"
    )
    withdrawn_reason = models.TextField(blank=True)
    revision = models.PositiveIntegerField(default=0)
    history = models.JSONField(
        default=list, blank=True, help_text='[{"date": ISO 8601, "summary": ...}] per revision'
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    modified_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    advisory = models.OneToOneField(
        Advisory, null=True, blank=True, on_delete=models.SET_NULL, related_name="vendor_advisory"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.tracking_id}: {self.title}"


class Notice(models.Model):
    """An advisory reached a customer: which deployments, how bad, whether they acknowledged it."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="notices")
    organization = models.ForeignKey("customers.Organization", on_delete=models.CASCADE, related_name="+")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    deployments = models.JSONField(default=list)
    findings = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket_error = models.CharField(max_length=500, blank=True, help_text="Why no security ticket opened")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["advisory", "organization"], name="notice_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.advisory_id} → {self.organization_id}"
