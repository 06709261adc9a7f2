"""The API's reference pages load everything from this server: no web fonts, CDN scripts or images, and
no online validator (a browser test in tests/browser/test_pages.py records the requests themselves)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest

from ossdesk.web.api_docs import REDOC_LOGO


class _Loads(HTMLParser):
    """What an HTML page makes the browser fetch: scripts, styles, preconnects, images, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "link", "img", "iframe"}:
            self.urls += [value or "" for name, value in attrs if name in {"src", "href"}]


def _loads(html: str) -> list[str]:
    parser = _Loads()
    parser.feed(html)
    return parser.urls


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/redoc/", "/api/docs/"])
def test_api_docs_pages_load_nothing_from_other_hosts(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    urls = _loads(html)
    assert any(url.endswith(".js") for url in urls)
    for url in urls:
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
    assert "fonts.googleapis.com" not in html
    assert "fonts.gstatic.com" not in html


@pytest.mark.django_db
def test_redoc_bundle_is_served_without_the_cdn_logo(client: Any) -> None:
    html = client.get("/api/redoc/").content.decode()
    (bundle,) = [url for url in _loads(html) if "redoc" in url and url.endswith(".js")]
    response = client.get(bundle)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    script = response.content.decode()
    assert "Redoc" in script
    assert len(script) > 500_000  # the whole bundle, not a stub
    assert REDOC_LOGO not in script
    assert "cdn.redoc.ly" not in script
    assert "fonts.googleapis.com" not in script


@pytest.mark.django_db
def test_swagger_ui_asks_no_online_validator(client: Any) -> None:
    html = client.get("/api/docs/").content.decode()
    found = re.search(r"const swaggerSettings = (\{.*?\});", html, re.DOTALL)
    assert found is not None
    settings = json.loads(found.group(1))
    assert "validatorUrl" in settings
    assert settings["validatorUrl"] is None
