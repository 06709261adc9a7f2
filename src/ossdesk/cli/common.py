"""What every command of the CLI shares: the error a user can fix, a path argument that must exist, a
progress bar on standard error."""

from __future__ import annotations

import sys
from typing import Any


class CommandError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


def existing_path(text: str, command: str, what: str = "file") -> Any:
    from pathlib import Path

    path = Path(text)
    if not path.exists():
        raise CommandError(f"{command}: {text}: no such {what}")
    return path


def progress_bar(total: int | None, label: str) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = [TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    return Progress(*columns, transient=False, disable=not sys.stderr.isatty(), console=_stderr_console())


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)
