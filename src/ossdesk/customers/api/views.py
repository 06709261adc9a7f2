"""API doors for organisations, contacts, deployments and an organisation's effective entitlements.

A deployment's SBOM uploads hang off the deployment (`/api/deployments/{id}/sboms/`), but they are
security's: `ossdesk.security.api.deployments` extends the deployment viewset with them.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ossdesk.customers import selectors, services
from ossdesk.customers.api.serializers import (
    ContactInSerializer,
    ContactOutSerializer,
    DeploymentInSerializer,
    DeploymentOutSerializer,
    OrganizationInSerializer,
    OrganizationOutSerializer,
)
from ossdesk.customers.models import Contact, Deployment, Organization
from ossdesk.doors.ids import IdFilter
from ossdesk.doors.viewsets import ServiceViewSet
from ossdesk.plans.api.serializers import ENTITLEMENTS_SCHEMA, EntitlementsSerializer
from ossdesk.plans.selectors import entitlements_for
from ossdesk.products.selectors import product_list, product_version_list


class OrganizationFilter(django_filters.FilterSet):
    framework = django_filters.CharFilter(method="filter_framework", label="Compliance framework")
    # Ids filter as plain numbers: a choice among all rows would answer 400 for a missing id and 200
    # for someone else's, telling a customer which ids exist.
    account_manager = IdFilter(field_name="account_manager_id")

    class Meta:
        model = Organization
        fields = ["country", "account_manager"]

    def filter_framework(self, queryset: Any, name: str, value: str) -> Any:
        # JSON containment differs per database; the list is short, so match its JSON text.
        return queryset.filter(compliance_frameworks__icontains=f'"{value}"')


class OrganizationViewSet(ServiceViewSet[Organization]):
    """Customer organisations. Customers see only their own."""

    output_serializer = OrganizationOutSerializer
    input_serializer = OrganizationInSerializer
    filterset_class = OrganizationFilter
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "country", "created_at"]
    ordering = ["name"]

    def get_queryset(self) -> Any:
        return selectors.organization_list(actor=self.actor)

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        return services.organization_create(actor=self.actor, **data)

    def perform_service_update(self, instance: Organization, changes: dict[str, Any]) -> Model:
        return services.organization_update(actor=self.actor, organization=instance, **changes)

    def perform_service_delete(self, instance: Organization) -> None:
        services.organization_delete(actor=self.actor, organization=instance)

    @extend_schema(
        responses=ENTITLEMENTS_SCHEMA,
        parameters=[OpenApiParameter("at", str, description="ISO 8601 instant; default now")],
    )
    @action(detail=True, methods=["get"])
    def entitlements(self, request: Request, pk: str | None = None) -> Response:
        """The entitlements in force now (or at `?at=`), with where they come from."""
        organization = self.get_object()
        at = None
        if request.query_params.get("at"):
            try:
                at = parse_datetime(request.query_params["at"])
            except ValueError:  # well formed but impossible, such as month 13
                at = None
            if at is None or at.tzinfo is None:
                raise ValidationError(
                    {"at": "Give an ISO 8601 instant with a UTC offset, e.g. 2026-01-31T12:00Z."}
                )
        return Response(EntitlementsSerializer(entitlements_for(organization=organization, at=at)).data)


class ContactFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id")  # see OrganizationFilter

    class Meta:
        model = Contact
        fields = ["organization", "role", "is_named", "is_active"]


class ContactViewSet(ServiceViewSet[Contact]):
    """Contacts of customer organisations; customer admins manage their own."""

    output_serializer = ContactOutSerializer
    input_serializer = ContactInSerializer
    filterset_class = ContactFilter
    search_fields = ["name", "email"]
    ordering_fields = ["name", "email", "created_at"]
    ordering = ["name"]

    def get_queryset(self) -> Any:
        return selectors.contact_list(actor=self.actor)

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        organization = selectors.organization_get(actor=self.actor, pk=data.pop("organization"))
        data.pop("is_active", None)
        return services.contact_create(actor=self.actor, organization=organization, **data)

    def perform_service_update(self, instance: Contact, changes: dict[str, Any]) -> Model:
        current = {"organization": instance.organization_id, "email": instance.email}
        for key in ("organization", "email", "portal_access", "password"):
            if key in changes and changes.pop(key) != current.get(key, object()):
                raise ValidationError({key: "This field cannot be changed here."})
        return services.contact_update(actor=self.actor, contact=instance, **changes)

    def perform_service_delete(self, instance: Contact) -> None:
        services.contact_delete(actor=self.actor, contact=instance)


class DeploymentFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id")  # see OrganizationFilter
    product = IdFilter(field_name="product_id")

    class Meta:
        model = Deployment
        fields = ["organization", "product", "environment", "criticality", "internet_facing"]


def _one(queryset: Any, pk: int | None, field: str, what: str) -> Any:
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: f"No such {what}."})
    return found


class DeploymentViewSet(ServiceViewSet[Deployment]):
    """Customers' deployments of supported products; customer admins manage their own organisation's."""

    output_serializer = DeploymentOutSerializer
    input_serializer = DeploymentInSerializer
    filterset_class = DeploymentFilter
    search_fields = ["name"]
    ordering_fields = ["name", "created_at", "criticality"]
    ordering = ["organization__name", "name"]

    def get_queryset(self) -> Any:
        return selectors.deployment_list(actor=self.actor)

    def _references(self, data: dict[str, Any]) -> dict[str, Any]:
        """Catalogue ids in the input, turned into the objects the services take."""
        if "product" in data:
            data["product"] = _one(product_list(), data["product"], "product", "product")
        if "version" in data:
            data["version"] = _one(product_version_list(), data["version"], "version", "product version")
        return data

    def perform_service_create(self, data: dict[str, Any]) -> Model:
        organization_id = data.pop("organization", None) or self.actor.organization_id
        if organization_id is None:
            raise ValidationError({"organization": "Say which customer runs the deployment."})
        organization = selectors.organization_get(actor=self.actor, pk=organization_id)
        return services.deployment_create(
            actor=self.actor, organization=organization, **self._references(data)
        )

    def perform_service_update(self, instance: Deployment, changes: dict[str, Any]) -> Model:
        if "organization" in changes and changes.pop("organization") != instance.organization_id:
            raise ValidationError({"organization": "A deployment cannot move to another organisation."})
        return services.deployment_update(actor=self.actor, deployment=instance, **self._references(changes))

    def perform_service_delete(self, instance: Deployment) -> None:
        services.deployment_delete(actor=self.actor, deployment=instance)
