"""Hooks: a lower app's data changed, and a higher app's data must follow, in the same call.

An app imports only from its own layer and below (tests/test_layers.py). When a change in a lower app
must move something in a higher one (a plan's terms change, so open tickets' deadlines are recalculated),
the lower app declares a hook in its own `hooks.py` and calls it where it used to call the higher app;
the higher app subscribes its handler in its `AppConfig.ready()`:

    # plans/hooks.py (the producer declares the hook and who handles it)
    @hook(handled_by=("ossdesk.tickets",))
    def terms_changed(*, organization_ids: list[int]) -> None:
        '''The terms in force for these organisations changed.'''

    # plans/services.py (the producer calls it)
    terms_changed(organization_ids=[organization.pk])

    # tickets/hook_handlers.py, called from TicketsConfig.ready() (the handler subscribes)
    terms_changed.subscribe(deadlines_recalculate_on_commit)

A hook runs its handlers where it is called: synchronously, in the caller's transaction, exceptions
propagating, so moving a direct call behind a hook changes no timing. A handler that must wait for the
commit registers `transaction.on_commit` itself.

How this differs from what it could be confused with:
- Not Django signals (the house has none): a hook is typed from the function it decorates, so mypy checks
  every call and every handler against that signature; and each hook names the apps that must handle it.
  A hook whose declared handlers are not all subscribed raises HookUnhandled when called, and
  tests/test_hooks.py checks after `django.setup()` that every hook has exactly its declared handlers.
- Not notifications (`notify`): a notification tells *people* that something happened, through channels
  they choose. A hook keeps two apps' *data* consistent; its handlers are part of the change and run
  every time, or the change fails.

A question is a hook's counterpart for reading: a lower app needs a value only a higher app computes
(customers' contact and deployment limits come from plans' entitlements, and a plan's subscription
points at a customer). The lower app declares the question in its `hooks.py` with `@question`, naming
the one package that answers it, and calls it like the function it stands for; the answering app
registers its function in its AppConfig.ready():

    # customers/hooks.py
    @question(answered_by="ossdesk.plans")
    def entitlements_for(*, organization: Organization) -> Entitlements:
        '''The entitlements in force for the organisation now.'''

    # plans/apps.py, in PlansConfig.ready()
    customers_hooks.entitlements_for.answer_with(selectors.entitlements_for)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_declared: list[Hook[Any]] = []
_questions: list[Question[Any, Any]] = []


class HookUnhandled(RuntimeError):
    """A hook was called before every app that must handle it subscribed (its AppConfig.ready())."""


class Hook(Generic[P]):
    """A named point where a lower app tells the higher apps in `handled_by` that its data changed."""

    def __init__(self, signature: Callable[P, None], *, handled_by: tuple[str, ...]) -> None:
        self.name = f"{signature.__module__}.{signature.__qualname__}"
        self.__doc__ = signature.__doc__
        self.handled_by = handled_by
        self._handlers: list[Callable[P, object]] = []

    def __repr__(self) -> str:
        return f"<Hook {self.name}, handled by {', '.join(self.handled_by)}>"

    def subscribe(self, handler: Callable[P, object]) -> None:
        """Add `handler`, which must live in one of `handled_by` (a package): one handler per package.
        Subscribing the same handler again changes nothing (Django may run an AppConfig.ready() twice)."""
        package = _package_of(handler, self.handled_by)
        if package is None:
            raise ValueError(f"{self.name} is handled by {', '.join(self.handled_by)} only, not {handler!r}")
        if handler in self._handlers:
            return
        if package in self.subscribed():
            raise ValueError(f"{package} has already subscribed to {self.name}")
        self._handlers.append(handler)

    def handlers(self) -> tuple[Callable[P, object], ...]:
        """The handlers subscribed, in the order they subscribed, which is the order they run in."""
        return tuple(self._handlers)

    def subscribed(self) -> tuple[str, ...]:
        """The packages of `handled_by` with a handler subscribed, in the order they subscribed."""
        return tuple(_package_of(handler, self.handled_by) or "" for handler in self._handlers)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> None:
        missing = [package for package in self.handled_by if package not in self.subscribed()]
        if missing:
            raise HookUnhandled(f"{self.name} is not handled by {', '.join(missing)} (is Django set up?)")
        for handler in self._handlers:
            handler(*args, **kwargs)


def hook(*, handled_by: tuple[str, ...]) -> Callable[[Callable[P, None]], Hook[P]]:
    """Declare the decorated function (a signature and a docstring; its body never runs) as a hook that
    the packages `handled_by` handle."""

    def declare(signature: Callable[P, None]) -> Hook[P]:
        declared = Hook(signature, handled_by=handled_by)
        _declared.append(declared)
        return declared

    return declare


def declared_hooks() -> tuple[Hook[Any], ...]:
    """Every hook declared so far (those of the modules imported so far), in declaration order."""
    return tuple(_declared)


class Question(Generic[P, R]):
    """A named value a lower app asks of the one higher app in `answered_by` (see the module docstring)."""

    def __init__(self, signature: Callable[P, R], *, answered_by: str) -> None:
        self.name = f"{signature.__module__}.{signature.__qualname__}"
        self.__doc__ = signature.__doc__
        self.answered_by = answered_by
        self._answer: Callable[P, R] | None = None

    def __repr__(self) -> str:
        return f"<Question {self.name}, answered by {self.answered_by}>"

    def answer_with(self, answer: Callable[P, R]) -> None:
        """Make `answer`, which must live in `answered_by`, the answer. Registering the same function again
        changes nothing (Django may run an AppConfig.ready() twice); another one is an error."""
        if _package_of(answer, (self.answered_by,)) is None:
            raise ValueError(f"{self.name} is answered by {self.answered_by} only, not {answer!r}")
        if self._answer is not None and self._answer is not answer:
            raise ValueError(f"{self.name} already has an answer: {self._answer!r}")
        self._answer = answer

    def answer(self) -> Callable[P, R] | None:
        return self._answer

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if self._answer is None:
            raise HookUnhandled(f"{self.name} is not answered by {self.answered_by} (is Django set up?)")
        return self._answer(*args, **kwargs)


def question(*, answered_by: str) -> Callable[[Callable[P, R]], Question[P, R]]:
    """Declare the decorated function (a signature and a docstring; its body never runs) as a question
    that the package `answered_by` answers."""

    def declare(signature: Callable[P, R]) -> Question[P, R]:
        declared = Question(signature, answered_by=answered_by)
        _questions.append(declared)
        return declared

    return declare


def declared_questions() -> tuple[Question[Any, Any], ...]:
    """Every question declared so far (those of the modules imported so far), in declaration order."""
    return tuple(_questions)


def _package_of(handler: Callable[..., object], packages: tuple[str, ...]) -> str | None:
    module = getattr(handler, "__module__", None) or ""
    return next((p for p in packages if module == p or module.startswith(p + ".")), None)
