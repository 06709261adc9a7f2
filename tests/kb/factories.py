"""Builders for the knowledge-base tests: published articles."""

from __future__ import annotations

from typing import Any

from ossdesk.kb import services
from ossdesk.kb.models import Article, Visibility
from tests.accounts.factories import SYSTEM

World = dict[str, Any]


def publish(title: str, body: str, visibility: str = Visibility.PUBLIC, **kwargs: Any) -> Article:
    article = services.article_create(actor=SYSTEM, title=title, body=body, visibility=visibility, **kwargs)
    return services.article_publish(actor=SYSTEM, article=article)
