"""Secrets at rest: the keys, the model field that encrypts with them, and rewriting stored values.

A secret column holds `enc1:<Fernet token>`; the model attribute holds the plain value, so code reading
`mailbox.imap_password` never sees the difference. The keys come from `OSSDESK_ENCRYPTION_KEYS` (Fernet
keys, newest first: the first encrypts, every one decrypts); without it, from a key derived from Django's
SECRET_KEY. The derived key always stays among the decrypting keys, so setting OSSDESK_ENCRYPTION_KEYS
for the first time and running `ossdesk secrets rotate` (ossdesk.audit.secrets) moves every value over
without a gap.
docs/decisions/0006-secrets-at-rest.md says why.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.functions import Cast
from django.db.models.lookups import Exact

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable

PREFIX = "enc1:"
# Changing it changes the derived key, and every value encrypted with that key becomes unreadable.
DERIVATION_CONTEXT = b"ossdesk secrets at rest v1"


class SecretUnreadable(RuntimeError):
    """A stored secret that none of the configured keys decrypts: its key was removed or changed."""


@dataclass(frozen=True)
class Keyring:
    newest: Fernet
    every: MultiFernet
    described: str


def derived_key(secret_key: str) -> bytes:
    """The Fernet key used when OSSDESK_ENCRYPTION_KEYS is empty: HKDF-SHA256 of the secret key."""
    material = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=DERIVATION_CONTEXT).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(material)


def key_generate() -> str:
    """A new random key for OSSDESK_ENCRYPTION_KEYS."""
    return Fernet.generate_key().decode()


@functools.lru_cache(maxsize=8)
def _keyring(configured: tuple[str, ...], secret_key: str) -> Keyring:
    keys = [Fernet(key) for key in configured] + [Fernet(derived_key(secret_key))]
    described = (
        f"the {len(configured)} key(s) in OSSDESK_ENCRYPTION_KEYS and the key derived from the secret key"
        if configured
        else "the key derived from the secret key (OSSDESK_ENCRYPTION_KEYS is not set)"
    )
    return Keyring(newest=keys[0], every=MultiFernet(keys), described=described)


def keyring() -> Keyring:
    """The keys in force; read from the settings on each call, so a changed setting takes effect."""
    return _keyring(tuple(settings.OSSDESK_ENCRYPTION_KEYS), settings.SECRET_KEY)


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)


def encrypt(plain: str) -> str:
    """The stored form of a secret under the newest key; an empty value stays empty."""
    if not plain:
        return plain
    return PREFIX + keyring().newest.encrypt(plain.encode()).decode("ascii")


def decrypt(stored: str, *, what: str) -> str:
    """The plain value of a stored secret; a value without the prefix (written before encryption) as it is.

    `what` names the value in the error, e.g. `channels.Mailbox.imap_password`.
    """
    if not is_encrypted(stored):
        return stored
    ring = keyring()
    try:
        return ring.every.decrypt(stored[len(PREFIX) :].encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        raise SecretUnreadable(
            f"{what}: the stored value cannot be decrypted with {ring.described}; "
            "the key it was encrypted with has been removed or changed"
        ) from None


class _ExactEmpty(Exact):
    """`= ''` only: the same secret encrypts differently each time, so no other value can ever match."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            raise FieldError(f"{_label(self.lhs.output_field)} is encrypted: it can be compared with '' only")
        return super().get_prep_lookup()


def _label(field: Any) -> str:
    model = getattr(field, "model", None)
    return f"{model._meta.label}.{field.name}" if model is not None else str(field.name)


if TYPE_CHECKING:
    _TextField = models.TextField[str | Combinable, str]
else:  # `ossdesk secrets key` imports this module before the settings make Django's fields subscriptable
    _TextField = models.TextField


class EncryptedTextField(_TextField):
    """Text that is a secret: Fernet-encrypted in the column (`enc1:<token>`), plain on the model.

    Encryption happens in `get_db_prep_value`, so `save()`, `QuerySet.update()` and `bulk_update()` all
    encrypt; reading decrypts, and fails with SecretUnreadable rather than return anything else. It can
    be filtered on `= ''` and `isnull` only.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None:
            return value
        return decrypt(value, what=_label(self))

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        value = super().get_db_prep_value(value, connection, prepared)
        return encrypt(value) if isinstance(value, str) else value

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return _ExactEmpty
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None

    def get_transform(self, name: str) -> Any:
        return None


# -- rewriting stored values (migrations, ossdesk.audit.secrets) ---------------------------------------


def encrypted_field_names(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def stored_values_rewrite(
    model: type[models.Model],
    names: list[str],
    rewrite: Callable[[Any, str, str], str | None],
    *,
    using: str = "default",
) -> int:
    """Call `rewrite(pk, name, stored)` on each non-empty stored value of the columns `names` and write
    back what it returns, as it is (None: leave it). How many values were written.

    The raw column is read and written past the field's encryption. Each write is a compare-and-swap on
    the value read, so a value changed meanwhile (a refreshed OAuth token) is left as that writer left it.
    Works on a migration's historical model too.
    """
    manager = model._base_manager.db_manager(using)
    aliases = {name: f"stored_{name}" for name in names}
    rows = manager.annotate(
        **{alias: Cast(name, output_field=models.TextField()) for name, alias in aliases.items()}
    ).values_list("pk", *aliases.values())
    written = 0
    # Read all first: SQLite leaves undefined what a running SELECT sees of the rows updated under it.
    for pk, *values in list(rows):
        for name, stored in zip(names, values, strict=True):
            if not stored:
                continue
            new = rewrite(pk, name, stored)
            if new is None or new == stored:
                continue
            unchanged = Exact(Cast(name, output_field=models.TextField()), stored)
            written += manager.filter(unchanged, pk=pk).update(
                **{name: models.Value(new, output_field=models.TextField())}
            )
    return written


def plain_values_encrypt(model: type[models.Model], names: list[str], *, using: str = "default") -> int:
    """Encrypt the values still stored in plain text (rows written before the column was encrypted)."""
    return stored_values_rewrite(
        model, names, lambda pk, name, stored: None if is_encrypted(stored) else encrypt(stored), using=using
    )


def stored_values_decrypt(model: type[models.Model], names: list[str], *, using: str = "default") -> int:
    """Store every value in plain text again (a migration's way back)."""
    label = model._meta.label
    return stored_values_rewrite(
        model, names, lambda pk, name, stored: decrypt(stored, what=f"{label}.{name} #{pk}"), using=using
    )
