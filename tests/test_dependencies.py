"""Every third-party module the application imports is a runtime dependency, not only a test one.

`make run` installs requirements.lock alone; a module that only the test lock brings in would work in the
test suite and fail for every new user.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_application_imports_only_runtime_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    locked = {
        _name(line)
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if line and not line.startswith((" ", "#"))
    }
    distributions = packages_distributions()
    missing = set()
    for path in (ROOT / "src" / "ossdesk").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top == "ossdesk":
                    continue
                for dist in distributions.get(top, [top]):
                    if _name(dist) not in locked:
                        missing.add(f"{path.relative_to(ROOT)} imports {module} ({dist})")
    assert not missing, sorted(missing)
    assert "numpy" in runtime
