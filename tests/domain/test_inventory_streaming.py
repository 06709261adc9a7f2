"""CycloneDX JSON components are decoded one at a time (issue 10, section 2: a 49 MiB SBOM took 919 MB).

The lazy reading must give exactly what reading the whole tree gives — checked on every CycloneDX JSON
document in ../shared/data (CycloneDX's own examples, juice-shop, keycloak) — with the same error lines,
and must need markedly less memory than the tree.
"""

from __future__ import annotations

import json
import tarfile
import tracemalloc
from pathlib import Path

import pytest

from ossdesk.domain.inventory import InventoryError, cyclonedx, parse
from ossdesk.domain.inventory.testing import generate_cyclonedx

CYCLONEDX = Path(__file__).resolve().parents[3] / "shared" / "data" / "sboms" / "cyclonedx"
needs_shared = pytest.mark.skipif(not CYCLONEDX.is_dir(), reason="../shared/data is not beside the checkout")


def _documents() -> list[tuple[str, bytes]]:
    found = [(str(p.relative_to(CYCLONEDX)), p.read_bytes()) for p in sorted(CYCLONEDX.rglob("*.json"))]
    with tarfile.open(CYCLONEDX / "large-boms.tar.gz") as archive:
        for member in archive:
            if member.isfile() and member.name.endswith(".json"):
                stream = archive.extractfile(member)
                assert stream is not None
                found.append((member.name, stream.read()))
    return found


@needs_shared
def test_lazy_reading_equals_reading_the_whole_tree_on_every_real_document() -> None:
    compared = 0
    for name, data in _documents():
        document = json.loads(data)
        if not isinstance(document, dict) or document.get("bomFormat") != "CycloneDX":
            continue
        assert parse("bom.json", data) == cyclonedx.read_json("bom.json", document), name
        compared += 1
    assert compared >= 40


@pytest.mark.parametrize(
    "text",
    [
        '{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"name": "a"},\n {"name": }]}',
        '{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"name": "a"}\n {"name": "b"}]}',
        '{"bomFormat": "CycloneDX",\n "specVersion": "1.5" "components": []}',
        '{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": []}\n{}',
        '{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [}',
    ],
    ids=["bad-value", "missing-comma", "missing-comma-top", "extra-data", "unclosed"],
)
def test_a_syntax_error_names_the_line_json_names(text: str) -> None:
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        expected = f"bom.json: line {error.lineno}: {error.msg}"
    with pytest.raises(InventoryError) as raised:
        parse("bom.json", text.encode())
    assert str(raised.value) == expected


def _peak(read: object) -> int:
    tracemalloc.start()
    try:
        read()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_large_sbom_needs_far_less_memory_than_its_tree() -> None:
    data = generate_cyclonedx(20_000)
    whole_tree = _peak(lambda: cyclonedx.read_json("bom.json", json.loads(data)))
    lazily = _peak(lambda: parse("bom.json", data))
    assert lazily < 0.75 * whole_tree, (lazily, whole_tree)
