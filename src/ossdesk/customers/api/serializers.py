from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ossdesk.accounts.api.serializers import UserRefSerializer
from ossdesk.accounts.models import STAFF_ROLES, User
from ossdesk.customers.models import Contact, Deployment, Framework, Organization
from ossdesk.doors.ids import IdField
from ossdesk.products.models import Product, ProductVersion


class OrganizationOutSerializer(serializers.ModelSerializer[Organization]):
    staff_only_fields = ("notes",)
    account_manager = UserRefSerializer(read_only=True, allow_null=True)
    contact_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "slug",
            "country",
            "subdivision",
            "timezone",
            "compliance_frameworks",
            "account_manager",
            "contact_count",
            "notes",
            "created_at",
        ]

    def to_representation(self, instance: Organization) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not getattr(request.user, "is_vendor_staff", False):
            for name in self.staff_only_fields:  # the vendor's notes about a customer are internal
                data.pop(name, None)
        return data


class OrganizationInSerializer(serializers.Serializer[None]):
    name = serializers.CharField(max_length=200)
    country = serializers.CharField(max_length=2)
    subdivision = serializers.CharField(max_length=10, required=False, allow_blank=True)
    timezone = serializers.CharField(max_length=64, required=False)
    compliance_frameworks = serializers.ListField(
        child=serializers.ChoiceField(choices=Framework.choices), required=False
    )
    account_manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role__in=STAFF_ROLES), required=False, allow_null=True
    )
    notes = serializers.CharField(required=False, allow_blank=True)


class ContactOutSerializer(serializers.ModelSerializer[Contact]):
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    portal_access = serializers.SerializerMethodField()
    verified = serializers.SerializerMethodField(
        help_text="The address is proved (its owner followed the mailed link, or staff added it); "
        "a contact a customer adds has a sign-in only once it is."
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "organization",
            "name",
            "email",
            "phone",
            "role",
            "is_named",
            "reachable_24x7",
            "is_active",
            "portal_access",
            "verified",
            "created_at",
        ]

    def get_portal_access(self, contact: Contact) -> bool:
        return contact.user_id is not None

    def get_verified(self, contact: Contact) -> bool:
        return contact.verified_at is not None


class ContactInSerializer(serializers.Serializer[None]):
    organization = IdField(help_text="Organisation id")
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField()
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Contact.Role.choices, required=False)
    is_named = serializers.BooleanField(required=False)
    reachable_24x7 = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)
    portal_access = serializers.BooleanField(
        required=False,
        help_text="Create a portal sign-in (for a contact a customer adds: once its address is proved)",
    )
    password = serializers.CharField(required=False, write_only=True, min_length=10)


class ProductRefSerializer(serializers.Serializer[Product]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class VersionRefSerializer(serializers.Serializer[ProductVersion]):
    id = serializers.IntegerField()
    version = serializers.CharField()


class DeploymentOutSerializer(serializers.ModelSerializer[Deployment]):
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    product = ProductRefSerializer(read_only=True)
    version = VersionRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Deployment
        fields = [
            "id",
            "organization",
            "organization_name",
            "name",
            "environment",
            "product",
            "version",
            "criticality",
            "internet_facing",
            "created_at",
        ]


class DeploymentInSerializer(serializers.Serializer[None]):
    organization = IdField(
        required=False, help_text="Organisation id; customers may leave it out (their own)"
    )
    name = serializers.CharField(max_length=200)
    environment = serializers.ChoiceField(choices=Deployment.Environment.choices, required=False)
    product = IdField(help_text="A product of the catalogue")
    version = IdField(required=False, allow_null=True, help_text="A version of the product")
    criticality = serializers.ChoiceField(choices=Deployment.Criticality.choices, required=False)
    internet_facing = serializers.BooleanField(required=False)
