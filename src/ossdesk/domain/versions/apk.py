"""Alpine (apk) package versions, ordered as apk-tools' ``apk_version_compare`` does.

Grammar (apk-tools' ``version.c``): ``digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r#}``, e.g.
``1.2.3b_rc2_p1~1a2b-r4``. Versions outside it are invalid here, as ``apk_version_validate`` says, since
apk orders them differently from one release to the next (``1-r-0``, ``1.2.0A``, ``1.2_blah``). One
exception: digits right after the letter (``1.8.28p1-r1``), which apk-tools 2 read as a further number and
Alpine's own package history contains, are accepted and ordered that way (apk-tools 3 rejects them).

Tokens compare in step while both versions have the same kind of token: numbers numerically, except that
a dotted number with a leading zero compares as text against the other (``1.05 < 1.1``, ``1.010 < 1.09``);
the letter by its character; suffixes in the order ``alpha < beta < pre < rc < (none) < cvs < svn < git <
hg < p``; commit hashes as text. When the kinds differ, a pre-release suffix (alpha to rc) makes a version
older; otherwise the version whose next token is a *later* kind in the grammar is older, and the end of
the version counts as the latest kind (``1.2 < 1.2.1``, ``1.2a < 1.2.1``, ``1.2_p1 > 1.2``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ossdesk.domain.versions._errors import VersionSyntaxError

_SUFFIXES = {"alpha": -4, "beta": -3, "pre": -2, "rc": -1, "cvs": 1, "svn": 2, "git": 3, "hg": 4, "p": 5}
# Token kinds in grammar order (apk's TOKEN_*); a later kind ranks lower when kinds differ.
_INITIAL, _DIGIT, _LETTER, _SUFFIX, _SUFFIX_NO, _HASH, _REVISION, _END = range(8)
_PRE_RELEASE_RANK = -100  # a pre-release suffix sorts before every other kind, even the end

_U64 = 2**64
_TOKENS = re.compile(
    r"(?P<digit>\.[0-9]+)|(?P<letter>[a-z])|(?P<suffix>_[a-z]*)|(?P<number>[0-9]+)"
    r"|(?P<hash>~[0-9a-fA-F]+)|(?P<revision>-r[0-9]+)"
)
_INITIAL_DIGITS = re.compile(r"[0-9]+")

Token = tuple[int, object]


def _digit_key(digits: str) -> object:
    """A dotted number: with a leading zero apk compares text (which sorts before any plain number)."""
    if digits[0] == "0":
        return (0, digits)
    return (1, int(digits) % _U64)


def _tokens(version: str) -> list[tuple[int, object]]:
    """(kind, value) tokens, validating the order of kinds as ``token_next`` does."""
    match = _INITIAL_DIGITS.match(version)
    if match is None:
        raise VersionSyntaxError("must start with a digit")
    tokens: list[tuple[int, object]] = [(_INITIAL, int(match.group()) % _U64)]
    kind = _INITIAL
    pos = match.end()
    while pos < len(version):
        match = _TOKENS.match(version, pos)
        if match is None:
            raise VersionSyntaxError(f"unexpected {version[pos]!r} at position {pos}")
        group, text = match.lastgroup, match.group()
        value: object
        if group == "digit" and kind <= _DIGIT:
            kind, value = _DIGIT, _digit_key(text[1:])
        elif group == "letter" and kind <= _DIGIT:
            kind, value = _LETTER, text
        elif group == "suffix" and kind <= _SUFFIX_NO and text[1:] in _SUFFIXES:
            kind, value = _SUFFIX, _SUFFIXES[text[1:]]
        elif group == "number" and kind == _SUFFIX:
            kind, value = _SUFFIX_NO, int(text) % _U64
        elif group == "number" and kind == _LETTER:
            kind, value = _DIGIT, (1, int(text) % _U64)  # 1.8.28p1: older apk's number after a letter
        elif group == "hash" and kind < _HASH:
            kind, value = _HASH, text[1:]
        elif group == "revision" and kind < _REVISION:
            kind, value = _REVISION, int(text[2:]) % _U64
        else:
            raise VersionSyntaxError(f"unexpected {text!r} at position {pos}")
        tokens.append((kind, value))
        pos = match.end()
    return tokens


@lru_cache(maxsize=1 << 16)
def apk_key(version: str) -> tuple[tuple[int, object], ...]:
    """Sort key for an Alpine package version (see the module doc)."""
    key: list[tuple[int, object]] = []
    for kind, value in _tokens(version):
        if kind == _SUFFIX and isinstance(value, int) and value < 0:
            key.append((_PRE_RELEASE_RANK, value))
        else:
            key.append((-kind, value))
    key.append((-_END, 0))
    return tuple(key)
