"""`ossdesk search ...`: the command-line door onto the index (cli.py parses, this calls services)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

from ossdesk.search.models import Document
from ossdesk.search.services import search_reindex, search_reindex_total


def run_search(args: argparse.Namespace, progress: Callable[[int | None, str], Any]) -> int:
    """`reindex`: rebuild the index from the tickets, messages, articles and forum, with a progress bar."""
    started = time.perf_counter()
    total = search_reindex_total()
    with progress(total, "Indexing") as bar:
        task = bar.add_task("reindex", total=total)
        report = search_reindex(progress=lambda n: bar.advance(task, n))
    seconds = time.perf_counter() - started
    sys.stdout.write(
        f"Search index rebuilt in {seconds:.1f}s: {total:,} source rows read, {report.documents:,} documents "
        f"written, {report.purged:,} purged; {Document.objects.count():,} documents in the index\n"
    )
    return 0
