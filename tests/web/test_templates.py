"""Rules every template keeps, checked on the template sources themselves (fast, no browser)."""

from __future__ import annotations

import re
from pathlib import Path

import ossdesk

SOURCES = Path(ossdesk.__file__).parent
HX_TRIGGER = re.compile(r'hx-trigger="([^"]*)"')
FROM = re.compile(r"\bfrom:(?!\()")


def _templates() -> list[Path]:
    return sorted(SOURCES.rglob("templates/**/*.html"))


def test_there_are_templates_to_check() -> None:
    assert len(_templates()) > 50


def test_hx_trigger_from_selectors_are_in_parentheses() -> None:
    """htmx 2 reads `from:` up to the next space or comma: `from:#form select` listens on #form and
    logs `htmx:syntax:error` for `select`. In parentheses, any selector (or list of them) is read whole."""
    bare = [
        f"{path.relative_to(SOURCES)}: {value}"
        for path in _templates()
        for value in HX_TRIGGER.findall(path.read_text())
        if FROM.search(value)
    ]
    assert bare == []
