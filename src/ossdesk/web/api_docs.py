"""The API's reference pages, served wholly from this server: no font, script or image from another host,
so that the docs work offline and tell no third party who reads them.

drf-spectacular's Redoc page loads Google Fonts, and Redoc's bundle draws its maker's logo from a CDN; the
page here uses the system's fonts, and the bundle is served with that one URL replaced.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from drf_spectacular.views import SpectacularRedocView

REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
# An image that cannot load fires the logo's onError, and Redoc then leaves the logo out. `data:,` is an
# empty document, not a request.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
NO_IMAGE = "data:,"
BUNDLE_MAX_AGE = 24 * 3600


@lru_cache(maxsize=1)
def _redoc_bundle() -> bytes:
    found = finders.find(REDOC_BUNDLE)
    if not isinstance(found, str):
        raise LookupError(f"{REDOC_BUNDLE} is missing: is drf-spectacular-sidecar installed?")
    return Path(found).read_text(encoding="utf-8").replace(REDOC_LOGO, NO_IMAGE).encode()


def redoc_bundle(request: HttpRequest) -> HttpResponse:
    """Redoc's standalone bundle, without the request for its maker's logo."""
    response = HttpResponse(_redoc_bundle(), content_type="text/javascript; charset=utf-8")
    patch_cache_control(response, public=True, max_age=BUNDLE_MAX_AGE)
    return response


class RedocView(SpectacularRedocView):
    """drf-spectacular's Redoc page, with a template that loads no web fonts and the bundle above."""

    template_name = "ossdesk/redoc.html"

    @staticmethod
    def _redoc_standalone() -> str:
        return reverse("api-redoc-bundle")
