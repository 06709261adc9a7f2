"""What the browser tests share: signing in and moving around with the keyboard alone, and screenshots.

A page that puts the focus on a field with `autofocus` does so when the browser next renders, which can
come a moment after the load event. A test that types on arrival waits for that focus first — and so also
proves that the field has it — instead of losing the first keystrokes to the page body.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from ossdesk.accounts.demo import DEMO_PASSWORD

SHOTS = os.environ.get("OSSDESK_SCREENSHOTS")


def shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def type_into_focused(page: Any, selector: str, text: str) -> None:
    """Type `text` once the field matching `selector` has the focus the page gave it."""
    expect(page.locator(selector)).to_be_focused()
    page.keyboard.type(text)


def sign_in_with_keyboard(page: Any, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/signin/")
    # The user-name field has focus on arrival; Tab moves to the password; Enter submits.
    type_into_focused(page, "#id_username", username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def tab_to(page: Any, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching `selector` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got the focus with Tab")
