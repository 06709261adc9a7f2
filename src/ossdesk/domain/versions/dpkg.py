"""Debian and Ubuntu package versions, ordered as ``dpkg --compare-versions`` does.

A version is ``[epoch:]upstream[-revision]``: the epoch is a number (default 0), the revision is what
follows the last hyphen (default empty, which equals ``0``). Parsing follows dpkg's ``parseversion``; what
dpkg reports as bad syntax (an error or a warning) is invalid here: an empty or spaced string, a
non-numeric or empty epoch, an empty revision, an upstream part not starting with a digit, characters
outside ``[A-Za-z0-9.+~-:]`` (``[A-Za-z0-9.+~]`` in the revision).

Upstream and revision compare with dpkg's ``verrevcmp``: alternately a run of non-digits, compared
character by character where ``~`` sorts before everything (even the end), then the end, then letters,
then other characters; and a run of digits, compared as a number (missing means 0).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ossdesk.domain.versions._errors import VersionSyntaxError

_INT_MAX = 2**31 - 1
_EPOCH = re.compile(r"[+-]?[0-9]+")
_UPSTREAM_CHARS = re.compile(r"[A-Za-z0-9.+~:-]*")
_REVISION_CHARS = re.compile(r"[A-Za-z0-9.+~]*")
_RUNS = re.compile(r"([^0-9]*)([0-9]*)")

# One run pair: (weights of the non-digit run, ended by 0; value of the digit run).
Pair = tuple[tuple[int, ...], int]
# Marks the end of a string: the pair an exhausted string keeps comparing as (an empty run and 0).
_END: Pair = ((0,), 0)

DpkgKey = tuple[int, tuple[Pair, ...], tuple[Pair, ...]]


def _weight(char: str) -> int:
    """dpkg's ``order()``: ``~`` first, then (0 is the end of the run), letters, then everything else."""
    if char == "~":
        return -1
    if char.isascii() and char.isalpha():
        return ord(char)
    return ord(char) + 256


@lru_cache(maxsize=1 << 16)
def verrevcmp_key(text: str) -> tuple[Pair, ...]:
    """Sort key for one upstream or revision string, in ``verrevcmp`` order.

    Every pair after the first starts with a non-empty non-digit run, so it never equals ``_END``; the
    appended ``_END`` therefore decides correctly against a longer string's next pair (``1~`` < ``1`` <
    ``1a``), which plain tuple length would not.
    """
    pairs: list[Pair] = []
    for match in _RUNS.finditer(text):
        letters, digits = match.groups()
        if not letters and not digits and pairs:
            break  # the empty match at the end of the string
        pairs.append(((*(_weight(c) for c in letters), 0), int(digits) if digits else 0))
    pairs.append(_END)
    return tuple(pairs)


@lru_cache(maxsize=1 << 16)
def dpkg_key(version: str) -> DpkgKey:
    """Sort key for a Debian/Ubuntu version (see the module doc)."""
    text = version.strip(" \t")
    if not text:
        raise VersionSyntaxError("version string is empty")
    if " " in text or "\t" in text:
        raise VersionSyntaxError("version string has embedded spaces")
    epoch = 0
    if ":" in text:
        epoch_text, text = text.split(":", 1)
        if not epoch_text:
            raise VersionSyntaxError("epoch in version is empty")
        if not _EPOCH.fullmatch(epoch_text):
            raise VersionSyntaxError("epoch in version is not number")
        epoch = int(epoch_text)
        if epoch < 0:
            raise VersionSyntaxError("epoch in version is negative")
        if epoch > _INT_MAX:
            raise VersionSyntaxError("epoch in version is too big")
        if not text:
            raise VersionSyntaxError("nothing after colon in version number")
    upstream, hyphen, revision = text.rpartition("-")
    if not hyphen:
        upstream, revision = text, ""
    elif not revision:
        raise VersionSyntaxError("revision number is empty")
    if not upstream:
        raise VersionSyntaxError("version number is empty")
    if not "0" <= upstream[0] <= "9":
        raise VersionSyntaxError("version number does not start with digit")
    if not _UPSTREAM_CHARS.fullmatch(upstream):
        raise VersionSyntaxError("invalid character in version number")
    if not _REVISION_CHARS.fullmatch(revision):
        raise VersionSyntaxError("invalid character in revision number")
    return (epoch, verrevcmp_key(upstream), verrevcmp_key(revision))
