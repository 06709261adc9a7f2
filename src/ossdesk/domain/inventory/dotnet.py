"""NuGet: packages.lock.json."""

from __future__ import annotations

from typing import Any

from ossdesk.domain.inventory._model import Inventory, InventoryBuilder, inventory_error, package


def read_packages_lock(filename: str, document: Any) -> Inventory:
    """Read packages.lock.json: ``dependencies`` per target framework; ``Project`` references are local."""
    if not isinstance(document, dict) or not isinstance(document.get("dependencies"), dict):
        raise inventory_error(filename, "not a NuGet packages.lock.json: no dependencies")
    builder = InventoryBuilder(filename, f"packages.lock.json v{document.get('version')}")
    for framework, entries in document["dependencies"].items():
        if not isinstance(entries, dict):
            builder.warn(f"{framework}: not an object; skipped")
            continue
        for name, entry in entries.items():
            if not isinstance(entry, dict) or entry.get("type") == "Project":
                continue
            version = entry.get("resolved")
            if not isinstance(version, str) or not version:
                builder.warn(f"{framework}: {name} has no resolved version; skipped")
                continue
            builder.add(package("NuGet", name, version))
    return builder.build()
