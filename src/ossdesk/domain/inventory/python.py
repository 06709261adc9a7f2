"""PyPI lockfiles: requirements.txt, poetry.lock, Pipfile.lock, uv.lock and pdm.lock.

Names are PEP 503-normalised, as OSV's PyPI ecosystem names packages. Packages from local paths
(poetry/uv ``directory``/``file``/``editable``, uv's ``virtual`` project itself) are not components.
"""

from __future__ import annotations

import re
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from ossdesk.domain.inventory._model import Inventory, InventoryBuilder, inventory_error, package

# --- requirements.txt ---------------------------------------------------------------------------------------

_COMMENT = re.compile(r"(^|\s)#.*$")
_INCLUDE_OPTIONS = ("-r", "--requirement", "-c", "--constraint")
_EDITABLE_OPTIONS = ("-e", "--editable")
# pip's per-requirement options (--hash, --global-option, --config-settings and its short form -C) follow
# the requirement; everything from the first one on is not part of it.
_PER_REQUIREMENT_OPTION = re.compile(r"\s--?[a-zA-Z][\w-]*(=|\s|$).*$")
# pip expands ${NAME} (upper case, digits, underscores) from the environment of the machine that installs.
_ENVIRONMENT_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)\}")
_URL_OR_PATH = re.compile(
    r"^(\.|/|~|[a-z][a-z0-9+.-]*://|[A-Za-z]:\\)|\.(whl|zip|tar\.gz|tgz)$", re.IGNORECASE
)


def _logical_lines(content: str) -> list[tuple[int, str]]:
    """Join backslash continuations (an odd number of trailing backslashes; two are a literal one)."""
    lines: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 1
    for number, line in enumerate(content.splitlines(), start=1):
        if not pending:
            start = number
        trailing = len(line) - len(line.rstrip("\\"))
        if trailing % 2 == 1:
            pending.append(line[:-1])
            continue
        pending.append(line)
        lines.append((start, "".join(pending)))
        pending = []
    if pending:
        lines.append((start, "".join(pending)))
    return lines


def read_requirements(filename: str, content: str) -> Inventory:
    """Read a pip requirements file: ``name==version`` lines are components; everything else is a warning
    (unpinned or URL requirements, ``-r``/``-c`` includes, which must be uploaded themselves) or ignored
    (comments, hashes, index options, environment markers and extras)."""
    builder = InventoryBuilder(filename, "requirements.txt")
    for number, raw in _logical_lines(content):
        line = _COMMENT.sub("", raw).strip()
        if not line:
            continue
        option, _, argument = line.partition(" ")
        if option.startswith(_INCLUDE_OPTIONS):
            target = argument.strip() or line
            builder.warn(f"{target} is included with {line.split()[0]}, not followed; upload it too", number)
            continue
        if option in _EDITABLE_OPTIONS or option.startswith("--editable="):
            builder.warn(f"editable requirement {argument.strip()!r} has no pinned version; skipped", number)
            continue
        if line.startswith("-"):
            continue  # --index-url, --hash on its own, -f ...: no package here
        line = _PER_REQUIREMENT_OPTION.sub("", line).strip()
        variable = _ENVIRONMENT_VARIABLE.search(line)
        if variable is not None:
            builder.warn(
                f"{line!r} depends on the environment variable {variable.group(1)}, unknown here; skipped",
                number,
            )
            continue
        if "@" not in line and _URL_OR_PATH.search(line):  # "name @ url" is a requirement, read below
            builder.warn(f"{line!r} is a file or URL, not a pinned requirement; skipped", number)
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            if _URL_OR_PATH.search(line):
                builder.warn(f"{line!r} is a file or URL, not a pinned requirement; skipped", number)
            else:
                builder.warn(f"cannot read {line!r}: {str(error).splitlines()[0]}", number)
            continue
        if requirement.url:
            builder.warn(f"{requirement.name} comes from a URL, not a pinned version; skipped", number)
            continue
        specifiers = list(requirement.specifier)
        pinned = len(specifiers) == 1 and specifiers[0].operator in ("==", "===")
        if not pinned or "*" in specifiers[0].version:
            spec = str(requirement.specifier) or "no version"
            builder.warn(f"{requirement.name} is not pinned ({spec}); skipped", number)
            continue
        builder.add(package("PyPI", requirement.name, specifiers[0].version))
    return builder.build()


# --- TOML lockfiles -----------------------------------------------------------------------------------------

_LOCAL_SOURCES = {"directory", "file", "editable", "virtual", "path"}


def _packages(filename: str, document: dict[str, Any]) -> list[dict[str, Any]]:
    packages = document.get("package", [])
    if not isinstance(packages, list):
        raise inventory_error(filename, "'package' is not an array of tables")
    return [p for p in packages if isinstance(p, dict)]


def _add(builder: InventoryBuilder, entry: dict[str, Any], scope: str | None) -> None:
    name, version = entry.get("name"), entry.get("version")
    if not isinstance(name, str) or not name:
        builder.warn("a [[package]] without a name; skipped")
        return
    if not isinstance(version, str) or not version:
        builder.warn(f"{name}: no version; skipped")
        return
    builder.add(package("PyPI", name, version, scope))


def _poetry_scope(entry: dict[str, Any]) -> str | None:
    """Lock format 1.x says ``category = "dev"``; Poetry 2 lists the package's dependency ``groups``, where
    ``main`` is what the project needs to run and every other group (dev, test, docs ...) is development."""
    groups = entry.get("groups")
    if entry.get("category") == "dev" or (isinstance(groups, list) and groups and "main" not in groups):
        return "dev"
    return "optional" if entry.get("optional") else None


def read_poetry_lock(filename: str, document: dict[str, Any]) -> Inventory:
    """Read poetry.lock; dev-only packages are scope dev, ``optional = true`` (extras) optional."""
    builder = InventoryBuilder(filename, "poetry.lock")
    for entry in _packages(filename, document):
        source = entry.get("source")
        if isinstance(source, dict) and source.get("type") in _LOCAL_SOURCES:
            continue
        _add(builder, entry, _poetry_scope(entry))
    return builder.build()


def read_uv_lock(filename: str, document: dict[str, Any]) -> Inventory:
    """Read uv.lock; the project itself and path dependencies are sources of kind virtual/editable/...

    Scopes follow how ``uv sync`` installs: what the project (its workspace members) needs is runtime; what
    only its extras (``[package.optional-dependencies]``) pull in is optional; what only its dependency
    groups (``[package.dev-dependencies]``, PEP 735) pull in is dev.
    """
    builder = InventoryBuilder(filename, "uv.lock")
    entries = _packages(filename, document)
    scopes = _uv_scopes(entries)
    for entry in entries:
        source = entry.get("source")
        if isinstance(source, dict) and _LOCAL_SOURCES & source.keys():
            continue
        _add(builder, entry, scopes.get((entry.get("name"), entry.get("version"))))
    return builder.build()


_UvKey = tuple[Any, Any]


def _uv_scopes(entries: list[dict[str, Any]]) -> dict[_UvKey, str | None]:
    """(name, version) -> scope, from what the workspace members reach through each kind of dependency."""
    by_name: dict[Any, list[dict[str, Any]]] = {}
    for entry in entries:
        by_name.setdefault(entry.get("name"), []).append(entry)
    members = [
        e
        for e in entries
        if isinstance(e.get("source"), dict) and {"virtual", "editable"} & e["source"].keys()
    ]
    if not members:
        return {}

    def group_members(table: str) -> list[Any]:
        found: list[Any] = []
        for member in members:
            groups = member.get(table)
            for group in groups.values() if isinstance(groups, dict) else ():
                found.extend(_uv_list(group))
        return found

    runtime = _uv_reach(by_name, [{"name": m.get("name"), "version": m.get("version")} for m in members])
    optional = _uv_reach(by_name, group_members("optional-dependencies")) - runtime
    dev = _uv_reach(by_name, group_members("dev-dependencies")) - runtime - optional
    scopes: dict[_UvKey, str | None] = dict.fromkeys(dev, "dev")
    scopes.update(dict.fromkeys(optional, "optional"))
    return scopes


def _uv_reach(by_name: dict[Any, list[dict[str, Any]]], start: list[Any]) -> set[_UvKey]:
    """The packages that ``start`` (uv dependency references) pulls in, with the extras they name."""
    seen: set[_UvKey] = set()
    seen_extras: set[tuple[_UvKey, Any]] = set()
    pending = list(start)
    while pending:
        dependency = pending.pop()
        if not isinstance(dependency, dict):
            continue
        extras = _uv_list(dependency.get("extra"))
        for target in by_name.get(dependency.get("name"), []):
            if "version" in dependency and dependency["version"] != target.get("version"):
                continue  # the lockfile names the version when several are locked
            key = (target.get("name"), target.get("version"))
            if key not in seen:
                seen.add(key)
                pending.extend(_uv_list(target.get("dependencies")))
            optional = target.get("optional-dependencies")
            for extra in extras:
                if isinstance(optional, dict) and isinstance(extra, str) and (key, extra) not in seen_extras:
                    seen_extras.add((key, extra))
                    pending.extend(_uv_list(optional.get(extra)))
    return seen


def _uv_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def read_pdm_lock(filename: str, document: dict[str, Any]) -> Inventory:
    """Read pdm.lock; a package outside the ``default`` group is dev (group ``dev``) or optional."""
    builder = InventoryBuilder(filename, "pdm.lock")
    for entry in _packages(filename, document):
        if "path" in entry:
            continue
        groups = entry.get("groups") or ["default"]
        scope = None if "default" in groups else "dev" if "dev" in groups else "optional"
        _add(builder, entry, scope)
    return builder.build()


# --- Pipfile.lock -------------------------------------------------------------------------------------------


def read_pipfile_lock(filename: str, document: Any) -> Inventory:
    """Read Pipfile.lock: ``default`` and ``develop`` (scope dev) map names to ``{"version": "==x"}``."""
    if not isinstance(document, dict) or "_meta" not in document:
        raise inventory_error(filename, "not a Pipfile.lock: no _meta")
    builder = InventoryBuilder(filename, "Pipfile.lock")
    for section, scope in (("default", None), ("develop", "dev")):
        entries = document.get(section) or {}
        if not isinstance(entries, dict):
            raise inventory_error(filename, f"'{section}' is not an object")
        for name, entry in entries.items():
            version = entry.get("version") if isinstance(entry, dict) else None
            if not isinstance(version, str) or not version.startswith("=="):
                source = next(
                    (k for k in ("git", "path", "file") if isinstance(entry, dict) and k in entry), None
                )
                why = f"comes from {source}" if source else "has no pinned version"
                builder.warn(f"{name} {why}; skipped")
                continue
            builder.add(package("PyPI", name, version.lstrip("="), scope))
    return builder.build()
