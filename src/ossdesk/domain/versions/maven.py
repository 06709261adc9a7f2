"""Maven versions, ordered by Maven's own ``ComparableVersion`` as maven-artifact 3.8.7 (Debian 12's) has it.

Maven 3.9 reads a qualifier after a dot differently in a few corners (``2.9.0-1`` vs ``2.9.0.RC1``); the
tool proved against here is 3.8.7, so that is the order followed.


Parsing (case-insensitive): ``.`` and ``-`` separate items, and so does every transition between digits
and letters; ``-`` and a transition also open a nested list, so ``1.0-alpha-1`` is ``[1, [alpha, [1]]]``.
A qualifier directly followed by digits, or ending the version, opens a list of its own too unless it
starts one (``1.0.RC1`` reads as ``1.0-RC1``, ``1.foo`` as ``1-foo``; but ``1.foo.0`` keeps ``foo`` in line).
Items are numbers, qualifiers or lists. Known qualifiers order as
``alpha < beta < milestone < rc < snapshot < "" < sp``, with ``a``/``b``/``m`` meaning alpha, beta and
milestone when a digit follows them directly, ``cr`` meaning ``rc``, and ``ga``, ``final`` and ``release``
meaning ``""`` (the release itself). Unknown qualifiers come after ``sp``, in lexical order. Each list then
drops the trailing items that equal "nothing" (``0``, ``""``, an empty list), looking past nested lists,
so ``1.0.RELEASE`` equals ``1`` and ``1.0-1`` equals ``1-1``.

Comparison walks both lists; a missing item compares as "nothing", which is below every positive number,
above the pre-release qualifiers and below ``sp`` and unknown qualifiers. Between kinds:
qualifier < list < number (``1-sp < 1-1 < 1.1``).

Maven's ordering is not a plain tuple order (what "nothing" equals depends on what it meets), so the sort
key is a small object whose ``<`` runs the comparison above on the parsed items. It is not even
transitive, in Maven itself as here: ``1.foo.0 < 1-alpha < 1 < 1.foo.0``; a sort of such versions
depends on their input order.
"""

from __future__ import annotations

from functools import lru_cache, total_ordering

from ossdesk.domain.versions._errors import VersionSyntaxError

# An item: a number, a qualifier (stored in its comparable form, see _qualifier) or a nested list.
Item = int | str | tuple["Item", ...]

_MAX_LENGTH = 256  # nesting grows with length; no real Maven version comes close
_QUALIFIERS = ("alpha", "beta", "milestone", "rc", "snapshot", "", "sp")
_ALIASES = {"ga": "", "final": "", "release": "", "cr": "rc"}
_SHORTHANDS = {"a": "alpha", "b": "beta", "m": "milestone"}
_RELEASE = str(_QUALIFIERS.index(""))


def _qualifier(text: str, followed_by_digit: bool) -> str:
    """A qualifier's comparable form: its index among the known ones, or ``"7-<text>"`` after them."""
    if followed_by_digit and len(text) == 1:
        text = _SHORTHANDS.get(text, text)
    text = _ALIASES.get(text, text)
    if text in _QUALIFIERS:
        return str(_QUALIFIERS.index(text))
    return f"{len(_QUALIFIERS)}-{text}"


def _item(is_digit: bool, text: str) -> int | str:
    return int(text) if is_digit else _qualifier(text, followed_by_digit=False)


class _Building(list["int | str | _Building"]):
    """A nested list while it is being parsed (frozen into tuples afterwards)."""


def _is_null(item: int | str | _Building) -> bool:
    if isinstance(item, int):
        return item == 0
    if isinstance(item, str):
        return item == _RELEASE
    return not item


def _normalize(items: _Building) -> None:
    """Drop trailing "nothing" items, looking past (non-empty) nested lists, as ``ListItem.normalize``."""
    for i in range(len(items) - 1, -1, -1):
        if _is_null(items[i]):
            del items[i]
        elif not isinstance(items[i], _Building):
            break


def _freeze(items: _Building) -> tuple[Item, ...]:
    return tuple(_freeze(i) if isinstance(i, _Building) else i for i in items)


def parse_items(version: str) -> tuple[Item, ...]:
    """Parse a version into ``ComparableVersion``'s normalized item list (nested tuples)."""
    text = version.lower()
    root = _Building()
    current = root
    stack = [root]
    is_digit = False
    start = 0

    def open_list() -> None:
        nonlocal current
        nested = _Building()
        current.append(nested)
        current = nested
        stack.append(nested)

    for i, char in enumerate(text):
        if char in ".-":
            current.append(0 if i == start else _item(is_digit, text[start:i]))
            start = i + 1
            if char == "-":
                open_list()
        elif char.isdecimal():
            if not is_digit and i > start:
                if current:  # ".X1" is read as "-X1": a qualifier followed by digits opens a list
                    open_list()
                current.append(_qualifier(text[start:i], followed_by_digit=True))
                start = i
                open_list()
            is_digit = True
        else:
            if is_digit and i > start:
                current.append(int(text[start:i]))
                start = i
                open_list()
            is_digit = False
    if len(text) > start:
        if not is_digit and current:  # likewise a final qualifier: "1.0.X" is read as "1.0-X"
            open_list()
        current.append(_item(is_digit, text[start:]))
    while stack:
        _normalize(stack.pop())
    return _freeze(root)


def _against_nothing(item: Item) -> int:
    """Sign of ``item`` compared with a missing item."""
    if isinstance(item, int):
        return 1 if item else 0
    if isinstance(item, str):
        return (item > _RELEASE) - (item < _RELEASE)
    for nested in item:
        result = _against_nothing(nested)
        if result:
            return result
    return 0


def compare_items(left: tuple[Item, ...], right: tuple[Item, ...]) -> int:
    """``ListItem.compareTo`` between two lists of items: -1, 0 or 1."""
    for i in range(max(len(left), len(right))):
        if i >= len(left):
            result = -_against_nothing(right[i])
        elif i >= len(right):
            result = _against_nothing(left[i])
        else:
            a, b = left[i], right[i]
            if isinstance(a, int):
                result = ((a > b) - (a < b)) if isinstance(b, int) else 1
            elif isinstance(a, str):
                result = ((a > b) - (a < b)) if isinstance(b, str) else -1
            elif isinstance(b, tuple):
                result = compare_items(a, b)
            else:
                result = -1 if isinstance(b, int) else 1
        if result:
            return result
    return 0


@total_ordering
class MavenVersion:
    """Sort key for a Maven version; ``<`` and ``==`` follow ``ComparableVersion.compareTo``."""

    __slots__ = ("items",)
    __hash__ = None  # type: ignore[assignment]  # equality is an ordering relation, not structural

    def __init__(self, items: tuple[Item, ...]) -> None:
        self.items = items

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, MavenVersion):
            return NotImplemented
        return compare_items(self.items, other.items) < 0

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MavenVersion):
            return NotImplemented
        return compare_items(self.items, other.items) == 0

    def __repr__(self) -> str:
        return f"MavenVersion({self.items!r})"


@lru_cache(maxsize=1 << 16)
def maven_key(version: str) -> MavenVersion:
    """Sort key for a Maven version (every non-empty string up to 256 characters parses)."""
    if not version:
        raise VersionSyntaxError("empty")
    if len(version) > _MAX_LENGTH:
        raise VersionSyntaxError(f"longer than {_MAX_LENGTH} characters")
    return MavenVersion(parse_items(version))
