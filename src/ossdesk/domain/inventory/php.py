"""Packagist: composer.lock."""

from __future__ import annotations

from typing import Any

from ossdesk.domain.inventory._model import Inventory, InventoryBuilder, inventory_error, package


def read_composer_lock(filename: str, document: Any) -> Inventory:
    """Read composer.lock: ``packages`` and ``packages-dev`` (scope dev)."""
    if not isinstance(document, dict) or not ("packages" in document or "packages-dev" in document):
        raise inventory_error(filename, "not a composer.lock: no packages")
    builder = InventoryBuilder(filename, "composer.lock")
    for section, scope in (("packages", None), ("packages-dev", "dev")):
        entries = document.get(section) or []
        if not isinstance(entries, list):
            raise inventory_error(filename, f"'{section}' is not a list")
        for entry in entries:
            name = entry.get("name") if isinstance(entry, dict) else None
            version = entry.get("version") if isinstance(entry, dict) else None
            if not isinstance(name, str) or not isinstance(version, str):
                builder.warn(f"{section}: an entry without name or version; skipped")
                continue
            builder.add(package("Packagist", name, version, scope))
    return builder.build()
