"""Queue a task by its dotted name (`ossdesk.webhooks.tasks.deliveries_send_task`).

A task module imports the services it is a door onto; a service that hands work to the worker queues
the task by name instead of importing that module back, which would make a cycle.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from huey.contrib.djhuey import HUEY


def enqueue(task: str, *args: Any) -> None:
    """Queue `task` with `args`, as calling the task function would; an unknown name raises."""
    module, _, _ = task.rpartition(".")
    # The worker imports every tasks module when it starts; a web process, when it first queues one.
    import_module(module)
    task_class = HUEY._registry.string_to_task(task)
    HUEY.enqueue(task_class(args=args))
