"""Checking endpoint URLs and POSTing to them, with no Django: the network edge of webhooks.

Server-side request forgery: a URL is refused when its host resolves to an address that is not public
(loopback, private, link-local such as cloud metadata at 169.254.169.254, carrier-grade NAT, reserved,
multicast). The check runs when the endpoint is saved and again before every attempt, and the request
then connects to the very address that was checked, so a DNS answer that changes in between cannot
point it inwards. Redirects are not followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

HTTP_HINT = "plain http:// is accepted only when OSSDESK_WEBHOOKS_ALLOW_HTTP is on"
PRIVATE_HINT = "private and loopback addresses are accepted only when OSSDESK_WEBHOOKS_ALLOW_HTTP is on"
EXCERPT_CHARS = 1000


class UrlRefused(ValueError):
    """The URL may not be called; the message says why, for the person who entered it."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


@dataclass(frozen=True)
class Outcome:
    """What one POST gave: a status code and the start of the body, or an error."""

    status: int | None
    body: str
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(url: str, *, allow_local: bool) -> Target:
    """Check the URL and pick the address to connect to; raise UrlRefused with the reason."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UrlRefused(f"This is not a valid URL ({exc}).") from None
    if parts.scheme == "http" and not allow_local:
        raise UrlRefused(f"Use an https:// URL; {HTTP_HINT}.")
    if parts.scheme not in {"https", "http"}:
        raise UrlRefused(f"Use an https:// URL; {HTTP_HINT}.")
    host = parts.hostname or ""
    if not host:
        raise UrlRefused("The URL needs a host name.")
    if parts.username or parts.password:
        raise UrlRefused("Do not put credentials in the URL; verify the signature instead.")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UrlRefused(f"The host {host} cannot be resolved.") from None
    addresses = [str(info[4][0]) for info in infos]
    if not allow_local:
        inward = [a for a in addresses if not _is_public(a)]
        if inward:
            raise UrlRefused(f"{host} resolves to a non-public address ({inward[0]}); {PRIVATE_HINT}.")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=parts.scheme, host=host, port=port, path=path, address=addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self._tls)
        self._address = target.address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        # Certificate and SNI are checked against the host name, not the pinned address.
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_local: bool) -> Outcome:
    """POST once; never raises for network trouble, which comes back as `Outcome.error`."""
    started = time.monotonic()

    def elapsed() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        target = resolve(url, allow_local=allow_local)
    except UrlRefused as exc:
        return Outcome(status=None, body="", error=str(exc), duration_ms=elapsed())
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_CHARS * 4).decode("utf-8", errors="replace")[:EXCERPT_CHARS]
        error = ""
        if 300 <= response.status < 400:
            error = f"Redirect to {response.getheader('Location', '?')} not followed."
        return Outcome(status=response.status, body=excerpt, error=error, duration_ms=elapsed())
    except TimeoutError:
        return Outcome(status=None, body="", error=f"No answer within {timeout:g} s.", duration_ms=elapsed())
    except (OSError, http.client.HTTPException) as exc:
        message = f"{type(exc).__name__}: {exc}"[:500]
        return Outcome(status=None, body="", error=message, duration_ms=elapsed())
    finally:
        connection.close()
