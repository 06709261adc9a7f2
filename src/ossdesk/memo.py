"""A memo for one unit of work — one inbound mail, say — so that reads which cannot change inside it
(the customer's subscriptions, the fallback plan, holiday lists, webhook endpoints) are made once.

Outside `memo_scope()` nothing is remembered: every call reads afresh, as before. A scope lasts for one
unit only, so a change that staff save between two mails is seen by the second.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("ossdesk_memo", default=None)


@contextmanager
def memo_scope() -> Iterator[None]:
    """Remember reads until the block ends; a nested scope shares the outer one."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def memoized(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, once per key inside a scope; every time outside one."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    value: T = memo[key]
    return value
