"""Attachment files follow the transaction that records them: nothing a rollback undid stays on disk.

A file is written before its row (the row names it), so a unit of work that fails after writing files
would leave them behind: one mail killed mid-way left 706. Inside `files_follow_transaction()` each file
written is remembered; if the block raises, they are deleted (its transaction rolls back with it); if it
succeeds they pass to the enclosing block, as a savepoint's changes do. A worker killed outright deletes
nothing, so `attachment_orphans_sweep` removes, later, files that no attachment names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from functools import wraps
from typing import ParamSpec, TypeVar

from django.core.files.storage import default_storage
from django.utils import timezone

from ossdesk.tickets.models import Attachment

logger = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")
ROOT = "attachments"
# A file younger than this may belong to a transaction still running: leave it.
ORPHAN_AGE = timedelta(hours=1)

_written: ContextVar[list[str] | None] = ContextVar("ossdesk_attachment_files", default=None)


def file_written(name: str) -> None:
    """Remember a stored file for the innermost `files_follow_transaction` block, if any."""
    written = _written.get()
    if written is not None:
        written.append(name)


@contextmanager
def files_follow_transaction() -> Iterator[None]:
    parent = _written.get()
    written: list[str] = []
    token = _written.set(written)
    try:
        yield
    except BaseException:
        _delete(written)
        raise
    finally:
        _written.reset(token)
    if parent is not None:
        parent.extend(written)


def following_transaction(service: Callable[P, R]) -> Callable[P, R]:
    """A service's files are deleted when it raises (put it inside `transaction.atomic`)."""

    @wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with files_follow_transaction():
            return service(*args, **kwargs)

    return run


def _delete(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # the sweep will find it
            logger.warning("could not delete %s after a rollback", name, exc_info=True)


def attachment_orphans_sweep(*, now: datetime | None = None) -> int:
    """Delete attachment files older than ORPHAN_AGE that no attachment names; how many were deleted."""
    cutoff = (now or timezone.now()) - ORPHAN_AGE
    deleted = 0
    for folder in _folders(ROOT):
        _, files = default_storage.listdir(folder)
        names = [f"{folder}/{file}" for file in files]
        known = set(Attachment.objects.filter(file__in=names).values_list("file", flat=True))
        for name in names:
            if name not in known and default_storage.get_modified_time(name) < cutoff:
                default_storage.delete(name)
                deleted += 1
    if deleted:
        logger.warning("deleted %d attachment files no attachment names (left by a killed worker)", deleted)
    return deleted


def _folders(root: str) -> Iterator[str]:
    if not default_storage.exists(root):
        return
    stack = [root]
    while stack:
        folder = stack.pop()
        yield folder
        subfolders, _ = default_storage.listdir(folder)
        stack.extend(f"{folder}/{sub}" for sub in subfolders)
