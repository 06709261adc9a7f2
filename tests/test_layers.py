"""The layer order of ossdesk, checked from the source (issue 11): a module imports only from its own
app or from apps on lower layers, files import each other in no cycle, and imports run at module top.

Every module under src/ossdesk is read with `ast` (imports at module top, inside functions and under
`if TYPE_CHECKING:` alike) and mapped to its app: the first name under `ossdesk` (`ossdesk.tickets.sla`
-> `tickets`), unless MODULE_APP names it (a module or a package, the longest name wins). Apps sit on
the layers of LAYERS, lowest first. The issue draws the picture coarsely —

    domain < kernel (config, database, memo, crypto, accounts, audit) < doors < products, customers, plans
    < notify, webhooks < tickets < security, channels, kb, forum, surveys, search < web (root), demo, cli

— and LAYERS refines it where the code has a direction that should stay one way
(docs/decisions/0009-layer-order.md says why, case by case):
- audit below accounts: the audit log needs only who acted (its `Acting` protocol, which accounts' Actor
  satisfies), while accounts' services and admin record their changes in it;
- the kernel's own doors (accounts/api, accounts/web) above the door base: pages like every app's;
- customers below plans, since a plan's models point at customers; customers' own doors (customers/api,
  customers/web) above plans, since a customer's pages show what its plan entitles it to; customers'
  services ask plans for entitlements through a question of customers/hooks.py, answered by plans;
- kb below forum, since a thread becomes an article; search above all it indexes.
Apps that share a layer do not import each other. A sub-layer named in MODULE_APP counts as an app of
its own, here and in scripts/measure_architecture.py: accounts' doors import the door base, which imports
accounts' Actor, and that runs one way up the layers.

Decided here:
- `config` is the bottom of the kernel: settings name apps only as strings, and `config.urls` (which
  includes every door by string) and `config.wsgi` are mapped to the root layer, with `web`.
- The door base every app's doors share (API base, viewsets, ids, schema, presenters, the admin's
  ServiceAdmin) is `ossdesk/doors/`, the `doors` layer; `web/` keeps the URL root, home and health.
- `hooks` (ossdesk/hooks.py) is kernel infrastructure: a lower app that must move a higher one's data
  declares a hook in its `hooks.py` and calls it; the higher app subscribes in its AppConfig.ready(). A
  lower app that must read a value only a higher one computes declares a question there, answered the
  same way.
- Only imports of ossdesk's own modules count; a third-party library imported inside a function (an
  optional or slow one: cvss, spdx-tools, rich) is not a question of layers.
- The CLI, the demo seeders and migrations import inside functions on purpose (Django must be set up
  first; demo data loads only when asked for), so the function-import rule skips them.

A failing test names the import and its line. When an exception is right, add it to ALLOWED (or, for an
import only type checkers read, TYPE_ONLY) with the reason; an entry that no longer excuses anything
fails too, so the list only shrinks as the code is fixed. `scripts/measure_architecture.py` prints the
issue's figures from the same reading of the code.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# the repository's src/, wherever under tests/ this file is moved
SRC = next(
    folder / "src" for folder in Path(__file__).resolve().parents if (folder / "src" / "ossdesk").is_dir()
)
ROOT = "ossdesk"

# Lowest first. Each entry: (name for messages, apps on that layer).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # "ossdesk": the package's __init__, only the version; "unset": the UNSET default of update services
    ("domain", ("domain", "ossdesk", "unset")),
    ("kernel: configuration", ("config",)),
    ("kernel: infrastructure", ("database", "memo", "crypto", "hooks")),
    ("kernel: audit", ("audit",)),
    ("kernel: accounts", ("accounts",)),
    ("doors", ("doors",)),
    ("the kernel's own doors", ("accounts doors",)),
    ("products", ("products",)),
    ("customers", ("customers",)),
    ("plans", ("plans",)),
    ("customers' doors", ("customers doors",)),
    ("notify", ("notify",)),
    ("webhooks", ("webhooks",)),
    ("tickets", ("tickets",)),
    ("features", ("security", "kb", "surveys")),
    ("features built on features", ("channels", "forum")),
    ("search", ("search",)),
    ("root: web", ("web",)),
    ("root: demo", ("demo",)),
    ("root: cli", ("cli",)),
)

# Modules whose app is not the first name under ossdesk.
MODULE_APP: dict[str, str] = {
    "ossdesk.config.urls": "web",  # the URL root: includes every app's doors (by string)
    "ossdesk.config.wsgi": "web",
    # accounts is kernel, but its pages and API are doors like every app's, built on the door base.
    "ossdesk.accounts.api": "accounts doors",
    "ossdesk.accounts.web": "accounts doors",
    # A customer's pages and API show its contacts and what its plan entitles it to: built on both.
    "ossdesk.customers.api": "customers doors",
    "ossdesk.customers.web": "customers doors",
}

# Modules that import inside functions on purpose (see the module docstring).
# `*.apps`: an AppConfig's ready() is Django's hook for wiring an app up once every model is loaded
# (subscribing to notify and to the hooks of the apps below); its imports cannot run at module top.
FUNCTION_IMPORTS_FREE: tuple[str, ...] = ("ossdesk.cli", "ossdesk.demo", "*.demo", "*.migrations", "*.apps")

# (importer, imported) -> why. Each side a module or a package (then every module under it). An entry
# excuses those imports from every rule here: layer order, same-layer apps, function imports, cycles.
ALLOWED: dict[tuple[str, str], str] = {
    # Imports that wait until they are needed, on purpose: both modules run where Django may not be set up
    ("ossdesk.channels.lmtp", "ossdesk.channels.mailboxes"): "the LMTP protocol server imports no Django "
    "(its tests drive it with made-up accept/deliver functions); only the two delivery functions that "
    "`ossdesk mail lmtp` wires in after Django is set up load mailboxes, whose models need the app registry",
    ("ossdesk.security.scanner", "ossdesk.security"): "`ossdesk scan --db PATH` reads an OSV dump and "
    "touches nothing of the server (no settings, no database); security's models load only after "
    "django_setup(), which runs only without --db",
}

# The same for imports under `if TYPE_CHECKING:` only (they never run, so they make no cycle).
TYPE_ONLY: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    imported: str  # the ossdesk module it names (a submodule if `from package import submodule`)
    kind: str  # "top" (runs on import), "function" (runs when called) or "type" (TYPE_CHECKING only)
    path: str  # relative to src/, for messages
    line: int

    def __str__(self) -> str:
        where = {"top": "", "function": " inside a function", "type": " for type checking"}[self.kind]
        return f"{self.path}:{self.line} imports {self.imported}{where}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted((SRC / ROOT).rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterator[str]:
    known = modules()
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module if is_package else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
    for name in dict.fromkeys(names):
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name == ROOT or name.startswith(ROOT + "."):
            yield name


def _imports_of(module: str, path: Path) -> Iterator[Import]:
    is_package = path.name == "__init__.py"
    relative = str(path.relative_to(SRC))

    def walk(node: ast.AST, kind: str) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for statement in child.body:
                    yield from walk_one(statement, "type")
                for statement in child.orelse:
                    yield from walk_one(statement, kind)
                continue
            yield from walk_one(child, kind)

    def walk_one(node: ast.AST, kind: str) -> Iterator[Import]:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) and kind == "top":
            kind = "function"
        if isinstance(node, ast.Import | ast.ImportFrom):
            for target in _targets(node, module, is_package):
                if target != module:
                    yield Import(module, target, kind, relative, node.lineno)
        yield from walk(node, kind)

    yield from walk(ast.parse(path.read_text(), filename=relative), "top")


@cache
def imports() -> tuple[Import, ...]:
    return tuple(found for module, path in modules().items() for found in _imports_of(module, path))


def _covers(prefix: str, module: str) -> bool:
    if prefix.startswith("*."):
        return module.endswith(prefix[1:]) or f"{prefix[1:]}." in module
    return module == prefix or module.startswith(prefix + ".")


def app_of(module: str) -> str:
    named = [prefix for prefix in MODULE_APP if _covers(prefix, module)]
    if named:
        return MODULE_APP[max(named, key=len)]
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def layer_of(module: str) -> int:
    app = app_of(module)
    for index, (_, apps) in enumerate(LAYERS):
        if app in apps:
            return index
    raise LookupError(f"{module}: app {app!r} is on no layer of LAYERS")


def runs_upward(found: Import) -> bool:
    return layer_of(found.imported) > layer_of(found.importer)


def crosses_apps_on_one_layer(found: Import) -> bool:
    return layer_of(found.imported) == layer_of(found.importer) and app_of(found.imported) != app_of(
        found.importer
    )


def imports_in_function(found: Import) -> bool:
    return found.kind == "function" and not any(_covers(p, found.importer) for p in FUNCTION_IMPORTS_FREE)


def _entry_for(found: Import) -> tuple[str, str] | None:
    listed = dict(ALLOWED)
    if found.kind == "type":
        listed |= TYPE_ONLY
    for importer, imported in listed:
        if _covers(importer, found.importer) and _covers(imported, found.imported):
            return (importer, imported)
    return None


def cycles(edges: list[Import]) -> list[list[str]]:
    """Groups of files that import each other, directly or round a loop (Tarjan's strongly connected
    components of more than one file), each sorted, sorted."""
    graph: dict[str, set[str]] = defaultdict(set)
    for found in edges:
        graph[found.importer].add(found.imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for following in sorted(graph[node]):
            if following not in index:
                visit(following)
                low[node] = min(low[node], low[following])
            elif following in on_stack:
                low[node] = min(low[node], index[following])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


RULES = {
    "runs upward": runs_upward,
    "crosses to another app on the same layer": crosses_apps_on_one_layer,
    "imports inside a function (move it to the top, or list it with the reason)": imports_in_function,
}


def _unexcused(rule: str) -> list[str]:
    return [
        f"{found} — {rule} ({LAYERS[layer_of(found.importer)][0]} -> {LAYERS[layer_of(found.imported)][0]})"
        for found in imports()
        if RULES[rule](found) and _entry_for(found) is None
    ]


def test_every_module_is_on_a_layer():
    unplaced = []
    for module in modules():
        try:
            layer_of(module)
        except LookupError as error:
            unplaced.append(str(error))
    assert not unplaced, unplaced


def test_no_import_runs_from_a_lower_layer_up():
    offenders = _unexcused("runs upward")
    assert not offenders, "\n".join(offenders)


def test_apps_on_one_layer_do_not_import_each_other():
    offenders = _unexcused("crosses to another app on the same layer")
    assert not offenders, "\n".join(offenders)


def test_imports_run_at_module_top():
    offenders = _unexcused("imports inside a function (move it to the top, or list it with the reason)")
    assert not offenders, "\n".join(offenders)


def test_no_import_cycle_between_files():
    running = [found for found in imports() if found.kind != "type" and _entry_for(found) is None]
    found = [" <-> ".join(group) for group in cycles(running)]
    assert not found, "files that import each other, directly or round a loop:\n" + "\n".join(found)


def test_every_exception_still_excuses_something():
    needed = {
        _entry_for(found)
        for found in imports()
        if any(rule(found) for rule in RULES.values()) or _closes_a_cycle(found)
    }
    stale = [entry for entry in [*ALLOWED, *TYPE_ONLY] if entry not in needed]
    assert not stale, f"these entries excuse nothing any more; remove them: {stale}"


def _closes_a_cycle(found: Import) -> bool:
    return found.kind != "type" and any(
        found.importer in group and found.imported in group for group in _cycles_unexcused()
    )


@cache
def _cycles_unexcused() -> tuple[frozenset[str], ...]:
    return tuple(frozenset(group) for group in cycles([i for i in imports() if i.kind != "type"]))


def test_the_reading_finds_imports_of_every_kind():
    """The reader itself: a module-top, a function and a TYPE_CHECKING import of known modules."""
    found = {(i.importer, i.imported, i.kind) for i in imports()}
    assert ("ossdesk.accounts.actor", "ossdesk.accounts.models", "top") in found
    assert ("ossdesk.accounts.actor", "ossdesk.accounts.models", "type") in found
    assert any(i.kind == "function" and i.importer == "ossdesk.cli" for i in imports())


def test_the_rules_on_made_up_imports():
    def made_up(importer: str, imported: str, kind: str = "top") -> Import:
        return Import(importer, imported, kind, importer.replace(".", "/") + ".py", 1)

    assert runs_upward(made_up("ossdesk.domain.sla", "ossdesk.tickets.models"))
    assert runs_upward(made_up("ossdesk.doors.api", "ossdesk.tickets.models"))  # the door base is doors
    assert not runs_upward(made_up("ossdesk.config.urls", "ossdesk.web.urls"))  # the URL root is the root
    assert not runs_upward(made_up("ossdesk.tickets.models", "ossdesk.customers.models"))
    assert crosses_apps_on_one_layer(made_up("ossdesk.kb.models", "ossdesk.security.models"))
    assert not crosses_apps_on_one_layer(made_up("ossdesk.kb.services", "ossdesk.kb.models"))
    assert imports_in_function(made_up("ossdesk.kb.services", "ossdesk.kb.models", "function"))
    assert not imports_in_function(made_up("ossdesk.cli", "ossdesk.kb.models", "function"))
    assert not imports_in_function(made_up("ossdesk.kb.demo", "ossdesk.kb.models", "function"))
    assert not imports_in_function(made_up("ossdesk.kb.migrations.0002_x", "ossdesk.kb.models", "function"))
    loop = [
        made_up("ossdesk.a", "ossdesk.b"),
        made_up("ossdesk.b", "ossdesk.c"),
        made_up("ossdesk.c", "ossdesk.a"),
    ]
    assert cycles([*loop, made_up("ossdesk.c", "ossdesk.d")]) == [["ossdesk.a", "ossdesk.b", "ossdesk.c"]]
