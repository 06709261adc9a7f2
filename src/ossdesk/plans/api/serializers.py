from __future__ import annotations

from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from ossdesk.accounts.api.serializers import UserRefSerializer
from ossdesk.accounts.models import User
from ossdesk.domain.entitlements import CLOCKS, SEVERITY_DEFINITIONS, Entitlements, feature_get
from ossdesk.doors.ids import IdField
from ossdesk.plans.models import Agreement, Plan, Subscription
from ossdesk.products.models import Product


class PlanOutSerializer(serializers.ModelSerializer[Plan]):
    class Meta:
        model = Plan
        fields = ["id", "code", "name", "rank", "best_for", "is_fallback", "terms"]


class PlanInSerializer(serializers.Serializer[None]):
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=100)
    rank = serializers.IntegerField(min_value=0)
    best_for = serializers.CharField(max_length=200, required=False, allow_blank=True)
    terms = serializers.JSONField()


class SubscriptionOutSerializer(serializers.ModelSerializer[Subscription]):
    plan: serializers.SlugRelatedField[Plan] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    products: serializers.PrimaryKeyRelatedField[Product] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = Subscription
        fields = [
            "id",
            "organization",
            "plan",
            "starts_on",
            "ends_on",
            "products",
            "deployments",
            "created_at",
        ]


class SubscriptionInSerializer(serializers.Serializer[None]):
    organization = IdField()
    plan = serializers.SlugRelatedField(slug_field="code", queryset=Plan.objects.all())
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    products = serializers.PrimaryKeyRelatedField(many=True, queryset=Product.objects.all(), required=False)
    deployments = serializers.IntegerField(min_value=0, required=False)


class AgreementOutSerializer(serializers.ModelSerializer[Agreement]):
    account_manager = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "organization",
            "reference",
            "starts_on",
            "ends_on",
            "overrides",
            "account_manager",
            "consulting_hours_bank",
            "fee_per_period",
            "currency",
            "notes",
            "created_at",
        ]


class AgreementInSerializer(serializers.Serializer[None]):
    organization = IdField()
    reference = serializers.CharField(max_length=60)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    overrides = serializers.JSONField(required=False)
    account_manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role__in=["account_manager", "admin"]), required=False, allow_null=True
    )
    consulting_hours_bank = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, required=False
    )
    fee_per_period = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    currency = serializers.CharField(max_length=3, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class EntitlementsSerializer(serializers.BaseSerializer[Entitlements]):
    """Effective entitlements, read-only, in the shape a portal or an integration wants."""

    def to_representation(self, instance: Entitlements) -> dict[str, Any]:
        terms = instance.terms
        return {
            "at": instance.at.isoformat(),
            "plan": {"code": instance.plan.code, "name": instance.plan.name},
            "label": instance.plan_label,
            "source": instance.source,
            "subscription": (
                {
                    "id": instance.subscription.id,
                    "starts_on": instance.subscription.starts_on,
                    "ends_on": instance.subscription.ends_on,
                }
                if instance.subscription
                else None
            ),
            "agreement": (
                {
                    "id": instance.agreement.id,
                    "reference": instance.agreement.reference,
                    "account_manager": instance.agreement.account_manager,
                }
                if instance.agreement
                else None
            ),
            "sla": terms.sla,
            "severities": {
                severity: {
                    "definition": SEVERITY_DEFINITIONS[severity],
                    "coverage": item.coverage,
                    **{clock: (str(item.target(clock)) if item.target(clock) else None) for clock in CLOCKS},
                }
                for severity, item in terms.severities.items()
            },
            "channels": sorted(terms.channels),
            "named_contacts": terms.named_contacts,
            "max_deployments": terms.max_deployments,
            "features": sorted(terms.features),
            # Included by the terms but not built yet (FEATURE_REGISTRY): never to be read as working.
            "features_coming": sorted(f for f in terms.features if not feature_get(f).available),
            "consulting_hours_per_year": terms.consulting_hours_per_year,
            "sla_credits": (
                {
                    "percent_per_breach": str(terms.sla_credits.percent_per_breach),
                    "cap_percent_per_period": str(terms.sla_credits.cap_percent_per_period),
                    "period": terms.sla_credits.period,
                }
                if terms.sla_credits
                else None
            ),
            "covered_products": sorted(instance.products),
        }


# The shape above for the OpenAPI schema: drf-spectacular cannot describe a BaseSerializer and fails.
ENTITLEMENTS_SCHEMA = inline_serializer(
    "Entitlements",
    fields={
        "at": serializers.DateTimeField(),
        "plan": serializers.DictField(),
        "label": serializers.CharField(),
        "source": serializers.ChoiceField(choices=["fallback", "subscription", "agreement"]),
        "subscription": serializers.DictField(allow_null=True),
        "agreement": serializers.DictField(allow_null=True),
        "sla": serializers.BooleanField(),
        "severities": serializers.DictField(child=serializers.DictField()),
        "channels": serializers.ListField(child=serializers.CharField()),
        "named_contacts": serializers.IntegerField(allow_null=True),
        "max_deployments": serializers.IntegerField(allow_null=True),
        "features": serializers.ListField(child=serializers.CharField()),
        "features_coming": serializers.ListField(child=serializers.CharField()),
        "consulting_hours_per_year": serializers.IntegerField(),
        "sla_credits": serializers.DictField(allow_null=True),
        "covered_products": serializers.ListField(child=serializers.IntegerField()),
    },
)
