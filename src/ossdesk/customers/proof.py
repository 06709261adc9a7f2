"""The link that proves a contact's address: the (contact, address) pair, signed with the site's secret
key and timestamped (django.core.signing), so it cannot be guessed or altered, and it expires."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

SALT = "ossdesk.customers.address-proof"
# How long the link in the mail works.
PROOF_TTL = timedelta(days=7)


class ProofLinkError(Exception):
    """A link that cannot be used; `status` is the HTTP answer its page gets."""

    status = 400


class ProofLinkExpired(ProofLinkError):
    status = 410


def proof_token(contact_id: int, email: str) -> str:
    return signing.dumps([contact_id, email.lower()], salt=SALT, compress=False)


def proof_claim(token: str) -> tuple[int, str]:
    """The (contact id, address) a token names; raises if forged, malformed or expired."""
    try:
        value = signing.loads(token, salt=SALT, max_age=PROOF_TTL)
    except signing.SignatureExpired:
        raise ProofLinkExpired(
            "This confirmation link has expired; ask whoever added you to remove the contact "
            "and add it again."
        ) from None
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        raise ProofLinkError("This confirmation link is not valid.") from None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], int)
        or isinstance(value[0], bool)
        or not isinstance(value[1], str)
    ):
        raise ProofLinkError("This confirmation link is not valid.")
    return value[0], value[1]
