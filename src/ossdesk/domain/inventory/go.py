"""Go: go.mod.

``require`` lines and blocks are components (``// indirect`` ones too: they are built into the binary).
``replace`` directives are applied as Go applies them: a replacement with a version on the left applies to
that version only and wins over one without; a replacement by a local directory removes the module from
the inventory (its code is the project's own copy), with a warning.
"""

from __future__ import annotations

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
    return builder.build()


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
