"""SemVer 2.0.0 and its dialects: npm (node-semver, loose), Go, crates.io, Hex, Pub and OSV's plain SemVer.

All share SemVer precedence: ``major.minor.patch`` compared numerically, a pre-release sorts before its
release, pre-release identifiers compare left to right (numeric ones numerically and before alphanumeric
ones, alphanumeric ones in ASCII order, a shorter list first when it is a prefix), and build metadata is
ignored. They differ in what they accept, and in a few corners of the ordering:

* **npm** follows node-semver with ``loose: true`` (what npm itself uses): leading ``v``/``=``/spaces,
  leading zeros, a pre-release without its hyphen (``1.2.3beta``); numbers above 2**53-1 are invalid in
  ``major.minor.patch``, and in a pre-release they are compared as JavaScript doubles, as node-semver does.
* **Go** follows ``golang.org/x/mod/semver``: ``vMAJOR[.MINOR[.PATCH[-pre][+build]]]`` where ``v1`` and
  ``v1.2`` mean ``v1.0.0`` and ``v1.2.0``; OSV writes Go versions without the ``v``, so it is optional here.
  Pseudo-versions are ordinary pre-releases and order as such.
* **crates.io** and **Hex** are strict SemVer 2.0.0 (the Rust ``semver`` crate, Elixir's ``Version``):
  all three numbers, no leading zeros, no ``v``.
* **Pub** follows ``pub_semver``: leading zeros allowed, and build metadata *is* ordered: a version with
  build metadata sorts after the same version without, then by its identifiers.
* **SemVer** (OSV's ``SEMVER`` range type) is lenient, as OSV data needs: optional ``v``, ``1`` and
  ``1.2`` padded with zeros, leading zeros allowed, and numeric components after the third are treated as
  build metadata (so ignored).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ossdesk.domain.versions._errors import VersionSyntaxError

_CACHE_SIZE = 1 << 16

# A pre-release key: the release itself is (1,), a pre-release (0, id, id, ...) with each identifier as
# (0, number) or (1, text); tuples then compare exactly as SemVer says.
PreKey = tuple[object, ...]
SemverKey = tuple[int, int, int, PreKey]

_RELEASE: PreKey = (1,)

_DIGITS = re.compile(r"[0-9]+")


def _semver_pre(prerelease: str | None) -> PreKey:
    """Key for a dot-separated SemVer pre-release (``None`` for a release); numbers compare exactly."""
    if not prerelease:
        return _RELEASE
    return (0, *((0, int(i)) if _DIGITS.fullmatch(i) else (1, i) for i in prerelease.split(".")))


# --- npm: node-semver's LOOSE regular expression, identifier for identifier -------------------------------

_NPM_MAX_LENGTH = 256
_NPM_MAX_SAFE_INTEGER = 2**53 - 1
_NPM_NONNUMERIC = r"[0-9]*[a-zA-Z-][a-zA-Z0-9-]*"
_NPM_PRE_ID_LOOSE = rf"(?:{_NPM_NONNUMERIC}|[0-9]+)"
_NPM_LOOSE = re.compile(
    r"[v=\s]*([0-9]+)\.([0-9]+)\.([0-9]+)"
    rf"(?:-?({_NPM_PRE_ID_LOOSE}(?:\.{_NPM_PRE_ID_LOOSE})*))?"
    r"(?:\+([a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*))?"
)


def _npm_identifier(ident: str) -> tuple[int, object]:
    """node-semver keeps small numeric identifiers as numbers and compares big ones as doubles (``+a``)."""
    if _DIGITS.fullmatch(ident):
        number = int(ident)
        return (0, number if number < _NPM_MAX_SAFE_INTEGER else float(number))
    return (1, ident)


@lru_cache(maxsize=_CACHE_SIZE)
def npm_key(version: str) -> SemverKey:
    """Sort key for an npm version, following node-semver 7 with ``loose: true``."""
    if len(version) > _NPM_MAX_LENGTH:
        raise VersionSyntaxError(f"longer than {_NPM_MAX_LENGTH} characters")
    match = _NPM_LOOSE.fullmatch(version.strip())
    if match is None:
        raise VersionSyntaxError("not a SemVer version (node-semver, loose)")
    major, minor, patch = (int(match.group(i)) for i in (1, 2, 3))
    if max(major, minor, patch) > _NPM_MAX_SAFE_INTEGER:
        raise VersionSyntaxError("a version number is above 2**53-1")
    pre = match.group(4)
    pre_key = _RELEASE if pre is None else (0, *(_npm_identifier(i) for i in pre.split(".")))
    return (major, minor, patch, pre_key)


# --- strict SemVer 2.0.0 (crates.io, Hex) ------------------------------------------------------------------

_NUM = r"(?:0|[1-9][0-9]*)"
_PRE_ID = rf"(?:{_NUM}|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)"
_BUILD = r"[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*"
_STRICT = re.compile(rf"({_NUM})\.({_NUM})\.({_NUM})(?:-({_PRE_ID}(?:\.{_PRE_ID})*))?(?:\+{_BUILD})?")
_U64_MAX = 2**64 - 1


@lru_cache(maxsize=_CACHE_SIZE)
def strict_key(version: str) -> SemverKey:
    """Sort key for strict SemVer 2.0.0: the grammar of semver.org, nothing more."""
    match = _STRICT.fullmatch(version)
    if match is None:
        raise VersionSyntaxError("not a SemVer 2.0.0 version")
    major, minor, patch = (int(match.group(i)) for i in (1, 2, 3))
    return (major, minor, patch, _semver_pre(match.group(4)))


@lru_cache(maxsize=_CACHE_SIZE)
def cargo_key(version: str) -> SemverKey:
    """Sort key for crates.io: strict SemVer, numbers within u64 as the Rust ``semver`` crate requires."""
    key = strict_key(version)
    if max(key[0], key[1], key[2]) > _U64_MAX:
        raise VersionSyntaxError("a version number does not fit in 64 bits")
    return key


# --- Go modules (golang.org/x/mod/semver) -------------------------------------------------------------------

_GO = re.compile(rf"v?({_NUM})(?:\.({_NUM})(?:\.({_NUM})(?:-({_PRE_ID}(?:\.{_PRE_ID})*))?(?:\+{_BUILD})?)?)?")


@lru_cache(maxsize=_CACHE_SIZE)
def go_key(version: str) -> SemverKey:
    """Sort key for a Go module version; ``v`` optional (OSV omits it), ``v1``/``v1.2`` are shorthands."""
    match = _GO.fullmatch(version)
    if match is None:
        raise VersionSyntaxError("not a Go module version (vMAJOR[.MINOR[.PATCH[-pre][+build]]])")
    major, minor, patch = (int(match.group(i) or 0) for i in (1, 2, 3))
    return (major, minor, patch, _semver_pre(match.group(4)))


# --- OSV's plain SemVer, lenient ---------------------------------------------------------------------------

_LENIENT_PRE_ID = r"[0-9A-Za-z-]+"
_LENIENT = re.compile(
    r"v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:\.[0-9]+)*"
    rf"(?:-({_LENIENT_PRE_ID}(?:\.{_LENIENT_PRE_ID})*))?(?:\+{_BUILD})?"
)


@lru_cache(maxsize=_CACHE_SIZE)
def lenient_key(version: str) -> SemverKey:
    """Sort key for OSV ``SEMVER`` versions: SemVer precedence on a forgiving grammar (see module doc)."""
    match = _LENIENT.fullmatch(version)
    if match is None:
        raise VersionSyntaxError("not a SemVer version")
    major, minor, patch = (int(match.group(i) or 0) for i in (1, 2, 3))
    return (major, minor, patch, _semver_pre(match.group(4)))


# --- Pub (pub_semver) ---------------------------------------------------------------------------------------

_PUB_IDS = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"
_PUB = re.compile(rf"([0-9]+)\.([0-9]+)\.([0-9]+)(?:-({_PUB_IDS}))?(?:\+({_PUB_IDS}))?")
_DART_INT = re.compile(r"([+-]?)(?:0[xX]([0-9a-fA-F]+)|([0-9]+))")
_INT64_MAX = 2**63 - 1

PubKey = tuple[int, int, int, PreKey, PreKey]


def _dart_try_parse(part: str) -> int | None:
    """Dart's ``int.tryParse``: optional sign, decimal or ``0x`` hex, 64-bit; ``None`` when it is not one."""
    match = _DART_INT.fullmatch(part)
    if match is None:
        return None
    sign = -1 if match.group(1) == "-" else 1
    if match.group(2) is not None:
        value = int(match.group(2), 16)
        if value > 2**64 - 1:
            return None
        if value > _INT64_MAX:  # Dart reads 64-bit hex literals as two's complement
            value -= 2**64
        return sign * value
    value = sign * int(match.group(3))
    return value if -(2**63) <= value <= _INT64_MAX else None


def _pub_parts(text: str) -> tuple[tuple[int, object], ...]:
    """pub_semver's ``_splitParts``: numbers where ``int.tryParse`` succeeds (they sort first), else text."""
    parts: list[tuple[int, object]] = []
    for part in text.split("."):
        number = _dart_try_parse(part)
        parts.append((1, part) if number is None else (0, number))
    return tuple(parts)


@lru_cache(maxsize=_CACHE_SIZE)
def pub_key(version: str) -> PubKey:
    """Sort key for a Dart/Flutter package version, following ``pub_semver``'s ``Version.compareTo``."""
    match = _PUB.fullmatch(version)
    if match is None:
        raise VersionSyntaxError("not a pub version (MAJOR.MINOR.PATCH[-pre][+build])")
    major, minor, patch = (int(match.group(i)) for i in (1, 2, 3))
    if max(major, minor, patch) > _INT64_MAX:
        raise VersionSyntaxError("a version number does not fit in 64 bits")
    pre, build = match.group(4), match.group(5)
    pre_key: PreKey = _RELEASE if pre is None else (0, *_pub_parts(pre))
    build_key: PreKey = (0,) if build is None else (1, *_pub_parts(build))
    return (major, minor, patch, pre_key, build_key)
