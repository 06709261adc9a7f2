"""Maven: pom.xml, the dependencies it pins itself.

A POM is not a lockfile: versions may come from a parent POM, an imported BOM or a range, none of which
can be resolved from one file. What can be is: literal versions, ``${property}`` references to the POM's
own ``<properties>`` (and ``${project.version}`` and friends), and versions that the POM's own
``<dependencyManagement>`` gives to a dependency declared without one. Everything else is a warning.
Test-scoped dependencies are scope ``dev``; ``<optional>true</optional>`` ones scope ``optional``.

Profiles: the ones a plain build (``mvn package``, no ``-P`` or ``-D``) activates are read as part of the
POM (their properties, managed versions and dependencies): a profile whose only condition is a property
that must be absent (``!skipFoo``) or differ from a value, or else those marked
``<activeByDefault>true</activeByDefault>`` (which Maven drops as soon as another profile is active).
Other profiles depend on the build (``-P``, the JDK, the OS, a file): their dependencies are not read, and
a warning names each such profile that declares some.
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

    def find(self, element: Element, path: str) -> Element | None:
        return element.find("/".join(self.namespace + part for part in path.split("/")))

    def findall(self, element: Element, path: str) -> list[Element]:
        return element.findall("/".join(self.namespace + part for part in path.split("/")))

    def text(self, element: Element, path: str) -> str | None:
        found = self.find(element, path)
        return found.text.strip() if found is not None and found.text and found.text.strip() else None


def _active_without_options(pom: _Pom, profile: Element) -> bool:
    """Whether a plain build (no ``-P``, no ``-D``) activates the profile by its condition: the only
    condition is a property that must be absent (``!name``) or differ from a value (``!value``), which an
    undefined property satisfies. JDK, OS and file conditions depend on the machine: not known here."""
    activation = pom.find(profile, "activation")
    if activation is None:
        return False
    conditions = [local_name(c.tag) for c in activation if local_name(c.tag) != "activeByDefault"]
    if conditions != ["property"]:
        return False
    name, value = pom.text(activation, "property/name") or "", pom.text(activation, "property/value")
    return name.startswith("!") if value is None else value.startswith("!")


def _default_profiles(pom: _Pom, builder: InventoryBuilder) -> list[Element]:
    """The profiles a plain build activates; a warning for each other profile that declares dependencies.

    Maven activates the ``activeByDefault`` profiles only when no other profile of the POM is active, so a
    profile active by its condition (see :func:`_active_without_options`) turns them off.
    """
    profiles = pom.findall(pom.root, "profiles/profile")
    by_condition = [p for p in profiles if _active_without_options(pom, p)]
    by_default = [p for p in profiles if (pom.text(p, "activation/activeByDefault") or "").lower() == "true"]
    active = by_condition or by_default
    for profile in profiles:
        declared = len(pom.findall(profile, "dependencies/dependency"))
        if declared and not any(profile is a for a in active):
            name = pom.text(profile, "id") or "without an id"
            builder.warn(
                f"profile {name} is not active in a plain build; its {declared} dependencies are not read"
                " (upload the effective POM of the build: mvn help:effective-pom)"
            )
    return active


def _properties(pom: _Pom, profiles: list[Element]) -> dict[str, str]:
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
    for owner in (root, *profiles):  # a profile's properties override the POM's when it is active
        declared = pom.find(owner, "properties")
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


_Key = tuple[str, str, str, str]  # groupId, artifactId, type, classifier: what Maven keeps unique


def _declared(
    pom: _Pom, owners: tuple[Element, ...], properties: dict[str, str], builder: InventoryBuilder
) -> dict[_Key, Element]:
    """The dependencies as Maven builds them: when one is declared twice, the last declaration wins (an
    active profile's overrides the POM's), so the earlier version is never built and is not a component."""
    declared: dict[_Key, Element] = {}
    for dependency in (d for owner in owners for d in pom.findall(owner, "dependencies/dependency")):
        group, artifact = pom.text(dependency, "groupId"), pom.text(dependency, "artifactId")
        if not group or not artifact:
            builder.warn("a <dependency> without groupId or artifactId; skipped")
            continue
        key = (
            _resolve(group, properties),
            _resolve(artifact, properties),
            pom.text(dependency, "type") or "jar",
            pom.text(dependency, "classifier") or "",
        )
        earlier = declared.pop(key, None)
        if earlier is not None:
            before, after = pom.text(earlier, "version"), pom.text(dependency, "version")
            if before != after:
                builder.warn(
                    f"{key[0]}:{key[1]} is declared twice; Maven builds the last declaration ({after}),"
                    f" not {before}"
                )
        declared[key] = dependency
    return declared


def read_pom(filename: str, root: Element) -> Inventory:
    """Read the ``<dependencies>`` of a pom.xml and of its profiles active by default (not of plugins)."""
    if local_name(root.tag) != "project":
        raise inventory_error(filename, f"not a Maven POM: root element is <{local_name(root.tag)}>")
    pom = _Pom(root)
    builder = InventoryBuilder(filename, "pom.xml")
    profiles = _default_profiles(pom, builder)
    properties = _properties(pom, profiles)
    owners = (root, *profiles)
    managed: dict[tuple[str, str], str] = {}
    for dependency in (
        d for owner in owners for d in pom.findall(owner, "dependencyManagement/dependencies/dependency")
    ):
        group, artifact, version = (pom.text(dependency, f) for f in ("groupId", "artifactId", "version"))
        if group and artifact and version:
            managed[_resolve(group, properties), _resolve(artifact, properties)] = version

    for (group_id, artifact_id, _, _), dependency in _declared(pom, owners, properties, builder).items():
        name = f"{group_id}:{artifact_id}"
        declared = pom.text(dependency, "version") or managed.get((group_id, artifact_id))
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
