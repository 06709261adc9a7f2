"""The written permission matrix: every gate of `ossdesk.accounts.access` against every kind of actor.

One row per gate (and per kind of object it is asked about); a column per actor. `Y` is allowed, `.` is
refused. A gate added to the access module without a row here fails `test_every_gate_has_a_row`. The
tenancy tests (`test_tenancy.py`, `tests/tickets/test_*tenancy.py`) prove the selectors' scoping; this
table proves who may change what.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from ossdesk.accounts import access
from ossdesk.accounts.actor import Actor
from ossdesk.accounts.models import Role, User

ORG, OTHER_ORG, SOMEONE_ELSE = 1, 2, 999

# The actors, one column each: the vendor's staff by role, the customer organisation ORG's admin and
# plain member, another organisation's admin, the system, and nobody signed in.
COLUMNS = (
    *("admin", "engineer", "acct_mgr", "analyst"),
    *("cust_admin", "member", "other_org"),
    *("system", "anonymous"),
)


def _staff(pk: int, role: Role) -> Actor:
    return Actor(user=User(pk=pk, role=role), role=role, organization_id=None, label=role.value)


def _customer(pk: int, organization_id: int, *, admin: bool) -> Actor:
    user = User(pk=pk, role=Role.CUSTOMER)
    return Actor(
        user=user,
        role=Role.CUSTOMER,
        organization_id=organization_id,
        label=f"customer{pk}",
        is_customer_admin=admin,
    )


ACTORS: dict[str, Actor] = {
    "admin": _staff(1, Role.ADMIN),
    "engineer": _staff(2, Role.ENGINEER),
    "acct_mgr": _staff(3, Role.ACCOUNT_MANAGER),
    "analyst": _staff(4, Role.SECURITY_ANALYST),
    "cust_admin": _customer(5, ORG, admin=True),
    "member": _customer(6, ORG, admin=False),
    "other_org": _customer(7, OTHER_ORG, admin=True),
    "system": Actor.system("tests"),
    "anonymous": Actor(user=None, role=Role.ANONYMOUS, organization_id=None, label="anonymous"),
}


# What the gate is asked about: nothing, organisation ORG's object, a vendor-wide object (no
# organisation), or an object the actor itself owns or wrote, or someone else's.
def _nothing(actor: Actor) -> tuple[Any, ...]:
    return ()


def _org(actor: Actor) -> tuple[Any, ...]:
    return (ORG,)


def _vendor(actor: Actor) -> tuple[Any, ...]:
    return (None,)


def _own(actor: Actor) -> tuple[Any, ...]:
    return (actor.user_id,)


def _others(actor: Actor) -> tuple[Any, ...]:
    return (SOMEONE_ELSE,)


# fmt: off
MATRIX: list[tuple[str, Callable[[Actor], tuple[Any, ...]], str]] = [
    # gate                          asked about   admin eng  am   an   cadm mem  oorg sys  anon
    ("can_manage_customers",        _nothing,    "Y    .    Y    .    .    .    .    Y    ."),
    ("can_delete_customers",        _nothing,    "Y    .    .    .    .    .    .    Y    ."),
    ("can_manage_catalogue",        _nothing,    "Y    .    .    .    .    .    .    Y    ."),
    ("can_manage_contacts",         _org,        "Y    .    Y    .    Y    .    .    Y    ."),
    ("can_edit_organization",       _org,        "Y    .    Y    .    Y    .    .    Y    ."),
    ("can_act_for_any_customer",    _nothing,    "Y    Y    Y    Y    .    .    .    Y    ."),
    ("can_read_internal_notes",     _nothing,    "Y    Y    Y    Y    .    .    .    Y    ."),
    ("can_view_audit_log",          _nothing,    "Y    .    .    .    .    .    .    Y    ."),
    ("can_create_api_token",        _own,        "Y    Y    Y    Y    Y    Y    Y    Y    ."),
    ("can_create_api_token",        _others,     "Y    .    .    .    .    .    .    Y    ."),
    ("can_revoke_api_token",        _own,        "Y    Y    Y    Y    Y    Y    Y    .    ."),
    ("can_revoke_api_token",        _others,     "Y    .    .    .    .    .    .    .    ."),
    ("can_work_tickets",            _nothing,    "Y    Y    Y    Y    .    .    .    Y    ."),
    ("can_access_ticket",           _org,        "Y    Y    Y    Y    Y    Y    .    Y    ."),
    ("can_manage_holidays",         _nothing,    "Y    .    Y    .    .    .    .    Y    ."),
    ("can_save_queue_views",        _nothing,    "Y    Y    Y    Y    .    .    .    .    ."),
    ("can_delete_saved_view",       _own,        "Y    Y    Y    Y    Y    Y    Y    .    ."),
    ("can_delete_saved_view",       _others,     "Y    .    .    .    .    .    .    .    ."),
    ("can_read_mail",               _nothing,    "Y    Y    Y    Y    .    .    .    Y    ."),
    ("can_manage_mailboxes",        _nothing,    "Y    Y    Y    Y    .    .    .    Y    ."),
    ("can_write_articles",          _nothing,    "Y    Y    Y    Y    .    .    .    Y    ."),
    ("can_link_articles",           _nothing,    "Y    Y    Y    Y    .    .    .    Y    ."),
    ("can_write_forum",             _nothing,    "Y    Y    Y    Y    Y    Y    Y    Y    ."),
    ("can_moderate_forum",          _nothing,    "Y    Y    Y    Y    .    .    .    Y    ."),
    ("can_accept_answer",           _own,        "Y    Y    Y    Y    Y    Y    Y    Y    ."),
    ("can_accept_answer",           _others,     "Y    Y    Y    Y    .    .    .    Y    ."),
    ("can_edit_post",               _own,        "Y    Y    Y    Y    Y    Y    Y    Y    ."),
    ("can_edit_post",               _others,     "Y    Y    Y    Y    .    .    .    Y    ."),
    ("can_rate_support",            _org,        ".    .    .    .    Y    Y    .    .    ."),
    ("can_view_survey_results",     _nothing,    "Y    Y    Y    Y    .    .    .    Y    ."),
    ("can_manage_webhooks",         _org,        "Y    .    .    .    Y    .    .    Y    ."),
    ("can_manage_webhooks",         _vendor,     "Y    .    .    .    .    .    .    Y    ."),
    ("can_analyse_security",        _nothing,    "Y    .    .    Y    .    .    .    Y    ."),
    ("can_publish_vendor_advisory", _own,        "Y    .    .    .    .    .    .    Y    ."),
    ("can_publish_vendor_advisory", _others,     "Y    .    .    Y    .    .    .    Y    ."),
    ("can_record_vex",              _nothing,    "Y    Y    .    Y    Y    Y    Y    Y    ."),
    ("can_access_deployment",       _org,        "Y    Y    Y    Y    Y    Y    .    Y    ."),
]
# fmt: on


def _gates() -> dict[str, Callable[..., bool]]:
    return {
        name: function
        for name, function in inspect.getmembers(access, inspect.isfunction)
        if name.startswith("can_") and function.__module__ == access.__name__
    }


def test_every_gate_has_a_row() -> None:
    """A new gate is written into the matrix before it guards anything."""
    assert set(_gates()) == {gate for gate, _, _ in MATRIX}


def test_every_row_has_a_column_per_actor() -> None:
    assert tuple(ACTORS) == COLUMNS
    for gate, _, answers in MATRIX:
        assert len(answers.split()) == len(COLUMNS), gate
        assert set(answers.split()) <= {"Y", "."}, gate


def test_every_gate_says_one_line_of_what_it_guards() -> None:
    for name, gate in _gates().items():
        assert (gate.__doc__ or "").strip(), f"{name} has no docstring"


@pytest.mark.parametrize(
    ("gate", "about", "answers"),
    MATRIX,
    ids=[f"{gate}[{about.__name__.strip('_')}]" for gate, about, _ in MATRIX],
)
def test_gate_answers_as_written(gate: str, about: Callable[[Actor], tuple[Any, ...]], answers: str) -> None:
    function = _gates()[gate]
    expected = dict(zip(COLUMNS, (answer == "Y" for answer in answers.split()), strict=True))
    actual = {name: function(actor, *about(actor)) for name, actor in ACTORS.items()}
    assert actual == expected


def test_system_and_anonymous_are_no_stored_users_roles() -> None:
    """An Actor can be the system or nobody; a stored user can be neither."""
    stored = {value for value, _ in User._meta.get_field("role").choices or []}
    assert Role.SYSTEM not in stored
    assert Role.ANONYMOUS not in stored
    assert Actor.system().role == Role.SYSTEM
    assert Actor.system().is_staff
