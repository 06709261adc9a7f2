"""PackageMatcher gives exactly what evaluating every affected entry one by one gives.

Over every package of every record in the shared data, at every version the records mention (listed
versions, every event, and neighbours of them), plus hand-made cases for the corners of the rules.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from tests.domain.test_osv import _records
from tests.domain.test_osv import advisories as advisories

from ossdesk.domain.osv import Affected, PackageMatcher, Record, parse_record


def _affected(
    ecosystem: str, *ranges: list[dict[str, str]], versions: tuple[str, ...] = (), kind: str = "ECOSYSTEM"
) -> Affected:
    record = parse_record(
        {
            "id": "TEST-1",
            "modified": "2024-01-01T00:00:00Z",
            "affected": [
                {
                    "package": {"ecosystem": ecosystem, "name": "pkg"},
                    "ranges": [{"type": kind, "events": events} for events in ranges],
                    "versions": list(versions),
                }
            ],
        }
    )
    return record.affected[0]


def _one_by_one(entries, version):
    return tuple(dict.fromkeys(item for item, affected in entries if affected.affects(version)))


CASES = [
    # fixed and last_affected at the same point as introduced; limits; several ranges; SEMVER; lists
    ("PyPI", [[{"introduced": "1.0"}, {"last_affected": "1.5"}]], ()),
    ("PyPI", [[{"introduced": "0"}, {"fixed": "1.0"}, {"introduced": "2.0"}]], ()),
    ("PyPI", [[{"introduced": "1.0"}, {"fixed": "1.0"}]], ()),
    ("PyPI", [[{"introduced": "0.5"}, {"fixed": "1.0"}, {"introduced": "1.0"}, {"fixed": "1.2"}]], ()),
    (
        "PyPI",
        [[{"introduced": "0"}, {"limit": "1.5"}], [{"introduced": "1.2"}, {"last_affected": "1.2"}]],
        ("0.9.9.9",),
    ),
    ("Maven", [[{"introduced": "0"}, {"fixed": "2.0-beta1"}]], ()),
    (
        "npm",
        [[{"introduced": "0"}, {"last_affected": "1.2.3"}], [{"introduced": "2.0.0"}, {"limit": "3.0.0"}]],
        (),
    ),
    ("Go", [[{"introduced": "0"}, {"fixed": "1.19.2"}]], ()),
    ("Debian:12", [[{"introduced": "0"}, {"fixed": "1:2.0-1"}]], ("1.0~rc1",)),
]
PROBES = [
    "0",
    "0.1",
    "0.5",
    "0.9.9.9",
    "1.0",
    "1.0.1",
    "1.1",
    "1.2",
    "1.2.3",
    "1.2.4",
    "1.5",
    "1.5.1",
    "2.0",
    "2.0-beta1",
    "2.0.0",
    "2.5.0",
    "3.0.0",
    "3.0.1",
    "1:2.0-1",
    "1:1.9",
    "1.0~rc1",
    "v1.19.1",
    "1.19.2",
    "not a version!",
]


@pytest.mark.parametrize(("ecosystem", "ranges", "versions"), CASES)
def test_hand_made_rules(ecosystem, ranges, versions):
    affected = _affected(ecosystem, *ranges, versions=versions)
    semver = _affected(ecosystem, *ranges, kind="SEMVER") if ecosystem in {"npm", "Go"} else affected
    entries = [("a", affected), ("b", semver), ("a", affected)]
    matcher = PackageMatcher(ecosystem, entries)
    for probe in PROBES:
        assert matcher.match(probe) == _one_by_one(entries, probe), probe


@pytest.mark.parametrize(
    "source", ["osv-pypi.tar.gz", "osv-go.tar.gz", "osv-rustsec.tar.gz", "osv-scanner-offline-dbs"]
)
def test_matcher_agrees_with_evaluating_each_entry_on_the_shared_data(advisories, source):
    by_package: dict[tuple[str, str], list[tuple[str, Affected]]] = defaultdict(list)
    records: list[Record] = _records(source)
    for record in records:
        for affected in record.affected:
            if affected.ecosystem and affected.name:
                by_package[affected.package_key].append((record.id, affected))
    checked = 0
    for (_, _), entries in by_package.items():
        ecosystem = entries[0][1].ecosystem
        matcher = PackageMatcher(ecosystem, entries)
        probes: set[str] = set()
        for _, affected in entries:
            probes.update(affected.versions)
            for rng in affected.ranges:
                for event in rng.events:
                    probes.add(event.version)
                    probes.add(event.version + ".1")
                    probes.add(event.version + "-rc1")
        probes.update({"0", "0.0.0", "999.0.0", "v0.0.1"})
        for probe in probes:
            assert matcher.match(probe) == _one_by_one(entries, probe), (entries[0][1].name, probe)
            checked += 1
    assert checked > 1000
