"""The clocks sit below the task doors: tickets/sla.py queues its check by the task's name, so the tasks
module (which imports escalation and recalculation, which import sla) is never imported back."""

from __future__ import annotations

import ast
from pathlib import Path

from ossdesk.tickets import sla

TICKETS = Path(sla.__file__).parent


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_clock_modules_import_no_task_door():
    for module in ("sla", "escalation", "recalculation"):
        assert "ossdesk.tickets.tasks" not in _imported(TICKETS / f"{module}.py"), module


def test_the_check_is_queued_under_the_name_of_its_task():
    from ossdesk.tickets import tasks

    module, _, name = sla.CHECK_TASK.rpartition(".")
    assert module == tasks.__name__
    assert getattr(tasks, name) is tasks.ticket_check_task
