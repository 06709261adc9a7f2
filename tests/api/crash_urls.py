"""The site's URL map plus two views that fail, to see what a crash answers (tests/api/test_api_errors.py)."""

from typing import Any

from django.urls import path

from ossdesk.config.urls import handler404, handler500
from ossdesk.config.urls import urlpatterns as site


def crash(request: Any) -> Any:
    raise RuntimeError("a bug")


urlpatterns = [path("api/crash", crash), path("web-crash", crash), *site]
__all__ = ["handler404", "handler500", "urlpatterns"]
