"""Bytes to text, JSON, TOML, YAML or XML, with syntax errors turned into one-line :class:`InventoryError`.

XML goes through defusedxml with DTDs refused outright: no SBOM or POM needs one, and refusing them stops
entity expansion (billion laughs) and external entities before the parser allocates anything.
"""

from __future__ import annotations

import json
import re
import tomllib
from array import array
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import yaml
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from ossdesk.domain.inventory._model import inventory_error

# The C loader is 10-20x faster on large pnpm lockfiles; both are "safe" (plain data only).
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)$")
_XML_POSITION = re.compile(r":\s*line \d+, column \d+$")


def text(filename: str, data: bytes) -> str:
    """Decode UTF-8 (with or without a byte-order mark) or BOM-marked UTF-16."""
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 1].hex()
        raise inventory_error(filename, f"not UTF-8 text (byte 0x{bad} at offset {error.start})") from None


def load_json(filename: str, data: bytes) -> Any:
    """Parse JSON, reporting the line of a syntax error."""
    try:
        return json.loads(text(filename, data))
    except json.JSONDecodeError as error:
        raise inventory_error(filename, error.msg, error.lineno) from None
    except RecursionError:
        raise inventory_error(filename, "JSON nested too deeply") from None


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class LazyArray:
    """The elements of a large JSON array, decoded one at a time as they are iterated.

    Only the document's text and each element's offset are held, so a 400,000-component SBOM never
    exists as one tree of Python objects (which costs several times the file's size).
    """

    def __init__(self, content: str, offsets: array[int]) -> None:
        self._content = content
        self._offsets = offsets

    def __len__(self) -> int:
        return len(self._offsets)

    def __iter__(self) -> Iterator[Any]:
        for offset in self._offsets:
            yield _DECODER.raw_decode(self._content, offset)[0]


def _skip(content: str, index: int) -> int:
    return _WHITESPACE.match(content, index).end()  # type: ignore[union-attr]  # * always matches


def _array_offsets(content: str, index: int) -> tuple[array[int], int]:
    """Where each element of the array opening at `index` starts (8 bytes each, not a list of ints at
    about 40), and where the array ends."""
    offsets = array("q")
    index = _skip(content, index + 1)
    if content.startswith("]", index):
        return offsets, index + 1
    while True:
        offsets.append(index)
        _, index = _DECODER.raw_decode(content, index)  # checked now, decoded again when read
        index = _skip(content, index)
        if content.startswith(",", index):
            index = _skip(content, index + 1)
        elif content.startswith("]", index):
            return offsets, index + 1
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", content, index)


def _object_with_lazy(content: str, lazy_key: str) -> Any:
    index = _skip(content, 0)
    if not content.startswith("{", index):
        return json.loads(content)  # not an object: nothing large to spare
    document: dict[str, Any] = {}
    index = _skip(content, index + 1)
    closed = content.startswith("}", index)
    while not closed:
        if not content.startswith('"', index):
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", content, index)
        key, index = _DECODER.raw_decode(content, index)
        index = _skip(content, index)
        if not content.startswith(":", index):
            raise json.JSONDecodeError("Expecting ':' delimiter", content, index)
        index = _skip(content, index + 1)
        if key == lazy_key and content.startswith("[", index):
            offsets, index = _array_offsets(content, index)
            document[key] = LazyArray(content, offsets)
        else:
            document[key], index = _DECODER.raw_decode(content, index)
        index = _skip(content, index)
        if content.startswith(",", index):
            index = _skip(content, index + 1)
        elif content.startswith("}", index):
            closed = True
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", content, index)
    index = _skip(content, index + 1)
    if index != len(content):
        raise json.JSONDecodeError("Extra data", content, index)
    return document


def load_json_text_lazily(filename: str, content: str, lazy_key: str) -> Any:
    """Parse decoded JSON text like :func:`load_json`, except that a top-level object's `lazy_key` array
    becomes a :class:`LazyArray`; errors name the same line. It takes text, not bytes, so that the caller
    need not keep the bytes."""
    try:
        return _object_with_lazy(content, lazy_key)
    except json.JSONDecodeError as error:
        raise inventory_error(filename, error.msg, error.lineno) from None
    except RecursionError:
        raise inventory_error(filename, "JSON nested too deeply") from None


def load_toml(filename: str, data: bytes) -> dict[str, Any]:
    """Parse TOML, reporting the line of a syntax error."""
    try:
        return tomllib.loads(text(filename, data))
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _TOML_POSITION.search(message)
        line = int(match.group(1)) if match else None
        raise inventory_error(filename, _TOML_POSITION.sub("", message), line) from None


def load_yaml_documents(filename: str, content: str, line_numbers: list[int] | None = None) -> list[Any]:
    """Parse the YAML documents in ``content`` with a safe loader (plain data only).

    ``line_numbers`` maps the lines of ``content`` to those of the uploaded file when ``content`` is an
    extract of it, so that a syntax error names the line the user sees.
    """
    try:
        return list(yaml.load_all(content, Loader=_YAML_LOADER))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else None
        if line is not None and line_numbers:
            line = line_numbers[min(line, len(line_numbers)) - 1]
        raise inventory_error(filename, error.problem or "invalid YAML", line) from None
    except yaml.YAMLError as error:
        raise inventory_error(filename, f"invalid YAML: {error}") from None


def load_xml(filename: str, data: bytes) -> Element:
    """Parse XML with defusedxml; documents with a DTD (and so any entity declaration) are refused."""
    try:
        return defused_fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise inventory_error(
            filename, "refused: XML with a DTD or entity declarations is not accepted"
        ) from None
    except ParseError as error:
        line = error.position[0] if error.position else None
        raise inventory_error(filename, _XML_POSITION.sub("", str(error)), line) from None


def local_name(tag: str) -> str:
    """An XML tag without its ``{namespace}``."""
    return tag.rpartition("}")[2]
