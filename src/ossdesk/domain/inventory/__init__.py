"""Inventories: an uploaded SBOM or lockfile turned into components named by purl, ready to match with OSV.

``parse(filename, data)`` detects the format, reads it and returns an :class:`Inventory`: the format it
read, the :class:`Component` list (ecosystem, name, version, canonical purl, optional scope), and warnings
for what it skipped. Anything it cannot read raises :class:`InventoryError`, one line naming the file and
the line: ``package-lock.json: line 3: Expecting ',' delimiter``.
``stream(filename, read, sink)`` reads the same, handing each component to ``sink`` instead of keeping
it, for a file too large to hold as objects.

Detection, file name first (the base name, any case), then content:

* lockfiles by the names their tools give them, case aside and with any prefix (``my-yarn.lock``):
  ``package-lock.json``/``npm-shrinkwrap.json``, ``yarn.lock``,
  ``pnpm-lock.yaml``, ``requirements*.txt`` (any ``.txt`` with "requirements" in its name),
  ``poetry.lock``, ``Pipfile.lock``, ``uv.lock``, ``pdm.lock``, ``Cargo.lock``, ``go.mod``,
  ``composer.lock``, ``Gemfile.lock``/``gems.locked``, ``pom.xml``, ``packages.lock.json``;
* otherwise by content: JSON with ``bomFormat: CycloneDX`` (CycloneDX), ``spdxVersion`` (SPDX 2.x), an
  SPDX 3 ``@context`` (refused: not supported), or ``lockfileVersion`` (a renamed package-lock.json);
  XML whose root is CycloneDX's ``<bom>`` or Maven's ``<project>``; text with ``SPDXVersion:`` (SPDX
  tag-value).

One module per family: :mod:`.cyclonedx`, :mod:`.spdx`, :mod:`.javascript` (npm, yarn, pnpm),
:mod:`.python`, :mod:`.rust`, :mod:`.go`, :mod:`.php`, :mod:`.ruby`, :mod:`.maven`, :mod:`.dotnet`; the
shared rules (purls, ecosystems, duplicates, warnings) live in :mod:`._model`, decoding and safe XML in
:mod:`._decode`. Why SBOMs are walked here rather than loaded with cyclonedx-python-lib and spdx-tools is
in those modules' docstrings, with the measurements.

Duplicates collapse: one component per (ecosystem, name, version, purl), with the strongest scope seen
(runtime over optional over dev), so a package installed at several node_modules paths counts once.
Inputs over :data:`MAX_BYTES` are refused before parsing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ossdesk.domain.inventory import cyclonedx, dotnet, go, javascript, maven, php, python, ruby, rust, spdx
from ossdesk.domain.inventory._decode import (
    load_json,
    load_json_text_lazily,
    load_toml,
    load_xml,
    local_name,
    text,
)
from ossdesk.domain.inventory._model import (
    MAX_BYTES,
    Component,
    Inventory,
    InventoryBuilder,
    InventoryError,
    distinct_key,
    inventory_error,
    refusal_reasons,
)
from ossdesk.domain.purl import ecosystem_for_purl

__all__ = [
    "MAX_BYTES",
    "Component",
    "Inventory",
    "InventoryError",
    "distinct_key",
    "ecosystem_for_purl",
    "parse",
    "refusal_reasons",
    "stream",
]

Reader = Callable[[str, bytes], Inventory]


def _json(read: Callable[[str, Any], Inventory]) -> Reader:
    return lambda filename, data: read(filename, load_json(filename, data))


def _toml(read: Callable[[str, dict[str, Any]], Inventory]) -> Reader:
    return lambda filename, data: read(filename, load_toml(filename, data))


def _text(read: Callable[[str, str], Inventory]) -> Reader:
    return lambda filename, data: read(filename, text(filename, data))


# Lower-case file name -> (format name for an empty file, reader).
_LOCKFILES: dict[str, tuple[str, Reader]] = {
    "package-lock.json": ("package-lock.json", _json(javascript.read_package_lock)),
    "npm-shrinkwrap.json": ("package-lock.json", _json(javascript.read_package_lock)),
    "yarn.lock": ("yarn.lock", _text(javascript.read_yarn_lock)),
    "pnpm-lock.yaml": ("pnpm-lock.yaml", _text(javascript.read_pnpm_lock)),
    "poetry.lock": ("poetry.lock", _toml(python.read_poetry_lock)),
    "pipfile.lock": ("Pipfile.lock", _json(python.read_pipfile_lock)),
    "uv.lock": ("uv.lock", _toml(python.read_uv_lock)),
    "pdm.lock": ("pdm.lock", _toml(python.read_pdm_lock)),
    "cargo.lock": ("Cargo.lock", _toml(rust.read_cargo_lock)),
    "go.mod": ("go.mod", _text(go.read_go_mod)),
    "composer.lock": ("composer.lock", _json(php.read_composer_lock)),
    "gemfile.lock": ("Gemfile.lock", _text(ruby.read_gemfile_lock)),
    "gems.locked": ("Gemfile.lock", _text(ruby.read_gemfile_lock)),
    "pom.xml": ("pom.xml", lambda f, d: maven.read_pom(f, load_xml(f, d))),
    "packages.lock.json": ("packages.lock.json", _json(dotnet.read_packages_lock)),
}
_REQUIREMENTS = ("requirements.txt", _text(python.read_requirements))
_SPDX_TAG_VALUE = re.compile(rb"^\s*SPDXVersion\s*:", re.MULTILINE)
_SUPPORTED = (
    "expected a CycloneDX (JSON, XML) or SPDX 2.x (JSON, tag-value) SBOM, or a lockfile named "
    + ", ".join(sorted({label for label, _ in _LOCKFILES.values()} | {"requirements.txt"}))
)


def _lockfile(basename: str) -> tuple[str, Reader] | None:
    """The reader for a lockfile name; a prefix is allowed (``my-yarn.lock``, ``app.package-lock.json``)."""
    lowered = basename.lower()
    for name, entry in _LOCKFILES.items():
        if lowered.endswith(name):
            return entry
    if lowered.endswith(".txt") and "requirements" in lowered:
        return _REQUIREMENTS
    return None


def _read_json_document(
    filename: str, content: str, sink: Callable[[Component], None] | None = None
) -> Inventory:
    # A CycloneDX document's components are read one at a time: the whole tree would cost several
    # times the file's size in memory.
    document = load_json_text_lazily(filename, content, "components")
    del content  # the lazy components hold it; nothing else needs it
    if isinstance(document, dict):
        if document.get("bomFormat") == "CycloneDX":
            return cyclonedx.read_json(filename, document, sink)
        if "spdxVersion" in document:
            return spdx.read_json(filename, document)
        if spdx.is_spdx3(document):
            raise inventory_error(filename, spdx.SPDX3_REFUSAL)
        if "lockfileVersion" in document:
            return javascript.read_package_lock(filename, document)
    raise inventory_error(filename, f"not a recognised JSON document: {_SUPPORTED}")


def _read_xml_document(filename: str, data: bytes) -> Inventory:
    root = load_xml(filename, data)
    if local_name(root.tag) == "project":
        return maven.read_pom(filename, root)
    return cyclonedx.read_xml(filename, root)


def _basename(filename: str) -> str:
    return re.split(r"[\\/]", filename)[-1] or "upload"


def _check_size(basename: str, data: bytes) -> None:
    if len(data) > MAX_BYTES:
        size, limit = len(data) / 2**20, MAX_BYTES // 2**20
        raise inventory_error(basename, f"{size:.1f} MiB is over the {limit} MiB limit")


_LEADING = re.compile(rb"[\xef\xbb\xbf \t\r\n]*")


def _head(data: bytes) -> bytes:
    """The first byte after any byte-order mark and whitespace (without copying a large file)."""
    start = _LEADING.match(data).end()  # type: ignore[union-attr]  # * always matches
    return data[start : start + 1]


def _blank(data: bytes) -> bool:
    return not data or data.isspace()  # as `not data.strip()`, without copying the file


def _is_json_document(basename: str, data: bytes) -> bool:
    return basename.lower().endswith(".json") or _head(data) in (b"{", b"[")


def stream(filename: str, read: Callable[[], bytes], sink: Callable[[Component], None]) -> Inventory:
    """:func:`parse`, with each distinct component handed to ``sink`` instead of kept, for inventories
    too large to hold: the :class:`Inventory` returned has no components, its ``streamed`` and ``count``
    say how many went to the sink, in the order :func:`parse` lists them.

    ``read`` gives the file's bytes; a CycloneDX JSON document's bytes are dropped as soon as they are
    decoded, and its components decoded one at a time, so the file, its text and its components are never
    all held at once. Other formats are parsed whole, then handed over. Errors are those of :func:`parse`.
    """
    basename = _basename(filename)
    data = read()
    _check_size(basename, data)
    if _lockfile(basename) is None and not _blank(data) and _is_json_document(basename, data):
        content = text(basename, data)
        del data  # the caller kept no reference: `read` gave it
        return _read_json_document(basename, content, sink)
    inventory = parse(filename, data)
    del data
    for component in inventory.components:
        sink(component)
    return replace(inventory, components=(), streamed=inventory.count)


def parse(filename: str, data: bytes) -> Inventory:
    """Read an uploaded SBOM or lockfile into an :class:`Inventory`; see the module docstring for formats.

    ``filename`` is the name the file was uploaded under (any directory part is ignored); errors name it.
    Raises :class:`InventoryError` for input over :data:`MAX_BYTES`, of an unknown format, or malformed.
    """
    basename = _basename(filename)
    _check_size(basename, data)
    lockfile = _lockfile(basename)
    if _blank(data):
        if lockfile is None:
            raise inventory_error(basename, "file is empty")
        builder = InventoryBuilder(basename, lockfile[0])
        builder.warn("file is empty")
        return builder.build()
    if lockfile is not None:
        return lockfile[1](basename, data)

    lowered = basename.lower()
    if _is_json_document(basename, data):
        return _read_json_document(basename, text(basename, data))
    if lowered.endswith(".xml") or _head(data) == b"<":
        return _read_xml_document(basename, data)
    if lowered.endswith(".spdx") or _SPDX_TAG_VALUE.search(data[:65536]):
        return spdx.read_tag_value(basename, text(basename, data))
    raise inventory_error(basename, f"unrecognised file: {_SUPPORTED}")
