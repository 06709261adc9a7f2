"""Quiet by default, informative on error: what the web and the worker log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from huey.consumer_options import ConsumerConfig

from tests.customers.factories import OrganizationFactory, contact_with_login


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def worker_log(settings: Any) -> Iterator[Collect]:
    """The "huey" logger as `ossdesk worker` sets it up (run_huey: ConsumerConfig.setup_logger), with a
    handler that keeps the records."""
    logger = logging.getLogger("huey")
    level, handlers = logger.level, list(logger.handlers)
    ConsumerConfig(**settings.HUEY["consumer"]).setup_logger(logger)
    collect = Collect()
    logger.handlers = [collect]
    yield collect
    logger.handlers, logger.level = handlers, level


@pytest.mark.django_db
def test_the_worker_logs_no_line_per_task_but_logs_a_failure(worker_log: Collect) -> None:
    from ossdesk.tickets.tasks import deadlines_recalculate_task, sla_sweep_task

    sla_sweep_task()  # the periodic tasks' path: run by Huey (immediate in the tests)
    assert [r.getMessage() for r in worker_log.records] == []
    deadlines_recalculate_task(changed_from="not a date")
    failures = [r for r in worker_log.records if r.levelno >= logging.ERROR]
    assert len(failures) == 1
    assert failures[0].exc_info is not None  # the traceback, where it helps


@pytest.mark.django_db
def test_an_expected_refusal_is_one_line_without_a_traceback(tiers: Any, caplog: Any) -> None:
    contact = contact_with_login(OrganizationFactory(), named=False)
    client = Client()
    client.force_login(contact.user)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/customers/")  # staff only
    assert response.status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert (record.levelname, record.getMessage()) == (
        "WARNING",
        "Forbidden (Permission denied): /customers/",
    )
    assert record.exc_info is None
