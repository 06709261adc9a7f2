"""The scan index and its JSON and SARIF outputs beyond what the schema tests cover: withdrawn and rejected
records, packages that cannot be looked up, advisories without a score, and the JSON text itself."""

from __future__ import annotations

import json

import pytest

from ossdesk.domain import osv
from ossdesk.domain.inventory._model import Component, package
from ossdesk.domain.scan import AdvisoryIndex, dumps, scan, to_json, to_sarif


def record(osv_id: str, name: str, *, severity: list | None = None, **extra) -> dict:
    return {
        "schema_version": "1.6.0",
        "id": osv_id,
        "modified": "2026-01-01T00:00:00Z",
        "summary": f"{name} lets anyone in",
        **({"severity": severity} if severity else {}),
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}],
            }
        ],
        **extra,
    }


UNSCORED = osv.parse_record(record("TEST-1", "alpha"))
SCORED = osv.parse_record(
    record(
        "TEST-2",
        "beta",
        severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    )
)
WITHDRAWN = osv.parse_record(record("TEST-3", "gamma", withdrawn="2026-01-02T00:00:00Z"))


def test_withdrawn_records_are_left_out_of_the_index():
    index = AdvisoryIndex.from_records([UNSCORED, WITHDRAWN])
    assert index.records == 1
    assert list(index.entries) == [UNSCORED.affected[0].package_key]


def test_a_source_keeps_the_records_it_could_not_parse_with_the_reason():
    with pytest.raises(osv.OsvError) as caught:
        osv.parse_record({"id": "", "modified": "2026-01-01T00:00:00Z"})
    index = AdvisoryIndex.from_source([("alpha.json", UNSCORED), ("broken.json", caught.value)])
    assert index.records == 1
    assert index.rejected == [("broken.json", "id: empty")]


def test_prepare_compiles_each_package_once():
    index = AdvisoryIndex.from_records([UNSCORED, SCORED])
    index.prepare()
    key = UNSCORED.affected[0].package_key
    compiled = index.matcher(key)
    assert compiled is not None
    assert index.matcher(key) is compiled
    assert index.matcher(("PyPI", "nobody")) is None


def test_packages_without_an_ecosystem_or_version_are_listed_unmatched():
    index = AdvisoryIndex.from_records([UNSCORED, SCORED])
    components = [
        package("PyPI", "alpha", "1.0"),
        package("PyPI", "beta", "1.5"),
        package("PyPI", "alpha", None),
        Component(None, "beta", "1.0", None),
    ]
    result = scan("requirements.txt", "requirements.txt", components, index)
    assert [
        (p.component.name, p.component.version, [v.advisory.id for v in p.vulnerabilities])
        for p in result.packages
    ] == [("alpha", "1.0", ["TEST-1"]), ("beta", "1.5", ["TEST-2"]), ("alpha", None, []), ("beta", "1.0", [])]
    assert result.vulnerability_count == 2
    assert [p.component.name for p in result.vulnerable] == ["alpha", "beta"]


def test_json_output_lists_packages_and_their_vulnerabilities():
    index = AdvisoryIndex.from_records([UNSCORED])
    result = scan(
        "req.txt", "requirements.txt", [package("PyPI", "alpha", "1.0"), package("PyPI", "b", "1")], index
    )
    document = to_json([result], only_vulnerable=True)
    assert document == {
        "results": [
            {
                "source": {"path": "req.txt", "type": "requirements.txt"},
                "packages": [
                    {
                        "package": {
                            "ecosystem": "PyPI",
                            "name": "alpha",
                            "version": "1.0",
                            "purl": "pkg:pypi/alpha@1.0",
                        },
                        "vulnerabilities": [
                            {
                                "id": "TEST-1",
                                "aliases": [],
                                "summary": "alpha lets anyone in",
                                "severity": "unknown",
                                "cvss_score": None,
                                "cvss_vector": None,
                                "fixed": ["2.0"],
                            }
                        ],
                    }
                ],
            }
        ]
    }
    assert len(to_json([result])["results"][0]["packages"]) == 2


def test_sarif_rules_of_unscored_advisories_have_no_security_severity():
    index = AdvisoryIndex.from_records([UNSCORED, SCORED])
    components = [package("PyPI", "alpha", "1.0"), package("PyPI", "beta", "1.0")]
    sarif = to_sarif([scan("req.txt", "requirements.txt", components, index)], tool_version="1.0")
    rules = {rule["id"]: rule["properties"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert rules == {
        "TEST-1": {"aliases": []},
        "TEST-2": {"aliases": [], "security-severity": "9.8"},
    }


def test_dumps_writes_indented_utf8_text():
    text = dumps({"summary": "Umgehung der Prüfung"})
    assert text == '{\n  "summary": "Umgehung der Prüfung"\n}'
    assert json.loads(text) == {"summary": "Umgehung der Prüfung"}
