"""Packagist (Composer) versions, ordered by PHP's ``version_compare`` after stripping a ``v`` prefix.

``version_compare`` first canonicalizes: ``-``, ``_``, ``+`` and any other non-alphanumeric character
become ``.``, and a ``.`` is inserted wherever digits meet letters (``1.0rc1`` is ``1.0.rc.1``). Parts then
compare left to right: numbers numerically; words by the first special form they start with,
``dev < alpha = a < beta = b < RC = rc < # < pl = p`` (case-sensitive; any other word sorts before
``dev``); a number against a word counts as ``#``. When one version runs out, the next part of the other
decides: a number or ``pl``/``p`` makes it newer, any other word older (``1.0 < 1.0.0``,
``1.0rc1 < 1.0``). Numbers saturate at 2**63-1 as C's ``strtol`` does.

Composer writes tags as ``v1.2.3``; ``version_compare`` would read the ``v`` as a word, so it is dropped
first (``v1.0 = 1.0``). Versions that do not start with a letter or digit, or end in a separator, are
invalid: ``version_compare`` does not even find them equal to themselves. So are versions with a ``#``,
which ``version_compare`` would treat as equal to every number (``1.# = 1.1`` and ``1.# = 1.2``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ossdesk.domain.versions._errors import VersionSyntaxError

_LONG_MAX = 2**63 - 1
_SPECIAL_FORMS = (
    ("dev", 0),
    ("alpha", 1),
    ("a", 1),
    ("beta", 2),
    ("b", 2),
    ("RC", 3),
    ("rc", 3),
    ("#", 4),
    ("pl", 5),
    ("p", 5),
)
_NUMBER_RANK = 4  # a number counts as the special form "#" against a word
_END = (_NUMBER_RANK, -1)  # below every number, above dev/alpha/beta/RC/unknown words, below pl/p
_V_PREFIX = re.compile(r"[vV](?=[0-9])")


def _is_digit(char: str) -> bool:
    return "0" <= char <= "9"


def _is_word(char: str) -> bool:
    return not _is_digit(char) and char != "."


def _is_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def canonicalize(version: str) -> str:
    """PHP's ``php_canonicalize_version`` (the C locale: only ASCII letters and digits are alphanumeric)."""
    out = [version[0]]
    previous = version[0]
    for char in version[1:]:
        separated = out[-1] == "."
        if char in "-_+":
            if not separated:
                out.append(".")
        elif (_is_word(previous) and _is_digit(char)) or (_is_digit(previous) and _is_word(char)):
            if not separated:
                out.append(".")
            out.append(char)
        elif not _is_alnum(char):
            if not separated:
                out.append(".")
        else:
            out.append(char)
        previous = char
    return "".join(out)


def _word_rank(word: str) -> int:
    for form, rank in _SPECIAL_FORMS:
        if word.startswith(form):
            return rank
    return -1


@lru_cache(maxsize=1 << 16)
def packagist_key(version: str) -> tuple[tuple[int, int], ...]:
    """Sort key for a Packagist version (see the module doc)."""
    text = version[1:] if _V_PREFIX.match(version) else version
    if not text or not _is_alnum(text[0]):
        raise VersionSyntaxError("must start with a letter or digit")
    if "#" in text:
        raise VersionSyntaxError("'#' is version_compare's own marker for numbers")
    parts = canonicalize(text).split(".")
    if "" in parts:
        raise VersionSyntaxError("ends with a separator")
    key = [
        (_NUMBER_RANK, min(int(part), _LONG_MAX)) if _is_digit(part[0]) else (_word_rank(part), 0)
        for part in parts
    ]
    key.append(_END)
    return tuple(key)
