"""npm ecosystem lockfiles: package-lock.json (v1-v3), yarn.lock (v1 and Berry) and pnpm-lock.yaml (v5-v9).

Common rules: packages that live in the project itself (workspaces, ``file:``, ``link:`` and ``portal:``
dependencies) are not components, since no registry publishes them and an advisory for a same-named
registry package would not apply. Aliases (``"my-alias": "npm:real-name@^1"``) are recorded under the
real package name. Packages installed from git or a tarball URL keep the version their package.json
declares when the lockfile records it (package-lock v1 records only the commit: no version then).
"""

from __future__ import annotations

import re
from typing import Any

from ossdesk.domain.inventory._decode import load_yaml_documents
from ossdesk.domain.inventory._model import Inventory, InventoryBuilder, inventory_error, package

_LOCAL_PROTOCOLS = ("file:", "link:", "portal:", "workspace:")


def _split_descriptor(descriptor: str) -> tuple[str, str]:
    """``@scope/name@range`` -> (``@scope/name``, ``range``); the first ``@`` may start a scope."""
    at = descriptor.find("@", 1)
    if at == -1:
        return descriptor, ""
    return descriptor[:at], descriptor[at + 1 :]


def _is_npm_name(name: str) -> bool:
    if name.startswith("@"):
        scope, slash, rest = name.partition("/")
        return bool(slash and len(scope) > 1 and rest and "/" not in rest and "@" not in rest)
    return bool(name) and "/" not in name and "@" not in name


# --- package-lock.json ----------------------------------------------------------------------------------


def _npm_scope(entry: dict[str, Any]) -> str | None:
    if entry.get("dev"):
        return "dev"
    # devOptional: needed by both a dev and an optional path, so it is installed with optional dependencies.
    if entry.get("optional") or entry.get("devOptional"):
        return "optional"
    return None


def read_package_lock(filename: str, document: Any) -> Inventory:
    """Read package-lock.json / npm-shrinkwrap.json: ``packages`` (v2, v3) or nested ``dependencies`` (v1)."""
    if not isinstance(document, dict) or not isinstance(document.get("lockfileVersion"), int):
        raise inventory_error(filename, "not a package-lock.json: no lockfileVersion")
    lockfile_version = document["lockfileVersion"]
    builder = InventoryBuilder(filename, f"package-lock.json v{lockfile_version}")
    packages = document.get("packages")
    if isinstance(packages, dict):
        _read_packages(builder, packages)
    else:
        _read_dependencies(builder, document.get("dependencies"))
    return builder.build()


def _read_packages(builder: InventoryBuilder, packages: dict[str, Any]) -> None:
    """v2/v3: keys are install paths; only paths inside ``node_modules`` are installed packages."""
    for path, entry in packages.items():
        _, marker, installed_as = path.rpartition("node_modules/")
        if not marker or not isinstance(entry, dict) or entry.get("link"):
            continue  # the project root, a workspace folder, or a link to one
        name = entry.get("name") or installed_as  # "name" is there when installed under an alias
        version = entry.get("version")  # absent for some git dependencies: then the version is unknown
        builder.add(package("npm", name, version if isinstance(version, str) else None, _npm_scope(entry)))


def _read_dependencies(builder: InventoryBuilder, dependencies: Any) -> None:
    """v1: ``dependencies`` maps names to entries, which nest their own ``dependencies``."""
    stack = [dependencies]
    while stack:
        level = stack.pop()
        if not isinstance(level, dict):
            continue
        for name, entry in level.items():
            if not isinstance(entry, dict):
                continue
            stack.append(entry.get("dependencies"))
            version = entry.get("version")
            if not isinstance(version, str) or version.startswith(_LOCAL_PROTOCOLS):
                continue
            real_name = name
            if version.startswith("npm:"):  # alias: "npm:real-name@1.2.3"
                real_name, version = _split_descriptor(version[4:])
            elif (
                ":" in version or "/" in version
            ):  # git, GitHub shorthand or tarball URL: no registry version
                builder.add(package("npm", real_name, None, _npm_scope(entry)))
                continue
            builder.add(package("npm", real_name, version, _npm_scope(entry)))


# --- yarn.lock ----------------------------------------------------------------------------------------------

_YARN_FIELD = re.compile(r'^  "?([A-Za-z][\w-]*)"?:?\s+"?(.*?)"?\s*$')


def read_yarn_lock(filename: str, content: str) -> Inventory:
    """Read yarn.lock, classic (v1, its own syntax) or Berry (v2+, YAML); both are line-based enough here.

    A block starts with an unindented line of comma-separated descriptors ending in ``:``; its fields are
    the lines indented by two spaces. Only ``version`` and ``resolution`` (Berry) matter.
    """
    berry = re.search(r"^__metadata:", content, re.MULTILINE) is not None
    metadata = re.search(r"^__metadata:\n(?:  .*\n)*?  version: *(\S+)", content, re.MULTILINE)
    label = "yarn.lock berry" if berry else "yarn.lock v1"
    builder = InventoryBuilder(filename, f"{label} (metadata v{metadata.group(1)})" if metadata else label)
    header: str | None = None
    header_line = 0
    fields: dict[str, str] = {}
    for number, line in enumerate([*content.splitlines(), ""], start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            continue
        if line[:1] in (" ", "\t"):
            match = _YARN_FIELD.match(line)
            if header is not None and match is not None:
                fields.setdefault(match.group(1), match.group(2))
            continue
        if header is not None:
            _yarn_block(builder, header, fields, header_line, berry)
            header, fields = None, {}
        if not stripped:
            continue
        if not stripped.endswith(":"):
            raise inventory_error(filename, "expected a 'descriptor:' line or an indented field", number)
        header, header_line = stripped[:-1], number
    return builder.build()


def _yarn_block(
    builder: InventoryBuilder, header: str, fields: dict[str, str], line: int, berry: bool
) -> None:
    descriptors = [d.strip() for d in header.replace('"', "").split(",") if d.strip()]
    if not descriptors or descriptors[0] == "__metadata":
        return
    version = fields.get("version")
    if berry:
        resolution = fields.get("resolution", descriptors[0])
        name, reference = _split_descriptor(resolution)
        if reference.startswith(_LOCAL_PROTOCOLS):
            return
    else:
        name, reference = _split_descriptor(descriptors[0])
        if any(_split_descriptor(d)[1].startswith(_LOCAL_PROTOCOLS) for d in descriptors):
            return
        if reference.startswith("npm:"):  # alias: "my-alias@npm:real-name@^1"
            name = _split_descriptor(reference[4:])[0]
    if not version:
        builder.warn(f"{descriptors[0]}: no version; skipped", line)
        return
    builder.add(package("npm", name, version))


# --- pnpm-lock.yaml -----------------------------------------------------------------------------------------


def _pnpm_key(key: str) -> tuple[str | None, str | None]:
    """Name and version from a pnpm dependency path, in any lockfile version's spelling.

    v9 ``name@1.0.0(peer@2.0.0)``, v6 ``/name@1.0.0(peer@2.0.0)``, v5 ``/name/1.0.0_peer@2.0.0`` or
    ``registry.example.com/@scope/name/1.0.0``. A part that is not there, or a "version" that is not one
    (a git host path, a tarball URL), is None.
    """
    had_slash = key.startswith("/")
    path = key.lstrip("/").split("(", 1)[0]
    name, version = _split_descriptor(path)
    if not _is_npm_name(name):
        segments = path.split("/")
        if not had_slash:
            segments = segments[1:]  # v5 writes the registry host first when it is not the default one
        if len(segments) >= 3 and segments[0].startswith("@"):
            name, version = f"{segments[0]}/{segments[1]}", segments[2]
        elif len(segments) >= 2:
            name, version = segments[0], segments[1]
        else:
            return None, None
        version = version.split("_", 1)[0]  # v5 peer suffix
    return (name if _is_npm_name(name) else None), (version if version[:1].isdigit() else None)


_PNPM_SECTIONS = ("packages", "snapshots")
_PNPM_FIELD = re.compile(r"^    (name|version|dev|optional):")


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1].replace("''", "'") if text[0] == "'" else text[1:-1]
    return text


class _PnpmEdges:
    """Reads the ``dependencies`` and ``optionalDependencies`` of pnpm 9 snapshots line by line."""

    def __init__(self) -> None:
        self.targets: dict[str, list[str]] = {}
        self._snapshot = ""
        self._in_edges = False

    def read(self, indent: int, text: str) -> None:
        text = text.rstrip()
        if indent == 2:
            self._snapshot = _unquote(text.removesuffix(" {}").removesuffix(":"))
        elif indent == 4:
            self._in_edges = text in ("dependencies:", "optionalDependencies:")
        elif indent == 6 and self._in_edges:
            name, _, version = text.partition(": ")
            target = _pnpm_snapshot_key(_unquote(name), _unquote(version)) if version else None
            if target is not None:
                self.targets.setdefault(self._snapshot, []).append(target)


def _pnpm_outline(content: str) -> tuple[str, list[int], dict[str, list[str]]]:
    """The part of a pnpm lockfile this reader parses as YAML, the original number of each line kept, and
    the snapshots' edges (snapshot -> the snapshots its dependencies resolve to).

    pnpm lockfiles are large and PyYAML builds every node in Python (2.7 MB, 10,000 packages: 1.9 s even
    with the C scanner), while only the keys of ``packages`` and ``snapshots``, four of their fields and the
    importers' dependencies matter. Dropping the other lines before parsing keeps the YAML valid (a key
    whose children are gone is null) and makes that 0.3 s. Top-level lines are all kept, so the version and
    document markers stay. The snapshots' edges (pnpm 9's only record of what needs what, tens of thousands
    of ``name: version`` lines) are read off the lines directly rather than through YAML.
    """
    kept: list[str] = []
    numbers: list[int] = []
    edges = _PnpmEdges()
    section = ""
    for number, line in enumerate(content.splitlines(), start=1):
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if indent == 0:
            section = line.split(":", 1)[0]
        elif section == "importers":
            if indent > 8:
                continue
        elif section not in _PNPM_SECTIONS:
            continue
        else:
            if section == "snapshots":
                edges.read(indent, stripped)
            if indent > 4 or (indent == 4 and not _PNPM_FIELD.match(line)):
                continue
        kept.append(line)
        numbers.append(number)
    return "\n".join(kept), numbers, edges.targets


def read_pnpm_lock(filename: str, content: str) -> Inventory:
    """Read pnpm-lock.yaml: the ``packages`` map, whose keys changed spelling in v6 and v9.

    pnpm 10 may put a second YAML document (its config dependencies) first; the one with
    ``lockfileVersion`` and the most packages is the lockfile.
    """
    outline, numbers, edges = _pnpm_outline(content)
    documents = [d for d in load_yaml_documents(filename, outline, numbers) if d is not None]
    if not documents:
        builder = InventoryBuilder(filename, "pnpm-lock.yaml")
        builder.warn("file is empty")
        return builder.build()
    lockfiles = [d for d in documents if isinstance(d, dict) and "lockfileVersion" in d]
    if not lockfiles:
        raise inventory_error(filename, "not a pnpm lockfile: no lockfileVersion")
    document = max(lockfiles, key=lambda d: len(d.get("packages") or ()))
    builder = InventoryBuilder(filename, f"pnpm-lock.yaml v{document['lockfileVersion']}")
    packages = document.get("packages") or {}
    if not isinstance(packages, dict):
        raise inventory_error(filename, "'packages' is not a map")
    optional = _pnpm_v9_optional(document.get("snapshots"))
    dev_only = _pnpm_v9_dev_only(document.get("importers"), edges) if "snapshots" in document else set()
    for key, value in packages.items():
        entry = value if isinstance(value, dict) else {}
        key = str(key)
        if key.lstrip("/").startswith(_LOCAL_PROTOCOLS):
            continue
        key_name, key_version = _pnpm_key(key)
        name, version = entry.get("name") or key_name, entry.get("version") or key_version
        if not isinstance(name, str) or not isinstance(version, str) or not version[:1].isdigit():
            builder.warn(f"{key}: no registry name and version; skipped")
            continue
        base = key.split("(", 1)[0]
        scope = (
            "dev" if entry.get("dev") or base in dev_only else "optional" if entry.get("optional") else None
        )
        if scope is None and optional.get(base):
            scope = "optional"
        builder.add(package("npm", name, version, scope))
    return builder.build()


def _pnpm_v9_optional(snapshots: Any) -> dict[str, bool]:
    """v9 moved ``optional`` to ``snapshots`` (one per peer set): optional when every snapshot says so."""
    optional: dict[str, bool] = {}
    if isinstance(snapshots, dict):
        for key, entry in snapshots.items():
            base = str(key).split("(", 1)[0]
            flag = isinstance(entry, dict) and bool(entry.get("optional"))
            optional[base] = optional.get(base, True) and flag
    return optional


def _pnpm_snapshot_key(name: str, version: str) -> str | None:
    """The snapshot a dependency resolves to: ``name@version(peers)``, or the alias target itself when the
    version names another package (``string-width@4.2.3``); a ``link:`` is a workspace folder (None)."""
    if version.startswith(_LOCAL_PROTOCOLS):
        return None
    return version if "@" in version.split("(", 1)[0] else f"{name}@{version}"


def _pnpm_edges(entry: Any, kinds: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for kind in kinds:
        dependencies = entry.get(kind) if isinstance(entry, dict) else None
        for name, spec in dependencies.items() if isinstance(dependencies, dict) else ():
            version = spec.get("version") if isinstance(spec, dict) else spec
            key = _pnpm_snapshot_key(str(name), str(version)) if version is not None else None
            if key is not None:
                found.append(key)
    return found


def _pnpm_reach(edges: dict[str, list[str]], start: list[str]) -> set[str]:
    """The packages (``name@version``, peers aside) that the snapshots ``start`` names pull in."""
    seen: set[str] = set()
    pending = list(start)
    while pending:
        key = pending.pop()
        if key not in seen:
            seen.add(key)
            pending.extend(edges.get(key, ()))
    return {key.split("(", 1)[0] for key in seen}


def _pnpm_v9_dev_only(importers: Any, edges: dict[str, list[str]]) -> set[str]:
    """pnpm 9 marks no package dev; a package only the importers' ``devDependencies`` lead to is one."""
    if not isinstance(importers, dict):
        return set()
    needed = [_pnpm_edges(i, ("dependencies", "optionalDependencies")) for i in importers.values()]
    dev = [_pnpm_edges(i, ("devDependencies",)) for i in importers.values()]
    return _pnpm_reach(edges, [k for keys in dev for k in keys]) - _pnpm_reach(
        edges, [k for keys in needed for k in keys]
    )
