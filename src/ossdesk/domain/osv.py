"""OSV advisories: parsing, "is this version affected?", package-name keys and CVSS scoring.

The contract is the OSV specification (https://ossf.github.io/osv-schema/, version 1.7) and its JSON
schema. :func:`parse_record` turns one decoded record into frozen dataclasses; :func:`load_record` decodes
JSON or YAML first; :func:`iter_source` walks a folder, a ``.zip`` (osv.dev's ``all.zip``) or a tarball
and yields each record or the error that stopped it, so one bad record never stops an import.

Validation
    Strict on what evaluation depends on, lenient on the rest. :class:`OsvError` (a ``ValueError``) names
    the JSON path and the fault (``affected[0].ranges[1].events: a range needs an "introduced" event``).
    Required: ``id``, ``modified`` (an RFC 3339 time); a range's ``type`` is ``ECOSYSTEM``, ``SEMVER`` or
    ``GIT``, a ``GIT`` range has a ``repo``; ``events`` is not empty, has an ``introduced`` event, never
    mixes ``fixed`` and ``last_affected``, and each event holds exactly one of ``introduced``, ``fixed``,
    ``last_affected``, ``limit`` with a string value. Not checked, because nothing here evaluates them:
    the ecosystem name (unknown ones are kept), GIT commit hashes (7 PyPA records have short or suffixed
    hashes, e.g. PYSEC-2021-371's ``195caac...8182.patch``; their ECOSYSTEM ranges are still good),
    reference types, id prefixes. ``limit`` is accepted in every range type, as the specification's
    evaluation pseudo-code applies it to every range.

Evaluation (:meth:`Affected.affects`), as the specification's ``IsVulnerable`` pseudo-code
    A version is affected when it is in ``versions`` (exact string match) or inside any ECOSYSTEM or
    SEMVER range. In a range, events are sorted by version and replayed: ``introduced`` at or below the
    version makes it vulnerable, ``fixed`` at or below makes it safe, ``last_affected`` strictly below
    makes it safe; ``limit`` events bound the range (below any limit; a limit containing ``*`` is
    infinity). Choices the specification leaves open:

    * ``introduced: "0"`` means "before every version" and is never handed to a comparator (``0`` is not
      least in Maven or Debian and is no valid npm or crates.io version);
    * events at equal versions keep their order in the record (a stable sort), so ``introduced X,
      fixed X`` is empty while ``fixed X, introduced X`` re-opens at X, as the record reads;
    * ECOSYSTEM ranges use the package ecosystem's ordering, SEMVER ranges SemVer precedence (the
      lenient ``SemVer`` scheme of :mod:`ossdesk.domain.versions`, which takes the ``v`` the
      specification forbids but Go tooling writes);
    * GIT ranges need a commit graph: they are kept (:meth:`Affected.git_ranges`) and never evaluated;
    * a version the ecosystem's tool rejects is affected only when listed in ``versions``;
    * a range that cannot be ordered (unknown ecosystem, or an event version the tool rejects) is
      skipped, so only ``versions`` and the other ranges count; :meth:`Affected.unevaluable` says which
      and why. Evaluation never raises for data reasons: it runs millions of times in matching.

    Withdrawn records evaluate like any other; callers decide with :attr:`Record.is_withdrawn`.
    For speed, each Affected compiles its ranges into sort keys on first use, and
    :meth:`Affected.affects_key` takes a :func:`version_key` parsed once for many checks.

Package-name keys (:func:`normalise_name`), how each ecosystem's registry identifies a package:

    ==================  =============================  ====================================================
    ecosystem           key                            why
    ==================  =============================  ====================================================
    PyPI                lowercase, runs of ``-_.``     PEP 503 normalised names; pip and PyPI treat
                        become ``-``                   ``Foo_Bar`` and ``foo-bar`` as one project
    crates.io           lowercase, ``-`` becomes       crates.io refuses names differing only in case or
                        ``_``                          ``-``/``_``, so folding them cannot merge two crates
    NuGet               lowercase                      package ids are case-insensitive (the v3 API serves
                                                       lowercase ids)
    Packagist           lowercase                      Composer lowercases ``vendor/package`` names
    GitHub Actions      lowercase                      ``owner/repo`` on GitHub is case-insensitive
    npm                 unchanged                      the registry is case-sensitive; old packages such as
                                                       ``JSONStream`` keep capitals
    Go                  unchanged                      module paths are case-sensitive (the proxy escapes
                                                       capitals)
    Maven               unchanged                      ``groupId:artifactId`` coordinates are case-sensitive
    RubyGems            unchanged                      gem names are matched exactly by RubyGems and Bundler
    Hex, Pub            unchanged                      names are lowercase by rule already
    Debian, Ubuntu,     unchanged                      distribution package names are case-sensitive
    Alpine, RPM family
    CRAN, others        unchanged                      R and unknown ecosystems: exact names
    ==================  =============================  ====================================================

Scoring (:func:`score`)
    The newest CVSS version among the record's and its packages' ``severity`` vectors wins (v4 over v3
    over v2; the highest base score among vectors of that version). Labels: v3 and v4 as FIRST defines
    them (none 0, low to 3.9, medium to 6.9, high to 8.9, critical); v2 as NVD ranks it (low to 3.9,
    medium to 6.9, high). Vectors the ``cvss`` library rejects are skipped. Without a usable vector, a
    label comes from, in order: ``Ubuntu`` priorities (``negligible`` counts as low), top-level
    ``database_specific.severity`` (GHSA's ``LOW``/``MODERATE``/``HIGH``/``CRITICAL``), then each
    package's ``ecosystem_specific.severity`` and ``database_specific.severity`` (the most severe wins).
"""

from __future__ import annotations

import json
import os
import re
import tarfile
import zipfile
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache, partial
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, Generic, NamedTuple, TypeVar

import yaml
from cvss import CVSS2, CVSS3, CVSS4, CVSSError

from ossdesk.domain.versions import ECOSYSTEMS, InvalidVersion, SortKey, UnknownEcosystem, sort_key

__all__ = [
    "RANGE_TYPES",
    "Affected",
    "Event",
    "OsvError",
    "Range",
    "Record",
    "Score",
    "Severity",
    "VersionKey",
    "count_source",
    "ecosystem_base",
    "iter_source",
    "load_record",
    "normalise_name",
    "parse_record",
    "score",
    "version_key",
]

RANGE_TYPES = ("ECOSYSTEM", "SEMVER", "GIT")
EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")
RECORD_SUFFIXES = (".json", ".yaml", ".yml")
TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")

# The SortKey scheme of SEMVER ranges, whatever the package's ecosystem.
_SEMVER = "SemVer"
# Event kinds as evaluation sees them; "introduced: 0" and limits are kept apart.
_INTRODUCED, _FIXED, _LAST_AFFECTED = 0, 1, 2
T = TypeVar("T")
_KIND_CODES = {"introduced": _INTRODUCED, "fixed": _FIXED, "last_affected": _LAST_AFFECTED}


class OsvError(ValueError):
    """A record (or file) that cannot be read as OSV; ``path`` is the JSON path of the fault."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}" if path else reason)
        self.path = path
        self.reason = reason


class Event(NamedTuple):
    """One event of a range, as written: ``kind`` is introduced, fixed, last_affected or limit."""

    kind: str
    version: str


@dataclass(frozen=True, slots=True)
class Range:
    """An ``affected[].ranges[]`` entry: its type, its events in record order and (GIT) its repository."""

    type: str
    events: tuple[Event, ...]
    repo: str | None = None


@dataclass(frozen=True, slots=True)
class Severity:
    """A ``severity[]`` entry: a scoring method (``CVSS_V3`` ...) and its score or vector."""

    type: str
    score: str


@dataclass(frozen=True, slots=True)
class VersionKey:
    """A package version parsed once, to check against many :class:`Affected` of one ecosystem.

    ``native`` is the ecosystem's sort key and ``semver`` the SemVer one (for SEMVER ranges); either is
    ``None`` when that ordering rejects the version or does not exist.
    """

    base: str
    version: str
    native: SortKey | None
    semver: SortKey | None


@lru_cache(maxsize=1 << 16)
def version_key(ecosystem: str, version: str) -> VersionKey:
    """Parse ``version`` of ``ecosystem`` for :meth:`Affected.affects_key`; never raises for bad input."""
    return VersionKey(
        base=ecosystem_base(ecosystem),
        version=version,
        native=_key_or_none(ecosystem, version),
        semver=_key_or_none(_SEMVER, version),
    )


def _key_or_none(scheme: str, version: str) -> SortKey | None:
    try:
        return sort_key(scheme, version)
    except (InvalidVersion, UnknownEcosystem):
        return None


# One compiled range: (SEMVER?, highest limit or None, sorted event keys, their kinds, introduced "0"?).
_Window = tuple[bool, SortKey | None, list[SortKey], tuple[int, ...], bool]


class _Plan:
    """An Affected's ranges compiled for evaluation (built once, on first use)."""

    __slots__ = ("base", "problems", "versions", "windows")

    def __init__(
        self, base: str, versions: frozenset[str], windows: tuple[_Window, ...], problems: tuple[str, ...]
    ) -> None:
        self.base = base
        self.versions = versions
        self.windows = windows
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Affected:
    """One ``affected[]`` entry: a package, its ranges and its explicitly listed versions.

    ``ecosystem`` and ``name`` are empty strings for an entry without ``package`` (osv.dev's CVE records
    that only carry GIT ranges). Mappings are kept but take no part in equality or hashing.
    """

    ecosystem: str
    name: str
    purl: str | None
    ranges: tuple[Range, ...]
    versions: tuple[str, ...]
    severity: tuple[Severity, ...] = ()
    ecosystem_specific: Mapping[str, Any] | None = field(default=None, compare=False)
    database_specific: Mapping[str, Any] | None = field(default=None, compare=False)
    _plan: _Plan | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def package_key(self) -> tuple[str, str]:
        """``(ecosystem base, normalised name)``: how a portfolio index finds this package."""
        return ecosystem_base(self.ecosystem), normalise_name(self.ecosystem, self.name)

    def affects(self, version: str) -> bool:
        """Whether ``version`` of this package is affected (see the module docstring for the rules)."""
        return self.affects_key(version_key(self.ecosystem, version))

    def affects_key(self, key: VersionKey) -> bool:
        """:meth:`affects` for a version parsed by :func:`version_key` with this package's ecosystem."""
        plan = self._plan
        if plan is None:
            plan = self._compile()
        if key.base != plan.base:
            raise ValueError(
                f"a version key for {key.base!r} cannot be checked against a {plan.base!r} package"
            )
        if key.version in plan.versions:
            return True
        for semver, limit, keys, kinds, from_start in plan.windows:
            k = key.semver if semver else key.native
            if k is None or (limit is not None and not k < limit):
                continue
            # The last event at or below k that fires decides; last_affected fires only strictly below.
            i = bisect_right(keys, k)
            while i:
                i -= 1
                kind = kinds[i]
                if kind == _LAST_AFFECTED and not keys[i] < k:
                    continue
                if kind == _INTRODUCED:
                    return True
                break
            else:
                if from_start:
                    return True
        return False

    def fixed_versions(self) -> tuple[str, ...]:
        """Distinct ``fixed`` versions of the ECOSYSTEM and SEMVER ranges, oldest first when orderable."""
        return self._event_versions("fixed")

    def last_affected_versions(self) -> tuple[str, ...]:
        """Distinct ``last_affected`` versions of the ECOSYSTEM and SEMVER ranges, oldest first."""
        return self._event_versions("last_affected")

    def git_ranges(self) -> tuple[Range, ...]:
        """The GIT ranges, kept for display and commit-level tools; never used by :meth:`affects`."""
        return tuple(r for r in self.ranges if r.type == "GIT")

    def unevaluable(self) -> tuple[str, ...]:
        """Why ECOSYSTEM or SEMVER ranges are skipped by :meth:`affects` (empty when none is)."""
        plan = self._plan if self._plan is not None else self._compile()
        return plan.problems

    def _event_versions(self, kind: str) -> tuple[str, ...]:
        values = list(
            dict.fromkeys(
                e.version for r in self.ranges if r.type != "GIT" for e in r.events if e.kind == kind
            )
        )
        for scheme in (self.ecosystem, _SEMVER):
            try:
                return tuple(sorted(values, key=partial(sort_key, scheme)))
            except (InvalidVersion, UnknownEcosystem):
                continue
        return tuple(values)

    def _compile(self) -> _Plan:
        windows: list[_Window] = []
        problems: list[str] = []
        for index, rng in enumerate(self.ranges):
            if rng.type == "GIT":
                continue
            scheme = _SEMVER if rng.type == "SEMVER" else self.ecosystem
            try:
                windows.append(_window(scheme, rng))
            except UnknownEcosystem:
                problems.append(f"ranges[{index}]: no version ordering for ecosystem {self.ecosystem!r}")
            except InvalidVersion as error:
                problems.append(f"ranges[{index}]: {error}")
        plan = _Plan(
            ecosystem_base(self.ecosystem), frozenset(self.versions), tuple(windows), tuple(problems)
        )
        object.__setattr__(self, "_plan", plan)
        return plan


class PackageMatcher(Generic[T]):
    """Every ``affected`` entry of one package, compiled so that a version is checked against all of them
    with one binary search per ordering instead of one evaluation per entry.

    The events and limits of all the entries' ranges are merged into one sorted list of breakpoints per
    ordering (the ecosystem's, and SemVer for SEMVER ranges). Between two neighbouring breakpoints, and
    at each breakpoint itself, every range gives one answer, so those answers are worked out once per slot
    with the same rules as :meth:`Affected.affects_key` (proved equal by the tests over every record of
    the shared data). Listed ``versions`` are a dictionary lookup. ``match`` returns the items of the
    entries that affect the version, in entry order, each once.
    """

    __slots__ = ("_cache", "_ecosystem", "_exact", "_items", "_orderings")

    def __init__(self, ecosystem: str, entries: Sequence[tuple[T, Affected]]) -> None:
        self._ecosystem = ecosystem
        self._items = [item for item, _ in entries]
        self._exact: dict[str, set[int]] = {}
        self._cache: dict[str, tuple[T, ...]] = {}
        windows: dict[bool, list[tuple[int, _Window]]] = {False: [], True: []}
        for index, (_, affected) in enumerate(entries):
            plan = affected._plan if affected._plan is not None else affected._compile()
            for version in plan.versions:
                self._exact.setdefault(version, set()).add(index)
            for window in plan.windows:
                windows[window[0]].append((index, window))
        # (semver?, breakpoints, slot answers between breakpoints, slot answers at a breakpoint)
        self._orderings = [(semver, *_slots(found)) for semver, found in windows.items() if found]

    def match(self, version: str) -> tuple[T, ...]:
        found = self._cache.get(version)
        if found is not None:
            return found
        hits = set(self._exact.get(version, ()))
        for semver, points, between, at in self._orderings:
            key = _key_or_none(_SEMVER if semver else self._ecosystem, version)
            if key is None:
                continue
            slot = bisect_right(points, key)
            hits.update(at[slot] if slot and not points[slot - 1] < key else between[slot])
        result = tuple(dict.fromkeys(self._items[i] for i in sorted(hits)))
        if len(self._cache) < 100_000:
            self._cache[version] = result
        return result


def _slots(
    windows: list[tuple[int, _Window]],
) -> tuple[list[SortKey], list[frozenset[int]], list[frozenset[int]]]:
    """Breakpoints of these windows, and for each slot the entries affected between breakpoints
    (slot j: above point j-1, below point j) and at breakpoint j-1 itself."""
    keys: list[SortKey] = []
    for _, (_, limit, window_keys, _, _) in windows:
        keys.extend(window_keys)
        if limit is not None:
            keys.append(limit)
    keys.sort()
    points: list[SortKey] = []
    for key in keys:
        if not points or points[-1] < key:
            points.append(key)
    count = len(points)
    # Between-breakpoint answers are constant from just above one event of a window to its next event:
    # collect each window's affected runs of slots, then sweep them into one set per slot.
    opens: list[list[int]] = [[] for _ in range(count + 2)]
    closes: list[list[int]] = [[] for _ in range(count + 2)]
    at_points: dict[int, dict[int, bool]] = {}  # slot -> {window: affected exactly at point slot-1}
    for window_id, (_, (_, limit, window_keys, kinds, from_start)) in enumerate(windows):
        positions = [bisect_right(points, k) - 1 for k in window_keys]
        last_slot = bisect_right(points, limit) - 1 if limit is not None else count  # below the limit
        runs: list[tuple[int, int]] = []
        if from_start:
            runs.append((0, positions[0] if positions else count))
        for event, position in enumerate(positions):
            if kinds[event] == _INTRODUCED:
                runs.append((position + 1, positions[event + 1] if event + 1 < len(positions) else count))
        for start, end in runs:
            end = min(end, last_slot)
            if start <= end:
                opens[start].append(window_id)
                closes[end + 1].append(window_id)
        # At a point where this window has events, a last_affected there has not fired yet.
        for position in sorted(set(positions)):
            slot = position + 1
            fired = bisect_right(positions, position)
            affected = from_start and slot <= last_slot
            while fired and slot <= last_slot:
                fired -= 1
                if kinds[fired] == _LAST_AFFECTED and positions[fired] == position:
                    continue
                affected = kinds[fired] == _INTRODUCED
                break
            at_points.setdefault(slot, {})[window_id] = affected
    entry_of = [index for index, _ in windows]
    between: list[frozenset[int]] = []
    at: list[frozenset[int]] = []
    live: dict[int, int] = {}
    for slot in range(count + 1):
        for window_id in opens[slot]:
            live[window_id] = live.get(window_id, 0) + 1
        for window_id in closes[slot]:
            live[window_id] -= 1
            if not live[window_id]:
                del live[window_id]
        entries = frozenset(entry_of[w] for w in live)
        between.append(entries)
        answers = at_points.get(slot)
        if answers is None:
            at.append(entries)
        else:
            at.append(
                frozenset(entry_of[w] for w in live if w not in answers)
                | frozenset(entry_of[w] for w, affected in answers.items() if affected)
            )
    return points, between, at


def _window(scheme: str, rng: Range) -> _Window:
    """Compile one range; raises InvalidVersion or UnknownEcosystem when it cannot be ordered."""
    points: list[tuple[SortKey, int]] = []
    limits: list[SortKey] = []
    from_start = unlimited = False
    for kind, version in rng.events:
        if kind == "introduced" and version == "0":
            from_start = True
        elif kind == "limit":
            if "*" in version:
                unlimited = True
            else:
                limits.append(sort_key(scheme, version))
        else:
            points.append((sort_key(scheme, version), _KIND_CODES[kind]))
    points.sort(key=itemgetter(0))  # stable: equal versions keep the record's order
    limit: SortKey | None = None
    if limits and not unlimited:
        limit = limits[0]
        for candidate in limits[1:]:
            if limit < candidate:
                limit = candidate
    return (
        scheme == _SEMVER,
        limit,
        [p[0] for p in points],
        tuple(p[1] for p in points),
        from_start,
    )


@dataclass(frozen=True, slots=True)
class Record:
    """One OSV record. ``raw`` is the decoded mapping it was parsed from (with every unmodelled field).

    Mappings (``database_specific``, ``raw``) take no part in equality or hashing.
    """

    id: str
    modified: datetime
    published: datetime | None
    withdrawn: datetime | None
    aliases: tuple[str, ...]
    related: tuple[str, ...]
    summary: str
    details: str
    severity: tuple[Severity, ...]
    affected: tuple[Affected, ...]
    references: tuple[tuple[str, str], ...]
    database_specific: Mapping[str, Any] | None = field(compare=False)
    raw: Mapping[str, Any] = field(compare=False, repr=False)
    upstream: tuple[str, ...] = ()

    @property
    def is_withdrawn(self) -> bool:
        """Whether the source withdrew the record (``withdrawn`` set); its matches should be dropped."""
        return self.withdrawn is not None


# --- parsing --------------------------------------------------------------------------------------------

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))"
)


def _time(value: object, path: str) -> datetime:
    """An RFC 3339 time as an aware UTC datetime (YAML loaders may already have made it a datetime)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if not isinstance(value, str):
        raise OsvError(path, "not an RFC 3339 time")
    match = _RFC3339.fullmatch(value)
    if match is None:
        raise OsvError(path, f"not an RFC 3339 time: {value!r}")
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    micro = int((match.group(7) or "0")[:6].ljust(6, "0"))
    try:
        if match.group(8):
            return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)
        offset = timedelta(hours=int(match.group(10)), minutes=int(match.group(11)))
        zone = timezone(-offset if match.group(9) == "-" else offset)
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=zone).astimezone(UTC)
    except (ValueError, OverflowError):
        raise OsvError(path, f"not an RFC 3339 time: {value!r}") from None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _object(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise OsvError(path, f"expected an object, got {type(value).__name__}")
    return value


def _string(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise OsvError(path, f"expected a string, got {type(value).__name__}")
    return value


def _optional(data: Mapping[str, Any], key: str, path: str) -> str | None:
    value = data.get(key)
    return None if value is None else _string(value, _join(path, key))


def _array(data: Mapping[str, Any], key: str, path: str) -> list[Any]:
    """An optional array field (``null`` and absent mean empty)."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise OsvError(_join(path, key), f"expected an array, got {type(value).__name__}")
    return value


def _strings(data: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
    where = _join(path, key)
    return tuple(_string(item, f"{where}[{i}]") for i, item in enumerate(_array(data, key, path)))


def _optional_object(data: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any] | None:
    value = data.get(key)
    return None if value is None else _object(value, _join(path, key))


def _severities(data: Mapping[str, Any], path: str) -> tuple[Severity, ...]:
    where = _join(path, "severity")
    result = []
    for i, item in enumerate(_array(data, "severity", path)):
        entry = _object(item, f"{where}[{i}]")
        result.append(
            Severity(
                type=_string(entry.get("type"), f"{where}[{i}].type"),
                score=_string(entry.get("score"), f"{where}[{i}].score"),
            )
        )
    return tuple(result)


def _event(item: object, path: str) -> Event:
    entry = _object(item, path)
    kinds = [kind for kind in EVENT_KINDS if kind in entry]
    if len(kinds) != 1:
        found = ", ".join(kinds) if kinds else "none"
        raise OsvError(path, f"an event holds exactly one of {', '.join(EVENT_KINDS)} (found: {found})")
    kind = kinds[0]
    return Event(kind, _string(entry[kind], f"{path}.{kind}"))


def _range(item: object, path: str) -> Range:
    entry = _object(item, path)
    range_type = _string(entry.get("type"), f"{path}.type")
    if range_type not in RANGE_TYPES:
        raise OsvError(f"{path}.type", f"unknown range type {range_type!r} (one of {', '.join(RANGE_TYPES)})")
    repo = _optional(entry, "repo", path)
    if range_type == "GIT" and not repo:
        raise OsvError(f"{path}.repo", "a GIT range needs a repo")
    raw_events = _array(entry, "events", path)
    where = f"{path}.events"
    if not raw_events:
        raise OsvError(where, "a range needs at least one event")
    events = tuple(_event(e, f"{where}[{i}]") for i, e in enumerate(raw_events))
    kinds = {e.kind for e in events}
    if "introduced" not in kinds:
        raise OsvError(where, 'a range needs an "introduced" event')
    if "fixed" in kinds and "last_affected" in kinds:
        raise OsvError(where, 'a range cannot have both "fixed" and "last_affected" events')
    return Range(type=range_type, events=events, repo=repo)


def _affected(item: object, path: str) -> Affected:
    entry = _object(item, path)
    ecosystem = name = ""
    purl = None
    package = _optional_object(entry, "package", path)
    if package is not None:
        where = f"{path}.package"
        ecosystem = _string(package.get("ecosystem"), f"{where}.ecosystem")
        name = _string(package.get("name"), f"{where}.name")
        purl = _optional(package, "purl", where)
    return Affected(
        ecosystem=ecosystem,
        name=name,
        purl=purl,
        ranges=tuple(_range(r, f"{path}.ranges[{i}]") for i, r in enumerate(_array(entry, "ranges", path))),
        versions=_strings(entry, "versions", path),
        severity=_severities(entry, path),
        ecosystem_specific=_optional_object(entry, "ecosystem_specific", path),
        database_specific=_optional_object(entry, "database_specific", path),
    )


def _references(data: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    result = []
    for i, item in enumerate(_array(data, "references", "")):
        entry = _object(item, f"references[{i}]")
        result.append(
            (
                _string(entry.get("type"), f"references[{i}].type"),
                _string(entry.get("url"), f"references[{i}].url"),
            )
        )
    return tuple(result)


def parse_record(data: Mapping[str, Any]) -> Record:
    """Parse one decoded OSV record; raises :class:`OsvError` naming the JSON path of the first fault."""
    data = _object(data, "")
    if "id" not in data:
        raise OsvError("id", "required")
    record_id = _string(data["id"], "id")
    if not record_id:
        raise OsvError("id", "empty")
    if "modified" not in data:
        raise OsvError("modified", "required")
    published, withdrawn = data.get("published"), data.get("withdrawn")
    return Record(
        id=record_id,
        modified=_time(data["modified"], "modified"),
        published=None if published is None else _time(published, "published"),
        withdrawn=None if withdrawn is None else _time(withdrawn, "withdrawn"),
        aliases=_strings(data, "aliases", ""),
        related=_strings(data, "related", ""),
        summary=_optional(data, "summary", "") or "",
        details=_optional(data, "details", "") or "",
        severity=_severities(data, ""),
        affected=tuple(_affected(a, f"affected[{i}]") for i, a in enumerate(_array(data, "affected", ""))),
        references=_references(data),
        database_specific=_optional_object(data, "database_specific", ""),
        raw=data,
        upstream=_strings(data, "upstream", ""),
    )


class _YamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML that keeps timestamps as the strings they were, so ``raw`` matches the JSON form."""


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_record(data: bytes, filename: str) -> Record:
    """Decode and parse one record file: JSON (``.json``) or YAML (``.yaml``, ``.yml``, as PyPA writes)."""
    lowered = filename.lower()
    try:
        if lowered.endswith(".json"):
            decoded = json.loads(data)
        elif lowered.endswith((".yaml", ".yml")):
            decoded = yaml.load(data, Loader=_YamlLoader)  # noqa: S506 - a SafeLoader subclass
        else:
            raise OsvError("", f"{filename}: not a .json, .yaml or .yml file")
    except (ValueError, yaml.YAMLError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        if isinstance(error, OsvError):
            raise
        raise OsvError("", f"not valid {'JSON' if lowered.endswith('.json') else 'YAML'}: {error}") from None
    return parse_record(decoded)


def _is_record_name(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base.lower().endswith(RECORD_SUFFIXES) and not base.startswith(".")


def _load_or_error(data: bytes, name: str) -> Record | OsvError:
    try:
        return load_record(data, name)
    except OsvError as error:
        return error


def _directory_files(path: Path) -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(path):
        dirs.sort()
        found += [Path(folder, f) for f in sorted(files) if _is_record_name(f)]
    return found


# OSV records are kilobytes (the largest of 8,000 real ones here is 20 KB); a member far beyond that is a
# decompression bomb or not a record, and is reported instead of read: a 1 MB archive can hold 1 GiB.
RECORD_MAX_BYTES = 4 * 1024 * 1024


def _too_large(size: int, max_bytes: int) -> OsvError:
    return OsvError("", f"{size:,} bytes; a record may be at most {max_bytes:,} bytes")


def _bounded_read(stream: IO[bytes], max_bytes: int) -> bytes | OsvError:
    """Read a member, at most one byte past the cap: its header's size may lie."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        return OsvError("", f"more than {max_bytes:,} bytes; a record may be at most {max_bytes:,} bytes")
    return data


def iter_members(path: Path, *, max_bytes: int = RECORD_MAX_BYTES) -> Iterator[tuple[str, bytes | OsvError]]:
    """Yield ``(member name, bytes)`` for each record file of a folder (recursively), ``.zip``, tarball
    (``.tar``, ``.tar.gz``, ``.tgz`` ...) or single file, in a stable order, without parsing them.

    Files other than ``*.json``/``*.yaml``/``*.yml`` (licences, READMEs) are skipped; a record file larger
    than ``max_bytes`` is yielded as its :class:`OsvError`, never read whole; only an unreadable source
    itself raises.
    """
    lowered = path.name.lower()
    if path.is_dir():
        for file in _directory_files(path):
            yield file.relative_to(path).as_posix(), _read_file(file, max_bytes)
    elif lowered.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.is_dir() and _is_record_name(info.filename):
                    if info.file_size > max_bytes:
                        yield info.filename, _too_large(info.file_size, max_bytes)
                        continue
                    with archive.open(info) as stream:
                        yield info.filename, _bounded_read(stream, max_bytes)
    elif lowered.endswith(TAR_SUFFIXES):
        # Keep tarfile's small buffer: it is compressed input, and a bomb's 1 MiB would inflate to 1 GiB.
        with tarfile.open(path, mode="r|*") as archive:
            for member in archive:
                if member.isfile() and _is_record_name(member.name):
                    if member.size > max_bytes:  # a tar header cannot understate: the stream skips the rest
                        yield member.name, _too_large(member.size, max_bytes)
                        continue
                    content = archive.extractfile(member)
                    yield member.name, _bounded_read(content, max_bytes) if content is not None else b""
    elif path.is_file() and _is_record_name(path.name):
        yield path.name, _read_file(path, max_bytes)
    else:
        raise OsvError("", f"{path}: not a folder, .zip, tarball or OSV record file")


def _read_file(path: Path, max_bytes: int) -> bytes | OsvError:
    size = path.stat().st_size
    if size > max_bytes:
        return _too_large(size, max_bytes)
    with path.open("rb") as stream:
        return _bounded_read(stream, max_bytes)


def iter_source(path: Path) -> Iterator[tuple[str, Record | OsvError]]:
    """Yield ``(member name, record or its error)`` for each record file of :func:`iter_members`.

    A bad record (or one too large to be a record) is yielded as its :class:`OsvError`; only an
    unreadable source itself raises.
    """
    for name, data in iter_members(path):
        yield name, data if isinstance(data, OsvError) else _load_or_error(data, name)


def count_source(path: Path) -> int:
    """How many record files :func:`iter_source` will yield, without parsing any (for progress bars).

    A tarball has no index, so counting it decompresses it once (still far cheaper than parsing).
    """
    lowered = path.name.lower()
    if path.is_dir():
        return len(_directory_files(path))
    if lowered.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            return sum(1 for i in archive.infolist() if not i.is_dir() and _is_record_name(i.filename))
    if lowered.endswith(TAR_SUFFIXES):
        with tarfile.open(path, mode="r|*") as archive:
            return sum(1 for m in archive if m.isfile() and _is_record_name(m.name))
    if path.is_file() and _is_record_name(path.name):
        return 1
    raise OsvError("", f"{path}: not a folder, .zip, tarball or OSV record file")


# --- ecosystems and package names -------------------------------------------------------------------------

_CANONICAL = {name.casefold(): name for name in ECOSYSTEMS}


def ecosystem_base(ecosystem: str) -> str:
    """The ecosystem without its ``:suffix``, in canonical case: ``debian:12`` -> ``Debian``.

    An ecosystem with no version ordering here keeps its own spelling (``GitHub Actions:x`` -> ``GitHub
    Actions``).
    """
    base = ecosystem.split(":", 1)[0].strip()
    return _CANONICAL.get(base.casefold(), base)


_PEP503_SEPARATORS = re.compile(r"[-_.]+")


def _lower(name: str) -> str:
    return name.lower()


def _pypi(name: str) -> str:
    return _PEP503_SEPARATORS.sub("-", name).lower()


def _crate(name: str) -> str:
    return name.lower().replace("-", "_")


_NAME_RULES = {
    "pypi": _pypi,
    "crates.io": _crate,
    "nuget": _lower,
    "packagist": _lower,
    "github actions": _lower,
}


def normalise_name(ecosystem: str, name: str) -> str:
    """The key that identifies package ``name`` in ``ecosystem`` (table in the module docstring)."""
    rule = _NAME_RULES.get(ecosystem_base(ecosystem).casefold())
    return name if rule is None else rule(name)


# --- scoring ----------------------------------------------------------------------------------------------

LABELS = ("none", "low", "medium", "high", "critical")
# Severity words used by databases (GHSA, RustSec, Go, OSS-Fuzz, Ubuntu priorities) -> our label.
_WORDS = {
    "critical": "critical",
    "high": "high",
    "important": "high",
    "moderate": "medium",
    "medium": "medium",
    "low": "low",
    "negligible": "low",
    "none": "none",
}


@dataclass(frozen=True, slots=True)
class Score:
    """A record's severity: CVSS ``version`` (``"3.1"``), ``vector`` and ``base`` score with its ``label``.

    When the label comes from a database's word rather than a vector, ``version`` and ``vector`` are
    empty and ``base`` is ``None``. ``source`` names the field it came from.
    """

    version: str
    vector: str
    base: float | None
    label: str
    source: str = ""


def _label(version: str, base: float) -> str:
    if version == "2.0":  # NVD's CVSS v2 ranks: no "none" and no "critical"
        return "low" if base < 4.0 else "medium" if base < 7.0 else "high"
    if base == 0.0:
        return "none"
    return "low" if base < 4.0 else "medium" if base < 7.0 else "high" if base < 9.0 else "critical"


def _cvss(severity: Severity, source: str) -> Score | None:
    """Score one vector, or ``None`` when its type is not CVSS or the library rejects it."""
    vector = severity.score.strip()
    try:
        if severity.type == "CVSS_V2":
            v2 = CVSS2(vector)
            version, clean, base = "2.0", v2.clean_vector(), float(v2.base_score)
        elif severity.type == "CVSS_V3":
            v3 = CVSS3(vector)
            version, clean, base = f"3.{v3.minor_version}", v3.clean_vector(), float(v3.base_score)
        elif severity.type == "CVSS_V4":
            v4 = CVSS4(vector)
            version, clean, base = "4.0", v4.clean_vector(), float(v4.base_score)
        else:
            return None
    # The library validates with its own exceptions but a malformed vector can surface as others.
    except (CVSSError, ValueError, LookupError, TypeError, ArithmeticError, AttributeError):
        return None
    return Score(version=version, vector=clean, base=base, label=_label(version, base), source=source)


def _worst_word(candidates: list[tuple[object, str]]) -> Score | None:
    best: Score | None = None
    for word, source in candidates:
        label = _WORDS.get(word.strip().casefold()) if isinstance(word, str) else None
        if label is not None and (best is None or LABELS.index(label) > LABELS.index(best.label)):
            best = Score(version="", vector="", base=None, label=label, source=source)
    return best


def _rank(candidate: Score) -> tuple[int, float, int]:
    """Newest CVSS major version first, then the highest base score, then the newest minor version."""
    major, minor = (int(part) for part in candidate.version.split("."))
    return major, candidate.base or 0.0, minor


def score(record: Record) -> Score | None:
    """The record's severity (rules in the module docstring), or ``None`` when it states none."""
    entries = [(s, f"severity[{i}]") for i, s in enumerate(record.severity)]
    for j, affected in enumerate(record.affected):
        entries += [(s, f"affected[{j}].severity[{i}]") for i, s in enumerate(affected.severity)]
    scored = [c for c in (_cvss(s, source) for s, source in entries) if c is not None]
    if scored:
        return max(scored, key=_rank)
    ubuntu: list[tuple[object, str]] = [(s.score, src) for s, src in entries if s.type == "Ubuntu"]
    top: list[tuple[object, str]] = [
        ((record.database_specific or {}).get("severity"), "database_specific.severity")
    ]
    packages: list[tuple[object, str]] = []
    for j, affected in enumerate(record.affected):
        for name, mapping in (
            ("ecosystem_specific", affected.ecosystem_specific),
            ("database_specific", affected.database_specific),
        ):
            if mapping is not None:
                packages.append((mapping.get("severity"), f"affected[{j}].{name}.severity"))
    for candidates in (ubuntu, top, packages):
        found = _worst_word(candidates)
        if found is not None:
            return found
    return None
