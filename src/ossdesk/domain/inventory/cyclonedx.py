"""CycloneDX SBOMs, JSON (1.2 onwards) and XML (1.0 onwards), read by walking the document ourselves.

Why not ``cyclonedx-python-lib``'s ``Bom.from_json``/``from_xml``: it builds a full typed model and is far
too slow for an upload path. Measured here (Python 3.11, cyclonedx-python-lib 11.12): juice-shop v11.1.2
(840 components) 0.44 s from JSON and 0.78 s from XML, keycloak 10.0.2 (903) 1.06 s, the juice-shop
``via_npm/flat`` bom (1,115) 1.8 s, so 20,000 components would take tens of seconds; its strict
JSON-schema validator adds 0.54 s for juice-shop and 1.16 s for keycloak. ``json.loads`` plus the walk
below reads juice-shop in 13 ms (the XML through defusedxml in 30 ms), keycloak in 30 ms (XML 73 ms) and
20,000 generated components in 0.3-0.45 s, three quarters of that packageurl-python canonicalising purls.
The library accepted every example in the shared data, and so does this walk; it reads only what matching
needs (name, group, version, purl, scope, nested components) and turns anything malformed into a
warning rather than a rejection. The library remains the authority on which specification versions
exist (:class:`cyclonedx.schema.SchemaVersion`): a 1.x version it does not know is read with a warning.

What counts as a component: every entry of ``components``, nested ``components`` included, and not
``metadata.component`` (the product the SBOM describes, not something it contains). That is the count the
shared data's README gives: juice-shop 840, keycloak 903, dropwizard 167.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from xml.etree.ElementTree import Element

from cyclonedx.schema import SchemaVersion

from ossdesk.domain.inventory._decode import LazyArray, local_name
from ossdesk.domain.inventory._model import (
    Component,
    Inventory,
    InventoryBuilder,
    component_from_purl,
    inventory_error,
    parse_purl,
)

XML_NAMESPACE = re.compile(r"^\{http://cyclonedx\.org/schema/bom/(\d+\.\d+)\}")
_SCOPES = {"optional": "optional", "excluded": "excluded"}  # "required" (the default) is no scope


def _known_version(version: str) -> bool:
    try:
        SchemaVersion.from_version(version)
    except ValueError:
        return False
    return True


def _check_version(builder: InventoryBuilder, version: str) -> None:
    if not re.fullmatch(r"1\.\d+", version):
        raise inventory_error(builder.filename, f"CycloneDX {version} is not supported (1.x only)")
    if not _known_version(version):
        newest = max(SchemaVersion, key=lambda v: v.value).to_version()
        builder.warn(f"CycloneDX {version} is newer than the versions known here; read as {newest}")


def _component(
    builder: InventoryBuilder,
    name: str | None,
    group: str | None,
    version: str | None,
    purl_text: str | None,
    scope: str | None,
    where: str,
) -> Component | None:
    """The :class:`Component` for one CycloneDX component's fields, or None (skipped, with a warning)."""
    scope = _SCOPES.get(scope or "")
    version = version.strip() or None if version else None
    if purl_text and purl_text.strip():
        try:
            purl = parse_purl(purl_text)
        except ValueError as error:
            builder.warn(f"{where}: invalid purl {purl_text!r} ({error}); kept without a purl")
        else:
            return component_from_purl(purl, version, scope)
    name = (name or "").strip()
    if not name:
        builder.warn(f"{where}: no name and no purl; skipped")
        return None
    group = (group or "").strip()
    return Component(None, f"{group}/{name}" if group else name, version, None, scope)


def _label(fields: dict[str, Any], where: str) -> str:
    """How warnings name a component: by its name, else by its position (``components[3]``)."""
    name = fields.get("name")
    return f"component {name!r}" if isinstance(name, str) and name else where


# --- JSON ---------------------------------------------------------------------------------------------------


def _walk_json(builder: InventoryBuilder, top: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Depth-first over ``components`` and their nested ``components``, in document order."""
    if top is None:
        return
    if not isinstance(top, list | LazyArray):
        builder.warn("'components' is not a list; ignored")
        return
    stack: list[tuple[str, Iterator[tuple[int, Any]]]] = [("components", enumerate(top))]
    while stack:
        path, entries = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        index, value = entry
        where = f"{path}[{index}]"
        if not isinstance(value, dict):
            builder.warn(f"{where} is not an object; skipped")
            continue
        yield where, value
        nested = value.get("components")
        if isinstance(nested, list) and nested:
            stack.append((f"{where}.components", enumerate(nested)))


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def read_json(
    filename: str, document: dict[str, Any], sink: Callable[[Component], None] | None = None
) -> Inventory:
    """Read a parsed CycloneDX JSON document (``bomFormat`` is ``CycloneDX``); with a ``sink``, each
    distinct component goes to it as it is read instead of into the inventory (see InventoryBuilder)."""
    version = document.get("specVersion")
    if not isinstance(version, str):
        raise inventory_error(filename, "CycloneDX document without a specVersion")
    builder = InventoryBuilder(filename, f"CycloneDX {version} JSON", sink)
    _check_version(builder, version)
    for where, fields in _walk_json(builder, document.get("components")):
        component = _component(
            builder,
            name=_str(fields.get("name")),
            group=_str(fields.get("group")),
            version=_str(fields.get("version")),
            purl_text=_str(fields.get("purl")),
            scope=_str(fields.get("scope")),
            where=_label(fields, where),
        )
        if component is not None:
            builder.add(component)
    return builder.build()


# --- XML ----------------------------------------------------------------------------------------------------


def read_xml(filename: str, root: Element) -> Inventory:
    """Read a parsed CycloneDX XML document (root ``{http://cyclonedx.org/schema/bom/1.x}bom``)."""
    match = XML_NAMESPACE.match(root.tag)
    if local_name(root.tag) != "bom":
        raise inventory_error(filename, f"not a CycloneDX document: root element is <{local_name(root.tag)}>")
    if match is None:
        namespace = root.tag[1 : root.tag.index("}")] if root.tag.startswith("{") else "no namespace"
        raise inventory_error(filename, f"not a CycloneDX document: <bom> in {namespace}")
    version = match.group(1)
    namespace = match.group(0)
    builder = InventoryBuilder(filename, f"CycloneDX {version} XML")
    _check_version(builder, version)
    components_tag, component_tag = namespace + "components", namespace + "component"
    wanted = {namespace + field: field for field in ("name", "group", "version", "purl", "scope")}

    top = root.find(components_tag)
    stack: list[tuple[str, Iterator[tuple[int, Element]]]] = []
    if top is not None:
        stack.append(("components", enumerate(top.iterfind(component_tag))))
    while stack:
        path, entries = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        index, element = entry
        where = f"{path}[{index}]"
        fields: dict[str, Any] = {}
        nested: Element | None = None
        for child in element:
            field = wanted.get(child.tag)
            if field is not None:
                fields[field] = child.text or ""
            elif child.tag == components_tag:
                nested = child
        component = _component(
            builder,
            name=fields.get("name"),
            group=fields.get("group"),
            version=fields.get("version"),
            purl_text=fields.get("purl"),
            scope=fields.get("scope"),
            where=_label(fields, where),
        )
        if component is not None:
            builder.add(component)
        if nested is not None:
            stack.append((f"{where}.components", enumerate(nested.iterfind(component_tag))))
    return builder.build()
