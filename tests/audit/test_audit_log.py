"""The audit log records every service write and `ossdesk audit verify` catches tampering."""

from __future__ import annotations

import pytest
from django.db import connection

from ossdesk.audit.models import AuditEntry, AuditHead
from ossdesk.audit.services import audit_verify
from ossdesk.cli import main
from ossdesk.customers.services import organization_delete, organization_update
from tests.accounts.factories import SYSTEM
from tests.customers.factories import OrganizationFactory, contact_with_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(customers):
    org = customers["acme"]["org"]
    organization_update(actor=SYSTEM, organization=org, timezone="Europe/Paris", notes="moved")
    return org


def test_create_update_delete_are_recorded_with_before_and_after(history):
    entry = AuditEntry.objects.filter(object_type="customers.organization", action="update").last()
    assert entry.actor_label == "tests"
    assert entry.before["timezone"] == "Europe/Berlin"
    assert entry.after["timezone"] == "Europe/Paris"
    assert entry.organization_id == history.pk
    organization_delete(actor=SYSTEM, organization=history)
    deleted = AuditEntry.objects.filter(action="delete", object_type="customers.organization").get()
    assert deleted.before["name"] == "Acme"
    assert deleted.after is None


def test_contact_audit_never_stores_password(customers):
    contact = contact_with_login(customers["acme"]["org"])
    entry = AuditEntry.objects.filter(object_type="customers.contact", object_id=str(contact.pk)).get()
    assert "password" not in str(entry.after)


def test_untouched_chain_verifies(history, capsys):
    report = audit_verify()
    assert report.ok, report.problems
    assert report.checked == AuditEntry.objects.count() > 5
    assert main(["audit", "verify"]) == 0
    assert "Audit log intact" in capsys.readouterr().out


def _raw(sql: str, params: list) -> None:
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), params)


def test_changed_entry_is_caught(history, capsys):
    target = AuditEntry.objects.filter(action="update").last()
    # A direct SQL edit, as someone with database access would make it, bypassing the ORM.
    _raw("UPDATE {table} SET actor_label = %s WHERE seq = %s", ["someone-else", target.seq])
    report = audit_verify()
    assert [p.seq for p in report.problems] == [target.seq]
    assert "changed" in report.problems[0].message
    assert main(["audit", "verify"]) == 1
    assert f"audit entry #{target.seq}: was changed" in capsys.readouterr().out


def test_changed_payload_is_caught(history):
    target = AuditEntry.objects.filter(action="update").last()
    AuditEntry.objects.filter(pk=target.pk).update(after={"timezone": "UTC"})
    assert [p.seq for p in audit_verify().problems] == [target.seq]


def test_recomputed_hash_still_breaks_the_chain(history):
    """Rewriting an entry and its own hash leaves the next entry pointing at the old hash."""
    from ossdesk.audit.services import _digest, _hashed_fields

    entries = list(AuditEntry.objects.order_by("seq"))
    victim = entries[2]
    victim.actor_label = "forged"
    victim.hash = _digest(_hashed_fields(victim))
    AuditEntry.objects.filter(pk=victim.pk).update(actor_label="forged", hash=victim.hash)
    problems = audit_verify().problems
    assert [p.seq for p in problems] == [entries[3].seq]
    assert "does not follow" in problems[0].message


def test_removed_entry_is_caught(history):
    entries = list(AuditEntry.objects.order_by("seq"))
    AuditEntry.objects.filter(pk=entries[3].pk).delete()
    problems = audit_verify().problems
    assert len(problems) == 1
    assert problems[0].seq == entries[4].seq
    assert f"#{entries[3].seq} are missing" in problems[0].message


def test_removed_newest_entries_are_caught(history):
    last = AuditEntry.objects.order_by("-seq").first()
    AuditEntry.objects.filter(pk=last.pk).delete()
    problems = audit_verify().problems
    assert len(problems) == 1
    assert "newest entries were removed" in problems[0].message
    assert AuditHead.objects.get().seq == last.seq


def test_failed_service_writes_nothing_to_the_log(db, tiers):
    from django.core.exceptions import ValidationError

    from ossdesk.customers.services import organization_create

    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        organization_create(actor=SYSTEM, name="Bad", country="Germany", timezone="Nowhere/Land")
    assert AuditEntry.objects.count() == before
    OrganizationFactory()  # factories bypass services and so are not audited
    assert AuditEntry.objects.count() == before


def _append(label: str) -> AuditEntry:
    from ossdesk.audit.services import audit_record

    return audit_record(actor=SYSTEM, action="action", object_type="tests.thing", object_id=label)


def test_an_append_after_another_writer_moved_the_head_still_chains(db):
    """The connection remembers the tip it wrote; a head moved behind its back (another process) makes
    the compare-and-swap miss, and the append reads the head under lock instead of forking the chain."""
    from ossdesk.audit.services import HEAD_CACHE

    first = _append("one")
    stale = getattr(connection, HEAD_CACHE)
    second = _append("two")  # as if written by another process: this connection then forgets it
    setattr(connection, HEAD_CACHE, stale)
    third = _append("three")
    assert (first.seq, second.seq, third.seq) == (first.seq, first.seq + 1, first.seq + 2)
    assert third.prev_hash == second.hash
    assert audit_verify().ok


def test_an_append_after_a_rolled_back_one_still_chains(db):
    from django.db import transaction

    def failing_service() -> None:
        with transaction.atomic():
            _append("rolled back")
            raise RuntimeError("the service failed after its audit entry")

    kept = _append("kept")
    with pytest.raises(RuntimeError):
        failing_service()
    after = _append("after")
    assert after.seq == kept.seq + 1
    assert after.prev_hash == kept.hash
    assert AuditHead.objects.get().seq == after.seq
    assert audit_verify().ok
