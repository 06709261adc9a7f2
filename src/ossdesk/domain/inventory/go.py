"""Go: go.mod.

``require`` lines and blocks are components (``// indirect`` ones too: they are built into the binary).
``replace`` directives are applied as Go applies them: a replacement with a version on the left applies to
that version only and wins over one without; a replacement by a local directory removes the module from
the inventory (its code is the project's own copy), with a warning.

The Go standard library is compiled into every binary, so it is a component too, named ``stdlib`` as the
Go vulnerability database names it (``GO-*`` records for package ``stdlib``). Its version is the
``toolchain`` directive's when there is one, else the ``go`` directive's: the oldest Go that builds the
module (with the default ``GOTOOLCHAIN=auto`` the go command switches to at least that release, and
govulncheck reports the standard library of the Go that runs), as osv-scanner reads it too. Go release
names become the SemVer that OSV records use: ``1.21`` and ``go1.21`` (the first release of 1.21, before
Go 1.21 named it ``go1.21.0``) are ``1.21.0``, ``go1.21rc2`` is ``1.21.0-rc.2``, and a vendor suffix
(``go1.22.1-custom``) is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ossdesk.domain.inventory._model import Inventory, InventoryBuilder, inventory_error, package

_DIRECTIVES = {
    "module",
    "go",
    "toolchain",
    "godebug",
    "require",
    "exclude",
    "replace",
    "retract",
    "tool",
    "ignore",
}


# go1.21.3, 1.21, go1.21rc2, go1.9.2rc2, go1.22.1-custom (the suffix names a vendor build).
_GO_RELEASE = re.compile(r"(?:go)?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(rc|beta)(\d+))?(?:-.*)?")


@dataclass(frozen=True, slots=True)
class _Replace:
    old_path: str
    old_version: str | None
    new_path: str
    new_version: str | None


def _is_local(path: str) -> bool:
    return path.startswith(("./", "../", "/", ".\\", "..\\")) or path in (".", "..") or path[1:3] == ":\\"


def _tokens(line: str) -> list[str]:
    return [token.strip('"`') for token in line.split()]


def read_go_mod(filename: str, content: str) -> Inventory:
    """Read go.mod's ``require`` and ``replace`` directives (single lines and blocks)."""
    builder = InventoryBuilder(filename, "go.mod")
    requires: list[tuple[int, str, str]] = []
    replaces: list[_Replace] = []
    releases: dict[str, tuple[str, int]] = {}  # "go" / "toolchain" -> (its argument, line)
    block: str | None = None
    for number, raw in enumerate(content.splitlines(), start=1):
        line = raw.split("//", 1)[0].strip()
        if not line:
            continue
        if block is not None:
            if line == ")":
                block = None
                continue
            verb, arguments = block, _tokens(line)
        else:
            verb, *arguments = _tokens(line)
            if verb not in _DIRECTIVES:
                raise inventory_error(filename, f"unknown directive {verb!r}", number)
            if arguments == ["("]:
                block = verb
                continue
        if verb == "require":
            if len(arguments) != 2:
                raise inventory_error(filename, "usage: require module/path v1.2.3", number)
            requires.append((number, arguments[0], arguments[1]))
        elif verb == "replace":
            replaces.append(_replacement(filename, arguments, number))
        elif verb in ("go", "toolchain") and arguments:
            releases[verb] = (arguments[0], number)
    if block is not None:
        raise inventory_error(filename, f"{block} block is not closed")

    for number, path, version in requires:
        exact = next((r for r in replaces if r.old_path == path and r.old_version == version), None)
        replace = exact or next((r for r in replaces if r.old_path == path and r.old_version is None), None)
        if replace is None:
            builder.add(package("Go", path, version))
        elif _is_local(replace.new_path):
            builder.warn(
                f"{path} {version} is replaced by the local directory {replace.new_path}; skipped", number
            )
        else:
            builder.add(package("Go", replace.new_path, replace.new_version))
    _add_standard_library(builder, releases)
    return builder.build()


def _semver(release: str) -> tuple[int, int, int, str] | None:
    """A Go release name as (major, minor, patch, pre-release) or None when it is not one."""
    match = _GO_RELEASE.fullmatch(release)
    if match is None:
        return None
    major, minor, patch, stage, number = match.groups()
    pre = f"{stage}.{number}" if stage else ""
    return int(major), int(minor or 0), int(patch or 0), pre


def _add_standard_library(builder: InventoryBuilder, releases: dict[str, tuple[str, int]]) -> None:
    """Add ``stdlib`` at the toolchain's release, or the ``go`` line's; Go never builds with a toolchain
    older than the ``go`` line, so an older ``toolchain`` line does not lower it."""
    chosen: tuple[int, int, int, str] | None = None
    for verb in ("go", "toolchain"):
        if verb not in releases:
            continue
        text, number = releases[verb]
        release = _semver(text)
        if release is None:
            builder.warn(f"{verb} {text}: not a Go release; the standard library version is unknown", number)
            continue
        if chosen is None or _release_order(release) > _release_order(chosen):
            chosen = release
    if chosen is not None:
        major, minor, patch, pre = chosen
        builder.add(package("Go", "stdlib", f"{major}.{minor}.{patch}" + (f"-{pre}" if pre else "")))


def _release_order(release: tuple[int, int, int, str]) -> tuple[int, int, int, int, str]:
    major, minor, patch, pre = release
    return major, minor, patch, 0 if pre else 1, pre


def _replacement(filename: str, arguments: list[str], number: int) -> _Replace:
    if "=>" not in arguments:
        raise inventory_error(filename, "usage: replace module/path [v1.2.3] => other/path [v1.4.5]", number)
    arrow = arguments.index("=>")
    left, right = arguments[:arrow], arguments[arrow + 1 :]
    if len(left) not in (1, 2) or len(right) not in (1, 2):
        raise inventory_error(filename, "usage: replace module/path [v1.2.3] => other/path [v1.4.5]", number)
    return _Replace(
        left[0], left[1] if len(left) == 2 else None, right[0], right[1] if len(right) == 2 else None
    )
