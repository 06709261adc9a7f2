"""CRAN (R package) versions, ordered as R's ``compareVersion`` does.

A version is numbers separated by ``.`` or ``-`` (``1.2-3``); they compare as integers left to right, and
when one version runs out first it is the smaller (``0.1.0 < 0.1.0.0``), which is plain tuple order.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ossdesk.domain.versions._errors import VersionSyntaxError

_CRAN = re.compile(r"[0-9]+(?:[.-][0-9]+)*")


@lru_cache(maxsize=1 << 16)
def cran_key(version: str) -> tuple[int, ...]:
    """Sort key for an R package version."""
    if not _CRAN.fullmatch(version):
        raise VersionSyntaxError("not an R package version (numbers separated by '.' or '-')")
    return tuple(int(n) for n in re.split(r"[.-]", version))
