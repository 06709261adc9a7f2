"""Markdown to safe HTML: Python-Markdown renders, nh3 keeps a conservative set of tags and attributes.

The sanitiser, not the author, decides what reaches a page: raw HTML in the Markdown source is allowed
through Markdown and then cleaned like everything else.
"""

from __future__ import annotations

import html
import re

import markdown
import nh3

ALLOWED_TAGS = frozenset(
    {
        "h1", "h2", "h3", "h4", "h5", "h6",
        "p", "br", "hr", "strong", "em", "b", "i", "del", "sup", "sub",
        "ul", "ol", "li", "dl", "dt", "dd",
        "code", "pre", "blockquote", "kbd",
        "table", "thead", "tbody", "tr", "th", "td",
        "a", "img",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
MARKDOWN_EXTENSIONS = ["fenced_code", "tables", "sane_lists"]
SUMMARY_LENGTH = 280
_SPACE = re.compile(r"\s+")


def _only_https_images(tag: str, attribute: str, value: str) -> str | None:
    """Images load from elsewhere when the page is read: only over HTTPS, never data: or relative."""
    if tag == "img" and attribute == "src" and not value.lower().startswith("https://"):
        return None
    return value


def render_markdown(source: str) -> str:
    """The article's HTML, safe to mark safe in a template."""
    raw = markdown.markdown(source, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    return nh3.clean(
        raw,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_only_https_images,
        url_schemes=set(LINK_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


def plain_summary(safe_html: str, length: int = SUMMARY_LENGTH) -> str:
    """The first words of the rendered article as plain text (templates escape it again)."""
    text = _SPACE.sub(" ", html.unescape(nh3.clean(safe_html, tags=set()))).strip()
    if len(text) <= length:
        return text
    return text[: length - 1].rsplit(" ", 1)[0] + "…"
