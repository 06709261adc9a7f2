"""Print issue 11's architecture figures, measured from the code under src/ossdesk.

    python scripts/measure_architecture.py            # the table
    python scripts/measure_architecture.py --details  # and what each figure counts

Imports are read as tests/test_layers.py reads them (ast; module top, functions, TYPE_CHECKING) and the
layers are that test's LAYERS. The figures count what is in the code, the layer check's allow-list
not subtracted: they say how far the code is from the targets, the test says what is allowed meanwhile.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import test_layers as layers  # noqa: E402 - the path above makes tests importable

PACKAGE = REPO / "src" / "ossdesk"
ACCESS_MODULE = "accounts/access.py"
PERMISSION_HELPER = re.compile(r"^_?(can|may|require)_")
ENUMERATES = 3  # a file naming this many of the clock kinds lists them, and must learn a new one
INLINE_ROLE_CHECK = re.compile(r"\.role\s*(==|!=|\bin\b|\bnot\s+in\b)")


def _sources(*, with_migrations: bool = False) -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if with_migrations or "migrations" not in path.relative_to(PACKAGE).parts
    ]


def _name(path: Path) -> str:
    return str(path.relative_to(PACKAGE))


def upward_imports() -> tuple[list[str], list[str]]:
    """File pairs importing up the layers: (those that run, those only type checkers read)."""
    running, typing_only = set(), set()
    for found in layers.imports():
        if layers.runs_upward(found):
            pair = f"{found.importer} -> {found.imported}"
            (typing_only if found.kind == "type" else running).add(pair)
    return sorted(running), sorted(typing_only - running)


def file_cycles() -> list[list[str]]:
    return layers.cycles([found for found in layers.imports() if found.kind != "type"])


def mutual_apps() -> list[str]:
    """Apps as the layer check maps them: an app's sub-layer named in MODULE_APP (accounts' own doors, built
    on the door base above the kernel) is not the app, so accounts.api -> doors -> accounts.actor runs one
    way up the layers and is no pair."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for found in layers.imports():
        if found.kind == "type":
            continue
        pair = (layers.app_of(found.importer), layers.app_of(found.imported))
        if pair[0] != pair[1]:
            edges[pair].append(f"{found.path}:{found.line}")
    return [
        f"{a} <-> {b} ({edges[(a, b)][0]}, {edges[(b, a)][0]})"
        for a, b in sorted(edges)
        if a < b and (b, a) in edges
    ]


def function_imports() -> list[str]:
    """ossdesk imports inside functions, outside the CLI, the demo seeders and migrations."""
    places = {
        f"{found.path}:{found.line}"
        for found in layers.imports()
        if found.kind == "function"
        and not any(layers._covers(prefix, found.importer) for prefix in layers.FUNCTION_IMPORTS_FREE)
    }
    return sorted(places, key=lambda place: (place.split(":")[0], int(place.split(":")[1])))


def largest_modules(count: int = 3) -> list[tuple[int, str]]:
    sizes = [
        (len(path.read_text().splitlines()), _name(path))
        for path in _sources()
        if path.relative_to(PACKAGE).parts[0] != "domain"
    ]
    return sorted(sizes, reverse=True)[:count]


def _is_notification_created(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id == "Notification"
    if isinstance(func, ast.Attribute) and func.attr in {"create", "bulk_create", "get_or_create"}:
        owner = func.value
        if isinstance(owner, ast.Attribute) and owner.attr == "objects":
            return isinstance(owner.value, ast.Name) and owner.value.id == "Notification"
        return isinstance(owner, ast.Attribute) and owner.attr == "notifications"
    return False


def notification_creators() -> list[str]:
    """Functions that create a Notification (one place however many rows it writes)."""
    places = set()
    for path in _sources():

        def visit(node: ast.AST, function: str) -> None:
            for child in ast.iter_child_nodes(node):
                inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
                if isinstance(child, ast.Call) and _is_notification_created(child):
                    places.add(f"{_name(path)}:{inner}")  # noqa: B023 - used at once, in this loop
                visit(child, inner)

        visit(ast.parse(path.read_text()), "<module>")
    return sorted(places)


def clock_kinds() -> tuple[list[str], dict[str, list[str]]]:
    from ossdesk.domain.sla import CLOCK_NAMES  # pure Python: no Django needed

    files: dict[str, list[str]] = {kind: [] for kind in CLOCK_NAMES}
    sources = [*_sources(), *sorted(PACKAGE.rglob("*.html"))]
    for path in sources:
        text = path.read_text()
        for kind in CLOCK_NAMES:
            if re.search(rf"(?<![a-z]){kind}", text):
                files[kind].append(_name(path))
    return list(CLOCK_NAMES), files


def permission_helpers() -> list[str]:
    found = []
    for path in _sources():
        if _name(path) == ACCESS_MODULE:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and PERMISSION_HELPER.match(node.name):
                arguments = [a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)]
                if "actor" in arguments or "user" in arguments:
                    found.append(f"{_name(path)}:{node.lineno} {node.name}")
    return found


def inline_role_checks() -> tuple[list[str], list[str]]:
    """`.role ==` / `.role in` comparisons and "system" literals outside the access module."""
    comparisons, system = [], []
    for path in _sources():
        if _name(path) == ACCESS_MODULE:
            continue
        text = path.read_text()
        for number, line in enumerate(text.splitlines(), 1):
            comparisons += [f"{_name(path)}:{number}"] * len(INLINE_ROLE_CHECK.findall(line))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Constant) and node.value == "system":
                system.append(f"{_name(path)}:{node.lineno}")
    return comparisons, system


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list what each figure counts")
    details = parser.parse_args().details

    running, typing_only = upward_imports()
    cycles = file_cycles()
    mutual = mutual_apps()
    inside = function_imports()
    largest = largest_modules()
    creators = notification_creators()
    kinds, kind_files = clock_kinds()
    helpers = permission_helpers()
    comparisons, system = inline_role_checks()
    named = [file for files in kind_files.values() for file in files]
    enumerating = sorted(file for file in set(named) if named.count(file) >= ENUMERATES)

    rows = [
        (
            "imports from a lower layer up (file pairs; + TYPE_CHECKING only)",
            f"{len(running)} + {len(typing_only)}",
        ),
        ("import cycles between files", str(len(cycles))),
        ("pairs of apps that import each other (incl. in functions)", str(len(mutual))),
        ("imports inside functions outside cli/demo/migrations", str(len(inside))),
        ("largest module outside domain/ (lines)", f"{largest[0][1]} {largest[0][0]:,}"),
        ("places that create a Notification", str(len(creators))),
        (f"files naming {ENUMERATES}+ clock kinds (must agree on a new kind)", str(len(enumerating))),
        (
            "files naming each clock kind",
            ", ".join(f"{kind} {len(kind_files[kind])}" for kind in kinds),
        ),
        ("permission helpers outside accounts/access.py", str(len(helpers))),
        ('inline role checks (.role ==/!=/in) + "system" literals', f"{len(comparisons)} + {len(system)}"),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    if details:
        sections = {
            "upward imports": running + [f"{pair} (TYPE_CHECKING)" for pair in typing_only],
            "cycles": [" <-> ".join(group) for group in cycles],
            "apps importing each other": mutual,
            "imports inside functions": inside,
            "largest modules": [f"{name} {lines}" for lines, name in largest],
            "Notification created in": creators,
            "files naming several clock kinds": enumerating,
            "permission helpers": helpers,
            "inline role checks": comparisons,
            '"system" literals': system,
        }
        for title, lines in sections.items():
            print(f"\n{title} ({len(lines)}):")
            for line in lines:
                print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
