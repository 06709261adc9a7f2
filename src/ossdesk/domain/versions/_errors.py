"""Errors shared by the version schemes.

Each scheme module raises :class:`VersionSyntaxError` with a reason only, because one scheme serves several
ecosystems (RPM serves Red Hat, AlmaLinux, SUSE ...); :func:`ossdesk.domain.versions.compare` turns it into
an :class:`InvalidVersion` that names the ecosystem the caller asked about.
"""

from __future__ import annotations

from typing import Any, Protocol


class InvalidVersion(ValueError):
    """A version string that the ecosystem's own tool would reject (or could not order consistently)."""

    def __init__(self, ecosystem: str, version: str, reason: str) -> None:
        super().__init__(f"invalid {ecosystem} version {version!r}: {reason}")
        self.ecosystem = ecosystem
        self.version = version
        self.reason = reason


class UnknownEcosystem(ValueError):
    """An ecosystem name that no version scheme here is registered for."""

    def __init__(self, ecosystem: str, known: list[str]) -> None:
        super().__init__(f"unknown ecosystem {ecosystem!r} for version ordering; known: {', '.join(known)}")
        self.ecosystem = ecosystem


class VersionSyntaxError(ValueError):
    """Raised by a scheme's parser; carries only the reason (the ecosystem is added by the caller)."""


class SortKey(Protocol):
    """What a scheme's key must support: ``<`` against a key of the same scheme."""

    def __lt__(self, other: Any, /) -> bool:  # pragma: no cover - protocol
        """Return True when this key orders before ``other``."""
        ...
