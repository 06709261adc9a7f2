"""Plans (tiers) and their terms, subscriptions to them, and enterprise agreements."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from ossdesk.customers.models import Organization
from ossdesk.products.models import Product


class Plan(models.Model):
    """A tier. `terms` holds its entitlements, validated by ossdesk.domain.entitlements.Terms."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)
    rank = models.PositiveSmallIntegerField(unique=True, help_text="Higher is more generous")
    best_for = models.CharField(max_length=200, blank=True)
    is_fallback = models.BooleanField(default=False, help_text="Applies when no subscription is in force")
    terms = models.JSONField()

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    """A customer's subscription to a plan for a term, covering some products."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="subscriptions")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    starts_on = models.DateField()
    ends_on = models.DateField()
    products = models.ManyToManyField(Product, blank=True, related_name="subscriptions")
    deployments = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="subscription_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.plan} ({self.starts_on}–{self.ends_on})"


class Agreement(models.Model):
    """An enterprise agreement: any plan term overridden for one customer, for a period."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="agreements")
    reference = models.CharField(max_length=60, unique=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    overrides = models.JSONField(default=dict, blank=True)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="agreements"
    )
    consulting_hours_bank = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal(0))
    fee_per_period = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal(0), help_text="The fee SLA credits are a share of"
    )
    currency = models.CharField(max_length=3, default="EUR")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="agreement_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.organization})"
