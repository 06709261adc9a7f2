"""Reads of organisations and contacts: the one place where customer data is scoped by actor."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from ossdesk.accounts.actor import Actor
from ossdesk.customers.models import Contact, Deployment, Organization


def organization_list(*, actor: Actor, search: str = "") -> QuerySet[Organization]:
    """Staff see every customer; a customer sees only its own organisation."""
    qs = Organization.objects.select_related("account_manager").annotate(
        contact_count=Count("contacts", filter=Q(contacts__is_active=True), distinct=True)
    )
    if not actor.is_staff:
        qs = qs.filter(pk=actor.organization_id) if actor.organization_id else qs.none()
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(slug__icontains=search)
            | Q(country__iexact=search)
            | Q(contacts__email__icontains=search)
        ).distinct()
    return qs


def organization_get(*, actor: Actor, pk: int | str) -> Organization:
    """One organisation the actor may see; another's raises DoesNotExist, exactly like a missing one."""
    return organization_list(actor=actor).get(pk=pk)


def organization_get_by_slug(*, actor: Actor, slug: str) -> Organization:
    return organization_list(actor=actor).get(slug=slug)


def contact_list(*, actor: Actor, organization_id: int | None = None) -> QuerySet[Contact]:
    qs = Contact.objects.select_related("organization", "user")
    if not actor.is_staff:
        qs = qs.filter(organization_id=actor.organization_id) if actor.organization_id else qs.none()
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    return qs


def contact_get(*, actor: Actor, pk: int | str) -> Contact:
    return contact_list(actor=actor).get(pk=pk)


def named_contact_count(*, organization: Organization) -> int:
    return Contact.objects.filter(organization=organization, is_named=True, is_active=True).count()


def deployment_list(*, actor: Actor, organization_id: int | None = None) -> QuerySet[Deployment]:
    """Staff see every deployment; a customer sees its organisation's."""
    qs = Deployment.objects.select_related("organization", "product", "version")
    if not actor.is_staff:
        qs = qs.filter(organization_id=actor.organization_id) if actor.organization_id else qs.none()
    if organization_id is not None:
        qs = qs.filter(organization_id=organization_id)
    return qs


def deployment_get(*, actor: Actor, pk: int | str) -> Deployment:
    return deployment_list(actor=actor).get(pk=pk)
