"""PyPI versions: PEP 440 as ``packaging.version.Version`` implements it (the reference implementation).

Legacy (non-PEP 440) versions are invalid, as they are for ``packaging`` since 22.0 and for pip.
"""

from __future__ import annotations

from functools import lru_cache

from packaging.version import InvalidVersion as _PackagingInvalidVersion
from packaging.version import Version

from ossdesk.domain.versions._errors import VersionSyntaxError


@lru_cache(maxsize=1 << 16)
def pypi_key(version: str) -> Version:
    """Sort key for a PyPI version: the parsed ``packaging`` Version itself, which orders by PEP 440."""
    try:
        return Version(version)
    except _PackagingInvalidVersion:
        raise VersionSyntaxError("not a PEP 440 version") from None
