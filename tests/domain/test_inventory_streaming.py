"""CycloneDX JSON components are decoded one at a time (issue 10, section 2: a 49 MiB SBOM took 919 MB).

The lazy reading must give exactly what reading the whole tree gives — checked on every CycloneDX JSON
document in ../shared/data (CycloneDX's own examples, juice-shop, keycloak) — with the same error lines,
and must need markedly less memory than the tree. Streamed to a sink (`stream`), the components are the
ones `parse` lists, in its order, and neither they nor the file's bytes are kept.
"""

from __future__ import annotations

import json
import re
import tarfile
import tracemalloc
from dataclasses import replace
from pathlib import Path

import pytest

from ossdesk.domain.inventory import Component, Inventory, InventoryError, cyclonedx, parse, stream
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


def _streamed(name: str, data: bytes) -> tuple[Inventory, list[Component]]:
    handed: list[Component] = []
    return stream(name, lambda: data, handed.append), handed


def _keys(components: list[Component] | tuple[Component, ...]) -> list[tuple[str | None, ...]]:
    # A duplicate's stronger scope cannot reach a component already handed over: scope aside.
    return [(c.ecosystem, c.name, c.version, c.purl) for c in components]


@needs_shared
def test_streaming_hands_over_what_parse_lists_on_every_real_document() -> None:
    compared = 0
    for name, data in _documents():
        try:
            expected = parse("bom.json", data)
        except InventoryError as error:
            with pytest.raises(InventoryError, match=re.escape(str(error))):
                _streamed("bom.json", data)
            continue
        inventory, handed = _streamed("bom.json", data)
        assert _keys(handed) == _keys(expected.components), name
        assert replace(inventory, streamed=0) == replace(expected, components=()), name
        assert inventory.count == expected.count == len(handed)
        compared += 1
    assert compared >= 40


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("requirements.txt", b"django==4.2.1\nDjango==4.2.1\n!!!garbage\nflask==2.0.0\n"),
        ("bom.json", b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"name": "a"}, 3]}'),
        ("bom.json", b"\xef\xbb\xbf  \n"),
        ("bom.json", b"  \x0b\n"),
        ("bom.json", b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [}'),
    ],
    ids=["lockfile", "warning", "bom-only", "blank", "syntax-error"],
)
def test_streaming_gives_parses_inventory_warnings_and_errors(name: str, data: bytes) -> None:
    try:
        expected = parse(name, data)
    except InventoryError as error:
        with pytest.raises(InventoryError, match=f"^{re.escape(str(error))}$"):
            _streamed(name, data)
        return
    inventory, handed = _streamed(name, data)
    assert handed == list(expected.components)
    assert replace(inventory, streamed=0) == replace(expected, components=())


def test_streaming_keeps_neither_the_file_nor_its_components(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(generate_cyclonedx(16_000))
    size = path.stat().st_size
    tree = _peak(lambda: parse("bom.json", path.read_bytes()))
    handed = 0

    def sink(_: Component) -> None:
        nonlocal handed
        handed += 1

    streamed = _peak(lambda: stream("bom.json", path.read_bytes, sink))
    assert handed == 16_000
    # The bytes and their text (one byte a character) side by side only while decoding; then the text,
    # and per component an offset and a 16-byte digest in a set (about 90 bytes): with the bytes still
    # held, that would come on top of both.
    assert streamed < 2 * size + 40 * handed < tree, (streamed, size, tree)
