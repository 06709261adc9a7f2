"""What an inventory is made of, and the one place where a package becomes a :class:`Component`.

Every reader ends in :class:`InventoryBuilder`: it builds the purl, maps purl types to OSV ecosystems,
drops duplicates and caps the warnings, so that all formats agree on names, purls and scopes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from packageurl import PackageURL
from packaging.utils import canonicalize_name

from ossdesk.domain.purl import PurlError, ecosystem_for_purl, package_for, purl_for

MAX_BYTES = 50 * 1024 * 1024
MAX_WARNINGS = 50


@dataclass(frozen=True, slots=True)
class Component:
    """One package found in an uploaded file, named as its ecosystem names it.

    ``ecosystem`` is the OSV ecosystem (``PyPI``, ``npm``, ``Maven``, ``Go`` ...) or None when the file does
    not say; ``name`` follows the ecosystem's convention (Maven ``group:artifact``, npm ``@scope/name``, Go
    module path, PyPI's normalised name); ``purl`` is the canonical purl with the version; ``scope`` is
    ``"dev"``, ``"optional"`` or ``"excluded"`` when the file marks the package so, else None.
    """

    ecosystem: str | None
    name: str
    version: str | None
    purl: str | None
    scope: str | None = None


@dataclass(frozen=True, slots=True)
class Inventory:
    """The components of one uploaded file, the format they were read as, and what was skipped and why.

    ``skipped`` counts the entries (lines, packages) that could not be read as a component, including
    those whose warnings were not listed beyond :data:`MAX_WARNINGS`; ``unlisted`` counts those warnings
    (the last listed one then says "… and N more warnings"). ``streamed`` counts the components handed
    to a sink as they were read (:func:`ossdesk.domain.inventory.stream`) instead of kept in
    ``components``.
    """

    format: str
    components: tuple[Component, ...]
    warnings: tuple[str, ...] = ()
    skipped: int = 0
    unlisted: int = 0
    streamed: int = 0

    @property
    def count(self) -> int:
        """How many distinct components the file gave, kept or streamed."""
        return len(self.components) + self.streamed


MAX_REFUSAL_LINES = 20


def refusal_reasons(filename: str, inventory: Inventory) -> tuple[str, ...]:
    """Why an inventory must not replace a deployment's current one, one line per problem; empty if it may.

    An inventory that yields no component, or that skipped more entries than it read, describes the
    file's failure rather than the deployment: taking it as the truth would close every finding of the
    packages it lost. The first line says which rule refused it; the warnings follow (at most
    :data:`MAX_REFUSAL_LINES` lines in all, the rest counted).
    """
    read = inventory.count
    if read == 0:
        headline = f"{filename}: no package could be read ({inventory.skipped} entries skipped)"
    elif inventory.skipped > read:
        headline = f"{filename}: more entries skipped ({inventory.skipped}) than read ({read})"
    else:
        return ()
    listed = list(inventory.warnings[:-1] if inventory.unlisted else inventory.warnings)
    total = len(listed) + inventory.unlisted
    room = MAX_REFUSAL_LINES - 1
    if total > room:
        listed = [*listed[: room - 1], f"… and {total - (room - 1)} more warnings"]
    return (headline, *(f"{filename}: {line}" for line in listed))


def distinct_key(parts: tuple[str | None, ...]) -> bytes:
    """A 16-byte digest standing for a tuple of strings, to tell hundreds of thousands of components
    apart without keeping their strings (a tuple of three strings costs about 200 bytes, this about 80).

    Parts are length-prefixed, so no two tuples share an encoding; a collision of the 128-bit digest
    (odds about 10^-27 for a million components) is far below any hardware error rate.
    """
    encoded = "".join("-" if part is None else f"{len(part)}:{part}" for part in parts)
    return hashlib.blake2b(encoded.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class InventoryError(ValueError):
    """An upload that cannot be read; the message is one line naming the file, and the line when known."""


def inventory_error(filename: str, reason: str, line: int | None = None) -> InventoryError:
    """Build the one-line error ``"<file>: line <n>: <reason>"`` (without the line part when unknown)."""
    where = f"{filename}: line {line}: " if line is not None else f"{filename}: "
    return InventoryError(where + " ".join(reason.split()))


# --- purls: built and read by ossdesk.domain.purl, the one purl builder ------------------------------------


def _ecosystem_name(ecosystem: str | None, purl: PackageURL) -> str:
    """The package name as ``ecosystem`` writes it, from a parsed purl."""
    if ecosystem in ("Debian", "Ubuntu", "Alpine", "Wolfi", "Chainguard"):
        # OSV names distribution packages by their source package; syft writes it as ``upstream``
        # (sometimes ``name@version``), SCALIBR as ``source``, apk-based tools as ``origin``.
        qualifiers = purl.qualifiers if isinstance(purl.qualifiers, dict) else {}
        source = qualifiers.get("upstream") or qualifiers.get("source") or qualifiers.get("origin")
        if source and source.strip():
            return source.split("@", 1)[0].strip()
    return package_for(purl).name


def parse_purl(text: str) -> PackageURL:
    """Parse a purl string; raises ``ValueError`` with packageurl-python's reason."""
    return PackageURL.from_string(text.strip())


def component_from_purl(purl: PackageURL, version: str | None, scope: str | None) -> Component:
    """A component from a purl; ``version`` fills in when the purl has none (the purl gets it too)."""
    ecosystem = ecosystem_for_purl(purl.type, purl.namespace)
    if not purl.version and version:
        purl = PackageURL(purl.type, purl.namespace, purl.name, version, purl.qualifiers, purl.subpath)
    return Component(
        ecosystem=ecosystem,
        name=_ecosystem_name(ecosystem, purl),
        version=package_for(purl).version or version or None,
        purl=purl.to_string(),
        scope=scope,
    )


def package(ecosystem: str, name: str, version: str | None, scope: str | None = None) -> Component:
    """A component of a known ecosystem, as a lockfile names it; the purl is derived from the parts."""
    if ecosystem == "PyPI":
        name = canonicalize_name(name)
    try:
        purl: str | None = purl_for(ecosystem, name, version or None)
    except PurlError:
        purl = None
    return Component(ecosystem=ecosystem, name=name, version=version or None, purl=purl, scope=scope)


# --- building an inventory --------------------------------------------------------------------------------

# When the same package appears with several scopes, the most "installed" one wins: a package that is both a
# runtime and a dev dependency is a runtime dependency.
_SCOPE_RANK = {None: 0, "optional": 1, "dev": 2, "excluded": 3}


class InventoryBuilder:
    """Collects components and warnings for one file, then builds the :class:`Inventory`.

    Duplicates (same ecosystem, name, version and purl) collapse into one component, keeping the first
    position and the strongest scope; warnings beyond :data:`MAX_WARNINGS` are counted, not listed.

    With a ``sink``, each distinct component is handed to it when first seen and not kept (only a digest
    of its key is): the inventory built has no components, ``streamed`` counts them. A duplicate seen
    later cannot strengthen the scope of one already handed over.
    """

    def __init__(self, filename: str, format: str, sink: Callable[[Component], None] | None = None) -> None:
        self.filename = filename
        self.format = format
        self._components: dict[tuple[str | None, str, str | None, str | None], Component] = {}
        self._warnings: list[str] = []
        self._more_warnings = 0
        self._skipped = 0
        self._sink = sink
        self._streamed: set[bytes] = set()

    def add(self, component: Component) -> None:
        """Add a component, merging it with an identical one already seen."""
        key = (component.ecosystem, component.name, component.version, component.purl)
        if self._sink is not None:
            digest = distinct_key(key)
            if digest not in self._streamed:
                self._streamed.add(digest)
                self._sink(component)
            return
        seen = self._components.get(key)
        if seen is None:
            self._components[key] = component
        elif _SCOPE_RANK.get(component.scope, 4) < _SCOPE_RANK.get(seen.scope, 4):
            self._components[key] = Component(
                seen.ecosystem, seen.name, seen.version, seen.purl, component.scope
            )

    def warn(self, message: str, line: int | None = None) -> None:
        """Record why something was skipped or read in a degraded way.

        The readers' wording says which: a warning ending in "skipped" (or a line that "cannot read")
        lost an entry, and counts towards :attr:`Inventory.skipped`; others ("kept without a purl",
        "not followed") lost nothing that this file could have given.
        """
        if message.endswith("skipped") or message.startswith("cannot read"):
            self._skipped += 1
        if len(self._warnings) >= MAX_WARNINGS:
            self._more_warnings += 1
            return
        self._warnings.append(f"line {line}: {message}" if line is not None else message)

    def build(self) -> Inventory:
        """The inventory, components in the order they were first seen."""
        warnings = list(self._warnings)
        if self._more_warnings:
            warnings.append(f"… and {self._more_warnings} more warnings")
        components = tuple(self._components.values())
        return Inventory(
            self.format,
            components,
            tuple(warnings),
            self._skipped,
            self._more_warnings,
            len(self._streamed),
        )
