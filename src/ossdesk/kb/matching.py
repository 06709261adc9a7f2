"""Term matching for suggestions and search: pure functions, no ORM.

A stand-in for a full-text engine: text becomes lower-case terms without stop words and with a light
suffix trim ("consumers" -> "consumer", "upgrading" -> "upgrad"), and an article scores by the terms
found in its title (weighted) and body. `score` and `terms` are all a search engine would replace.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

TITLE_WEIGHT = 3
BODY_WEIGHT = 1
PRODUCT_BONUS = 2
MAX_TERMS = 12  # a pasted stack trace must not become a hundred-term query

_STOP_WORDS_TEXT = """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can cannot could did do does doing down during each few for from further
    get gets got had has have having he her here hers him his how i if in into is it its itself just
    me more most my no nor not now of off on once only or other our ours out over own same she should
    so some such than that the their theirs them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you your
    yours hello hi thanks thank please help issue problem question since still seems seem anyone
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
_WORD = re.compile(r"[a-z0-9][a-z0-9_]*")


def _trim(word: str) -> str:
    if len(word) > 6 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The distinct search terms of a text, in order of first appearance."""
    found: list[str] = []
    for word in _WORD.findall(text.lower()):
        if word in STOP_WORDS or (len(word) < 3 and not word.isdigit()):
            continue
        term = _trim(word)
        if term not in found:
            found.append(term)
        if len(found) == MAX_TERMS:
            break
    return found


def score(
    query_terms: Iterable[str],
    *,
    title: str,
    body: str,
    product_match: bool = False,
) -> int:
    """How well an article answers the terms: 0 means not at all."""
    title, body = title.lower(), body.lower()
    total = 0
    for term in query_terms:
        if term in title:
            total += TITLE_WEIGHT
        if term in body:
            total += BODY_WEIGHT
    if total and product_match:
        total += PRODUCT_BONUS
    return total
