"""`ossdesk secrets rotate`: re-encrypt every stored secret with the newest key, and record it.

It lives in audit, above ossdesk.crypto, because it records each rotation in the audit log. crypto keeps
the keys, the encrypted field and the primitives that rewrite stored values (migrations use them too, and
every model with a secret imports the field, so crypto can load no models).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.db import transaction

from ossdesk.audit.services import Acting, audit_record
from ossdesk.crypto import (
    PREFIX,
    decrypt,
    encrypt,
    encrypted_field_names,
    is_encrypted,
    keyring,
    stored_values_rewrite,
)


@dataclass(frozen=True)
class RotationReport:
    rewritten: int  # now encrypted with the newest key
    plain: int  # of those, values that were still plain text
    current: int  # already encrypted with the newest key: left alone


def secrets_rotate(*, actor: Acting) -> RotationReport:
    """Re-encrypt every stored secret with the newest key, after a key was added to the front of
    OSSDESK_ENCRYPTION_KEYS; once done the older keys can be removed. Idempotent; all or nothing: a
    value no key decrypts raises SecretUnreadable and nothing is written."""
    ring = keyring()
    plain = current = 0

    def rewrite(label: str) -> Callable[[Any, str, str], str | None]:
        def one(pk: Any, name: str, stored: str) -> str | None:
            nonlocal plain, current
            if not is_encrypted(stored):
                plain += 1
                return encrypt(stored)
            token = stored[len(PREFIX) :].encode("ascii")
            try:
                ring.newest.decrypt(token)
            except InvalidToken:
                pass
            else:
                current += 1
                return None
            decrypt(stored, what=f"{label}.{name} #{pk}")  # the clear error if no key can
            return PREFIX + ring.every.rotate(token).decode("ascii")

        return one

    rewritten = 0
    with transaction.atomic():
        for model in apps.get_models():
            names = encrypted_field_names(model)
            if names:
                rewritten += stored_values_rewrite(model, names, rewrite(model._meta.label))
        if rewritten:
            audit_record(
                actor=actor,
                action="action",
                object_type="secrets",
                object_id="rotate",
                object_repr=f"{rewritten} secrets re-encrypted with the newest key",
                after={"rewritten": rewritten, "plain": plain, "current": current},
            )
    return RotationReport(rewritten=rewritten, plain=plain, current=current)
