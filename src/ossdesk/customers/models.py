"""Customer organisations and their contacts."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Framework(models.TextChoices):
    GDPR = "GDPR", "GDPR"
    HIPAA = "HIPAA", "HIPAA"
    PCI_DSS = "PCI-DSS", "PCI-DSS"


class Organization(models.Model):
    """A customer of the vendor: where it is, its time zone, the rules it lives under."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2, e.g. DE")
    subdivision = models.CharField(max_length=10, blank=True, help_text="For public holidays, e.g. BY")
    timezone = models.CharField(max_length=64, default="UTC")
    compliance_frameworks = models.JSONField(default=list, blank=True)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_organizations",
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person at a customer; named contacts may raise cases and count against the plan's seats."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Customer admin"
        CONTACT = "contact", "Contact"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="contacts")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="contact"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.CONTACT)
    is_named = models.BooleanField(default=True, help_text="Named contacts may open cases; they use seats.")
    reachable_24x7 = models.BooleanField(default=False, help_text="Can be reached around the clock for S1.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # An address a customer adds is theirs only once its owner follows the link mailed to it; until then
    # another organisation's earlier or proved claim on the address wins (channels/intake.py).
    verified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the address was proved: its link followed, or added by staff."
    )
    pending_password = models.CharField(
        max_length=128,
        blank=True,
        help_text="Hash of the sign-in's password, created once the address is proved.",
    )

    class Meta:
        ordering = ["organization__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "email"], name="contact_email_unique_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Deployment(models.Model):
    """A customer's installation of a supported product: what tickets, SBOMs and monitoring refer to."""

    class Environment(models.TextChoices):
        PRODUCTION = "production", "Production"
        STAGING = "staging", "Staging"
        DEVELOPMENT = "development", "Development"

    class Criticality(models.TextChoices):
        CRITICAL = "critical", "Critical"
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="deployments")
    name = models.CharField(max_length=200)
    environment = models.CharField(max_length=20, choices=Environment.choices, default=Environment.PRODUCTION)
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="deployments")
    version = models.ForeignKey(
        "products.ProductVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deployments",
    )
    criticality = models.CharField(max_length=10, choices=Criticality.choices, default=Criticality.MEDIUM)
    internet_facing = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="deployment_name_unique_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization})"
