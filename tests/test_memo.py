"""`ossdesk.memo`: reads are remembered inside a scope only, and a scope ends with its unit of work."""

from __future__ import annotations

import pytest

from ossdesk.memo import memo_scope, memoized


def test_outside_a_scope_every_call_reads_afresh() -> None:
    reads: list[int] = []
    for _ in range(3):
        memoized("key", lambda: reads.append(1) or len(reads))
    assert len(reads) == 3


def test_inside_a_scope_each_key_is_read_once_and_forgotten_after() -> None:
    reads: list[str] = []

    def read(key: str) -> str:
        reads.append(key)
        return key.upper()

    with memo_scope():
        assert memoized("a", lambda: read("a")) == "A"
        assert memoized("a", lambda: read("a")) == "A"
        assert memoized(("b", 1), lambda: read("b")) == "B"
        with memo_scope():  # a nested scope shares the outer one
            assert memoized("a", lambda: read("a")) == "A"
    assert reads == ["a", "b"]
    memoized("a", lambda: read("a"))
    assert reads == ["a", "b", "a"]


def test_a_failing_unit_of_work_leaves_no_scope_behind() -> None:
    def failing_unit() -> None:
        with memo_scope():
            memoized("k", lambda: 1)
            raise ValueError("boom")

    with pytest.raises(ValueError):
        failing_unit()
    reads: list[int] = []
    memoized("k", lambda: reads.append(1))
    memoized("k", lambda: reads.append(1))
    assert len(reads) == 2
