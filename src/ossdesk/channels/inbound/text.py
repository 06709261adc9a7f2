"""The text of a received mail: decoding a part's charset, safe HTML, HTML as readable text, and a reply
without the history it quotes."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

# Where the quoted history of a reply starts, in the shapes Gmail, Outlook, Apple Mail and
# Thunderbird write it (English, German, French).
QUOTE_STARTS = (
    re.compile(r"^On .{4,300}wrote:\s*$", re.DOTALL),
    re.compile(r"^Am .{4,300}schrieb .{1,200}:\s*$", re.DOTALL),
    re.compile(r"^Le .{4,300}a écrit\s*:\s*$", re.DOTALL),
    re.compile(r"^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine)\s*-{2,}\s*$", re.I),
    re.compile(r"^_{20,}\s*$"),
)
OUTLOOK_HEADER = re.compile(r"^\*?(From|Von|De)\s*:\*?\s+\S", re.IGNORECASE)
OUTLOOK_FOLLOWING = re.compile(r"^\*?(Sent|Date|Gesendet|Envoyé|To|An|À)\s*:", re.IGNORECASE)
BLOCK_TAGS = frozenset(
    {"p", "div", "br", "tr", "li", "ul", "ol", "table", "blockquote", "pre", "hr", "section", "article"}
    | {f"h{n}" for n in range(1, 7)}
)
DROP_WITH_CONTENT = {"script", "style", "title", "head", "template", "noscript", "object", "iframe"}

ASCII_LABELS = frozenset({"us-ascii", "ascii", "ansi_x3.4-1968"})
LATIN1_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1"})


def decode_text(payload: bytes, charset: str | None) -> str:
    """Bytes of a text part as text. Like browsers, ISO-8859-1 is read as Windows-1252 (its superset,
    which Outlook sends under that label); an ASCII label on UTF-8 bytes is forgiven; an unknown
    charset falls back to UTF-8, then Windows-1252."""
    label = (charset or "us-ascii").strip().strip('"').lower()
    if label in ASCII_LABELS:
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            label = "windows-1252"
    if label in LATIN1_LABELS:
        label = "windows-1252"
    try:
        return payload.decode(label, errors="replace")
    except LookupError:
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("cp1252", errors="replace")


def sanitise_html(html: str) -> str:
    """Safe HTML: scripts, styles, event handlers, forms and foreign schemes removed (nh3)."""
    return nh3.clean(html, clean_content_tags=DROP_WITH_CONTENT, link_rel="noopener noreferrer")


class _TextWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.pre = 0
        self.href: list[str | None] = []
        self.link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "li":
            self.out.append("\n- ")
        elif tag in BLOCK_TAGS:
            self.out.append("\n")
        if tag == "pre":
            self.pre += 1
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))
            self.link_text.append("")
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self.out.append(f"[{alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self.pre = max(self.pre - 1, 0)
        if tag == "a" and self.href:
            href, text = self.href.pop(), self.link_text.pop()
            if href and href.startswith(("http://", "https://")) and href.strip() != text.strip():
                self.out.append(f" ({href})")
        if tag in BLOCK_TAGS and tag not in {"br", "li"}:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        text = data if self.pre else re.sub(r"\s+", " ", data)
        if self.link_text:
            self.link_text[-1] += text
        self.out.append(text)


def html_to_text(html: str) -> str:
    """Readable text from (sanitised) HTML: paragraphs and list items on their own lines, links kept."""
    writer = _TextWriter()
    writer.feed(sanitise_html(html))
    writer.close()
    lines = [line.strip() for line in "".join(writer.out).replace("\xa0", " ").splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def strip_quoted(text: str) -> str:
    """A reply without the history it quotes (Gmail's "On ... wrote:", Outlook's header block,
    "-----Original Message-----", trailing "> " lines); the whole text if nothing would remain."""
    lines = text.splitlines()
    cut = len(lines)
    for index, line in enumerate(lines):
        stripped = line.strip()
        # Gmail wraps a long "On <date>, <name> <address> wrote:" over two lines.
        joined = " ".join(part.strip() for part in lines[index : index + 2])
        if any(p.match(stripped) for p in QUOTE_STARTS) or (
            stripped.startswith(("On ", "Am ", "Le ")) and any(p.match(joined) for p in QUOTE_STARTS[:3])
        ):
            cut = index
            break
        if OUTLOOK_HEADER.match(stripped) and any(
            OUTLOOK_FOLLOWING.match(following.strip()) for following in lines[index + 1 : index + 4]
        ):
            cut = index
            break
    kept = lines[:cut]
    while kept and (not kept[-1].strip() or kept[-1].lstrip().startswith(">")):
        kept.pop()
    result = "\n".join(kept).strip()
    return result or text.strip()
