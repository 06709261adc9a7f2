"""RPM package versions (Red Hat, AlmaLinux, Rocky Linux, openSUSE, SUSE ...), ordered as rpm does.

An ``[epoch:]version[-release]`` string is split as rpm's ``parseEVR`` does: the epoch is a leading run
of digits before ``:`` (missing means 0), the release follows the last ``-``. Epoch, version and release
then compare with ``rpmvercmp``, and a missing release sorts before any release, as ``rpm.labelCompare``
has it.

``rpmvercmp`` reads a string as segments: runs of ASCII digits (numbers) or of ASCII letters (words), with
every other character a separator, except ``~`` and ``^``. Compared in step, ``~`` sorts before anything,
even the end of the string (``1.0~rc1 < 1.0``); ``^`` sorts after the end but before any segment
(``1.0 < 1.0^git1 < 1.0.1``); a number is newer than a word; numbers compare by value, words bytewise; the
string with segments left over is newer. That is a plain tuple order once each string ends with a
marker for its end.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ossdesk.domain.versions._errors import VersionSyntaxError

_TOKENS = re.compile(r"~|\^|[0-9]+|[A-Za-z]+")
_TILDE, _END, _CARET, _WORD, _NUMBER = (0,), (1,), (2,), 3, 4
_EPOCH = re.compile(r"([0-9]*):")

Segment = tuple[object, ...]
RpmKey = tuple[tuple[Segment, ...], tuple[Segment, ...], tuple[object, ...]]


@lru_cache(maxsize=1 << 16)
def rpmvercmp_key(text: str) -> tuple[Segment, ...]:
    """Sort key for one epoch, version or release string in ``rpmvercmp`` order."""
    key: list[Segment] = []
    for piece in _TOKENS.findall(text):
        if piece == "~":
            key.append(_TILDE)
        elif piece == "^":
            key.append(_CARET)
        elif piece[0].isdigit():
            key.append((_NUMBER, int(piece)))
        else:
            key.append((_WORD, piece))
    key.append(_END)
    return tuple(key)


@lru_cache(maxsize=1 << 16)
def rpm_key(version: str) -> RpmKey:
    """Sort key for an RPM ``[epoch:]version[-release]`` (see the module doc)."""
    if not version:
        raise VersionSyntaxError("empty")
    epoch = "0"
    rest = version
    match = _EPOCH.match(version)
    if match is not None:
        epoch = match.group(1) or "0"
        rest = version[match.end() :]
    head, hyphen, release = rest.rpartition("-")
    if hyphen:
        return (rpmvercmp_key(epoch), rpmvercmp_key(head), (1, rpmvercmp_key(release)))
    return (rpmvercmp_key(epoch), rpmvercmp_key(rest), (0,))
