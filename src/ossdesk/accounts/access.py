"""Permission gates: who may do what, one condition a line, so each branch is visible and tested.

Every gate is `can_<verb>_<thing>(actor, …) -> bool` and takes only the actor and plain ids (never a
model of a higher app), so this module stays at the bottom of the layer order. Services call the gate
and raise; views and serializers call the same gate to decide what to offer. Reads are scoped by
selectors, not here. `tests/api/test_permission_matrix.py` holds the written matrix: a new gate needs a
row there.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import Role

# Who the vendor lets hold a customer account (an organisation's account manager).
ACCOUNT_HOLDER_ROLES = frozenset({Role.ACCOUNT_MANAGER, Role.ADMIN})
# Security analysis: advisories, feeds, SBOM matching, vendor advisories.
ANALYST_ROLES = frozenset({Role.ADMIN, Role.SECURITY_ANALYST, Role.SYSTEM})


def require(allowed: bool, message: str) -> None:
    """Raise PermissionDenied with a message when a gate says no."""
    if not allowed:
        raise PermissionDenied(message)


def refuse(reason: str | None) -> None:
    """Raise PermissionDenied with the reason a check gave (one that looks at data as well as the gates,
    like the forum's bans); None lets the actor through."""
    if reason is not None:
        raise PermissionDenied(reason)


def is_customer_admin_role(role: str) -> bool:
    """Whether a contact of this role administers its organisation (contacts, deployments, tokens)."""
    return role == "admin"  # customers' Contact.Role.ADMIN: the kernel imports no customers model


def is_account_holder_role(role: str) -> bool:
    """Whether a user of this role may be named an organisation's account manager."""
    return role in ACCOUNT_HOLDER_ROLES


def _is_admin_of(actor: Actor, organization_id: int | None) -> bool:
    """A customer admin of exactly this organisation."""
    if organization_id is None:
        return False
    if not actor.is_customer:
        return False
    if not actor.is_customer_admin:
        return False
    return actor.organization_id == organization_id


def _is_member_of(actor: Actor, organization_id: int | None) -> bool:
    """Staff (who see every organisation) or a customer of exactly this organisation."""
    if actor.is_staff:
        return True
    if actor.organization_id is None:
        return False
    return actor.organization_id == organization_id


def _is_self(actor: Actor, user_id: int | None) -> bool:
    """The actor is this signed-in user."""
    if actor.user_id is None:
        return False
    return actor.user_id == user_id


# --- customers and the catalogue ---------------------------------------------------------------------------


def can_manage_customers(actor: Actor) -> bool:
    """Create or change organisations, subscriptions and agreements."""
    return actor.role in {Role.ADMIN, Role.ACCOUNT_MANAGER, Role.SYSTEM}


def can_delete_customers(actor: Actor) -> bool:
    """Delete an organisation or a subscription for good."""
    return actor.role in {Role.ADMIN, Role.SYSTEM}


def can_manage_catalogue(actor: Actor) -> bool:
    """Plans and products (and the staff who sell them) are the vendor's catalogue."""
    return actor.role in {Role.ADMIN, Role.SYSTEM}


def can_manage_contacts(actor: Actor, organization_id: int) -> bool:
    """Add, change or deactivate an organisation's contacts."""
    if can_manage_customers(actor):
        return True
    return _is_admin_of(actor, organization_id)


def can_edit_organization(actor: Actor, organization_id: int) -> bool:
    """Change an organisation's own details and its deployments."""
    if can_manage_customers(actor):
        return True
    return _is_admin_of(actor, organization_id)


def can_act_for_any_customer(actor: Actor) -> bool:
    """Choose any organisation: pick a customer in a form or filter, see every customer's rows at once."""
    return actor.is_staff


def can_read_internal_notes(actor: Actor) -> bool:
    """See the vendor's internal business: who wrote and reviewed an advisory, why no ticket was opened."""
    return actor.is_staff


def can_view_audit_log(actor: Actor) -> bool:
    """Read the whole audit log."""
    return actor.role in {Role.ADMIN, Role.SYSTEM}


# --- accounts ----------------------------------------------------------------------------------------------


def can_create_api_token(actor: Actor, owner_id: int | None) -> bool:
    """Create an API token for the user `owner_id`: oneself, or anyone as an admin or the system."""
    if actor.role in {Role.ADMIN, Role.SYSTEM}:
        return True
    return _is_self(actor, owner_id)


def can_revoke_api_token(actor: Actor, owner_id: int | None) -> bool:
    """Revoke the API token of the user `owner_id`: one's own, or anyone's as an admin."""
    if actor.role == Role.ADMIN:
        return True
    return _is_self(actor, owner_id)


# --- tickets ----------------------------------------------------------------------------------------------


def can_work_tickets(actor: Actor) -> bool:
    """Work the queue: assign, add internal notes and time, raise a case for any customer, see internals."""
    return actor.is_staff


def can_access_ticket(actor: Actor, organization_id: int) -> bool:
    """Act on a ticket of the organisation `organization_id` (staff: any; a customer: their own)."""
    return _is_member_of(actor, organization_id)


def can_manage_holidays(actor: Actor) -> bool:
    """Add or remove the extra holidays the SLA calendars skip."""
    if can_manage_catalogue(actor):
        return True
    return actor.role == Role.ACCOUNT_MANAGER


def can_save_queue_views(actor: Actor) -> bool:
    """Save the queue's filters as a named view (a signed-in staff member; the system has no queue)."""
    if actor.user_id is None:
        return False
    return can_work_tickets(actor)


def can_delete_saved_view(actor: Actor, owner_id: int | None) -> bool:
    """Delete a saved queue view: its owner, or an admin."""
    if actor.role == Role.ADMIN:
        return True
    return _is_self(actor, owner_id)


def can_read_mail(actor: Actor) -> bool:
    """Read the outbox and the received mail: they hold every customer's messages."""
    return can_work_tickets(actor)


def can_manage_mailboxes(actor: Actor) -> bool:
    """Add, change or remove the mailboxes ossdesk fetches mail from, and process held mail again."""
    return can_work_tickets(actor)


# --- knowledge base ---------------------------------------------------------------------------------------


def can_write_articles(actor: Actor) -> bool:
    """Write, publish and delete knowledge-base articles (every staff role)."""
    return actor.is_staff


def can_link_articles(actor: Actor) -> bool:
    """Link articles to tickets and unlink them (the ticket page's sidebar)."""
    return actor.is_staff


# --- forum ------------------------------------------------------------------------------------------------


def can_write_forum(actor: Actor) -> bool:
    """Ask and answer in the forum: anyone signed in, and the system (a ban, which the forum's services
    look up, can still refuse a member)."""
    return actor.user is not None or actor.role == Role.SYSTEM


def can_moderate_forum(actor: Actor) -> bool:
    """Hide, lock, ban, and turn threads into tickets or articles."""
    return actor.is_staff


def can_accept_answer(actor: Actor, author_id: int | None) -> bool:
    """Choose a thread's accepted answer: the thread's author, or a moderator."""
    if can_moderate_forum(actor):
        return True
    return _is_self(actor, author_id)


def can_edit_post(actor: Actor, author_id: int | None) -> bool:
    """Correct a reply: its author, or a moderator."""
    if can_moderate_forum(actor):
        return True
    return _is_self(actor, author_id)


# --- surveys ----------------------------------------------------------------------------------------------


def can_rate_support(actor: Actor, organization_id: int) -> bool:
    """Rate a solved ticket: the customer's own people only; staff never rate themselves."""
    if not actor.is_customer:
        return False
    return actor.organization_id == organization_id


def can_view_survey_results(actor: Actor) -> bool:
    """Read the satisfaction results of every customer."""
    return actor.is_staff


# --- webhooks ---------------------------------------------------------------------------------------------


def can_manage_webhooks(actor: Actor, organization_id: int | None) -> bool:
    """Vendor endpoints (no organisation) are the admins'; an organisation's are also its customer admins'."""
    if actor.role in {Role.ADMIN, Role.SYSTEM}:
        return True
    return _is_admin_of(actor, organization_id)


# --- security ---------------------------------------------------------------------------------------------


def can_analyse_security(actor: Actor) -> bool:
    """Import advisories, run feeds and rescans, write, review and publish vendor advisories."""
    return actor.role in ANALYST_ROLES


def can_publish_vendor_advisory(actor: Actor, author_id: int | None) -> bool:
    """Publish a vendor advisory: an analyst who did not write it (four eyes), or an admin."""
    if not can_analyse_security(actor):
        return False
    if actor.role == Role.ADMIN:
        return True
    return not _is_self(actor, author_id)


def can_record_vex(actor: Actor) -> bool:
    """Record a VEX statement: analysts and engineers for any scope, a customer for their own organisation."""
    if actor.is_customer:
        return True
    if can_analyse_security(actor):
        return True
    return actor.role == Role.ENGINEER


def can_access_deployment(actor: Actor, organization_id: int) -> bool:
    """Act on a deployment, its findings and notices (staff: any; a customer: their organisation's)."""
    return _is_member_of(actor, organization_id)
