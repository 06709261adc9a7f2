"""`UNSET`: the default of a keyword argument that was left out, so that None stays a value to set.

An update service takes each field it may change as a typed keyword argument that defaults to `UNSET`:
one left out keeps the stored value, and where a field takes None (a nullable end date, no account
manager) None sets it.

    def agreement_update(*, actor: Actor, agreement: Agreement, account_manager: User | Unset | None = UNSET)

`x is UNSET` and `x is not UNSET` narrow the type for a type checker; `given(...)` keeps the arguments a
caller gave.
"""

from __future__ import annotations

import enum
from typing import Any, Final


class Unset(enum.Enum):
    """The type of `UNSET`: an enum of one member, so that `is` comparisons narrow."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


def given(**arguments: object) -> dict[str, Any]:
    """The arguments that are not `UNSET`, in the order given."""
    return {name: value for name, value in arguments.items() if value is not UNSET}
