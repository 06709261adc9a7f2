"""VEX: reading OpenVEX and CycloneDX (JSON and XML), writing OpenVEX 0.2.0 and CycloneDX 1.5.

Evidence: every CycloneDX VEX/VDR example of ``shared/data/sboms/cyclonedx`` is read, and what is read
is written back as CycloneDX that the CycloneDX 1.5 schema accepts and that reads back the same; XML
written by cyclonedx-python-lib (an independent writer) reads like its JSON; OpenVEX and CycloneDX
exports validate against their schemas and round-trip, for hand-picked statements and for hypothesis'.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import cyclonedx.schema
import pytest
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.impact_analysis import (
    ImpactAnalysisAffectedStatus,
    ImpactAnalysisJustification,
    ImpactAnalysisResponse,
    ImpactAnalysisState,
)
from cyclonedx.model.vulnerability import (
    BomTarget,
    BomTargetVersionRange,
    Vulnerability,
    VulnerabilityAnalysis,
    VulnerabilityReference,
    VulnerabilitySource,
)
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from hypothesis import given, settings
from hypothesis import strategies as st
from packageurl import PackageURL

from ossdesk.domain.vex import (
    CYCLONEDX_JUSTIFICATION_TO_JUSTIFICATION,
    CYCLONEDX_STATE_TO_STATUS,
    JUSTIFICATION_TO_CYCLONEDX,
    JUSTIFICATIONS,
    STATUS_TO_CYCLONEDX_STATE,
    STATUSES,
    Statement,
    VexError,
    parse_vex,
    to_cyclonedx_vex,
    to_openvex,
    validate_cyclonedx_vex,
    validate_openvex,
)

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "sboms" / "cyclonedx"
EXAMPLES = sorted(
    path
    for folder in ("VEX", "VDR")
    for path in (SHARED / folder).rglob("*")
    if path.suffix in (".json", ".xml")
)
CYCLONEDX_SCHEMAS = Path(cyclonedx.schema.__file__).parent / "_res"
WHEN = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
SERIAL = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"
DJANGO = "pkg:pypi/django@4.2.10"
# An absolute IRI (RFC 3987): a scheme, then no space and none of <>"{}| backslash ^ `.
IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*")


def as_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode("utf-8")


def write_openvex(statements: list[Statement], **changes: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "author": "ossdesk support vendor <security@vendor.example>",
        "document_id": "https://vendor.example/vex/2026-0001",
        "timestamp": WHEN,
        **changes,
    }
    return to_openvex(statements, **arguments)


def write_cyclonedx(statements: list[Statement]) -> dict[str, Any]:
    return to_cyclonedx_vex(statements, serial_number=SERIAL, timestamp=WHEN)


def inherited(statements: list[Statement], moment: datetime) -> list[Statement]:
    """The statements as a reader sees them after a write: no timestamp means the document's."""
    return [s if s.timestamp is not None else replace(s, timestamp=moment) for s in statements]


# A statement for every status and justification, with the texts OpenVEX wants.
EVERY_KIND = [
    Statement(
        "CVE-2024-27351",
        (DJANGO,),
        "affected",
        action_statement="Upgrade to 4.2.11-vendor1.",
        impact_statement="Reachable through QuerySet.values().",
        timestamp=WHEN - timedelta(days=2),
        aliases=("GHSA-vm8q-m57g-pff3",),
    ),
    Statement("CVE-2024-27351", ("pkg:pypi/django@4.2.11-vendor1",), "fixed", timestamp=WHEN),
    Statement("CVE-2024-24680", (DJANGO,), "under_investigation", timestamp=WHEN),
    *(
        Statement("CVE-2023-0001", (DJANGO,), "not_affected", justification=j, timestamp=WHEN)
        for j in JUSTIFICATIONS
    ),
    Statement(
        "PYSEC-2024-1",
        ("pkg:pypi/requests@2.31.0", "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1?type=jar"),
        "not_affected",
        impact_statement="The product never passes user input to the vulnerable function.",
        timestamp=WHEN,
    ),
    Statement(
        "CVE-2021-44228",
        (
            "pkg:generic/abc@vers:generic/%3E%3D2.9%7C%3C%3D4.1",
            "urn:cdx:cbb2cd68-2857-43b8-a10b-e8c03d277d18/1#product-ABC",
        ),
        "not_affected",
        justification="vulnerable_code_not_present",
        impact_statement="Class removed before shipping.",
        timestamp=WHEN,
    ),
    Statement(
        "CVE-2021-44229",
        (),
        "not_affected",
        justification="vulnerable_code_not_in_execute_path",
        impact_statement="Not exploitable in any product.",
        timestamp=WHEN,
    ),
]


# --------------------------------------------------------------------------------------------------------
# Every shared example is read, and what is read is written back validly
# --------------------------------------------------------------------------------------------------------
def test_the_examples_are_there():
    assert len(EXAMPLES) >= 39


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(SHARED)))
def test_every_example_is_read_and_round_trips_through_cyclonedx(path, shared_schemas):
    statements = parse_vex(path.read_bytes(), path.name)
    document = json.loads(path.read_bytes())
    assert len(statements) == len(document.get("vulnerabilities", []))
    written = write_cyclonedx(statements)
    assert validate_cyclonedx_vex(written) == []
    assert shared_schemas.errors("cyclonedx-1.5", written) == []
    assert parse_vex(as_bytes(written)) == inherited(statements, WHEN)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(SHARED)))
def test_every_example_is_written_as_openvex_or_refused_with_reasons(path, shared_schemas):
    statements = parse_vex(path.read_bytes(), path.name)
    if not statements:  # a BOM without vulnerabilities: nothing OpenVEX could say
        with pytest.raises(VexError, match="at least one statement"):
            write_openvex(statements)
        return
    writable = all(not s.problems() for s in statements) and all(
        IRI.fullmatch(p) for s in statements for p in s.products
    )
    if not writable:
        with pytest.raises(VexError, match="cannot write OpenVEX"):
            write_openvex(statements)
        return
    written = write_openvex(statements)
    assert validate_openvex(written) == []
    assert shared_schemas.errors("openvex", written) == []
    assert parse_vex(as_bytes(written)) == inherited(statements, WHEN)


def test_cisa_case_1_covers_the_four_statuses():
    folder = SHARED / "VEX" / "CISA-Use-Cases" / "Case-1"
    read = {p.stem: parse_vex(p.read_bytes(), p.name) for p in folder.glob("vex-*.json")}
    assert {name: [s.status for s in statements] for name, statements in read.items()} == {
        "vex-affected": ["affected"],
        "vex-fixed": ["fixed"],
        "vex-not_affected": ["not_affected"],
        "vex-under_investigation": ["under_investigation"],
    }
    (affected,) = read["vex-affected"]
    assert affected.products == ("product-DEF",), "no purl in the document: the bom-ref as written"
    assert affected.action_statement is not None
    assert affected.action_statement.startswith("This version of")
    assert affected.timestamp == datetime(2022, 3, 3, tzinfo=UTC), "the document's timestamp"
    (not_affected,) = read["vex-not_affected"]
    assert not_affected.justification == "vulnerable_code_not_present"
    assert not_affected.impact_statement is not None
    assert "removed before shipping" in not_affected.impact_statement


def test_a_bom_link_to_another_document_resolves_to_its_purl():
    (statement,) = parse_vex((SHARED / "VEX" / "vex.json").read_bytes())
    assert statement == Statement(
        vulnerability="CVE-2020-25649",
        products=("pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar",),
        status="not_affected",
        justification="vulnerable_code_not_in_execute_path",
        impact_statement=(
            "Automated dataflow analysis and manual code review indicates that the vulnerable code is not "
            "reachable, either directly or indirectly."
        ),
        action_statement=(
            "Upgrade com.fasterxml.jackson.core:jackson-databind to version 2.6.7.4, 2.9.10.7, 2.10.5.1 "
            "or higher."
        ),
        timestamp=datetime(2021, 10, 26, tzinfo=UTC),
        aliases=("SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302",),
    )


def test_versions_and_ranges_narrow_a_reference():
    (statement,) = parse_vex((SHARED / "VEX" / "CISA-Use-Cases" / "Case-4" / "vex.json").read_bytes())
    assert statement.products == (
        "product-ABC@2.4",
        "product-ABC@2.6",
        "product-ABC@vers:generic/>=2.9|<=4.1",
    )
    other_document = parse_vex((SHARED / "VEX" / "CISA-Use-Cases" / "Case-7" / "vex.json").read_bytes())
    assert other_document[2].products == (
        "urn:cdx:e4c3eedc-4978-470c-ad02-6ffff63738ff/1#product-JKL@vers:generic/>=1.0|<=4.4",
    )


def test_a_vulnerability_without_affects_applies_to_every_product():
    (statement,) = parse_vex((SHARED / "VEX" / "Use-Cases" / "Case-7" / "vex.json").read_bytes())
    assert statement.products == ()
    assert statement.status == "not_affected"


# --------------------------------------------------------------------------------------------------------
# CycloneDX: references, states, justifications
# --------------------------------------------------------------------------------------------------------
def bom(*vulnerabilities: Any, **extra: Any) -> bytes:
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": SERIAL,
        "version": 1,
        "metadata": {
            "timestamp": "2026-03-01T00:00:00Z",
            "component": {
                "type": "application",
                "name": "shop",
                "bom-ref": "app",
                "purl": "pkg:generic/shop@3.1",
                "components": [
                    {"type": "library", "name": "inner", "bom-ref": "inner", "purl": "pkg:npm/inner@1.0.0"}
                ],
            },
        },
        "components": [
            {
                "type": "library",
                "name": "django",
                "bom-ref": "django-ref",
                "purl": DJANGO,
                "components": [
                    {"type": "library", "name": "nested", "bom-ref": "nested", "purl": "pkg:pypi/nested@1"}
                ],
            },
            {"type": "library", "name": "no-purl", "bom-ref": "no-purl"},
        ],
        "services": [{"name": "api", "bom-ref": "api-service"}],
        "vulnerabilities": list(vulnerabilities),
        **extra,
    }
    return as_bytes(document)


def vulnerability(state: str | None = "not_affected", *refs: str, **fields: Any) -> dict[str, Any]:
    analysis = {"state": state} if state is not None else {}
    analysis.update(fields.pop("analysis", {}))
    written: dict[str, Any] = {
        "id": "CVE-2024-27351",
        "affects": [{"ref": r} for r in refs or ("django-ref",)],
    }
    if analysis:
        written["analysis"] = analysis
    written.update(fields)
    return written


@pytest.mark.parametrize(
    ("ref", "product"),
    [
        ("django-ref", DJANGO),
        ("nested", "pkg:pypi/nested@1"),
        ("app", "pkg:generic/shop@3.1"),
        ("inner", "pkg:npm/inner@1.0.0"),
        ("no-purl", "no-purl"),
        ("api-service", "api-service"),
        ("not-in-this-bom", "not-in-this-bom"),
        (f"urn:cdx:{SERIAL[len('urn:uuid:') :]}/1#django-ref", DJANGO),
        (
            "urn:cdx:f08a6ccd-4dce-4759-bd84-c626675d60a7/1#django-ref",
            "urn:cdx:f08a6ccd-4dce-4759-bd84-c626675d60a7/1#django-ref",
        ),
        ("urn:cdx:f08a6ccd-4dce-4759-bd84-c626675d60a7/1#pkg%3Apypi%2Fdjango%404.2.10", DJANGO),
    ],
)
def test_references_resolve_to_purls(ref, product):
    (statement,) = parse_vex(bom(vulnerability("in_triage", ref)))
    assert statement.products == (product,)


def test_versions_of_a_purl_become_purl_versions():
    target = {
        "ref": "django-ref",
        "versions": [{"version": "4.2.9"}, {"range": "vers:pypi/<4.2.11", "status": "affected"}],
    }
    (statement,) = parse_vex(
        bom({"id": "CVE-2024-27351", "analysis": {"state": "exploitable"}, "affects": [target]})
    )
    assert statement.products == ("pkg:pypi/django@4.2.9", "pkg:pypi/django@vers:pypi/%3C4.2.11")
    assert PackageURL.from_string(statement.products[1]).version == "vers:pypi/<4.2.11"


@pytest.mark.parametrize(("state", "status"), sorted(CYCLONEDX_STATE_TO_STATUS.items()))
def test_cyclonedx_states(state, status):
    (statement,) = parse_vex(bom(vulnerability(state)))
    assert statement.status == status


def test_the_state_table_is_complete_and_reversible():
    schema = json.loads((CYCLONEDX_SCHEMAS / "bom-1.5.SNAPSHOT.schema.json").read_text(encoding="utf-8"))
    definitions = schema["definitions"]
    assert set(CYCLONEDX_STATE_TO_STATUS) == set(definitions["impactAnalysisState"]["enum"])
    assert set(CYCLONEDX_JUSTIFICATION_TO_JUSTIFICATION) == set(
        definitions["impactAnalysisJustification"]["enum"]
    )
    assert set(STATUS_TO_CYCLONEDX_STATE) == set(STATUSES)
    for status, state in STATUS_TO_CYCLONEDX_STATE.items():
        assert CYCLONEDX_STATE_TO_STATUS[state] == status
    assert set(JUSTIFICATION_TO_CYCLONEDX) | {"component_not_present"} == set(JUSTIFICATIONS)
    for justification, written in JUSTIFICATION_TO_CYCLONEDX.items():
        assert CYCLONEDX_JUSTIFICATION_TO_JUSTIFICATION[written] == justification


@pytest.mark.parametrize(
    ("cyclonedx_label", "justification"), sorted(CYCLONEDX_JUSTIFICATION_TO_JUSTIFICATION.items())
)
def test_cyclonedx_justifications(cyclonedx_label, justification):
    (statement,) = parse_vex(bom(vulnerability(analysis={"justification": cyclonedx_label})))
    assert statement.justification == justification


def test_false_positive_is_not_affected_because_the_component_is_not_present():
    (bare,) = parse_vex(bom(vulnerability("false_positive")))
    assert (bare.status, bare.justification) == ("not_affected", "component_not_present")
    (justified,) = parse_vex(
        bom(vulnerability("false_positive", analysis={"justification": "code_not_reachable"}))
    )
    assert justified.justification == "vulnerable_code_not_in_execute_path"


def test_a_justification_is_only_read_for_not_affected():
    (statement,) = parse_vex(
        bom(vulnerability("exploitable", analysis={"justification": "code_not_reachable"}))
    )
    assert (statement.status, statement.justification) == ("affected", None)


def test_without_analysis_the_affects_list_says_affected():
    (statement,) = parse_vex(bom(vulnerability(None, recommendation="Upgrade.")))
    assert (statement.status, statement.action_statement) == ("affected", "Upgrade.")


def test_texts_timestamps_and_aliases():
    (statement,) = parse_vex(
        bom(
            vulnerability(
                "exploitable",
                analysis={"detail": "Reachable.", "firstIssued": "2026-02-01T10:00:00+01:00"},
                recommendation="Upgrade.",
                references=[
                    {"id": "GHSA-vm8q-m57g-pff3", "source": {"name": "GitHub"}},
                    {"id": "CVE-2024-27351", "source": {}},
                ],
                updated="2026-02-03T00:00:00Z",
            )
        )
    )
    assert (statement.action_statement, statement.impact_statement) == ("Upgrade.", "Reachable.")
    assert statement.timestamp == datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
    assert statement.aliases == ("GHSA-vm8q-m57g-pff3",), "the vulnerability's own id is no alias"
    (dated,) = parse_vex(bom(vulnerability("in_triage", updated="2026-02-03T00:00:00Z")))
    assert dated.timestamp == datetime(2026, 2, 3, tzinfo=UTC)
    (undated,) = parse_vex(bom(vulnerability("in_triage")))
    assert undated.timestamp == datetime(2026, 3, 1, tzinfo=UTC), "the BOM's metadata.timestamp"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "neither JSON nor XML"),
        (b"{not json", "neither JSON nor XML"),
        (b"[1, 2]", "a JSON list"),
        (b'{"hello": "world"}', "not an OpenVEX document"),
        (bom(vulnerability("fixed")), "is not a CycloneDX impact analysis state"),
        (bom(vulnerability(analysis={"justification": "because"})), "is not a CycloneDX justification"),
        (bom({"analysis": {"state": "in_triage"}}), r"vulnerabilities\[0\]: has no id"),
        (bom({"id": "CVE-1", "affects": [{"versions": []}]}), r"affects\[0\]: has no ref"),
        (bom(vulnerability("in_triage", analysis={"lastUpdated": "yesterday"})), "is not a timestamp"),
        (
            bom(vulnerability("in_triage", analysis={"state": ["in_triage"]})),
            "not a CycloneDX impact analysis",
        ),
        (bom("CVE-2024-1"), r"vulnerabilities\[0\]: is a str, not an object"),
        (bom({"id": "CVE-1", "analysis": "in_triage"}), r"analysis: is a str, not an object"),
        (bom(vulnerability("in_triage", affects={"ref": "x"})), r"affects: is a dict, not a list"),
        (
            bom(vulnerability("in_triage", affects=[{"ref": "x", "versions": [{"status": "affected"}]}])),
            "needs a version or a range",
        ),
        (bom(metadata=[]), "metadata: is a list, not an object"),
        (b"<html><body/></html>", "not a CycloneDX BOM"),
        (b"<bom", "unreadable XML"),
    ],
)
def test_unreadable_documents_are_refused_with_the_reason(data, message):
    with pytest.raises(VexError, match=message) as raised:
        parse_vex(data, "upload.json")
    assert str(raised.value).startswith("upload.json: ")


# --------------------------------------------------------------------------------------------------------
# CycloneDX XML, only through defusedxml
# --------------------------------------------------------------------------------------------------------
def library_bom() -> Bom:
    """A VEX BOM built and serialised by cyclonedx-python-lib, an independent writer."""
    document = Bom()
    component = Component(
        name="django",
        version="4.2.10",
        type=ComponentType.LIBRARY,
        purl=PackageURL.from_string(DJANGO),
        bom_ref=DJANGO,
    )
    document.components.add(component)
    document.vulnerabilities.add(
        Vulnerability(
            id="CVE-2024-27351",
            references=[
                VulnerabilityReference(id="GHSA-vm8q-m57g-pff3", source=VulnerabilitySource(name="GHSA"))
            ],
            recommendation="Upgrade to 4.2.11.",
            analysis=VulnerabilityAnalysis(
                state=ImpactAnalysisState.NOT_AFFECTED,
                justification=ImpactAnalysisJustification.PROTECTED_BY_MITIGATING_CONTROL,
                responses=[ImpactAnalysisResponse.WILL_NOT_FIX],
                detail="A WAF rule blocks the payload.",
                last_updated=WHEN,
            ),
            affects=[
                BomTarget(
                    ref=DJANGO,
                    versions=[
                        BomTargetVersionRange(
                            version="4.2.10", status=ImpactAnalysisAffectedStatus.UNAFFECTED
                        ),
                        BomTargetVersionRange(range="vers:pypi/<4.2.10"),
                    ],
                )
            ],
        )
    )
    document.vulnerabilities.add(
        Vulnerability(
            id="CVE-2024-24680",
            analysis=VulnerabilityAnalysis(state=ImpactAnalysisState.IN_TRIAGE),
            affects=[BomTarget(ref=DJANGO)],
        )
    )
    return document


@pytest.mark.parametrize("version", [SchemaVersion.V1_4, SchemaVersion.V1_5, SchemaVersion.V1_6])
def test_xml_reads_like_json(version):
    document = library_bom()
    xml = make_outputter(document, OutputFormat.XML, version).output_as_string().encode("utf-8")
    as_json = make_outputter(document, OutputFormat.JSON, version).output_as_string().encode("utf-8")
    from_xml, from_json = parse_vex(xml, "vex.xml"), parse_vex(as_json, "vex.json")
    assert from_xml == from_json
    assert sorted(s.vulnerability for s in from_xml) == ["CVE-2024-24680", "CVE-2024-27351"]
    mitigated = next(s for s in from_xml if s.vulnerability == "CVE-2024-27351")
    assert mitigated == Statement(
        vulnerability="CVE-2024-27351",
        products=("pkg:pypi/django@4.2.10", "pkg:pypi/django@vers:pypi/%3C4.2.10"),
        status="not_affected",
        justification="inline_mitigations_already_exist",
        impact_statement="A WAF rule blocks the payload.",
        action_statement="Upgrade to 4.2.11.",
        # CycloneDX 1.4 has no analysis.lastUpdated: the statement takes the BOM's timestamp.
        timestamp=WHEN if version != SchemaVersion.V1_4 else mitigated.timestamp,
        aliases=("GHSA-vm8q-m57g-pff3",),
    )


def test_hand_written_xml_with_nested_components_and_bom_links():
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" serialNumber="{SERIAL}" version="1">
  <metadata>
    <timestamp>2026-03-01T00:00:00Z</timestamp>
    <component type="application" bom-ref="app"><name>shop</name><purl>pkg:generic/shop@3.1</purl></component>
  </metadata>
  <components>
    <component type="library" bom-ref="outer"><name>outer</name>
      <components>
        <component type="library" bom-ref="inner">
          <name>inner</name><purl>pkg:npm/inner@1.0.0</purl>
        </component>
      </components>
    </component>
  </components>
  <vulnerabilities>
    <vulnerability>
      <id>CVE-2024-0001</id>
      <analysis><state>exploitable</state><detail>  Patch now.  </detail></analysis>
      <affects>
        <target><ref>inner</ref></target>
        <target><ref>urn:cdx:{SERIAL[9:]}/1#app</ref></target>
        <target><ref>outer</ref><versions><version><range>vers:generic/&lt;2</range></version></versions></target>
      </affects>
    </vulnerability>
  </vulnerabilities>
</bom>""".encode()
    (statement,) = parse_vex(xml)
    assert statement.products == ("pkg:npm/inner@1.0.0", "pkg:generic/shop@3.1", "outer@vers:generic/<2")
    assert (statement.status, statement.action_statement) == ("affected", "Patch now.")
    assert statement.timestamp == datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "xml",
    [
        b'<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.5">&b;</bom>',
        b'<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.5">&x;</bom>',
    ],
    ids=["entity expansion", "external entity"],
)
def test_xml_entities_are_refused(xml):
    with pytest.raises(VexError, match="unreadable XML"):
        parse_vex(xml, "evil.xml")


# --------------------------------------------------------------------------------------------------------
# OpenVEX reading
# --------------------------------------------------------------------------------------------------------
def test_openvex_0_2_0():
    document = {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://openvex.dev/docs/public/vex-2e67563e128250cbcb3e98930df948dd053e43271d70dc50cfa22d57e03fe96f",
        "author": "Spring Builds <spring-builds@users.noreply.github.com>",
        "timestamp": "2023-01-16T19:07:16.853479631-06:00",
        "version": 1,
        "statements": [
            {
                "vulnerability": {
                    "@id": "https://nvd.nist.gov/vuln/detail/CVE-2021-44228",
                    "name": "CVE-2021-44228",
                    "aliases": ["GHSA-jfh8-c2jp-5v3q", "CVE-2021-44228"],
                },
                "products": [
                    {
                        "@id": "https://example.com/spring-boot",
                        "identifiers": {"purl": "pkg:maven/org.springframework.boot/spring-boot@2.6.0-M3"},
                    },
                    {"@id": "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64"},
                    {"identifiers": {"cpe23": "cpe:2.3:a:apache:log4j:2.4:-:*:*:*:*:*:*"}},
                ],
                "status": "not_affected",
                "justification": "vulnerable_code_not_in_execute_path",
                "impact_statement": "Only applications using log4j-core are vulnerable.",
            },
            {
                "vulnerability": {"name": "CVE-2023-12345"},
                "timestamp": "2023-01-08T18:02:03Z",
                "products": [{"@id": "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7"}],
                "status": "affected",
                "action_statement": "Update to 2.39.1.",
            },
        ],
    }
    first, second = parse_vex(as_bytes(document), "spring.openvex.json")
    assert first.products == (
        "pkg:maven/org.springframework.boot/spring-boot@2.6.0-M3",
        "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64",
        "cpe:2.3:a:apache:log4j:2.4:-:*:*:*:*:*:*",
    )
    assert first.aliases == ("GHSA-jfh8-c2jp-5v3q",)
    assert first.timestamp == datetime(2023, 1, 16, 19, 7, 16, 853479, tzinfo=timezone(timedelta(hours=-6)))
    assert (second.status, second.action_statement) == ("affected", "Update to 2.39.1.")
    assert second.timestamp == datetime(2023, 1, 8, 18, 2, 3, tzinfo=UTC)


def test_openvex_before_0_2_0_with_plain_strings():
    document = {
        "@context": "https://openvex.dev/ns",
        "@id": "https://openvex.dev/docs/example/vex-9fb3463de1b57",
        "author": "Wolfi J Inkinson",
        "timestamp": "2023-01-08T18:02:03.647787998-06:00",
        "version": "1",
        "statements": [
            {
                "vulnerability": "CVE-2014-123456",
                "products": [
                    "pkg:apk/distro/git@2.39.0-r1?arch=armv7",
                    "pkg:apk/distro/git@2.39.0-r1?arch=x86_64",
                ],
                "status": "fixed",
            }
        ],
    }
    (statement,) = parse_vex(as_bytes(document))
    assert statement.vulnerability == "CVE-2014-123456"
    assert statement.products == (
        "pkg:apk/distro/git@2.39.0-r1?arch=armv7",
        "pkg:apk/distro/git@2.39.0-r1?arch=x86_64",
    )
    assert statement.timestamp is not None
    assert statement.timestamp.utcoffset() == timedelta(hours=-6)


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ({"vulnerability": {"name": "CVE-1"}, "status": "maybe"}, "status 'maybe'"),
        (
            {"vulnerability": {"name": "CVE-1"}, "status": "not_affected", "justification": "trust me"},
            "justification 'trust me'",
        ),
        (
            {
                "vulnerability": {"name": "CVE-1"},
                "status": "affected",
                "justification": "component_not_present",
            },
            "only goes with not_affected",
        ),
        ({"vulnerability": {}, "status": "fixed"}, "needs a name"),
        ({"vulnerability": {"name": "CVE-1"}}, "has no status"),
        (
            {"vulnerability": {"name": "CVE-1"}, "status": "fixed", "products": [{"hashes": {"md5": "x"}}]},
            "needs an @id or an identifier",
        ),
        ({"vulnerability": {"name": "CVE-1"}, "status": "fixed", "products": [DJANGO, DJANGO]}, None),
    ],
)
def test_openvex_statements_refused(statement, message):
    document = {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "x:y",
        "author": "a",
        "timestamp": "2026-01-01T00:00:00Z",
        "version": 1,
        "statements": [statement],
    }
    if message is None:  # a product listed twice is read once
        (read,) = parse_vex(as_bytes(document))
        assert read.products == (DJANGO,)
        return
    with pytest.raises(VexError, match=message):
        parse_vex(as_bytes(document), "doc.json")


# --------------------------------------------------------------------------------------------------------
# Writing: valid against the schemas, and read back the same
# --------------------------------------------------------------------------------------------------------
def test_openvex_export_is_valid_and_round_trips(shared_schemas):
    statements = [
        s for s in EVERY_KIND if not s.products or all(p.startswith(("pkg:", "urn:")) for p in s.products)
    ]
    written = write_openvex(statements, version=3)
    assert validate_openvex(written) == []
    assert shared_schemas.errors("openvex", written) == []
    assert written["@context"] == "https://openvex.dev/ns/v0.2.0"
    assert written["version"] == 3
    assert written["statements"][0]["products"] == [{"@id": DJANGO, "identifiers": {"purl": DJANGO}}]
    assert written["statements"][0]["vulnerability"] == {
        "name": "CVE-2024-27351",
        "aliases": ["GHSA-vm8q-m57g-pff3"],
    }
    assert "products" not in written["statements"][-1]
    assert parse_vex(as_bytes(written)) == statements


def test_cyclonedx_export_is_valid_and_round_trips(shared_schemas):
    statements = [
        *EVERY_KIND,
        Statement(
            "CVE-2021-44228",
            ("product-ABC@2.4", "product-ABC@vers:generic/>=2.9|<=4.1"),
            "affected",
            action_statement="Upgrade.",
        ),
    ]
    written = write_cyclonedx(statements)
    assert validate_cyclonedx_vex(written) == []
    assert shared_schemas.errors("cyclonedx-1.5", written) == []
    assert written["specVersion"] == "1.5"
    assert written["serialNumber"] == SERIAL
    assert parse_vex(as_bytes(written)) == inherited(statements, WHEN)
    by_kind = {
        (v["id"], v["analysis"]["state"], v["analysis"].get("justification"))
        for v in written["vulnerabilities"]
    }
    assert ("CVE-2023-0001", "false_positive", None) in by_kind, "component_not_present"
    assert ("CVE-2023-0001", "not_affected", "requires_environment") in by_kind
    last = written["vulnerabilities"][-1]
    assert last["recommendation"] == "Upgrade."
    assert last["affects"] == [
        {"ref": "product-ABC", "versions": [{"version": "2.4", "status": "affected"}]},
        {"ref": "product-ABC", "versions": [{"range": "vers:generic/>=2.9|<=4.1", "status": "affected"}]},
    ]
    components = {c["bom-ref"]: c for c in written["components"]}
    assert components["pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1?type=jar"] == {
        "type": "library",
        "bom-ref": "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1?type=jar",
        "group": "org.apache.logging.log4j",
        "name": "log4j-core",
        "version": "2.17.1",
        "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1?type=jar",
    }
    assert components["product-ABC"] == {
        "type": "application",
        "bom-ref": "product-ABC",
        "name": "product-ABC",
    }
    assert not any(ref.startswith("urn:cdx:") for ref in components), "a BOM-Link points into another BOM"


def test_a_random_serial_number_is_valid():
    written = to_cyclonedx_vex(EVERY_KIND[:1], timestamp=WHEN)
    assert written["serialNumber"] != to_cyclonedx_vex(EVERY_KIND[:1], timestamp=WHEN)["serialNumber"]
    assert validate_cyclonedx_vex(written) == []
    with pytest.raises(VexError, match="serial number"):
        to_cyclonedx_vex(EVERY_KIND[:1], serial_number="3e671687", timestamp=WHEN)
    with pytest.raises(VexError, match="listed twice"):
        to_cyclonedx_vex(EVERY_KIND[:1] * 2, timestamp=WHEN)


@pytest.mark.parametrize(
    ("statements", "changes", "message"),
    [
        ([Statement("CVE-1", (DJANGO,), "affected")], {}, "affected needs an action statement"),
        (
            [Statement("CVE-1", (DJANGO,), "not_affected")],
            {},
            "not_affected needs a justification or an impact",
        ),
        ([Statement("CVE-1", ("product-ABC",), "fixed")], {}, "'product-ABC' is not an IRI"),
        ([Statement("CVE-1", (DJANGO,), "fixed")] * 2, {}, "listed twice"),
        ([], {}, "at least one statement"),
        ([Statement("CVE-1", (DJANGO,), "fixed")], {"document_id": "vex-1"}, "an IRI as the document id"),
        ([Statement("CVE-1", (DJANGO,), "fixed")], {"author": " "}, "needs an author"),
        ([Statement("CVE-1", (DJANGO,), "fixed")], {"version": 0}, "versions start at 1"),
        ([Statement("CVE-1", (DJANGO,), "fixed")], {"timestamp": datetime(2026, 1, 1)}, "no time zone"),
    ],
)
def test_openvex_export_refuses_what_openvex_cannot_say(statements, changes, message):
    with pytest.raises(VexError, match=message):
        write_openvex(statements, **changes)


def test_the_schemas_refuse_broken_documents_with_readable_messages():
    written = write_openvex([EVERY_KIND[0]])
    del written["statements"][0]["action_statement"]
    written["version"] = 0
    assert validate_openvex(written) == [
        "/statements/0: 'action_statement' is a required property",
        "/version: 0 is less than the minimum of 1",
    ]
    dated = write_openvex([EVERY_KIND[0]])
    dated["timestamp"] = "2026-02-30T10:00:00Z"
    dated["@id"] = "not an iri"
    assert validate_openvex(dated) == [
        "/@id: 'not an iri' is not a 'iri'",
        "/timestamp: '2026-02-30T10:00:00Z' is not a 'date-time'",
    ]
    broken = write_cyclonedx([EVERY_KIND[0]])
    broken["vulnerabilities"][0]["analysis"]["state"] = "fixed"
    problems = validate_cyclonedx_vex(broken)
    assert len(problems) == 1
    assert "'fixed' is not one of" in problems[0]


# --------------------------------------------------------------------------------------------------------
# Statement
# --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"vulnerability": ""}, "vulnerability id is empty"),
        ({"vulnerability": " CVE-1"}, "surrounding spaces"),
        ({"status": "exploitable"}, "status 'exploitable'"),
        (
            {"justification": "code_not_reachable", "status": "not_affected"},
            "justification 'code_not_reachable'",
        ),
        ({"justification": "component_not_present", "status": "fixed"}, "only goes with not_affected"),
        ({"products": (DJANGO, DJANGO)}, "product 'pkg:pypi/django@4.2.10' is listed twice"),
        ({"products": ("",)}, "an empty product"),
        ({"aliases": ("GHSA-1", "GHSA-1")}, "alias 'GHSA-1' is listed twice"),
        ({"impact_statement": " "}, "impact_statement is empty"),
        ({"timestamp": datetime(2026, 1, 1)}, "no time zone"),
    ],
)
def test_statement_refuses(fields, message):
    arguments = {"vulnerability": "CVE-1", "products": (DJANGO,), "status": "fixed", **fields}
    with pytest.raises(VexError, match=message):
        Statement(**arguments)


def test_problems_name_what_openvex_requires():
    assert Statement("CVE-1", (), "affected").problems() == ("affected needs an action statement",)
    assert Statement("CVE-1", (), "not_affected").problems() == (
        "not_affected needs a justification or an impact statement",
    )
    assert Statement("CVE-1", (), "not_affected", impact_statement="Not shipped.").problems() == ()
    assert Statement("CVE-1", (), "under_investigation").problems() == ()


# --------------------------------------------------------------------------------------------------------
# Round trips for any statements
# --------------------------------------------------------------------------------------------------------
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
    lambda s: s == s.strip() and s.strip()
)
PURLS = st.builds(
    lambda kind, name, version: PackageURL(type=kind, name=name, version=version).to_string(),
    st.sampled_from(["pypi", "npm", "generic", "cargo"]),
    st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True),
    st.from_regex(r"[0-9]{1,3}\.[0-9]{1,3}(\.[0-9]{1,3})?(-vendor[0-9])?", fullmatch=True),
)
MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]),
)


@st.composite
def statements(draw: st.DrawFn) -> Statement:
    status = draw(st.sampled_from(STATUSES))
    justification = draw(st.sampled_from(JUSTIFICATIONS)) if status == "not_affected" else None
    impact = draw(st.none() | TEXT)
    if status == "not_affected" and justification is None and impact is None:
        impact = draw(TEXT)
    if status == "not_affected" and draw(st.booleans()):
        justification = None
        impact = impact or draw(TEXT)
    action = draw(TEXT) if status == "affected" else draw(st.none() | TEXT)
    return Statement(
        vulnerability=draw(
            st.from_regex(
                r"(CVE-20[0-9]{2}-[0-9]{4,6}|GHSA-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})", fullmatch=True
            )
        ),
        products=tuple(draw(st.lists(PURLS, max_size=3, unique=True))),
        status=status,
        justification=justification,
        impact_statement=impact,
        action_statement=action,
        timestamp=draw(MOMENTS),
        aliases=tuple(
            draw(
                st.lists(
                    st.from_regex(r"PYSEC-20[0-9]{2}-[0-9]{1,4}", fullmatch=True), max_size=2, unique=True
                )
            )
        ),
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(statements(), min_size=1, max_size=5, unique=True))
def test_any_statements_round_trip_through_openvex(drawn):
    written = write_openvex(drawn)
    assert validate_openvex(written) == []
    assert parse_vex(as_bytes(written)) == drawn


@settings(max_examples=150, deadline=None)
@given(st.lists(statements(), min_size=1, max_size=5, unique=True))
def test_any_statements_round_trip_through_cyclonedx(drawn):
    written = write_cyclonedx(drawn)
    assert parse_vex(as_bytes(written)) == drawn


@settings(max_examples=25, deadline=None)
@given(st.lists(statements(), min_size=1, max_size=4, unique=True))
def test_any_cyclonedx_export_is_schema_valid(drawn):
    assert validate_cyclonedx_vex(write_cyclonedx(drawn)) == []
