"""What a person typed into the search box, made safe for each full-text engine. No ORM here.

Supported: words (all must match), "exact phrases" and prefixes (`upgr*`, three letters or more). Nothing
else is syntax: AND, OR, NEAR(, stray quotes and stars are ordinary text, so no input can make the engine
fail. Every term reaches FTS5 inside double quotes and PostgreSQL through websearch_to_tsquery (phrases,
words) or as a quoted lexeme built from letters and digits only (prefixes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_INPUT = 500  # characters looked at
MAX_TERMS = 12  # terms kept; more only slows the engines down
MIN_PREFIX = 3  # shorter prefixes would expand to most of the vocabulary
_PIECE = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Term:
    """One thing every result must contain: a word, a phrase of several words, or a word's prefix."""

    words: tuple[str, ...]
    prefix: bool = False

    def fts5(self) -> str:
        """The term in FTS5 query syntax: always a quoted string, so no character is an operator."""
        quoted = '"' + " ".join(self.words).replace('"', '""') + '"'
        return quoted + "*" if self.prefix else quoted


def parse(text: str) -> list[Term]:
    """The terms of a query, in order, without repeats; empty when nothing searchable was typed."""
    terms: list[Term] = []
    for match in _PIECE.finditer(text[:MAX_INPUT]):
        phrase, token = match.group(1), match.group(2)
        words = tuple(w.lower() for w in _WORD.findall(phrase if phrase is not None else token))
        if not words:
            continue
        prefix = phrase is None and token.endswith("*") and len(words) == 1 and len(words[0]) >= MIN_PREFIX
        term = Term(words=words, prefix=prefix)
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def fts5_match(terms: list[Term]) -> str:
    """An FTS5 MATCH expression requiring every term (implicit AND)."""
    return " ".join(term.fts5() for term in terms)


def websearch_text(terms: list[Term]) -> str:
    """The words and phrases, as websearch_to_tsquery input: each quoted, so `or` and `-` stay text."""
    return " ".join('"' + " ".join(term.words) + '"' for term in terms if not term.prefix)


def tsquery_prefixes(terms: list[Term]) -> list[str]:
    """to_tsquery input for each prefix term: one quoted lexeme of letters and digits, then `:*`."""
    return ["'" + term.words[0] + "':*" for term in terms if term.prefix]
