"""Logging that stays quiet while things go as intended and says enough when they do not."""

from __future__ import annotations

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """A 4xx answer (a refused permission, a missing page) is the application doing its job: keep
    Django's one line about it, drop the traceback it attaches. A 5xx keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info, record.exc_text = None, None
        return True
