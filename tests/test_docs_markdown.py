"""README.md and docs/ read as their authors meant on GitHub: parsed by a CommonMark parser, no code block
swallows the text after it (a closing fence followed by words on its line does not close the block)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _tokens(path: Path) -> list:
    return MarkdownIt("commonmark").enable("table").parse(path.read_text())


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_code_block_closes_where_it_was_meant_to(path):
    for token in _tokens(path):
        if token.type != "fence":
            continue
        stray = [line for line in token.content.splitlines() if line.lstrip().startswith(token.markup)]
        assert not stray, f"{path.name} line {token.map[0] + 1}: a fence does not close: {stray[0]!r}"


def test_readme_sections_are_headings_and_its_tables_are_tables():
    tokens = _tokens(ROOT / "README.md")
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == [
        "ossdesk",
        "Quick start",
        "What you see after `make run`",
        "The `ossdesk` command",
        "Configuration",
        "Development",
    ]
    assert sum(t.type == "table_open" for t in tokens) == 3


def _commands(parser: argparse.ArgumentParser) -> dict[str, list[str]]:
    """Each top-level command of the `ossdesk` parser with its subcommands."""

    def choices(p: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return {}

    return {name: sorted(choices(sub)) for name, sub in choices(parser).items()}


def test_the_readme_command_table_lists_every_command():
    from ossdesk.cli import build_parser

    rows = [line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("| `ossdesk ")]
    for command, subcommands in _commands(build_parser()).items():
        ours = [row for row in rows if row.startswith(f"| `ossdesk {command}")]
        assert ours, f"README's command table has no row for `ossdesk {command}`"
        for sub in subcommands:
            assert any(re.search(rf"\b{re.escape(sub)}\b", row.split("|")[1]) for row in ours), (
                f"README's command table has no row for `ossdesk {command} {sub}`"
            )


def test_the_readme_configuration_table_names_every_variable_the_settings_read():
    settings = (ROOT / "src/ossdesk/config/settings.py").read_text()
    read = set(re.findall(r"""["'](OSSDESK_[A-Z0-9_]+)["']""", settings))
    readme = (ROOT / "README.md").read_text()
    rows = [line for line in readme.splitlines() if line.startswith("| `OSSDESK_")]
    named = {name for row in rows for name in re.findall(r"`(OSSDESK_[A-Z0-9_]+\*?)`", row.split("|")[1])}
    missing = sorted(
        v for v in read if v not in named and not any(n.endswith("*") and v.startswith(n[:-1]) for n in named)
    )
    assert not missing, f"README's configuration table does not name {missing}"
