"""SPDX 2.x SBOMs: JSON read by walking the document, tag-value read with ``spdx-tools``.

Every package is a component (SPDX has no separate "described product" slot as CycloneDX has); its purl
is the first ``PACKAGE-MANAGER`` external reference of type ``purl``, or one built from a
``maven-central``, ``npm`` or ``nuget`` reference. A package without one keeps its name and version with
neither purl nor ecosystem: guessing an ecosystem from a bare name would invent matches.
``NOASSERTION``/``NONE`` versions are no version.

Why JSON is not read with ``spdx-tools``: its ``JsonLikeDictParser`` builds and type-checks a whole
model, and one field it dislikes anywhere rejects the whole document: a package with ``"supplier":
"Acme"`` (no ``Organization:`` prefix, common in real SBOMs) fails with "Actor Acme doesn't match any of
person, organization or tool", though the package list is perfectly usable. It is also slower: 0.95 s
for 20,000 packages shaped like appbomination's (license, checksum, purl), 1.37 s for 5,000 that each
list their files, against 0.40 s for ``json.loads`` plus the walk below, three quarters of which is
canonicalising purls (a cost the library route would pay on top). Tag-value is a real grammar (multi-line
``<text>`` values, element scoping), so there the library does the parsing: 0.18 s for 2,000 packages,
1.4 s for 20,000, of which 45 ms is building its PLY parser (tables are built in memory:
``write_tables=False`` keeps it from writing ``parsetab.py`` into site-packages). The price is its
strictness: a tag-value document has to be valid SPDX, and the error names the first bad line. Tag-value
SBOMs are small and hand-made in practice; big generated ones come as JSON.

SPDX 3.0 (JSON-LD) is refused with a clear reason: its model (elements in an ``@graph``, purls on
``software_Package``) is different enough to need its own reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ossdesk.domain.inventory._model import (
    Component,
    Inventory,
    InventoryBuilder,
    component_from_purl,
    inventory_error,
    parse_purl,
)
from ossdesk.domain.purl import purl_for

_NO_VALUE = {"NOASSERTION", "NONE", ""}
_LINE = re.compile(r"\bLine:? (\d+)", re.IGNORECASE)
SPDX3_REFUSAL = "SPDX 3.0 is not supported; export SPDX 2.3 (JSON or tag-value) or CycloneDX"


def _purl_texts(references: Iterable[tuple[str, str, str]]) -> list[str]:
    """Purls from ``(category, type, locator)`` external references of the PACKAGE-MANAGER category.

    Besides ``purl``, SPDX 2 defines ``maven-central`` (``group:artifact:version``), ``npm``
    (``name@version``) and ``nuget`` (``name/version``) locators; those say enough to build a purl.
    """
    purls: list[str] = []
    for category, kind, locator in references:
        if category.replace("_", "-").upper() != "PACKAGE-MANAGER" or not locator.strip():
            continue
        locator = locator.strip()
        try:
            if kind == "purl":
                purls.append(locator)
            elif kind == "maven-central" and locator.count(":") >= 1:
                group, artifact, *rest = locator.split(":")
                purls.append(purl_for("Maven", f"{group}:{artifact}", rest[-1] if rest else None))
            elif kind == "npm":
                at = locator.find("@", 1)
                name, version = (locator[:at], locator[at + 1 :]) if at > 0 else (locator, None)
                purls.append(purl_for("npm", name, version or None))
            elif kind == "nuget":
                name, _, version = locator.partition("/")
                purls.append(purl_for("NuGet", name, version or None))
        except ValueError:
            continue  # an unusable locator: the purl check in _package reports bad purls
    return purls


def _package(
    builder: InventoryBuilder, name: str | None, version: str | None, purls: list[str], where: str
) -> Component | None:
    """A component from an SPDX package: from its first valid purl, else by name without ecosystem."""
    version = None if version is None or version.strip().upper() in _NO_VALUE else version.strip()
    for purl_text in purls:
        try:
            purl = parse_purl(purl_text)
        except ValueError as error:
            builder.warn(f"{where}: invalid purl {purl_text!r} ({error}); ignored")
            continue
        return component_from_purl(purl, version, None)
    if not name or not name.strip():
        builder.warn(f"{where}: no name and no purl; skipped")
        return None
    return Component(None, name.strip(), version, None)


def _version_of(spdx_version: str, filename: str) -> str:
    """``SPDX-2.3`` -> ``2.3``; anything but 2.x is refused."""
    match = re.fullmatch(r"SPDX-(\d+)\.(\d+)", spdx_version.strip())
    if match is None:
        raise inventory_error(filename, f"not an SPDX version: {spdx_version!r}")
    if match.group(1) == "3":
        raise inventory_error(filename, SPDX3_REFUSAL)
    if match.group(1) != "2":
        raise inventory_error(filename, f"SPDX {match.group(1)}.{match.group(2)} is not supported (2.x only)")
    return f"{match.group(1)}.{match.group(2)}"


def read_json(filename: str, document: dict[str, Any]) -> Inventory:
    """Read a parsed SPDX 2.x JSON document (it has ``spdxVersion``)."""
    version = _version_of(str(document.get("spdxVersion")), filename)
    builder = InventoryBuilder(filename, f"SPDX {version} JSON")
    packages = document.get("packages") or []
    if not isinstance(packages, list):
        raise inventory_error(filename, "'packages' is not a list")
    for index, fields in enumerate(packages):
        where = f"packages[{index}]"
        if not isinstance(fields, dict):
            builder.warn(f"{where} is not an object; skipped")
            continue
        name = fields.get("name")
        if isinstance(name, str) and name:
            where = f"package {name!r}"
        references = fields.get("externalRefs")
        purls = _purl_texts(
            (
                str(ref.get("referenceCategory", "")),
                str(ref.get("referenceType", "")),
                ref["referenceLocator"],
            )
            for ref in (references if isinstance(references, list) else [])
            if isinstance(ref, dict) and isinstance(ref.get("referenceLocator"), str)
        )
        version_info = fields.get("versionInfo")
        component = _package(
            builder,
            name if isinstance(name, str) else None,
            version_info if isinstance(version_info, str) else None,
            purls,
            where,
        )
        if component is not None:
            builder.add(component)
    return builder.build()


def is_spdx3(document: dict[str, Any]) -> bool:
    """An SPDX 3 JSON-LD document: a ``@context`` pointing at spdx.org's 3.x model."""
    context = document.get("@context")
    contexts = context if isinstance(context, list) else [context]
    return any(isinstance(c, str) and "spdx.org/rdf/3" in c for c in contexts)


def read_tag_value(filename: str, content: str) -> Inventory:
    """Read an SPDX 2.x tag-value document with spdx-tools' parser."""
    # Imported here: spdx-tools takes 0.1 s to import, and only tag-value uploads need it.
    from ply import yacc
    from spdx_tools.spdx.parser.error import SPDXParsingError
    from spdx_tools.spdx.parser.tagvalue.parser import Parser

    declared = re.search(r"^\s*SPDXVersion:\s*(\S+)", content, re.MULTILINE)
    if declared is None:
        raise inventory_error(filename, "not an SPDX tag-value document: no SPDXVersion")
    version = _version_of(declared.group(1), filename)
    try:
        parser = Parser(write_tables=False, debug=False, errorlog=yacc.NullLogger())
        document = parser.parse(content)
    except SPDXParsingError as error:
        messages = error.get_messages() or ["invalid SPDX tag-value document"]
        first = str(messages[0])
        line = _LINE.search(first)
        more = f" (and {len(messages) - 1} more problems)" if len(messages) > 1 else ""
        raise inventory_error(filename, first + more, int(line.group(1)) if line else None) from None
    builder = InventoryBuilder(filename, f"SPDX {version} tag-value")
    for package in document.packages:
        purls = _purl_texts(
            (ref.category.name, ref.reference_type, ref.locator) for ref in package.external_references
        )
        version_info = package.version if isinstance(package.version, str) else None
        component = _package(builder, package.name, version_info, purls, f"package {package.name!r}")
        if component is not None:
            builder.add(component)
    return builder.build()
