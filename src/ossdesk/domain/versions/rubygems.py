"""RubyGems versions, ordered as ``Gem::Version#<=>`` does (RubyGems 3.x).

A version matches ``[0-9]+(\\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?``; every ``-`` is read as
``.pre.``. It splits into segments, runs of digits (numbers) or of letters (strings), so ``1.0.a10`` is
``[1, 0, "a", 10]``. Canonical segments drop the zeros that end the numeric part and those that end the rest
(``1.0.a`` equals ``1.a``). Comparison then goes segment by segment with missing ones read as ``0``; a
string sorts before a number (so any letter makes a pre-release) and strings compare bytewise.

An empty string, which ``Gem::Version`` reads as ``0``, is invalid here: in an advisory it is a data error.

The sort key turns "missing means zero" into plain tuple order: segments are grouped as runs of zeros
followed by a non-zero segment, and the run's length decides against a shorter or longer run of zeros.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ossdesk.domain.versions._errors import VersionSyntaxError

_GEM = re.compile(r"[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?")
_SEGMENT = re.compile(r"[0-9]+|[a-zA-Z]+")
_RUBY_SPACE = " \t\n\v\f\r"  # Ruby's \s, which the version pattern allows around a version
# Key elements: a run ending in a string (0, zeros, text) < the end of the version (1,) < a run ending in a
# number (2, -zeros, number). Fewer zeros before a string means an earlier string, so a smaller version;
# fewer zeros before a number means an earlier non-zero number, so a larger version.
_END = (1,)

GemKey = tuple[tuple[object, ...], ...]


def canonical_segments(version: str) -> list[int | str]:
    """``Gem::Version#canonical_segments`` for an already validated, stripped version string."""
    segments: list[int | str] = [
        int(s) if s[0].isdigit() else s for s in _SEGMENT.findall(version.replace("-", ".pre."))
    ]
    first_string = next((i for i, s in enumerate(segments) if isinstance(s, str)), len(segments))
    numeric, rest = segments[:first_string], segments[first_string:]
    while numeric and numeric[-1] == 0:
        numeric.pop()
    while rest and rest[-1] == 0:
        rest.pop()
    return numeric + rest


@lru_cache(maxsize=1 << 16)
def gem_key(version: str) -> GemKey:
    """Sort key for a RubyGems version (see the module doc)."""
    stripped = version.strip(_RUBY_SPACE)
    if not _GEM.fullmatch(stripped):
        raise VersionSyntaxError("malformed version number string (Gem::Version)")
    key: list[tuple[object, ...]] = []
    zeros = 0
    for segment in canonical_segments(stripped):
        if segment == 0:
            zeros += 1
        elif isinstance(segment, str):
            key.append((0, zeros, segment))
            zeros = 0
        else:
            key.append((2, -zeros, segment))
            zeros = 0
    key.append(_END)
    return tuple(key)
