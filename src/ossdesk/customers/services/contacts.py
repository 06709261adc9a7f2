"""Writes of a customer's contacts: adding them (within the plan's named-contact seats), proving a new
address, changing and removing them, and never losing an organisation's last admin who signs in."""

from __future__ import annotations

import secrets
from typing import Never

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ossdesk.accounts.access import (
    can_manage_contacts,
    is_customer_admin_role,
    require,
)
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import Role, User
from ossdesk.audit.services import audit_record, snapshot
from ossdesk.customers.hooks import (
    contact_proof_requested,
    entitlements_for,
    plan_refs,
    reachability_changed,
)
from ossdesk.customers.models import Contact, Organization
from ossdesk.customers.proof import ProofLinkError, proof_claim, proof_token
from ossdesk.customers.selectors import named_contact_count
from ossdesk.domain.entitlements import (
    check_named_contact_seats,
)
from ossdesk.unset import UNSET, Unset, given


def _check_seat(organization: Organization, *, adding_named: bool) -> None:
    if not adding_named:
        return
    check_named_contact_seats(
        entitlements_for(organization=organization),
        named_now=named_contact_count(organization=organization),
        plans=plan_refs(),
        organisation=organization.name,
    )


@transaction.atomic
def contact_create(
    *,
    actor: Actor,
    organization: Organization,
    name: str,
    email: str,
    phone: str = "",
    role: str = Contact.Role.CONTACT,
    is_named: bool = True,
    reachable_24x7: bool = False,
    portal_access: bool = False,
    password: str | None = None,
) -> Contact:
    """Add a contact; a named contact needs a free seat; portal access creates a sign-in.

    A contact a customer adds must prove its address: a link is mailed to it, and until it is followed
    another organisation's claim on the address wins and no sign-in exists. The answer is the same
    whether or not the address is known elsewhere, so it tells nobody which addresses are."""
    require(can_manage_contacts(actor, organization.pk), "You may not add contacts to this organisation.")
    by_customer = actor.is_customer
    email = email.strip().lower()
    if Contact.objects.filter(organization=organization, email=email).exists():
        raise ValidationError({"email": f"{email} is already a contact of {organization.name}."})
    if role not in Contact.Role.values:
        raise ValidationError({"role": f"Choose from {', '.join(Contact.Role.values)}."})
    _check_seat(organization, adding_named=is_named)
    contact = Contact(
        organization=organization,
        name=name.strip(),
        email=email,
        phone=phone,
        role=role,
        is_named=is_named,
        reachable_24x7=reachable_24x7,
        verified_at=None if by_customer else timezone.now(),  # the vendor's staff vouch for an address
    )
    contact.full_clean()
    if portal_access and by_customer:
        contact.pending_password = make_password(password or None)
    elif portal_access:
        contact.user = _portal_user(email=email, name=name, password=password)
    contact.save()
    audit_record(
        actor=actor,
        action="create",
        instance=contact,
        after=snapshot(contact),
        organization_id=organization.pk,
    )
    if contact.reachable_24x7:
        reachability_changed(organization=organization)
    if by_customer:
        _ask_for_proof(contact)
    return contact


def _ask_for_proof(contact: Contact) -> None:
    """Queue the mail with the link in the outbox, in the same transaction as the contact."""
    contact_proof_requested(contact=contact, token=proof_token(contact.pk, contact.email))


@transaction.atomic
def contact_address_prove(*, token: str) -> Contact:
    """The address's owner followed the mailed link: the contact's claim on it stands, and a sign-in
    asked for is created (unless the address signs in already, which its owner may now be told)."""
    contact_id, email = proof_claim(token)
    contact = Contact.objects.select_for_update().filter(pk=contact_id, email=email, is_active=True).first()
    if contact is None:
        raise ProofLinkError("This confirmation link is not valid any more.")
    if contact.verified_at is not None:
        return contact
    before = snapshot(contact)
    contact.verified_at = timezone.now()
    if contact.pending_password and not User.objects.filter(email__iexact=contact.email).exists():
        contact.user = _portal_user(email=contact.email, name=contact.name, password=None)
        contact.user.password = contact.pending_password
        contact.user.save(update_fields=["password"])
    contact.pending_password = ""
    contact.save(update_fields=["verified_at", "user", "pending_password"])
    audit_record(
        actor=Actor.system(f"address proof <{contact.email}>"),
        action="update",
        instance=contact,
        before=before,
        after=snapshot(contact),
        organization_id=contact.organization_id,
    )
    return contact


def _portal_user(*, email: str, name: str, password: str | None) -> User:
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": f"{email} already signs in to ossdesk; use another address."})
    first, _, last = name.strip().partition(" ")
    user = User(username=email, email=email, first_name=first[:150], last_name=last[:150], role=Role.CUSTOMER)
    user.set_password(password or secrets.token_urlsafe(24))
    user.save()
    return user


@transaction.atomic
def contact_update(
    *,
    actor: Actor,
    contact: Contact,
    name: str | Unset = UNSET,
    phone: str | Unset = UNSET,
    role: str | Unset = UNSET,
    is_named: bool | Unset = UNSET,
    reachable_24x7: bool | Unset = UNSET,
    is_active: bool | Unset = UNSET,
    **refused: Never,
) -> Contact:
    """Change a contact; what is left out keeps its value. Another field (a door passes its form's or its
    serializer's fields: the organisation, the address) is refused: "This field cannot be changed."."""
    require(can_manage_contacts(actor, contact.organization_id), "You may not change this contact.")
    if refused:
        raise ValidationError(dict.fromkeys(sorted(refused), "This field cannot be changed."))
    changes = given(
        name=name,
        phone=phone,
        role=role,
        is_named=is_named,
        reachable_24x7=reachable_24x7,
        is_active=is_active,
    )
    becomes_named = (
        changes.get("is_named", contact.is_named)
        and changes.get("is_active", contact.is_active)
        and not (contact.is_named and contact.is_active)
    )
    _check_seat(contact.organization, adding_named=bool(becomes_named))
    demoted = changes.get("role", contact.role) != Contact.Role.ADMIN
    if demoted or not changes.get("is_active", True):
        _keep_an_admin(actor, contact, field="role" if demoted else "is_active")
    before = snapshot(contact)
    for key, value in changes.items():
        setattr(contact, key, value)
    contact.full_clean()
    contact.save()
    if contact.user_id and "is_active" in changes:
        User.objects.filter(pk=contact.user_id).update(is_active=contact.is_active)
    audit_record(
        actor=actor,
        action="update",
        instance=contact,
        before=before,
        after=snapshot(contact),
        organization_id=contact.organization_id,
    )
    if before["reachable_24x7"] != contact.reachable_24x7 or before["is_active"] != contact.is_active:
        reachability_changed(organization=contact.organization)
    return contact


def _keep_an_admin(actor: Actor, contact: Contact, *, field: str) -> None:
    """A customer cannot remove, demote or deactivate their organisation's last admin who signs in:
    nobody there could manage contacts, deployments or tokens again (the vendor's staff still can)."""
    if not actor.is_customer or not _signs_in_as_admin(contact):
        return
    others = Contact.objects.filter(
        organization_id=contact.organization_id,
        role=Contact.Role.ADMIN,
        is_active=True,
        user__is_active=True,
    ).exclude(pk=contact.pk)
    if not others.exists():
        message = (
            f"{contact.name} is the last admin of {contact.organization.name}; make another contact an "
            "admin first, or the organisation is locked out."
        )
        raise ValidationError({field: message})


def _signs_in_as_admin(contact: Contact) -> bool:
    return (
        is_customer_admin_role(contact.role)
        and contact.is_active
        and contact.user_id is not None
        and User.objects.filter(pk=contact.user_id, is_active=True).exists()
    )


@transaction.atomic
def contact_delete(*, actor: Actor, contact: Contact) -> None:
    require(can_manage_contacts(actor, contact.organization_id), "You may not remove this contact.")
    _keep_an_admin(actor, contact, field="non_field_errors")
    audit_record(
        actor=actor,
        action="delete",
        instance=contact,
        before=snapshot(contact),
        organization_id=contact.organization_id,
    )
    if contact.user_id:
        User.objects.filter(pk=contact.user_id).update(is_active=False)
    organization, was_reachable = contact.organization, contact.reachable_24x7
    contact.delete()
    if was_reachable:
        reachability_changed(organization=organization)
