"""The scanner's SARIF and CycloneDX VEX outputs, checked against the official SARIF 2.1.0 and CycloneDX
1.5 JSON schemas (``../shared/data/schemas``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ossdesk.domain import osv
from ossdesk.domain.inventory._model import package
from ossdesk.domain.scan import AdvisoryIndex, sarif_uri, scan, to_cyclonedx_vex, to_sarif

VECTORS = {
    "CVSS_V2": "AV:N/AC:L/Au:N/C:P/I:P/A:P",
    "CVSS_V3": "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS_V4": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
}


def _record(osv_id: str, name: str, kind: str, vector: str) -> osv.Record:
    return osv.parse_record(
        {
            "schema_version": "1.6.0",
            "id": osv_id,
            "modified": "2026-01-01T00:00:00Z",
            "summary": f"{name} is vulnerable",
            "severity": [{"type": kind, "score": vector}],
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": name},
                    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}],
                }
            ],
        }
    )


RECORDS = [
    _record("TEST-V2", "alpha", "CVSS_V2", VECTORS["CVSS_V2"]),
    _record("TEST-V30", "beta", "CVSS_V3", VECTORS["CVSS_V3"]),
    _record("TEST-V31", "gamma", "CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"),
    _record("TEST-V4", "delta", "CVSS_V4", VECTORS["CVSS_V4"]),
]


def _results(source: str):
    components = [package("PyPI", name, "1.0") for name in ("alpha", "beta", "gamma", "delta")]
    return [scan(source, "requirements.txt", components, AdvisoryIndex.from_records(RECORDS))]


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("requirements.txt", "requirements.txt"),
        ("my project/requirements.txt", "my%20project/requirements.txt"),
        ("/srv/my project/requirements #2.txt", "file:///srv/my%20project/requirements%20%232.txt"),
        ("C:\\Users\\me\\app dir\\package-lock.json", "file:///C:/Users/me/app%20dir/package-lock.json"),
        ("https://sbom.example/app.json", "https://sbom.example/app.json"),
    ],
)
def test_sarif_locations_are_uri_references(path: str, uri: str, shared_schemas) -> None:
    assert sarif_uri(path) == uri
    document = to_sarif(_results(path), tool_version="1.0")
    assert shared_schemas.errors("sarif", document) == []
    locations = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in document["runs"][0]["results"]
    }
    assert locations == {uri}


def test_the_sarif_schema_refuses_a_raw_path_with_a_space(shared_schemas) -> None:
    # What ossdesk wrote before: the oracle must reject it.
    document = to_sarif(_results("my project/requirements.txt"), tool_version="1.0")
    document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = (
        "my project/requirements.txt"
    )
    assert any("artifactLocation/uri" in e for e in shared_schemas.errors("sarif", document))


def test_cyclonedx_vex_rates_each_vector_with_its_own_method(shared_schemas) -> None:
    document = to_cyclonedx_vex(_results("requirements.txt"), now=datetime(2026, 3, 1, tzinfo=UTC))
    assert shared_schemas.errors("cyclonedx-1.5", document) == []
    methods = {v["id"]: [r["method"] for r in v["ratings"]] for v in document["vulnerabilities"]}
    assert methods == {
        "TEST-V2": ["CVSSv2"],
        "TEST-V30": ["CVSSv3"],
        "TEST-V31": ["CVSSv31"],
        "TEST-V4": ["CVSSv4"],
    }
    vectors = {v["id"]: v["ratings"][0]["vector"] for v in document["vulnerabilities"]}
    assert vectors["TEST-V2"] == VECTORS["CVSS_V2"]
    assert vectors["TEST-V30"] == VECTORS["CVSS_V3"]
