"""Maven: pom.xml, the dependencies it pins itself.

A POM is not a lockfile: versions may come from a parent POM, an imported BOM or a range, none of which
can be resolved from one file. What can be is: literal versions, ``${property}`` references to the POM's
own ``<properties>`` (and ``${project.version}`` and friends), and versions that the POM's own
``<dependencyManagement>`` gives to a dependency declared without one. Everything else is a warning.
Test-scoped dependencies are scope ``dev``; ``<optional>true</optional>`` ones scope ``optional``.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from ossdesk.domain.inventory._decode import local_name
from ossdesk.domain.inventory._model import Inventory, InventoryBuilder, inventory_error, package

_REFERENCE = re.compile(r"\$\{([^}]+)\}")


class _Pom:
    """Element lookups in the POM's namespace (``http://maven.apache.org/POM/4.0.0`` or none)."""

    def __init__(self, root: Element) -> None:
        self.namespace = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
        self.root = root

    def find(self, element: Element | None, path: str) -> Element | None:
        if element is None:
            return None
        return element.find("/".join(self.namespace + part for part in path.split("/")))

    def findall(self, element: Element | None, path: str) -> list[Element]:
        if element is None:
            return []
        return element.findall("/".join(self.namespace + part for part in path.split("/")))

    def text(self, element: Element | None, path: str) -> str | None:
        found = self.find(element, path)
        return found.text.strip() if found is not None and found.text and found.text.strip() else None


def _properties(pom: _Pom) -> dict[str, str]:
    root = pom.root
    properties: dict[str, str] = {}
    for name, value in (
        ("project.groupId", pom.text(root, "groupId") or pom.text(root, "parent/groupId")),
        ("project.artifactId", pom.text(root, "artifactId")),
        ("project.version", pom.text(root, "version") or pom.text(root, "parent/version")),
        ("project.parent.groupId", pom.text(root, "parent/groupId")),
        ("project.parent.version", pom.text(root, "parent/version")),
    ):
        if value is not None:
            properties[name] = value
            properties[name.replace("project.", "pom.", 1)] = value  # the deprecated spelling
    declared = pom.find(root, "properties")
    for element in declared if declared is not None else ():
        properties[local_name(element.tag)] = (element.text or "").strip()
    return properties


def _resolve(value: str, properties: dict[str, str]) -> str:
    """Substitute ``${name}`` references, following chains a few levels deep; unknown ones stay."""
    for _ in range(10):
        resolved = _REFERENCE.sub(lambda m: properties.get(m.group(1), m.group(0)), value)
        if resolved == value:
            break
        value = resolved
    return value


def read_pom(filename: str, root: Element) -> Inventory:
    """Read the ``<dependencies>`` of a pom.xml (not those of its profiles or plugins)."""
    if local_name(root.tag) != "project":
        raise inventory_error(filename, f"not a Maven POM: root element is <{local_name(root.tag)}>")
    pom = _Pom(root)
    properties = _properties(pom)
    builder = InventoryBuilder(filename, "pom.xml")
    managed: dict[tuple[str, str], str] = {}
    for dependency in pom.findall(root, "dependencyManagement/dependencies/dependency"):
        group, artifact, version = (pom.text(dependency, f) for f in ("groupId", "artifactId", "version"))
        if group and artifact and version:
            managed[_resolve(group, properties), _resolve(artifact, properties)] = version

    for dependency in pom.findall(root, "dependencies/dependency"):
        group, artifact = pom.text(dependency, "groupId"), pom.text(dependency, "artifactId")
        if not group or not artifact:
            builder.warn("a <dependency> without groupId or artifactId; skipped")
            continue
        key = (_resolve(group, properties), _resolve(artifact, properties))
        name = f"{key[0]}:{key[1]}"
        declared = pom.text(dependency, "version") or managed.get(key)
        if declared is None:
            builder.warn(f"{name} has no version here (managed by a parent POM or an imported BOM?); skipped")
            continue
        version = _resolve(declared, properties)
        if "${" in version:
            builder.warn(f"{name}: cannot resolve {declared} from this POM's properties; skipped")
            continue
        if version[:1] in "[(" or "," in version:
            builder.warn(f"{name}: {version} is a version range, not a pinned version; skipped")
            continue
        scope = pom.text(dependency, "scope")
        optional = (pom.text(dependency, "optional") or "").lower() == "true"
        builder.add(
            package("Maven", name, version, "dev" if scope == "test" else "optional" if optional else None)
        )
    return builder.build()
