"""crates.io: Cargo.lock."""

from __future__ import annotations

from typing import Any

from ossdesk.domain.inventory._model import Inventory, InventoryBuilder, inventory_error, package


def read_cargo_lock(filename: str, document: dict[str, Any]) -> Inventory:
    """Read Cargo.lock's ``[[package]]`` tables; crates without a ``source`` are the workspace's own."""
    version = document.get("version")
    builder = InventoryBuilder(filename, f"Cargo.lock v{version}" if version else "Cargo.lock")
    packages = document.get("package", [])
    if not isinstance(packages, list):
        raise inventory_error(filename, "'package' is not an array of tables")
    for entry in packages:
        if not isinstance(entry, dict) or "source" not in entry:
            continue
        name, crate_version = entry.get("name"), entry.get("version")
        if not isinstance(name, str) or not isinstance(crate_version, str):
            builder.warn(f"a [[package]] without name or version ({name!r}); skipped")
            continue
        builder.add(package("crates.io", name, crate_version))
    return builder.build()
