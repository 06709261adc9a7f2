"""API doors for plans, subscriptions and agreements."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Model

from ossdesk.customers.selectors import organization_get
from ossdesk.doors.ids import IdFilter
from ossdesk.doors.viewsets import ServiceViewSet
from ossdesk.plans import selectors, services
from ossdesk.plans.api.serializers import (
    AgreementInSerializer,
    AgreementOutSerializer,
    PlanInSerializer,
    PlanOutSerializer,
    SubscriptionInSerializer,
    SubscriptionOutSerializer,
)
from ossdesk.plans.models import Agreement, Plan, Subscription


class PlanViewSet(ServiceViewSet[Plan]):
    """The tiers and their terms; admins edit them."""

    output_serializer = PlanOutSerializer
    input_serializer = PlanInSerializer
    search_fields = ["name", "code"]
    ordering_fields = ["rank", "name"]
    ordering = ["rank"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.plan_list()

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        return services.plan_create(actor=self.actor, **data)

    def perform_service_update(self, instance: Plan, changes: dict[str, Any]) -> Model:
        changes.pop("code", None)
        return services.plan_update(actor=self.actor, plan=instance, **changes)


def _organization(viewset: ServiceViewSet[Any], data: dict[str, Any]) -> Any:
    return organization_get(actor=viewset.actor, pk=data.pop("organization"))


class SubscriptionFilter(django_filters.FilterSet):
    # A plain number, not a choice among all organisations: that would answer 400 for a missing id and
    # 200 for another customer's, telling a customer which ids exist.
    organization = IdFilter(field_name="organization_id")

    class Meta:
        model = Subscription
        fields = ["organization", "plan"]


class AgreementFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id")  # see SubscriptionFilter

    class Meta:
        model = Agreement
        fields = ["organization"]


class SubscriptionViewSet(ServiceViewSet[Subscription]):
    output_serializer = SubscriptionOutSerializer
    input_serializer = SubscriptionInSerializer
    filterset_class = SubscriptionFilter
    ordering_fields = ["starts_on", "ends_on"]
    ordering = ["-starts_on"]

    def get_queryset(self) -> Any:
        return selectors.subscription_list(actor=self.actor)

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        return services.subscription_create(actor=self.actor, organization=_organization(self, data), **data)

    def perform_service_update(self, instance: Subscription, changes: dict[str, Any]) -> Model:
        if changes.pop("organization", instance.organization_id) != instance.organization_id:
            raise ValidationError({"organization": "A subscription cannot move to another organisation."})
        return services.subscription_update(actor=self.actor, subscription=instance, **changes)

    def perform_service_delete(self, instance: Subscription) -> None:
        services.subscription_delete(actor=self.actor, subscription=instance)


class AgreementViewSet(ServiceViewSet[Agreement]):
    output_serializer = AgreementOutSerializer
    input_serializer = AgreementInSerializer
    filterset_class = AgreementFilter
    search_fields = ["reference"]
    ordering_fields = ["starts_on", "ends_on", "reference"]
    ordering = ["-starts_on"]

    def get_queryset(self) -> Any:
        return selectors.agreement_list(actor=self.actor)

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        return services.agreement_create(actor=self.actor, organization=_organization(self, data), **data)

    def perform_service_update(self, instance: Agreement, changes: dict[str, Any]) -> Model:
        if changes.pop("organization", instance.organization_id) != instance.organization_id:
            raise ValidationError({"organization": "An agreement cannot move to another organisation."})
        return services.agreement_update(actor=self.actor, agreement=instance, **changes)

    def perform_service_delete(self, instance: Agreement) -> None:
        services.agreement_delete(actor=self.actor, agreement=instance)
