"""The official JSON schemas of the standards ossdesk writes (SARIF 2.1.0, CycloneDX 1.5/1.6, OpenVEX), as
oracles: ``../shared/data/schemas/`` holds the published files (provenance in ``../shared/data/SOURCES.md``).

jsonschema checks ``format`` keywords only with optional packages that are not installed, so the formats
these schemas use are checked here, by the RFCs' character rules: a ``uri-reference`` (RFC 3986) has no
space and no character outside the unreserved, reserved and percent-encoded set; a ``uri`` also needs a
scheme; ``date-time`` is RFC 3339 (the check ossdesk's CSAF validation already uses).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import FormatChecker
from jsonschema.validators import validator_for
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from ossdesk.domain import csaf

SCHEMAS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "schemas"
FILES = {
    "sarif": "sarif-schema-2.1.0.json",
    "cyclonedx-1.5": "bom-1.5.schema.json",
    "cyclonedx-1.6": "bom-1.6.schema.json",
    "openvex": "openvex_json_schema.json",
}
# bom-1.x refers to these two by a path relative to its own $id (http://cyclonedx.org/schema/).
CYCLONEDX_REFERENCED = ("spdx.schema.json", "jsf-0.82.schema.json")

_URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")

FORMATS = FormatChecker(formats=())
FORMATS.checks("date-time")(csaf.FORMAT_CHECKER.checkers["date-time"][0])


@FORMATS.checks("uri-reference")
def _is_uri_reference(value: object) -> bool:
    return not isinstance(value, str) or bool(_URI_REFERENCE.fullmatch(value))


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or (_is_uri_reference(value) and bool(_SCHEME.match(value)))


def available() -> bool:
    return all((SCHEMAS / name).is_file() for name in (*FILES.values(), *CYCLONEDX_REFERENCED))


def errors(kind: str, document: Any) -> list[str]:
    """Every place where ``document`` breaks the schema ``kind`` (a key of :data:`FILES`), as
    ``/json/pointer: message`` lines; empty when it is valid."""
    found = sorted(_validator(kind).iter_errors(document), key=lambda e: list(e.absolute_path))
    return [line for error in found for line in csaf.describe_schema_error(error)]


@cache
def _validator(kind: str) -> Any:
    schema = _load(FILES[kind])
    registry: Registry[Any] = Registry()
    if kind.startswith("cyclonedx"):
        for name in CYCLONEDX_REFERENCED:
            resource = Resource.from_contents(_load(name), default_specification=DRAFT7)
            registry = registry.with_resource(f"http://cyclonedx.org/schema/{name}", resource)
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, registry=registry, format_checker=FORMATS)


def _load(name: str) -> Any:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
