"""VEX documents the main VEX tests do not reach: OpenVEX without statements or with a non-object one,
CycloneDX with junk components, an unparseable purl narrowed to a version, XML without an analysis."""

from __future__ import annotations

import json

import pytest

from ossdesk.domain.vex import Statement, VexError, parse_vex

OPENVEX = {
    "@context": "https://openvex.dev/ns/v0.2.0",
    "@id": "https://vendor.example/vex/1",
    "author": "Vendor security team",
    "timestamp": "2026-01-01T00:00:00Z",
    "version": 1,
}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (OPENVEX, "vex.json: statements is missing or not a list"),
        (
            {**OPENVEX, "statements": {"vulnerability": "CVE-2024-1"}},
            "vex.json: statements is missing or not a list",
        ),
        ({**OPENVEX, "statements": ["CVE-2024-1"]}, "vex.json: statements[0]: not an object"),
    ],
)
def test_malformed_openvex_statements_are_refused(document, message):
    with pytest.raises(VexError) as caught:
        parse_vex(json.dumps(document).encode(), "vex.json")
    assert str(caught.value) == message


def test_cyclonedx_skips_junk_components_and_keeps_an_unparseable_purl_as_written():
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "components": ["junk", {"bom-ref": "app", "purl": "pkg:pypi/app@1.0"}],
        "vulnerabilities": [
            {
                "id": "CVE-2024-1",
                "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
                "affects": [{"ref": "app"}, {"ref": "pkg:", "versions": [{"version": "1.0"}]}],
            }
        ],
    }
    assert parse_vex(json.dumps(bom).encode()) == [
        Statement(
            vulnerability="CVE-2024-1",
            products=("pkg:pypi/app@1.0", "pkg:@1.0"),
            status="not_affected",
            justification="vulnerable_code_not_in_execute_path",
        )
    ]


def test_cyclonedx_xml_without_an_analysis_says_affected():
    xml = (
        b'<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">'
        b'<components><component type="library" bom-ref="app"><name>app</name>'
        b"<purl>pkg:pypi/app@1.0</purl></component></components>"
        b"<vulnerabilities><vulnerability><id>CVE-2024-1</id>"
        b"<affects><target><ref>app</ref></target></affects></vulnerability></vulnerabilities></bom>"
    )
    assert parse_vex(xml) == [
        Statement(vulnerability="CVE-2024-1", products=("pkg:pypi/app@1.0",), status="affected")
    ]
