"""Signing and verifying webhook requests: pure Python, no Django, so receivers can copy it.

A request carries `Ossdesk-Timestamp: <unix seconds>` and
`Ossdesk-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. The timestamp is signed too,
so a captured request cannot be replayed later than `tolerance` seconds.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SCHEME = "v1"


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The hex HMAC-SHA256 of `<timestamp>.<body>` under the endpoint's secret."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int | str, body: bytes) -> str:
    """The `Ossdesk-Signature` header value."""
    return f"{SCHEME}={sign(secret, timestamp, body)}"


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes | str,
    header: str,
    tolerance: int = 300,
    now: float | None = None,
) -> bool:
    """True when `header` holds a valid v1 signature of `body` and the timestamp is within tolerance.

    `header` may list several signatures separated by commas (`v1=...,v1=...`); one match is enough.
    Compare in constant time; never raise on malformed input.
    """
    if isinstance(body, str):
        body = body.encode()
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance:
        return False
    expected = sign(secret, sent_at, body)
    for part in (header or "").split(","):
        scheme, _, value = part.strip().partition("=")
        if scheme == SCHEME and hmac.compare_digest(value, expected):
            return True
    return False
