"""Appending to and verifying the hash-chained audit log.

Every entry's hash is SHA-256 over a canonical JSON of its fields and the previous entry's hash.
Changing an entry breaks its own hash; removing one breaks the chain at the next entry; removing
the newest ones disagrees with the head row, which appends update in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from ossdesk.audit.models import AuditEntry, AuditHead

GENESIS = "0" * 64
HEAD_CACHE = "_ossdesk_audit_head"  # an attribute on the database connection


# Hashes of credentials never enter the log (a contact's sign-in waiting for its address to be proved).
SECRET_FIELDS = frozenset({"password", "key_hash", "pending_password"})


class Acting(Protocol):
    """Who made a change, as the log records it: accounts' Actor is one (the audit log sits below accounts
    in the kernel, so that accounts' own services can record to it; it needs only these two names)."""

    @property
    def user_id(self) -> int | None: ...

    @property
    def label(self) -> str: ...


def snapshot(instance: models.Model, *, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A JSON-safe picture of a model's concrete fields and many-to-many ids."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or field.name in SECRET_FIELDS:
            continue
        data[field.attname] = field.value_from_object(instance)
    if instance.pk is not None:
        for m2m in instance._meta.many_to_many:
            if m2m.name not in exclude:
                data[m2m.name] = sorted(obj.pk for obj in getattr(instance, m2m.name).all())
    safe: dict[str, Any] = _json_safe(data)
    return safe


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _digest(fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "organization_id": entry.organization_id,
        "before": entry.before,
        "after": entry.after,
        "prev_hash": entry.prev_hash,
    }


def audit_record(
    *,
    actor: Acting,
    action: str,
    instance: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    object_repr: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    organization_id: int | None = None,
) -> AuditEntry:
    """Append one entry; call inside the service's transaction so both commit or neither."""
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = object_id if object_id is not None else instance.pk
        object_repr = object_repr or str(instance)
    if object_type is None or object_id is None:
        raise ValueError("audit_record needs an instance or object_type and object_id")
    entry = AuditEntry(
        at=timezone.now(),
        actor_id=actor.user_id,
        actor_label=actor.label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=(object_repr or "")[:300],
        organization_id=organization_id,
        before=_json_safe(before) if before is not None else None,
        after=_json_safe(after) if after is not None else None,
    )
    connection = transaction.get_connection()
    # No savepoint of its own: a failure here fails the caller's whole transaction, never half of an append.
    with transaction.atomic(savepoint=False):
        # The head this connection last wrote is usually still the head; moving it on only if it is (a
        # compare-and-swap that also takes the row's lock) saves reading it. Another writer, or a rolled
        # back transaction, makes the swap miss: then the head is read under lock and the swap cannot miss.
        tip: tuple[int, str] | None = getattr(connection, HEAD_CACHE, None)
        for _ in range(2):
            if tip is None:
                head = AuditHead.objects.select_for_update().filter(pk=1).first() or _create_head()
                tip = (head.seq, head.hash)
            entry.seq, entry.prev_hash = tip[0] + 1, tip[1]
            entry.hash = _digest(_hashed_fields(entry))
            if _swap_head(connection, tip, (entry.seq, entry.hash)):
                break
            tip = None
        else:  # pragma: no cover - the head was read under lock, so the second swap cannot miss
            raise RuntimeError("the audit head moved while locked")
        _insert(connection, entry)
    setattr(connection, HEAD_CACHE, (entry.seq, entry.hash))
    return entry


# Every service write appends here, so these two statements are written out rather than built by the
# ORM for each call (which costs several times the database's own work); the fields' own conversions
# still prepare each value.
def _swap_head(connection: Any, tip: tuple[int, str], new: tuple[int, str]) -> bool:
    table = connection.ops.quote_name(AuditHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET seq = %s, hash = %s WHERE id = 1 AND seq = %s AND hash = %s",  # noqa: S608 - names from the model
            [new[0], new[1], tip[0], tip[1]],
        )
        return bool(cursor.rowcount == 1)


def _insert(connection: Any, entry: AuditEntry) -> None:
    fields = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(AuditEntry._meta.db_table)} ({columns}) "  # noqa: S608 - names from the model
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(AuditEntry._meta.pk.column)}",
            values,
        )
        entry.pk = cursor.fetchone()[0]
    entry._state.adding = False
    entry._state.db = connection.alias


def _create_head() -> AuditHead:
    """The chain's first append creates its head; two first appends at once meet on the primary key."""
    try:
        with transaction.atomic():
            return AuditHead.objects.create(pk=1)
    except IntegrityError:
        return AuditHead.objects.select_for_update().get(pk=1)


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    message: str


@dataclass(frozen=True)
class AuditReport:
    checked: int
    head_seq: int
    head_hash: str
    problems: tuple[AuditProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_verify(*, chunk_size: int = 2000) -> AuditReport:
    """Walk the whole chain and report every changed, removed or reordered entry."""
    problems: list[AuditProblem] = []
    expected_seq, prev_hash, checked = 1, GENESIS, 0
    last_seq, last_hash = 0, GENESIS
    for entry in _entries(chunk_size):
        checked += 1
        if entry.seq != expected_seq:
            missing = (
                f"#{expected_seq}" if entry.seq == expected_seq + 1 else f"#{expected_seq}–#{entry.seq - 1}"
            )
            problems.append(AuditProblem(entry.seq, f"entries {missing} are missing (removed)"))
        elif entry.prev_hash != prev_hash:
            problems.append(
                AuditProblem(entry.seq, "does not follow the entry before it (removed or replaced)")
            )
        if _digest(_hashed_fields(entry)) != entry.hash:
            problems.append(AuditProblem(entry.seq, "was changed after it was written (hash mismatch)"))
        prev_hash, expected_seq = entry.hash, entry.seq + 1
        last_seq, last_hash = entry.seq, entry.hash
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != last_seq:
        problems.append(
            AuditProblem(
                last_seq,
                f"the log ends at #{last_seq} but the head says #{head_seq}: newest entries were removed",
            )
        )
    elif head_hash != last_hash:
        problems.append(AuditProblem(last_seq, "the newest entry differs from the one the head recorded"))
    return AuditReport(checked=checked, head_seq=head_seq, head_hash=head_hash, problems=tuple(problems))


def _entries(chunk_size: int) -> Iterator[AuditEntry]:
    last = 0
    while True:
        chunk = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq")[:chunk_size])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq
