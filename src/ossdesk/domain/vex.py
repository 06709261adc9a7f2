"""VEX statements: read OpenVEX and CycloneDX VEX, write OpenVEX 0.2.0 and CycloneDX 1.5 VEX.

A :class:`Statement` says what one vulnerability means for some products: ``affected``, ``not_affected``,
``fixed`` or ``under_investigation`` (the four statuses of CISA's "Minimum Requirements for VEX", April
2023, which OpenVEX uses verbatim), with the justification labels of CISA's "VEX Status Justifications"
(June 2022). Pure Python: no Django, no network; XML goes through defusedxml only.

Reading (:func:`parse_vex`) is lenient where the formats are: a statement that breaks OpenVEX's rules
(``not_affected`` without a justification or impact statement, ``affected`` without an action
statement) is kept, and :meth:`Statement.problems` names what is missing; this is the warning. Writing is
strict: :func:`to_openvex` refuses (:class:`VexError`) statements with problems, so what it writes is
valid OpenVEX, checked against the OpenVEX JSON schema in ``schemas/`` (:func:`validate_openvex`); it also
refuses products that are not IRIs, which OpenVEX's ``@id`` must be (a bare ``bom-ref``, or a reference
with a raw vers range appended: see below).
:func:`to_cyclonedx_vex` writes CycloneDX 1.5, which does not require these fields, and its output is
checked against the CycloneDX 1.5 schema that cyclonedx-python-lib ships (:func:`validate_cyclonedx_vex`).

Products are purls wherever the source gives one. A CycloneDX ``affects[].ref`` is resolved through the
document's ``bom-ref``s (metadata component, components, services, nested) to that component's purl; a
BOM-Link (``urn:cdx:<serial>/<version>#<bom-ref>``) to this document is resolved the same way, and one to
another document resolves to its fragment when that is a purl. Anything else stays as written (a bare
``bom-ref`` or a BOM-Link), since nothing better identifies it. When ``affects[].versions`` narrows a
reference, each version becomes a product of its own: a purl gets the version as its purl version
(``pkg:pypi/django@4.2.10``), a range gets the vers string as its purl version; a reference that is not a
purl gets ``@<version>`` or ``@<vers range>`` appended (``product-ABC@2.4``,
``product-ABC@vers:generic/>=2.9|<=4.1``). ``versions[].status`` is not read: the CycloneDX VEX examples
leave it out or repeat ``analysis.state`` with it. A statement without products applies to everything its
author ships (a CycloneDX vulnerability without ``affects``; OpenVEX lets products come from an
enclosing document).

CycloneDX analysis state -> status (the crosswalk of CycloneDX/specification discussion #609, as
published by getreeldev/cyclonedx-to-openvex; the reverse picks the exact entry):

======================== ====================== ==========================================================
CycloneDX state          status                 note
======================== ====================== ==========================================================
exploitable              affected               reverse: affected -> exploitable
not_affected             not_affected           reverse, except for component_not_present (below)
false_positive           not_affected           justification component_not_present unless one is given
resolved                 fixed                  reverse: fixed -> resolved
resolved_with_pedigree   fixed                  the pedigree is not carried
in_triage                under_investigation    reverse: under_investigation -> in_triage
(no analysis state)      affected               the schema defines affects as "the components or services
                                                that are affected"; a VDR lists vulnerabilities that way
======================== ====================== ==========================================================

CycloneDX justification -> OpenVEX/CISA justification (only read for ``not_affected``); the ones marked *
are what each OpenVEX justification is written back as:

================================= ===================================================
CycloneDX                         OpenVEX / CISA
================================= ===================================================
code_not_present *                vulnerable_code_not_present
code_not_reachable *              vulnerable_code_not_in_execute_path
requires_configuration            vulnerable_code_cannot_be_controlled_by_adversary
requires_dependency               vulnerable_code_cannot_be_controlled_by_adversary
requires_environment *            vulnerable_code_cannot_be_controlled_by_adversary
protected_at_runtime              vulnerable_code_cannot_be_controlled_by_adversary
protected_at_perimeter            vulnerable_code_cannot_be_controlled_by_adversary
protected_by_compiler             inline_mitigations_already_exist
protected_by_mitigating_control * inline_mitigations_already_exist
(state false_positive) *          component_not_present
================================= ===================================================

CycloneDX has no justification for "the component is not in the product"; the state for a vulnerability
"falsely identified or associated" with a component is the nearest, and #609 leans that way, so
``not_affected`` + ``component_not_present`` is written as ``false_positive``. Every OpenVEX justification
thus survives a CycloneDX round trip; five CycloneDX justifications cannot survive the other way.

Texts: CycloneDX ``analysis.detail`` is the impact statement and ``recommendation`` the action statement;
an ``affected`` (exploitable) vulnerability without a recommendation takes its detail as the action
statement, as CISA's examples write the advice there. ``analysis.response`` is not carried. The
timestamp is the statement's own (OpenVEX ``timestamp``; CycloneDX ``analysis.lastUpdated``, then
``firstIssued``, then the vulnerability's ``updated``, ``published``, ``created``) or else the document's,
as OpenVEX's inheritance rule says. A timestamp without a time zone is read as UTC. Aliases are OpenVEX
``vulnerability.aliases`` and CycloneDX ``references[].id``.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as xml_fromstring
from jsonschema import Draft202012Validator
from packageurl import PackageURL

from ossdesk.domain.csaf import FORMAT_CHECKER, describe_schema_error

__all__ = [
    "CYCLONEDX_JUSTIFICATION_TO_JUSTIFICATION",
    "CYCLONEDX_STATE_TO_STATUS",
    "JUSTIFICATIONS",
    "JUSTIFICATION_TO_CYCLONEDX",
    "STATUSES",
    "STATUS_TO_CYCLONEDX_STATE",
    "Statement",
    "VexError",
    "parse_vex",
    "to_cyclonedx_vex",
    "to_openvex",
    "validate_cyclonedx_vex",
    "validate_openvex",
]

STATUSES: Final = ("affected", "not_affected", "fixed", "under_investigation")
JUSTIFICATIONS: Final = (
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
)
CYCLONEDX_STATE_TO_STATUS: Final[Mapping[str, str]] = {
    "exploitable": "affected",
    "not_affected": "not_affected",
    "false_positive": "not_affected",
    "resolved": "fixed",
    "resolved_with_pedigree": "fixed",
    "in_triage": "under_investigation",
}
STATUS_TO_CYCLONEDX_STATE: Final[Mapping[str, str]] = {
    "affected": "exploitable",
    "not_affected": "not_affected",
    "fixed": "resolved",
    "under_investigation": "in_triage",
}
CYCLONEDX_JUSTIFICATION_TO_JUSTIFICATION: Final[Mapping[str, str]] = {
    "code_not_present": "vulnerable_code_not_present",
    "code_not_reachable": "vulnerable_code_not_in_execute_path",
    "requires_configuration": "vulnerable_code_cannot_be_controlled_by_adversary",
    "requires_dependency": "vulnerable_code_cannot_be_controlled_by_adversary",
    "requires_environment": "vulnerable_code_cannot_be_controlled_by_adversary",
    "protected_at_runtime": "vulnerable_code_cannot_be_controlled_by_adversary",
    "protected_at_perimeter": "vulnerable_code_cannot_be_controlled_by_adversary",
    "protected_by_compiler": "inline_mitigations_already_exist",
    "protected_by_mitigating_control": "inline_mitigations_already_exist",
}
# component_not_present has no CycloneDX justification: it is written as the state false_positive.
JUSTIFICATION_TO_CYCLONEDX: Final[Mapping[str, str]] = {
    "vulnerable_code_not_present": "code_not_present",
    "vulnerable_code_not_in_execute_path": "code_not_reachable",
    "vulnerable_code_cannot_be_controlled_by_adversary": "requires_environment",
    "inline_mitigations_already_exist": "protected_by_mitigating_control",
}

OPENVEX_CONTEXT: Final = "https://openvex.dev/ns/v0.2.0"
CYCLONEDX_SPEC_VERSION: Final = "1.5"
# CycloneDX affectedStatus of a product version, by the statement's status.
_VERSION_STATUS: Final[Mapping[str, str]] = {
    "affected": "affected",
    "not_affected": "unaffected",
    "fixed": "unaffected",
    "under_investigation": "unknown",
}
_SCHEMA_DIR: Final = Path(__file__).with_name("schemas")
_SERIAL = re.compile(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_CYCLONEDX_NAMESPACE = "http://cyclonedx.org/schema/bom/"


class VexError(ValueError):
    """A VEX document that cannot be read, or statements that cannot be written, with the reason."""


@dataclass(frozen=True)
class Statement:
    """What one vulnerability means for some products (purls, with version), at a point in time.

    ``justification`` (one of :data:`JUSTIFICATIONS`) only goes with ``not_affected``. An empty
    ``products`` means everything the author ships. Construction checks the vocabulary; the rules on which
    texts a status needs are :meth:`problems`, since real documents break them.
    """

    vulnerability: str
    products: tuple[str, ...]
    status: str
    justification: str | None = None
    impact_statement: str | None = None
    action_statement: str | None = None
    timestamp: datetime | None = None
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        where = f"statement on {self.vulnerability!r}"
        if not self.vulnerability or self.vulnerability != self.vulnerability.strip():
            raise VexError(f"{where}: the vulnerability id is empty or has surrounding spaces")
        if self.status not in STATUSES:
            raise VexError(f"{where}: status {self.status!r} is not one of {', '.join(STATUSES)}")
        if self.justification is not None:
            if self.justification not in JUSTIFICATIONS:
                raise VexError(
                    f"{where}: justification {self.justification!r} is not one of {JUSTIFICATIONS}"
                )
            if self.status != "not_affected":
                raise VexError(f"{where}: a justification only goes with not_affected, not {self.status}")
        for label, values in (("product", self.products), ("alias", self.aliases)):
            if any(not value.strip() for value in values):
                raise VexError(f"{where}: an empty {label}")
            if repeated := [value for value in set(values) if values.count(value) > 1]:
                raise VexError(f"{where}: {label} {repeated[0]!r} is listed twice")
        for label, text in (
            ("impact_statement", self.impact_statement),
            ("action_statement", self.action_statement),
        ):
            if text is not None and not text.strip():
                raise VexError(f"{where}: {label} is empty (use None)")
        if self.timestamp is not None and self.timestamp.utcoffset() is None:
            raise VexError(f"{where}: the timestamp has no time zone")

    def problems(self) -> tuple[str, ...]:
        """What OpenVEX requires of this statement and it lacks; empty when it may be written as OpenVEX."""
        found = []
        if self.status == "not_affected" and self.justification is None and self.impact_statement is None:
            found.append("not_affected needs a justification or an impact statement")
        if self.status == "affected" and self.action_statement is None:
            found.append("affected needs an action statement")
        return tuple(found)


# --------------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------------
def parse_vex(data: bytes, filename: str = "") -> list[Statement]:
    """The statements of an OpenVEX (JSON) or CycloneDX (JSON or XML) document; VexError if unreadable.

    The format is told from the content; ``filename`` only names the document in error messages. A
    CycloneDX BOM without vulnerabilities has no statements.
    """
    where = f"{filename}: " if filename else ""
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return _parse_cyclonedx(_xml_bom(text, where), where)
    try:
        document = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise VexError(f"{where}neither JSON nor XML: {error}") from None
    if not isinstance(document, dict):
        raise VexError(f"{where}a JSON {type(document).__name__}, not a VEX document")
    context = document.get("@context")
    if isinstance(context, str) and context.startswith("https://openvex.dev/ns"):
        return _parse_openvex(document, where)
    if document.get("bomFormat") == "CycloneDX":
        return _parse_cyclonedx(document, where)
    raise VexError(f"{where}not an OpenVEX document (@context https://openvex.dev/ns...) nor a CycloneDX BOM")


def _parse_openvex(document: Mapping[str, Any], where: str) -> list[Statement]:
    document_time = _time(document.get("timestamp"), f"{where}timestamp")
    raw_statements = document.get("statements")
    if not isinstance(raw_statements, list):
        raise VexError(f"{where}statements is missing or not a list")
    statements = []
    for index, raw in enumerate(raw_statements):
        at = f"{where}statements[{index}]"
        if not isinstance(raw, dict):
            raise VexError(f"{at}: not an object")
        name, aliases = _openvex_vulnerability(raw.get("vulnerability"), at)
        products = _unique(
            _openvex_product(p, f"{at}.products[{i}]")
            for i, p in enumerate(_items(raw.get("products"), f"{at}.products"))
        )
        statements.append(
            _statement(
                at,
                vulnerability=name,
                products=products,
                status=raw.get("status"),
                justification=raw.get("justification"),
                impact_statement=_text(raw.get("impact_statement")),
                action_statement=_text(raw.get("action_statement")),
                timestamp=_time(raw.get("timestamp"), f"{at}.timestamp") or document_time,
                aliases=aliases,
            )
        )
    return statements


def _openvex_vulnerability(raw: Any, at: str) -> tuple[str, tuple[str, ...]]:
    if isinstance(raw, str):  # OpenVEX before 0.2.0 names the vulnerability with a plain string
        return raw, ()
    if isinstance(raw, dict):
        name = raw.get("name") or raw.get("@id")
        aliases = raw.get("aliases") or []
        if isinstance(name, str) and isinstance(aliases, list) and all(isinstance(a, str) for a in aliases):
            return name, tuple(_unique(a for a in aliases if a != name))
    raise VexError(f"{at}.vulnerability: needs a name")


def _openvex_product(raw: Any, at: str) -> str:
    if isinstance(raw, str):  # OpenVEX before 0.2.0 lists products as plain strings
        return raw
    if isinstance(raw, dict):
        identifiers = _object(raw.get("identifiers"), f"{at}.identifiers")
        for candidate in (
            identifiers.get("purl"),
            raw.get("@id"),
            identifiers.get("cpe23"),
            identifiers.get("cpe22"),
        ):
            if isinstance(candidate, str) and candidate.strip():
                return candidate
    raise VexError(f"{at}: a product needs an @id or an identifier")


def _parse_cyclonedx(bom: Mapping[str, Any], where: str) -> list[Statement]:
    serial = bom.get("serialNumber")
    references = _bom_refs(bom)
    metadata = _object(bom.get("metadata"), f"{where}metadata")
    document_time = _time(metadata.get("timestamp"), f"{where}metadata.timestamp")
    statements = []
    for index, raw in enumerate(_items(bom.get("vulnerabilities"), f"{where}vulnerabilities")):
        at = f"{where}vulnerabilities[{index}]"
        vulnerability = _object(raw, at)
        vulnerability_id = vulnerability.get("id")
        if not isinstance(vulnerability_id, str) or not vulnerability_id.strip():
            raise VexError(f"{at}: has no id")
        analysis = _object(vulnerability.get("analysis"), f"{at}.analysis")
        state = analysis.get("state")
        if state is not None and (not isinstance(state, str) or state not in CYCLONEDX_STATE_TO_STATUS):
            raise VexError(f"{at}.analysis.state: {state!r} is not a CycloneDX impact analysis state")
        status = CYCLONEDX_STATE_TO_STATUS[state] if state is not None else "affected"
        justification = None
        if status == "not_affected":
            justification = _cyclonedx_justification(analysis.get("justification"), state, at)
        detail = _text(analysis.get("detail"))
        recommendation = _text(vulnerability.get("recommendation"))
        if status == "affected" and recommendation is None:
            action, impact = detail, None
        else:
            action, impact = recommendation, detail
        moment = None
        for key, source in (
            ("lastUpdated", analysis),
            ("firstIssued", analysis),
            ("updated", vulnerability),
            ("published", vulnerability),
            ("created", vulnerability),
        ):
            moment = moment or _time(source.get(key), f"{at}.{key}")
        references_at = f"{at}.references"
        aliases = [
            r.get("id") for r in _items(vulnerability.get("references"), references_at) if isinstance(r, dict)
        ]
        statements.append(
            _statement(
                at,
                vulnerability=vulnerability_id,
                products=_unique(
                    _cyclonedx_products(
                        _items(vulnerability.get("affects"), f"{at}.affects"), references, serial, at
                    )
                ),
                status=status,
                justification=justification,
                impact_statement=impact,
                action_statement=action,
                timestamp=moment or document_time,
                aliases=tuple(
                    _unique(a for a in aliases if isinstance(a, str) and a and a != vulnerability_id)
                ),
            )
        )
    return statements


def _cyclonedx_justification(raw: Any, state: str | None, at: str) -> str | None:
    if raw is None:
        return "component_not_present" if state == "false_positive" else None
    if not isinstance(raw, str) or raw not in CYCLONEDX_JUSTIFICATION_TO_JUSTIFICATION:
        raise VexError(f"{at}.analysis.justification: {raw!r} is not a CycloneDX justification")
    return CYCLONEDX_JUSTIFICATION_TO_JUSTIFICATION[raw]


def _bom_refs(bom: Mapping[str, Any]) -> dict[str, str | None]:
    """Every bom-ref of the BOM's components and services (nested too), to its purl (None without)."""
    found: dict[str, str | None] = {}

    def visit(items: Iterable[Any], child_key: str) -> None:
        for item in items:
            if not isinstance(item, dict):
                continue
            ref, purl = item.get("bom-ref"), item.get("purl")
            if isinstance(ref, str):
                found.setdefault(ref, purl if isinstance(purl, str) and purl else None)
            visit(item.get(child_key) or [], child_key)

    metadata = bom.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
    visit([metadata["component"]] if isinstance(metadata.get("component"), dict) else [], "components")
    visit(bom.get("components") or [], "components")
    visit(bom.get("services") or [], "services")
    return found


def _cyclonedx_products(
    affects: Sequence[Any], references: Mapping[str, str | None], serial: Any, at: str
) -> Iterator[str]:
    for index, target in enumerate(affects):
        ref = target.get("ref") if isinstance(target, dict) else None
        if not isinstance(ref, str) or not ref:
            raise VexError(f"{at}.affects[{index}]: has no ref")
        identifier = _resolve(ref, references, serial)
        versions = _items(target.get("versions"), f"{at}.affects[{index}].versions")
        if not versions:
            yield identifier
        for number, raw in enumerate(versions):
            entry = _object(raw, f"{at}.affects[{index}].versions[{number}]")
            version = entry.get("version") or entry.get("range")
            if not isinstance(version, str) or not version.strip():
                raise VexError(f"{at}.affects[{index}].versions[{number}]: needs a version or a range")
            yield _narrowed(identifier, version.strip())


def _resolve(ref: str, references: Mapping[str, str | None], serial: Any) -> str:
    """A reference to a component or service, as the purl it has, or as written."""
    if ref.startswith("urn:cdx:"):
        document, _, fragment = ref.partition("#")
        bom_ref = unquote(fragment)
        this_document = (
            isinstance(serial, str) and serial == "urn:uuid:" + document[len("urn:cdx:") :].split("/")[0]
        )
        if this_document and bom_ref in references:
            return references[bom_ref] or bom_ref
        return bom_ref if bom_ref.startswith("pkg:") else ref
    if ref in references:
        return references[ref] or ref
    return ref


def _narrowed(identifier: str, version: str) -> str:
    """``identifier`` narrowed to one version or vers range (see the module doc)."""
    purl = _purl(identifier)
    if purl is not None:
        return PackageURL(
            type=purl.type,
            namespace=purl.namespace,
            name=purl.name,
            version=version,
            qualifiers=purl.qualifiers,
            subpath=purl.subpath,
        ).to_string()
    return f"{identifier}@{version}"


def _purl(identifier: str) -> PackageURL | None:
    if not identifier.startswith("pkg:"):
        return None
    try:
        return PackageURL.from_string(identifier)
    except ValueError:
        return None


def _xml_bom(data: bytes, where: str) -> dict[str, Any]:
    """A CycloneDX XML BOM as the JSON shape the reader needs (only the parts it reads)."""
    try:
        root = xml_fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as error:
        raise VexError(f"{where}unreadable XML: {error}") from None
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    if not namespace.startswith(_CYCLONEDX_NAMESPACE) or root.tag != f"{{{namespace}}}bom":
        raise VexError(f"{where}XML, but not a CycloneDX BOM (root {root.tag!r})")

    def q(path: str) -> str:
        return "/".join(f"{{{namespace}}}{part}" for part in path.split("/"))

    def text(element: Element, name: str) -> str | None:
        child = element.find(q(name))
        return child.text.strip() if child is not None and child.text and child.text.strip() else None

    def component(element: Element, children: str) -> dict[str, Any]:
        singular = children[:-1]
        return {
            "bom-ref": element.get("bom-ref"),
            "purl": text(element, "purl"),
            children: [component(c, children) for c in element.findall(q(f"{children}/{singular}"))],
        }

    def analysis(element: Element | None) -> dict[str, Any]:
        if element is None:
            return {}
        keys = ("state", "justification", "detail", "firstIssued", "lastUpdated")
        return {key: text(element, key) for key in keys}

    def vulnerability(element: Element) -> dict[str, Any]:
        keys = ("id", "recommendation", "created", "published", "updated")
        return {
            **{key: text(element, key) for key in keys},
            "references": [{"id": text(r, "id")} for r in element.findall(q("references/reference"))],
            "analysis": analysis(element.find(q("analysis"))),
            "affects": [
                {
                    "ref": text(target, "ref"),
                    "versions": [
                        {"version": text(v, "version"), "range": text(v, "range")}
                        for v in target.findall(q("versions/version"))
                    ],
                }
                for target in element.findall(q("affects/target"))
            ],
        }

    metadata = root.find(q("metadata"))
    metadata_component = metadata.find(q("component")) if metadata is not None else None
    return {
        "serialNumber": root.get("serialNumber"),
        "metadata": {
            "timestamp": text(metadata, "timestamp") if metadata is not None else None,
            "component": component(metadata_component, "components")
            if metadata_component is not None
            else None,
        },
        "components": [component(c, "components") for c in root.findall(q("components/component"))],
        "services": [component(s, "services") for s in root.findall(q("services/service"))],
        "vulnerabilities": [vulnerability(v) for v in root.findall(q("vulnerabilities/vulnerability"))],
    }


def _statement(at: str, **fields: Any) -> Statement:
    if not isinstance(fields["status"], str):
        raise VexError(f"{at}: has no status")
    try:
        return Statement(**fields)
    except VexError as error:
        raise VexError(f"{at}: {error}") from None


def _object(value: Any, at: str) -> Mapping[str, Any]:
    """A JSON object of the document (absent: empty); VexError for anything else."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise VexError(f"{at}: is a {type(value).__name__}, not an object")
    return value


def _items(value: Any, at: str) -> list[Any]:
    """A JSON array of the document (absent: empty); VexError for anything else."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise VexError(f"{at}: is a {type(value).__name__}, not a list")
    return value


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _time(value: Any, at: str) -> datetime | None:
    """An RFC 3339 timestamp (fractions beyond microseconds cut, no zone read as UTC); None if absent."""
    if value is None:
        return None
    if isinstance(value, str):
        cleaned = re.sub(r"(\.\d{6})\d+", r"\1", value.strip()).replace("z", "Z")
        try:
            moment = datetime.fromisoformat(cleaned)
        except ValueError:
            pass
        else:
            return moment if moment.utcoffset() is not None else moment.replace(tzinfo=UTC)
    raise VexError(f"{at}: {value!r} is not a timestamp")


# --------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------
def to_openvex(
    statements: Sequence[Statement], *, author: str, document_id: str, timestamp: datetime, version: int = 1
) -> dict[str, Any]:
    """An OpenVEX 0.2.0 document of the statements. VexError if OpenVEX cannot say them.

    Refused: no statements, a statement with :meth:`Statement.problems`, the same statement twice, and a
    product that is not an IRI (a purl, URN or URL; a bare CycloneDX ``bom-ref`` is not).
    """
    if not statements:
        raise VexError("OpenVEX needs at least one statement")
    if not author.strip() or not _is_iri(document_id):
        raise VexError("OpenVEX needs an author and an IRI as the document id")
    if version < 1:
        raise VexError("OpenVEX document versions start at 1")
    problems = [f"{s.vulnerability}: {p}" for s in statements for p in s.problems()]
    problems += [
        f"{s.vulnerability}: product {p!r} is not an IRI"
        for s in statements
        for p in s.products
        if not _is_iri(p)
    ]
    if len(set(statements)) != len(statements):
        problems.append("a statement is listed twice")
    if problems:
        raise VexError("cannot write OpenVEX: " + "; ".join(problems))
    return {
        "@context": OPENVEX_CONTEXT,
        "@id": document_id,
        "author": author,
        "timestamp": _timestamp(timestamp),
        "version": version,
        "tooling": "ossdesk",
        "statements": [_openvex_statement(s) for s in statements],
    }


def _is_iri(value: str) -> bool:
    """An absolute IRI as ``format: iri`` is checked here: a scheme, and no character IRIs exclude."""
    return bool(value) and FORMAT_CHECKER.conforms(value, "iri") and ":" in value


def _openvex_statement(statement: Statement) -> dict[str, Any]:
    vulnerability: dict[str, Any] = {"name": statement.vulnerability}
    if statement.aliases:
        vulnerability["aliases"] = list(statement.aliases)
    written: dict[str, Any] = {"vulnerability": vulnerability}
    if statement.timestamp is not None:
        written["timestamp"] = _timestamp(statement.timestamp)
    if statement.products:
        written["products"] = [
            {"@id": p, "identifiers": {"purl": p}} if _purl(p) else {"@id": p} for p in statement.products
        ]
    written["status"] = statement.status
    for key in ("justification", "impact_statement", "action_statement"):
        if (value := getattr(statement, key)) is not None:
            written[key] = value
    return written


def to_cyclonedx_vex(
    statements: Sequence[Statement], *, serial_number: str | None = None, timestamp: datetime
) -> dict[str, Any]:
    """A CycloneDX 1.5 VEX BOM of the statements: one vulnerability per statement, one component per product.

    ``serial_number`` (``urn:uuid:...``) defaults to a random one, as CycloneDX wants each BOM to have its
    own. A product narrowed to a version or range (see the module doc) becomes ``affects[].versions``.
    """
    if serial_number is None:
        serial_number = f"urn:uuid:{uuid.uuid4()}"
    if not _SERIAL.fullmatch(serial_number):
        raise VexError(f"serial number {serial_number!r} is not urn:uuid:<RFC 4122 UUID>")
    if len(set(statements)) != len(statements):
        raise VexError("cannot write CycloneDX: a statement is listed twice")
    components: dict[str, dict[str, Any]] = {}
    vulnerabilities = []
    for statement in statements:
        affects = []
        for product in statement.products:
            ref, version, version_range = _split_product(product)
            if not ref.startswith("urn:cdx:"):
                components.setdefault(ref, _component(ref))
            target: dict[str, Any] = {"ref": ref}
            if version is not None or version_range is not None:
                entry = {"version": version} if version is not None else {"range": version_range}
                target["versions"] = [{**entry, "status": _VERSION_STATUS[statement.status]}]
            affects.append(target)
        vulnerabilities.append(_cyclonedx_vulnerability(statement, affects))
    bom: dict[str, Any] = {
        "$schema": "http://cyclonedx.org/schema/bom-1.5.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": CYCLONEDX_SPEC_VERSION,
        "serialNumber": serial_number,
        "version": 1,
        "metadata": {
            "timestamp": _timestamp(timestamp),
            "tools": {"components": [{"type": "application", "name": "ossdesk"}]},
        },
    }
    if components:
        bom["components"] = list(components.values())
    bom["vulnerabilities"] = vulnerabilities
    return bom


def _split_product(product: str) -> tuple[str, str | None, str | None]:
    """(reference, exact version, vers range) of a product; a purl with an exact version is its own."""
    purl = _purl(product)
    if purl is not None:
        if purl.version and purl.version.startswith("vers:"):
            base = PackageURL(
                type=purl.type,
                namespace=purl.namespace,
                name=purl.name,
                qualifiers=purl.qualifiers,
                subpath=purl.subpath,
            )
            return base.to_string(), None, purl.version
        return product, None, None
    reference, separator, tail = product.rpartition("@")
    if not separator or not reference or product.startswith("pkg:"):
        return product, None, None
    return (reference, None, tail) if tail.startswith("vers:") else (reference, tail, None)


def _component(ref: str) -> dict[str, Any]:
    purl = _purl(ref)
    if purl is None:  # a bare bom-ref from a document that gave no purl: its only name
        return {"type": "application", "bom-ref": ref, "name": ref}
    component: dict[str, Any] = {"type": "library", "bom-ref": ref}
    if purl.namespace:
        component["group"] = purl.namespace
    component["name"] = purl.name
    if purl.version:
        component["version"] = purl.version
    component["purl"] = ref
    return component


def _cyclonedx_vulnerability(statement: Statement, affects: list[dict[str, Any]]) -> dict[str, Any]:
    vulnerability: dict[str, Any] = {"id": statement.vulnerability}
    if statement.aliases:
        vulnerability["references"] = [
            {"id": alias, "source": {"name": _source_name(alias)}} for alias in statement.aliases
        ]
    if statement.action_statement is not None:
        vulnerability["recommendation"] = statement.action_statement
    analysis: dict[str, Any] = {"state": STATUS_TO_CYCLONEDX_STATE[statement.status]}
    if statement.justification == "component_not_present":
        analysis["state"] = "false_positive"
    elif statement.justification is not None:
        analysis["justification"] = JUSTIFICATION_TO_CYCLONEDX[statement.justification]
    if statement.impact_statement is not None:
        analysis["detail"] = statement.impact_statement
    if statement.timestamp is not None:
        analysis["lastUpdated"] = _timestamp(statement.timestamp)
    vulnerability["analysis"] = analysis
    if affects:
        vulnerability["affects"] = affects
    return vulnerability


def _source_name(identifier: str) -> str:
    """The database an id comes from, by its prefix: ``GHSA-xxxx`` -> ``GHSA``."""
    prefix, separator, _ = identifier.partition("-")
    return prefix if separator and prefix else identifier


def _timestamp(moment: datetime) -> str:
    if moment.utcoffset() is None:
        raise VexError(f"timestamp {moment.isoformat()} has no time zone")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# --------------------------------------------------------------------------------------------------------
# Schema checks
# --------------------------------------------------------------------------------------------------------
def validate_openvex(document: Mapping[str, Any]) -> list[str]:
    """Problems with an OpenVEX document against the OpenVEX 0.2.0 JSON schema (stored in ``schemas/``)."""
    errors = sorted(_openvex_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    return [line for error in errors for line in describe_schema_error(error)]


@cache
def _openvex_validator() -> Draft202012Validator:
    schema = json.loads((_SCHEMA_DIR / "openvex_json_schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FORMAT_CHECKER)


def validate_cyclonedx_vex(document: Mapping[str, Any]) -> list[str]:
    """Problems with a CycloneDX 1.5 JSON document against the strict 1.5 schema of cyclonedx-python-lib."""
    # Imported here: the validator loads the whole CycloneDX model, which nothing else in this module needs.
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    errors = JsonStrictValidator(SchemaVersion.V1_5).validate_str(json.dumps(document), all_errors=True)
    return [str(error) for error in errors or ()]
