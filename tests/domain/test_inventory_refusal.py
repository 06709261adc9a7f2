"""An inventory that describes the file's failure, not the deployment, is refused before anything changes.

The rule (`refusal_reasons`): no component read, or more entries skipped than read. Skipped entries are
counted by the readers' own warnings, beyond the listed ones too.
"""

from __future__ import annotations

import pytest

from ossdesk.domain.inventory import parse, refusal_reasons
from ossdesk.domain.inventory._model import MAX_REFUSAL_LINES


def _reasons(filename: str, text: str) -> tuple[str, ...]:
    return refusal_reasons(filename, parse(filename, text.encode()))


def test_the_issue_file_reads_nothing_and_says_why_line_by_line() -> None:
    reasons = _reasons("requirements.txt", "django==\nflask>=\n!!!garbage line\n")
    assert reasons[0] == "requirements.txt: no package could be read (3 entries skipped)"
    assert [r.split(": ")[1] for r in reasons[1:]] == ["line 1", "line 2", "line 3"]
    assert "cannot read 'django=='" in reasons[1]
    assert "cannot read '!!!garbage line'" in reasons[3]


@pytest.mark.parametrize(
    ("filename", "text", "headline"),
    [
        (
            "requirements.txt",
            "django==3.2.3\nflask>=\n!!!garbage\n",
            "more entries skipped (2) than read (1)",
        ),
        ("requirements.txt", "flask>=2\nrequests\n", "no package could be read (2 entries skipped)"),
        ("requirements.txt", "", "no package could be read (0 entries skipped)"),
        ("Cargo.lock", "version = 3\n", "no package could be read (0 entries skipped)"),
        (
            "bom.json",
            '{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"type": "library"}, '
            '{"type": "library"}, {"name": "a", "purl": "pkg:pypi/a@1"}]}',
            "more entries skipped (2) than read (1)",
        ),
    ],
    ids=["more-skipped-than-read", "only-unpinned", "empty", "no-packages", "cyclonedx-nameless"],
)
def test_refused(filename: str, text: str, headline: str) -> None:
    assert _reasons(filename, text)[0] == f"{filename}: {headline}"


@pytest.mark.parametrize(
    ("filename", "text"),
    [
        ("requirements.txt", "django==3.2.3\nflask>=2\n"),  # as many read as skipped
        ("requirements.txt", "django==3.2.3\n-r base.txt\n-r dev.txt\n"),  # includes are not unreadable
        ("requirements.txt", "# only a comment\ndjango==3.2.3\n--index-url https://example.org\n"),
    ],
    ids=["tie", "includes", "options"],
)
def test_accepted(filename: str, text: str) -> None:
    assert _reasons(filename, text) == ()


def test_a_long_refusal_is_capped_and_counts_every_warning() -> None:
    text = "".join(f"!!!garbage {n}\n" for n in range(100))
    inventory = parse("requirements.txt", text.encode())
    assert inventory.skipped == 100  # beyond the 50 listed warnings too
    reasons = refusal_reasons("requirements.txt", inventory)
    assert len(reasons) == MAX_REFUSAL_LINES
    assert reasons[0] == "requirements.txt: no package could be read (100 entries skipped)"
    assert reasons[1].startswith("requirements.txt: line 1: cannot read '!!!garbage 0'")
    shown = MAX_REFUSAL_LINES - 2
    assert reasons[-1] == f"requirements.txt: … and {100 - shown} more warnings"
