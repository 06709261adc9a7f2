"""OSV records: parsing, the specification's evaluation algorithm, sources, names and scoring.

Three kinds of evidence:

* the specification's own examples and every choice it leaves open, table-driven, plus a hypothesis
  property that checks the fast evaluation against a line-by-line transcription of the specification's
  ``IsVulnerable`` pseudo-code;
* every record of ``../shared/data/advisories`` (PyPA YAML, Go and RustSec JSON, osv-scanner samples);
* ground truth inside that data: PyPA enumerates ``versions`` from its ECOSYSTEM ranges, so each listed
  version must be inside the ranges; Go and RustSec ranges must include each ``introduced`` and exclude
  each ``fixed``. Every disagreement was read and is listed below with the reason.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from collections import Counter
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.archive_bombs import BOMB_BYTES, BOMB_NAME, tar_bomb, zip_bomb

from ossdesk.domain.osv import (
    LABELS,
    RECORD_MAX_BYTES,
    Affected,
    Event,
    OsvError,
    Record,
    Score,
    Severity,
    _bounded_read,
    count_source,
    ecosystem_base,
    iter_members,
    iter_source,
    load_record,
    normalise_name,
    parse_record,
    score,
    version_key,
)
from ossdesk.domain.versions import compare

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
ADVISORIES = SHARED_DATA / "advisories"

# source -> number of records in it (data/README.md and SOURCES.md)
SOURCES = {
    "osv-pypi.tar.gz": 2661,
    "osv-go.tar.gz": 4291,
    "osv-rustsec.tar.gz": 1206,
    "osv-scanner-offline-dbs": 28,
}


def _record(affected: list[dict[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": "OSV-TEST-1", "modified": "2024-01-02T03:04:05Z", **fields}
    if affected is not None:
        data["affected"] = affected
    return data


def _affected(
    ecosystem: str,
    events: list[tuple[str, str]],
    range_type: str = "ECOSYSTEM",
    versions: tuple[str, ...] = (),
) -> Affected:
    """One package with one range, built through the parser as real data would be."""
    entry = {
        "package": {"ecosystem": ecosystem, "name": "pkg"},
        "ranges": [{"type": range_type, "events": [{kind: value} for kind, value in events]}],
        "versions": list(versions),
    }
    return parse_record(_record([entry])).affected[0]


# --- evaluation: the specification's examples and the open choices ----------------------------------------

MULTIPLE = [("introduced", "1.0.0"), ("fixed", "1.0.2"), ("introduced", "3.0.0"), ("fixed", "3.2.5")]

# (why, ecosystem, range type, events, {version: affected?})
EVALUATION_CASES = [
    (
        "spec: unfixed, every version",
        "npm",
        "SEMVER",
        [("introduced", "0")],
        {"0.0.0-alpha": True, "1.0.0": True, "999.0.0": True},
    ),
    (
        "spec: fixed, everything before 1.0.2",
        "npm",
        "SEMVER",
        [("introduced", "0"), ("fixed", "1.0.2")],
        {"0.0.1": True, "1.0.1": True, "1.0.2-rc.1": True, "1.0.2": False, "2.0.0": False},
    ),
    (
        "spec: multiple ranges [1.0.0, 1.0.2) and [3.0.0, 3.2.5)",
        "crates.io",
        "SEMVER",
        MULTIPLE,
        {"0.9.0": False, "1.0.0": True, "1.0.1": True, "1.0.2": False, "2.0.0": False, "3.0.0": True}
        | {"3.2.4": True, "3.2.5": False, "4.0.0": False},
    ),
    (
        "unsorted events are sorted by version first",
        "crates.io",
        "SEMVER",
        list(reversed(MULTIPLE)),
        {"0.9.0": False, "1.0.1": True, "2.0.0": False, "3.2.4": True, "3.2.5": False},
    ),
    (
        "spec: last_affected 2.1.214 includes it",
        "Maven",
        "ECOSYSTEM",
        [("introduced", "0"), ("last_affected", "2.1.214")],
        {"1.0": True, "2.1.214": True, "2.1.215": False, "3": False},
    ),
    (
        "spec: fixed 2.1.214 excludes it",
        "Maven",
        "SEMVER",
        [("introduced", "0"), ("fixed", "2.1.214")],
        {"2.1.213": True, "2.1.214": False, "2.1.215": False},
    ),
    (
        'introduced "0" in Maven: 0-alpha sorts below 0 there, yet is affected',
        "Maven",
        "ECOSYSTEM",
        [("introduced", "0"), ("fixed", "1.0")],
        {"0-alpha": True, "0": True, "0.9": True, "1.0-rc1": True, "1.0": False},
    ),
    (
        'introduced "0" in npm: "0" is no npm version, and is never parsed',
        "npm",
        "ECOSYSTEM",
        [("introduced", "0"), ("fixed", "1.0.0")],
        {"0.0.0-0": True, "0.1.0": True, "1.0.0-beta.2": True, "1.0.0": False},
    ),
    (
        'introduced "0" in Debian: 0~ sorts below 0 there, yet is affected',
        "Debian:12",
        "ECOSYSTEM",
        [("introduced", "0"), ("fixed", "1.2.1-2.2+deb12u1")],
        {"0~rc1": True, "1.2.1-2.2": True, "1.2.1-2.2+deb12u1": False, "1:0.1-1": False},
    ),
    (
        "PEP 440: pre-releases sort before the release they lead to",
        "PyPI",
        "ECOSYSTEM",
        [("introduced", "2.0"), ("fixed", "2.3")],
        {"2.0rc1": False, "2.0": True, "2.0.post1": True, "2.3rc1": True, "2.3": False, "2.3.0": False},
    ),
    (
        "limit: versions at or above every limit are outside",
        "PyPI",
        "ECOSYSTEM",
        [("introduced", "1.0"), ("limit", "2.0")],
        {"0.9": False, "1.0": True, "1.9": True, "2.0": False, "3.0": False},
    ),
    (
        "limit: below any one of several limits is enough",
        "PyPI",
        "ECOSYSTEM",
        [("introduced", "1.0"), ("limit", "2.0"), ("limit", "3.0")],
        {"2.5": True, "3.0": False},
    ),
    (
        'limit: "*" is infinity and lifts the other limits',
        "PyPI",
        "ECOSYSTEM",
        [("introduced", "1.0"), ("limit", "2.0"), ("limit", "*")],
        {"0.5": False, "5.0": True},
    ),
    (
        "limit and fixed together",
        "Go",
        "SEMVER",
        [("introduced", "0"), ("fixed", "1.5.0"), ("introduced", "2.0.0"), ("limit", "2.5.0")],
        {"1.4.9": True, "1.5.0": False, "2.0.0": True, "2.4.9": True, "2.5.0": False},
    ),
    (
        "equal versions keep record order: introduced X, fixed X is empty (RustSec writes these)",
        "crates.io",
        "SEMVER",
        [("introduced", "0.23.0"), ("fixed", "0.23.0")],
        {"0.22.0": False, "0.23.0": False, "0.24.0": False},
    ),
    (
        "equal versions keep record order: fixed X, introduced X re-opens at X",
        "crates.io",
        "SEMVER",
        [("introduced", "0"), ("fixed", "1.0.0"), ("introduced", "1.0.0"), ("fixed", "2.0.0")],
        {"0.5.0": True, "1.0.0": True, "1.5.0": True, "2.0.0": False},
    ),
    (
        "introduced X, last_affected X is exactly X",
        "PyPI",
        "ECOSYSTEM",
        [("introduced", "1.0"), ("last_affected", "1.0")],
        {"0.9": False, "1.0": True, "1.0.0": True, "1.0.1": False},
    ),
    (
        "overlapping pairs follow the sorted timeline, not the pairs (PYSEC-2021-114)",
        "PyPI",
        "ECOSYSTEM",
        [("introduced", "2.11"), ("fixed", "2.11.7"), ("introduced", "0"), ("fixed", "2.11.6")],
        {"2.11.5": True, "2.11.6": False, "2.11.7": False},
    ),
    (
        "SEMVER ranges take Go's v prefix and pseudo-versions",
        "Go",
        "SEMVER",
        [("introduced", "0"), ("fixed", "0.0.0-20220525230936-793ad666bf5e")],
        {"v0.0.0-20210101000000-abcdefabcdef": True, "0.0.0-20220525230936-793ad666bf5e": False},
    ),
    (
        "SEMVER ranges order by SemVer even in an ecosystem with its own scheme",
        "PyPI",
        "SEMVER",
        [("introduced", "1.0.0"), ("fixed", "1.2.0")],
        {"1.1.0": True, "1.2.0-rc.1": True, "1.2.0": False},
    ),
    (
        "a version the ecosystem's tool rejects is not in any range",
        "PyPI",
        "ECOSYSTEM",
        [("introduced", "0")],
        {"not a version": False, "1.0-legacy-build": False, "1.0": True},
    ),
]


@pytest.mark.parametrize(
    ("why", "ecosystem", "range_type", "events", "expected"),
    EVALUATION_CASES,
    ids=[c[0] for c in EVALUATION_CASES],
)
def test_evaluation(
    why: str, ecosystem: str, range_type: str, events: list[tuple[str, str]], expected: dict[str, bool]
) -> None:
    affected = _affected(ecosystem, events, range_type)
    got = {version: affected.affects(version) for version in expected}
    assert got == expected, why
    assert not affected.unevaluable()


def test_versions_list_matches_exactly_and_adds_to_ranges() -> None:
    affected = _affected("PyPI", [("introduced", "2.0"), ("fixed", "2.1")], versions=("1.0", "legacy-1"))
    assert affected.affects("1.0")
    assert affected.affects("legacy-1")  # invalid for PEP 440, listed: affected
    assert affected.affects("2.0.5")  # from the range
    assert not affected.affects("1.0.0")  # equal under PEP 440, but the list matches strings exactly
    assert not affected.affects("legacy-2")


def test_unknown_ecosystem_falls_back_to_the_versions_list() -> None:
    affected = _affected("Hackage", [("introduced", "0"), ("fixed", "1.0")], versions=("0.5",))
    assert affected.affects("0.5")
    assert not affected.affects("0.6")
    assert affected.unevaluable() == ("ranges[0]: no version ordering for ecosystem 'Hackage'",)
    # A SEMVER range needs no ecosystem ordering.
    semver = _affected("Hackage", [("introduced", "0"), ("fixed", "1.0.0")], range_type="SEMVER")
    assert semver.affects("0.6.0")
    assert not semver.affects("1.0.0")


def test_a_range_with_a_version_the_tool_rejects_is_skipped_and_reported() -> None:
    # PYSEC-2021-371 has this range; its versions list still says what is affected.
    affected = _affected("PyPI", [("introduced", "0"), ("fixed", "0.2.0-n653")], versions=("0.1.0",))
    assert affected.affects("0.1.0")
    assert not affected.affects("0.1.1")
    assert affected.unevaluable() == ("ranges[0]: invalid PyPI version '0.2.0-n653': not a PEP 440 version",)


def test_git_ranges_are_kept_but_never_evaluated() -> None:
    entry = {
        "package": {"ecosystem": "PyPI", "name": "pikepdf"},
        "ranges": [
            {
                "type": "GIT",
                "repo": "https://github.com/pikepdf/pikepdf",
                "events": [{"introduced": "0"}, {"fixed": "3f38f73218e5e782fe411ccbb3b44a793c0b343a"}],
            },
            {"type": "ECOSYSTEM", "events": [{"introduced": "2.8.0"}, {"fixed": "2.10.0"}]},
        ],
    }
    affected = parse_record(_record([entry])).affected[0]
    (git,) = affected.git_ranges()
    assert git.repo == "https://github.com/pikepdf/pikepdf"
    assert git.events == (
        Event("introduced", "0"),
        Event("fixed", "3f38f73218e5e782fe411ccbb3b44a793c0b343a"),
    )
    assert not affected.affects("1.0")  # the GIT range's "introduced 0" does not count
    assert affected.affects("2.9.2")
    assert affected.fixed_versions() == ("2.10.0",)


def test_fixed_versions_in_ecosystem_order() -> None:
    events = [("introduced", "1.10"), ("fixed", "1.10.3"), ("introduced", "0"), ("fixed", "1.9.12")]
    affected = _affected("PyPI", events)
    assert affected.fixed_versions() == ("1.9.12", "1.10.3")  # not string order
    last = _affected("Maven", [("introduced", "0"), ("last_affected", "2.1.214")])
    assert last.fixed_versions() == ()
    assert last.last_affected_versions() == ("2.1.214",)


def test_affects_key_reuses_one_parse_and_refuses_another_ecosystem() -> None:
    affected = _affected("Debian:11", [("introduced", "0"), ("fixed", "2.0-1")])
    key = version_key("Debian:12", "1.9-3")  # the release suffix does not change the ordering
    assert affected.affects_key(key)
    with pytest.raises(
        ValueError, match="a version key for 'Alpine' cannot be checked against a 'Debian' package"
    ):
        affected.affects_key(version_key("Alpine:v3.18", "1.9-r3"))


SEMVER_POOL = ["0.1.0", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0", "2.0.0", "2.0.0+build", "3.0.0"]
EVENTS = st.lists(
    st.tuples(
        st.sampled_from(["introduced", "fixed", "last_affected", "limit"]), st.sampled_from(SEMVER_POOL)
    ),
    max_size=8,
)


def _reference(version: str, events: list[tuple[str, str]]) -> bool:
    """The specification's IsVulnerable pseudo-code for one SEMVER range, transcribed line by line."""
    limits = [v for kind, v in events if kind == "limit"]
    if limits and not any(compare("SemVer", version, limit) < 0 for limit in limits):
        return False
    timeline = [e for e in events if e[0] != "limit"]
    for i in range(1, len(timeline)):  # insertion sort: stable, so equal versions keep record order
        j = i
        while j and compare("SemVer", timeline[j][1], timeline[j - 1][1]) < 0:
            timeline[j - 1], timeline[j] = timeline[j], timeline[j - 1]
            j -= 1
    vulnerable = False
    for kind, value in timeline:
        if kind == "introduced" and compare("SemVer", version, value) >= 0:
            vulnerable = True
        elif kind == "fixed" and compare("SemVer", version, value) >= 0:  # noqa: SIM114 - kept as the spec reads
            vulnerable = False
        elif kind == "last_affected" and compare("SemVer", version, value) > 0:
            vulnerable = False
    return vulnerable


@settings(max_examples=300, deadline=None)
@given(
    events=EVENTS,
    zero=st.booleans(),
    fixed_or_last=st.sampled_from(["fixed", "last_affected"]),
    version=st.sampled_from([*SEMVER_POOL, "0.0.1", "1.1.0", "9.0.0"]),
)
def test_evaluation_matches_the_specification_pseudo_code(
    events: list[tuple[str, str]], zero: bool, fixed_or_last: str, version: str
) -> None:
    # One of fixed/last_affected per range, as the schema requires, and at least one introduced event;
    # "introduced 0" goes last, to show it sorts first. The reference gets the least SemVer version instead.
    events = [(fixed_or_last if kind in ("fixed", "last_affected") else kind, v) for kind, v in events]
    events = [*events, ("introduced", "0")] if zero else [("introduced", "1.0.0"), *events]
    reference_events = [("introduced", "0.0.0-0") if e == ("introduced", "0") else e for e in events]
    affected = _affected("npm", events, "SEMVER")
    assert affected.affects(version) == _reference(version, reference_events)


# --- parsing ----------------------------------------------------------------------------------------------

RANGE = {"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}
PACKAGE = {"ecosystem": "PyPI", "name": "pkg"}

# (why, record, the exact message)
INVALID_RECORDS = [
    ("not an object", ["id"], "expected an object, got list"),
    ("id is required", {"modified": "2024-01-01T00:00:00Z"}, "id: required"),
    ("modified is required", {"id": "X-1"}, "modified: required"),
    ("id is a string", _record(id=7), "id: expected a string, got int"),
    ("modified is a time", _record(modified="yesterday"), "modified: not an RFC 3339 time: 'yesterday'"),
    ("RFC 3339 needs a zone", _record(modified="2024-01-01T00:00:00"), "modified: not an RFC 3339 time:"),
    (
        "RFC 3339 needs a real date",
        _record(published="2024-02-30T00:00:00Z"),
        "published: not an RFC 3339 time:",
    ),
    ("affected is an array", {**_record(), "affected": {}}, "affected: expected an array, got dict"),
    (
        "package needs a name",
        _record([{"package": {"ecosystem": "PyPI"}}]),
        "affected[0].package.name: expected a string, got NoneType",
    ),
    (
        "a range needs an introduced event",
        _record(
            [{"package": PACKAGE, "ranges": [RANGE, {"type": "ECOSYSTEM", "events": [{"fixed": "1.0"}]}]}]
        ),
        'affected[0].ranges[1].events: a range needs an "introduced" event',
    ),
    (
        "a range needs events",
        _record([{"package": PACKAGE, "ranges": [{"type": "SEMVER", "events": []}]}]),
        "affected[0].ranges[0].events: a range needs at least one event",
    ),
    (
        "one kind per event",
        _record(
            [
                {
                    "package": PACKAGE,
                    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0", "fixed": "1"}]}],
                }
            ]
        ),
        "affected[0].ranges[0].events[0]: an event holds exactly one of introduced, fixed, last_affected, "
        "limit (found: introduced, fixed)",
    ),
    (
        "an event has a kind",
        _record(
            [
                {
                    "package": PACKAGE,
                    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fix": "1"}]}],
                }
            ]
        ),
        "affected[0].ranges[0].events[1]: an event holds exactly one of introduced, fixed, last_affected, "
        "limit (found: none)",
    ),
    (
        "fixed and last_affected exclude each other",
        _record(
            [
                {
                    "package": PACKAGE,
                    "ranges": [
                        {
                            "type": "ECOSYSTEM",
                            "events": [{"introduced": "0"}, {"fixed": "2"}, {"last_affected": "1"}],
                        }
                    ],
                }
            ]
        ),
        'affected[0].ranges[0].events: a range cannot have both "fixed" and "last_affected" events',
    ),
    (
        "the three range types",
        _record([{"package": PACKAGE, "ranges": [{"type": "NPM", "events": [{"introduced": "0"}]}]}]),
        "affected[0].ranges[0].type: unknown range type 'NPM' (one of ECOSYSTEM, SEMVER, GIT)",
    ),
    (
        "GIT ranges need a repo",
        _record([{"package": PACKAGE, "ranges": [{"type": "GIT", "events": [{"introduced": "0"}]}]}]),
        "affected[0].ranges[0].repo: a GIT range needs a repo",
    ),
    (
        "versions are strings (an unquoted YAML 1.10 would be the float 1.1)",
        _record([{"package": PACKAGE, "versions": ["1.0", 1.1]}]),
        "affected[0].versions[1]: expected a string, got float",
    ),
    (
        "event versions are strings",
        _record([{"package": PACKAGE, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": 0}]}]}]),
        "affected[0].ranges[0].events[0].introduced: expected a string, got int",
    ),
    (
        "severity entries have a score",
        _record(severity=[{"type": "CVSS_V3"}]),
        "severity[0].score: expected a string, got NoneType",
    ),
]


@pytest.mark.parametrize(("why", "data", "message"), INVALID_RECORDS, ids=[c[0] for c in INVALID_RECORDS])
def test_invalid_records_name_the_path(why: str, data: Any, message: str) -> None:
    with pytest.raises(OsvError) as caught:
        parse_record(data)
    assert str(caught.value).startswith(message), why


def test_full_record_round_trip() -> None:
    data = _record(
        [
            {
                "package": {"ecosystem": "npm", "name": "elliptic", "purl": "pkg:npm/elliptic"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "6.5.4"}]}],
                "ecosystem_specific": {"severity": "HIGH"},
            }
        ],
        id="GHSA-r9p9-mrjm-926w",
        modified="2021-03-08T16:02:43.123456789+01:00",
        published="0001-01-01T00:00:00Z",
        aliases=["CVE-2020-28498"],
        related=None,
        upstream=["CVE-2020-0001"],
        summary="Use of a Broken or Risky Cryptographic Algorithm",
        severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N"}],
        references=[{"type": "ADVISORY", "url": "https://nvd.nist.gov/vuln/detail/CVE-2020-28498"}],
        database_specific={"severity": "MODERATE"},
        credits=[{"name": "someone"}],
    )
    record = parse_record(data)
    assert record.id == "GHSA-r9p9-mrjm-926w"
    assert record.modified == datetime(2021, 3, 8, 15, 2, 43, 123456, tzinfo=UTC)
    assert record.published == datetime(1, 1, 1, tzinfo=UTC)  # Go's vulndb writes the zero time
    assert record.withdrawn is None
    assert not record.is_withdrawn
    assert record.aliases == ("CVE-2020-28498",)
    assert record.related == ()
    assert record.upstream == ("CVE-2020-0001",)
    assert record.details == ""
    assert record.severity == (Severity("CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N"),)
    assert record.references == (("ADVISORY", "https://nvd.nist.gov/vuln/detail/CVE-2020-28498"),)
    assert record.database_specific == {"severity": "MODERATE"}
    assert record.raw is data
    (affected,) = record.affected
    assert (affected.ecosystem, affected.name, affected.purl) == ("npm", "elliptic", "pkg:npm/elliptic")
    assert affected.ecosystem_specific == {"severity": "HIGH"}
    assert affected.package_key == ("npm", "elliptic")
    assert hash(record) == hash(parse_record(data))  # frozen, and mappings stay out of equality


def test_times_already_decoded_by_a_yaml_loader() -> None:
    # yaml.safe_load makes datetimes of unquoted times; a naive one is UTC, as OSV times always are.
    naive = parse_record({"id": "X-1", "modified": datetime(2024, 1, 2, 3, 4, 5)})
    assert naive.modified == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    with pytest.raises(OsvError, match="modified: not an RFC 3339 time"):
        parse_record({"id": "X-1", "modified": 20240102})


def test_withdrawn() -> None:
    record = parse_record(_record(withdrawn="2024-05-06T07:08:09Z"))
    assert record.is_withdrawn
    assert record.withdrawn == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def test_affected_without_package_is_kept() -> None:
    # osv.dev's CVE records may carry only GIT ranges (offline-dbs/GIT/CVE-2025-11187.json).
    entry = {
        "ranges": [
            {"type": "GIT", "repo": "https://github.com/openssl/openssl", "events": [{"introduced": "0"}]}
        ]
    }
    (affected,) = parse_record(_record([entry])).affected
    assert (affected.ecosystem, affected.name) == ("", "")
    assert not affected.affects("3.0.0")


def test_load_record_json_and_yaml() -> None:
    yaml_text = b"""id: PYSEC-2023-121
modified: 2023-07-25T16:31:58.309647Z
affected:
- package: {ecosystem: PyPI, name: zstd}
  ranges:
  - type: ECOSYSTEM
    events:
    - introduced: "0"
    - fixed: "1.5.5.1"
"""
    record = load_record(yaml_text, "vulns/zstd/PYSEC-2023-121.yaml")
    assert record.modified == datetime(2023, 7, 25, 16, 31, 58, 309647, tzinfo=UTC)
    assert record.raw["modified"] == "2023-07-25T16:31:58.309647Z"  # kept as written, like JSON
    assert record.affected[0].affects("1.5.5.0")
    assert load_record(json.dumps(record.raw).encode(), "x.JSON") == record
    with pytest.raises(OsvError, match="not valid JSON"):
        load_record(b"{", "broken.json")
    with pytest.raises(OsvError, match="not valid YAML"):
        load_record(b"id: [", "broken.yml")
    with pytest.raises(OsvError, match=r"notes\.txt: not a \.json, \.yaml or \.yml file"):
        load_record(b"{}", "notes.txt")


# --- sources ----------------------------------------------------------------------------------------------

GOOD = json.dumps(_record(id="OSV-1")).encode()
BAD = json.dumps({"id": "OSV-2"}).encode()
MEMBERS = {"a/OSV-1.json": GOOD, "a/b/OSV-2.json": BAD, "c/OSV-3.yaml": b"id: OSV-3\nmodified: nope\n"}
NOT_RECORDS = {"README.md": b"# hello", "a/LICENSE": b"text", "a/.hidden.json": b"{"}


def _expected_results(prefix: str = "") -> list[tuple[str, str]]:
    return [
        (prefix + "a/OSV-1.json", "OSV-1"),
        (prefix + "a/b/OSV-2.json", "modified: required"),
        (prefix + "c/OSV-3.yaml", "modified: not an RFC 3339 time: 'nope'"),
    ]


def _summary(path: Path) -> list[tuple[str, str]]:
    return sorted((name, r.id if isinstance(r, Record) else str(r)) for name, r in iter_source(path))


def test_iter_source_folder(tmp_path: Path) -> None:
    for name, data in {**MEMBERS, **NOT_RECORDS}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    assert _summary(tmp_path) == _expected_results()
    assert count_source(tmp_path) == 3
    assert _summary(tmp_path / "a" / "OSV-1.json") == [("OSV-1.json", "OSV-1")]


def test_iter_source_zip(tmp_path: Path) -> None:
    path = tmp_path / "all.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in {**MEMBERS, **NOT_RECORDS}.items():
            archive.writestr(name, data)
    assert _summary(path) == _expected_results()
    assert count_source(path) == 3


@pytest.mark.parametrize("suffix", [".tar.gz", ".tgz", ".tar"])
def test_iter_source_tarball(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"records{suffix}"
    with tarfile.open(path, "w:gz" if suffix != ".tar" else "w") as archive:
        for name, data in {**MEMBERS, **NOT_RECORDS}.items():
            info = tarfile.TarInfo(f"top/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    assert _summary(path) == _expected_results("top/")
    assert count_source(path) == 3


def test_iter_source_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(OsvError, match=r"not a folder, \.zip, tarball or OSV record file"):
        list(iter_source(tmp_path / "notes.txt"))
    with pytest.raises(OsvError):
        count_source(tmp_path / "missing")


# --- names ------------------------------------------------------------------------------------------------

NAMES = [
    ("PyPI", "Django_REST.framework", "django-rest-framework"),
    ("PyPI", "zope.interface", "zope-interface"),
    ("pypi", "A__B--C", "a-b-c"),
    ("crates.io", "Serde-JSON", "serde_json"),
    ("NuGet", "Newtonsoft.Json", "newtonsoft.json"),
    ("Packagist", "Symfony/HTTP-Kernel", "symfony/http-kernel"),
    ("GitHub Actions", "Actions/Checkout", "actions/checkout"),
    ("npm", "JSONStream", "JSONStream"),
    ("npm", "@Babel/core", "@Babel/core"),
    ("Go", "github.com/BurntSushi/toml", "github.com/BurntSushi/toml"),
    ("Maven", "org.Apache.logging:Log4j-Core", "org.Apache.logging:Log4j-Core"),
    ("RubyGems", "RedCloth", "RedCloth"),
    ("Debian:12", "libxml2", "libxml2"),
    ("Red Hat:rhel_aus:8.4::appstream", "Kernel", "Kernel"),
    ("Hackage", "QuickCheck", "QuickCheck"),
]


@pytest.mark.parametrize(("ecosystem", "name", "key"), NAMES)
def test_normalise_name(ecosystem: str, name: str, key: str) -> None:
    assert normalise_name(ecosystem, name) == key


@pytest.mark.parametrize(
    ("ecosystem", "base"),
    [
        ("Debian:12", "Debian"),
        ("debian", "Debian"),
        ("Ubuntu:Pro:18.04:LTS", "Ubuntu"),
        ("Red Hat:rhel_aus:8.4::appstream", "Red Hat"),
        ("Maven:https://maven.google.com", "Maven"),
        ("CRATES.IO", "crates.io"),
        ("Alpine:v3.18", "Alpine"),
        ("GitHub Actions", "GitHub Actions"),
        ("Hackage:x", "Hackage"),
        ("", ""),
    ],
)
def test_ecosystem_base(ecosystem: str, base: str) -> None:
    assert ecosystem_base(ecosystem) == base


# --- scoring ----------------------------------------------------------------------------------------------

# (vector type, vector, base, label): scores as NVD's detail pages give them.
KNOWN_VECTORS = [
    # CVE-2021-44228 (Log4Shell), NVD: v3.1 10.0 CRITICAL, v2 9.3 HIGH
    ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, "critical"),
    ("CVSS_V2", "AV:N/AC:M/Au:N/C:C/I:C/A:C", 9.3, "high"),
    # CVE-2014-0160 (Heartbleed), NVD: v3.1 7.5 HIGH, v2 5.0 MEDIUM
    ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5, "high"),
    ("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:N/A:N", 5.0, "medium"),
    # CVE-2020-28498 (elliptic, the specification's GHSA example), NVD: v3.1 6.8 MEDIUM
    ("CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N", 6.8, "medium"),
    # NVD v2 2.6 LOW, a common score (e.g. CVE-2012-0053)
    ("CVSS_V2", "AV:N/AC:H/Au:N/C:N/I:P/A:N", 2.6, "low"),
    # FIRST's CVSS v4.0 calculator: network, no privileges, full impact on the vulnerable system: 9.3
    ("CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, "critical"),
    # no impact at all: 0.0, "none" (CVSS v3.1 specification, table 14)
    ("CVSS_V3", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, "none"),
]


@pytest.mark.parametrize(("kind", "vector", "base", "label"), KNOWN_VECTORS)
def test_score_known_vectors(kind: str, vector: str, base: float, label: str) -> None:
    got = score(parse_record(_record(severity=[{"type": kind, "score": vector}])))
    assert got is not None
    assert (got.vector, got.base, got.label, got.source) == (vector, base, label, "severity[0]")


def _scored(severity: list[dict[str, str]] | None = None, **fields: Any) -> Score | None:
    return score(parse_record(_record(severity=severity or [], **fields)))


def test_score_prefers_the_newest_cvss_version_then_the_highest_base() -> None:
    got = _scored(
        [
            {"type": "CVSS_V2", "score": "AV:N/AC:M/Au:N/C:C/I:C/A:C"},
            {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"},
            {"type": "CVSS_V3", "score": "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"},
        ]
    )
    assert got == Score(
        "3.0", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, "critical", "severity[2]"
    )
    v4 = _scored(
        [
            {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"},
            {"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N"},
        ]
    )
    assert v4 is not None
    assert v4.version == "4.0"  # newer wins over a higher v3.1 base score
    assert v4.base is not None
    assert v4.base < 10.0


def test_score_skips_bad_vectors_and_falls_back_to_words() -> None:
    bad = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N"}, {"type": "CVSS_V4", "score": "garbage"}]
    assert _scored(bad) is None
    assert _scored(bad, database_specific={"severity": "MODERATE"}) == Score(
        "", "", None, "medium", "database_specific.severity"
    )
    assert _scored(
        [{"type": "Ubuntu", "score": "negligible"}], database_specific={"severity": "HIGH"}
    ) == Score("", "", None, "low", "severity[0]")
    packages = [
        {"package": PACKAGE, "ecosystem_specific": {"severity": "MEDIUM"}},
        {"package": PACKAGE, "database_specific": {"severity": "CRITICAL"}},
        {"package": PACKAGE, "ecosystem_specific": {"severity": {"not": "a word"}}},
    ]
    assert _scored(affected=packages) == Score(
        "", "", None, "critical", "affected[1].database_specific.severity"
    )
    per_package = [
        {"package": PACKAGE, "severity": [{"type": "CVSS_V2", "score": "AV:N/AC:L/Au:N/C:P/I:N/A:N"}]}
    ]
    got = _scored(affected=per_package)
    assert got is not None
    assert (got.base, got.source) == (5.0, "affected[0].severity[0]")


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(["CVSS_V2", "CVSS_V3", "CVSS_V4", "Ubuntu", "other"]),
    vector=st.one_of(
        st.text(alphabet="CVSS:234.01/AVNLPRUIHSCMEXOTWQDuGbkh", max_size=90),
        st.sampled_from([v for _, v, _, _ in KNOWN_VECTORS]).map(lambda v: v[: len(v) // 2]),
    ),
)
def test_score_never_raises(kind: str, vector: str) -> None:
    got = _scored([{"type": kind, "score": vector}])
    assert got is None or got.label in LABELS


# --- the shared data --------------------------------------------------------------------------------------


@cache
def _load(source: str) -> tuple[tuple[str, Record | OsvError], ...]:
    return tuple(iter_source(ADVISORIES / source))


@pytest.fixture(scope="module")
def advisories() -> Path:
    if not ADVISORIES.is_dir():
        if os.environ.get("OSSDESK_ALLOW_MISSING_SHARED_DATA") == "1":
            pytest.skip(f"shared advisories missing at {ADVISORIES.resolve()}")
        pytest.fail(
            f"shared advisories missing at {ADVISORIES.resolve()}: the tests expect the shared data folder "
            "beside the repository (set OSSDESK_ALLOW_MISSING_SHARED_DATA=1 to skip these tests)"
        )
    return ADVISORIES


def _records(source: str) -> list[Record]:
    return [r for _, r in _load(source) if isinstance(r, Record)]


@pytest.mark.parametrize(("source", "expected"), SOURCES.items())
def test_every_shared_record_parses(advisories: Path, source: str, expected: int) -> None:
    results = _load(source)
    errors = [(name, str(r)) for name, r in results if isinstance(r, OsvError)]
    assert not errors
    assert len(results) == count_source(advisories / source) == expected
    for record in _records(source):
        got = score(record)  # never raises on real data
        assert got is None or got.label in LABELS


# The PyPA records the JSON schema rejects for their GIT "fixed" values (data/README.md): accepted, because
# GIT events are never evaluated here, and their ECOSYSTEM ranges are sound.
SCHEMA_INVALID_GIT = {
    "PYSEC-2017-27": "b27f38a67573f4c989710c9bfb726dd4c1eeb929.patch",
    "PYSEC-2019-155": "4e7d0df9093",
    "PYSEC-2021-371": "195caac172690456dcdc8cc7a6ca50e05abf8182.patch",
    "PYSEC-2021-424": "cb35df940a",
    "PYSEC-2021-425": "cb35df940a",
    "PYSEC-2021-436": "91f2bd090",
    "PYSEC-2023-80": "02339dfda0f3caabad142060d511d10bfe93c520.",
}


def test_schema_invalid_git_hashes_are_accepted(advisories: Path) -> None:
    by_id = {r.id: r for r in _records("osv-pypi.tar.gz")}
    for record_id, fixed in SCHEMA_INVALID_GIT.items():
        (git,) = by_id[record_id].affected[0].git_ranges()
        assert Event("fixed", fixed) in git.events


# PyPA ranges whose event versions PEP 440 rejects: the range is skipped, the versions list still counts.
PYPI_UNEVALUABLE = {
    "PYSEC-2019-125": ("ranges[0]: invalid PyPI version '2019-09-12': not a PEP 440 version",),
    "PYSEC-2021-371": ("ranges[1]: invalid PyPI version '0.2.0-n653': not a PEP 440 version",),
}

# Listed versions the ECOSYSTEM ranges do not cover, each read in the data:
PYPI_LISTED_OUTSIDE_RANGES = {
    # Django: "introduced: 3.2"/"4.2", yet the list holds their pre-releases, which PEP 440 puts before 3.2.
    ("PYSEC-2023-61", v)
    for v in ("3.2a1", "3.2b1", "3.2rc1", "4.2a1", "4.2b1", "4.2rc1")
} | {
    # "fixed: 23.9.0" while 23.9.0 and its post-release are listed as affected: the record contradicts itself.
    ("PYSEC-2023-177", "23.9.0"),
    ("PYSEC-2023-177", "23.9.0.post1"),
    # Overlapping pairs [2.11, 2.11.7) and [0, 2.11.6): the specification replays the sorted timeline, where
    # "fixed 2.11.6" comes after "introduced 2.11", so 2.11.6 is outside; PyPA read the pairs one by one.
    ("PYSEC-2021-114", "2.11.6"),
}
# Listed versions PEP 440 rejects (legacy versions): affected through the list only.
PYPI_LISTED_INVALID = 108


def test_pypi_listed_versions_lie_in_the_ranges(advisories: Path) -> None:
    outside, invalid, unevaluable, checked = set(), 0, {}, 0
    for record in _records("osv-pypi.tar.gz"):
        for affected in record.affected:
            if affected.unevaluable():
                unevaluable[record.id] = affected.unevaluable()
            if not any(r.type == "ECOSYSTEM" for r in affected.ranges):
                continue
            ranges_only = dataclasses.replace(affected, versions=())
            for version in affected.versions:
                assert affected.affects(version)
                if version_key("PyPI", version).native is None:
                    invalid += 1
                    assert not ranges_only.affects(version)
                    continue
                checked += 1
                if not ranges_only.affects(version):
                    outside.add((record.id, version))
    assert checked > 50_000
    assert sorted(outside) == sorted(PYPI_LISTED_OUTSIDE_RANGES)
    assert invalid == PYPI_LISTED_INVALID
    assert unevaluable == PYPI_UNEVALUABLE


# RustSec writes a patched version of an otherwise affected line as "introduced X, fixed X": an empty
# range, so X is not affected (events at equal versions keep record order).
EMPTY_RUST_RANGES = {
    ("RUSTSEC-2022-0012", "arrow2", "0.10.0"),
    ("RUSTSEC-2023-0039", "buffered-reader", "1.2.0"),
    ("RUSTSEC-2024-0399", "rustls", "0.23.0"),
    ("RUSTSEC-2026-0149", "wasmtime-wasi", "45.0.0"),
}


@pytest.mark.parametrize(
    ("source", "exceptions"), [("osv-go.tar.gz", set()), ("osv-rustsec.tar.gz", EMPTY_RUST_RANGES)]
)
def test_semver_ranges_include_introduced_and_exclude_fixed(
    advisories: Path, source: str, exceptions: set[tuple[str, str, str]]
) -> None:
    problems, introduced_outside, checked = [], set(), Counter[str]()
    for record in _records(source):
        for affected in record.affected:
            assert not affected.unevaluable(), record.id
            for rng in affected.ranges:
                for kind, version in rng.events:
                    if kind == "fixed":
                        checked[kind] += 1
                        if affected.affects(version):
                            problems.append(f"{record.id} {affected.name}: fixed {version} is affected")
                    elif kind == "introduced" and version != "0":
                        checked[kind] += 1
                        if not affected.affects(version):
                            introduced_outside.add((record.id, affected.name, version))
    assert not problems
    assert introduced_outside == exceptions
    assert checked["fixed"] >= 1000
    assert checked["introduced"] >= 500


def test_offline_db_samples_agree_with_their_versions_lists(advisories: Path) -> None:
    """osv.dev enumerates Maven, Debian, Packagist and PyPI versions from the ranges: they must agree."""
    checked = Counter[str]()
    for record in _records("osv-scanner-offline-dbs"):
        for affected in record.affected:
            if not any(r.type == "ECOSYSTEM" for r in affected.ranges) or affected.unevaluable():
                continue
            ranges_only = dataclasses.replace(affected, versions=())
            for version in affected.versions:
                if version_key(affected.ecosystem, version).native is not None:
                    checked[ecosystem_base(affected.ecosystem)] += 1
                    assert ranges_only.affects(version), (record.id, version)
    assert set(checked) >= {"Maven", "Debian", "PyPI"}


# --- decompression bombs ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    (folder / "empty").mkdir()
    return {
        ".zip": zip_bomb(folder / "all.zip", MEMBERS),
        ".tar.gz": tar_bomb(folder / "all.tar.gz", MEMBERS),
    }


# Reads the archive in a fresh process and reports its peak memory: what the import's process would use.
_READ_AND_MEASURE = """
import json, resource, sys
from pathlib import Path
from ossdesk.domain.osv import Record, iter_source
results = sorted((n, r.id if isinstance(r, Record) else str(r)) for n, r in iter_source(Path(sys.argv[1])))
print(json.dumps({"results": results, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def _read_and_measure(path: Path) -> dict[str, Any]:
    run = subprocess.run(
        [sys.executable, "-c", _READ_AND_MEASURE, str(path)], capture_output=True, text=True, check=True
    )
    measured: dict[str, Any] = json.loads(run.stdout)
    return measured


@pytest.mark.parametrize("suffix", [".zip", ".tar.gz"])
def test_a_bomb_member_is_a_bad_record_and_the_rest_still_read(bombs: dict[str, Path], suffix: str) -> None:
    path = bombs[suffix]
    assert path.stat().st_size < BOMB_BYTES // 100  # a huge member in a small archive
    measured = _read_and_measure(path)
    baseline = _read_and_measure(path.parent / "empty")["peak"]  # the interpreter and its imports
    expected = _expected_results()
    too_large = f"{BOMB_BYTES:,} bytes; a record may be at most {RECORD_MAX_BYTES:,} bytes"
    assert [tuple(r) for r in measured["results"]] == sorted(
        [*expected, (BOMB_NAME, too_large), *(("again/" + n, r) for n, r in expected)]
    )
    assert measured["peak"] - baseline < 4 * RECORD_MAX_BYTES < BOMB_BYTES / 8  # never the member whole


def test_a_member_whose_header_understates_its_size_is_read_no_further_than_the_cap(tmp_path: Path) -> None:
    records = tmp_path / "records"
    (records / "big").mkdir(parents=True)
    (records / "big" / "OSV-BIG.json").write_bytes(b" " * 40 + GOOD)
    assert _summary(records / "big" / "OSV-BIG.json") == [("OSV-BIG.json", "OSV-1")]
    small = list(iter_members(records, max_bytes=len(GOOD)))
    assert [(name, str(data)) for name, data in small] == [
        ("big/OSV-BIG.json", f"{len(GOOD) + 40:,} bytes; a record may be at most {len(GOOD):,} bytes")
    ]
    # A zip's local header can claim any size: the read stops one byte past the cap all the same.
    path = tmp_path / "lying.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("OSV-1.json", b" " * 40 + GOOD)
    with zipfile.ZipFile(path) as archive, archive.open("OSV-1.json") as stream:
        assert str(_bounded_read(stream, len(GOOD))) == (
            f"more than {len(GOOD):,} bytes; a record may be at most {len(GOOD):,} bytes"
        )
