"""The domain core stays pure Python: no Django, so it is fast and testable without a database."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "ossdesk" / "domain"
FORBIDDEN = ("django", "rest_framework", "huey", "ossdesk.customers", "ossdesk.plans", "ossdesk.accounts")


def test_domain_source_imports_no_django():
    offenders = []
    for path in sorted(DOMAIN.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}:{node.lineno} imports {n}"
                for n in names
                if any(n == f or n.startswith(f + ".") for f in FORBIDDEN)
            ]
    assert not offenders, offenders


def test_domain_imports_without_django_loaded():
    modules = sorted(p.stem for p in DOMAIN.glob("*.py") if p.stem != "__init__")
    modules += sorted(p.name for p in DOMAIN.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    script = (
        "import sys\n"
        + "".join(f"import ossdesk.domain.{m}\n" for m in modules)
        + "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        + "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
