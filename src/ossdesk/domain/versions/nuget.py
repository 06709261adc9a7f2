"""NuGet versions, as ``NuGet.Versioning``'s ``NuGetVersion`` parses them and ``VersionComparer`` orders them.

A version is one to four numbers (``1`` and ``1.0`` mean ``1.0.0.0``; leading zeros are allowed, so
``1.0.01`` is ``1.0.1.0``), then optional SemVer 2 release labels after ``-`` and metadata after ``+``.
Order: the four numbers, then a pre-release before its release, then labels left to right: labels that
``Int32.TryParse`` accepts compare as numbers and before the others, which compare case-insensitively
(``1.0.0-BETA`` equals ``1.0.0-beta``); fewer labels first. Metadata is ignored.

One liberty: NuGet stores the numbers as ``Int32`` and rejects larger ones; they are accepted here and
compared exactly, which only widens what parses.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ossdesk.domain.versions._errors import VersionSyntaxError

_LABELS = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"
_NUGET = re.compile(rf"([0-9]+(?:\.[0-9]+){{0,3}})(?:-({_LABELS}))?(?:\+{_LABELS})?")
_INT32 = re.compile(r"-?[0-9]+")
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1

NugetKey = tuple[int, int, int, int, tuple[object, ...]]


def _label_key(label: str) -> tuple[int, object]:
    """A release label as ``VersionComparer.CompareRelease`` sees it: Int32 number, else upper-cased text."""
    if _INT32.fullmatch(label):
        number = int(label)
        if _INT32_MIN <= number <= _INT32_MAX:
            return (0, number)
    return (1, label.upper())


@lru_cache(maxsize=1 << 16)
def nuget_key(version: str) -> NugetKey:
    """Sort key for a NuGet package version (see the module doc for the rules)."""
    match = _NUGET.fullmatch(version.strip())
    if match is None:
        raise VersionSyntaxError("not a NuGet version (1 to 4 numbers, optional -labels and +metadata)")
    numbers = [int(n) for n in match.group(1).split(".")]
    numbers += [0] * (4 - len(numbers))
    labels = match.group(2)
    if labels is None:
        pre: tuple[object, ...] = (1,)
    else:
        parts = labels.split(".")
        if any(len(p) > 1 and p[0] == "0" and p.isdigit() for p in parts):
            raise VersionSyntaxError("a numeric release label has a leading zero")
        pre = (0, *(_label_key(p) for p in parts))
    return (numbers[0], numbers[1], numbers[2], numbers[3], pre)
