"""Hooks (ossdesk.hooks): once Django is set up, every hook has exactly the handlers it declares and every
question its answer, and the mechanism runs them in the caller's call, or fails when one is missing."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import ossdesk
from ossdesk.hooks import Hook, HookUnhandled, Question, declared_hooks, declared_questions, hook, question

# Every hook and the handler of each app that handles it: adding a hook or a handler adds a row here.
EXPECTED: dict[str, list[str]] = {
    "ossdesk.customers.hooks.reachability_changed": [
        "ossdesk.tickets.services.tickets.organization_reachability_changed",
    ],
    "ossdesk.customers.hooks.contact_proof_requested": [
        "ossdesk.channels.services.contact_proof.contact_proof_mail_enqueue",
    ],
    "ossdesk.plans.hooks.terms_changed": [
        "ossdesk.tickets.hook_handlers.deadlines_recalculate_on_commit",
    ],
}

# Every question and the function that answers it.
EXPECTED_ANSWERS: dict[str, str] = {
    "ossdesk.customers.hooks.entitlements_for": "ossdesk.plans.selectors.entitlements_for",
    "ossdesk.customers.hooks.plan_refs": "ossdesk.plans.selectors.plan_refs",
}


def _ossdesk_hooks() -> dict[str, Hook[...]]:
    package = Path(ossdesk.__file__).parent
    for path in sorted(package.rglob("hooks.py")):
        importlib.import_module(".".join(path.relative_to(package.parent).with_suffix("").parts))
    return {found.name: found for found in declared_hooks() if found.name.startswith("ossdesk.")}


def test_every_hook_has_exactly_its_handlers_once_django_is_set_up() -> None:
    found = {
        name: [f"{handler.__module__}.{handler.__qualname__}" for handler in declared.handlers()]
        for name, declared in _ossdesk_hooks().items()
    }
    assert found == EXPECTED
    for declared in _ossdesk_hooks().values():
        assert sorted(declared.subscribed()) == sorted(declared.handled_by), declared


def _made_up(handled_by: tuple[str, ...] = (__name__,)) -> Hook[[int]]:
    def signature(*, number: int) -> None:
        """Made up."""

    return Hook(signature, handled_by=handled_by)


def test_a_hook_calls_its_handlers_in_the_order_they_subscribed() -> None:
    called: list[tuple[str, int]] = []
    made_up = _made_up()
    made_up.subscribe(lambda *, number: called.append(("first", number)))
    made_up(number=7)
    assert called == [("first", 7)]
    assert made_up.__doc__ == "Made up."


def test_a_hook_with_a_declared_handler_missing_raises() -> None:
    made_up = _made_up(handled_by=(__name__, "ossdesk.nowhere"))
    made_up.subscribe(lambda *, number: None)
    with pytest.raises(HookUnhandled, match=r"not handled by ossdesk\.nowhere"):
        made_up(number=1)


def test_only_the_declared_packages_subscribe_and_each_once() -> None:
    made_up = _made_up(handled_by=("ossdesk.tickets",))
    with pytest.raises(ValueError, match=r"handled by ossdesk\.tickets only"):
        made_up.subscribe(lambda *, number: None)
    mine = _made_up()

    def handler(*, number: int) -> None:
        pass

    mine.subscribe(handler)
    mine.subscribe(handler)  # again, as a second AppConfig.ready() would: no change
    assert mine.handlers() == (handler,)
    with pytest.raises(ValueError, match="already subscribed"):
        mine.subscribe(lambda *, number: None)


def test_a_handlers_error_reaches_the_caller() -> None:
    made_up = _made_up()

    def failing(*, number: int) -> None:
        raise LookupError(number)

    made_up.subscribe(failing)
    with pytest.raises(LookupError):
        made_up(number=3)


def test_the_decorator_declares_the_hook() -> None:
    @hook(handled_by=(__name__,))
    def declared_here(*, number: int) -> None:
        """Made up too."""

    assert declared_here in declared_hooks()
    assert declared_here.name.endswith("declared_here")


def test_every_question_has_its_answer_once_django_is_set_up() -> None:
    _ossdesk_hooks()  # imports every hooks.py
    found = {
        declared.name: f"{answer.__module__}.{answer.__qualname__}" if (answer := declared.answer()) else None
        for declared in declared_questions()
        if declared.name.startswith("ossdesk.")
    }
    assert found == EXPECTED_ANSWERS


def test_a_question_returns_its_answer_and_fails_without_one() -> None:
    @question(answered_by=__name__)
    def doubled(*, number: int) -> int:  # type: ignore[empty-body]
        """Made up."""

    assert isinstance(doubled, Question)
    assert doubled in declared_questions()
    with pytest.raises(HookUnhandled, match=r"not answered by"):
        doubled(number=2)

    def answer(*, number: int) -> int:
        return number * 2

    doubled.answer_with(answer)
    doubled.answer_with(answer)  # again, as a second AppConfig.ready() would: no change
    assert doubled(number=21) == 42
    with pytest.raises(ValueError, match="already has an answer"):
        doubled.answer_with(lambda *, number: number)
    elsewhere = Question(doubled.answer() or answer, answered_by="ossdesk.plans")
    with pytest.raises(ValueError, match=r"answered by ossdesk\.plans only"):
        elsewhere.answer_with(answer)
