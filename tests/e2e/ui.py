"""What the browser tests do as a person does: log in, pick a language; and our texts to compare."""

from __future__ import annotations

from collections.abc import Callable
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tools.hass import HassProcess

from .conftest import PASSWORD, USERNAME

if TYPE_CHECKING:
    from playwright.async_api import Page

TRANSLATIONS = Path(__file__).resolve().parents[2] / "custom_components/sms_bridge/translations"
# The frontend's own name of each language, as its language picker lists it.
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def translations(language: str) -> dict[str, Any]:
    """One of our translation files."""
    data: dict[str, Any] = json.loads((TRANSLATIONS / f"{language}.json").read_text("utf-8"))
    return data


async def log_in(page: Page, url: str) -> None:
    """Through Home Assistant's login page, as a person would."""
    await page.goto(f"{url}/")
    await page.get_by_label("Username", exact=True).fill(USERNAME)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"{url}/lovelace/**")


async def user_data(hass: HassProcess, key: str) -> Any:
    """What the server stored for the user under frontend/user_data `key`."""
    answer = await hass.ws_command("frontend/get_user_data", key=key)
    assert answer["success"], answer
    return answer["result"]["value"]


async def until_stored(
    hass: HassProcess, page: Page, key: str, check: Callable[[Any], object]
) -> None:
    """Wait until the profile page's change reached the server (it saves in the background)."""
    for _ in range(100):
        if check(await user_data(hass, key)):
            return
        await page.wait_for_timeout(100)
    pytest.fail(f"user data {key!r} never changed: {await user_data(hass, key)!r}")


async def choose_language(hass: HassProcess, page: Page, language: str) -> None:
    """Profile > Language, as a person switches the frontend's language."""
    await page.goto(f"{hass.url}/profile/general")
    await page.locator("ha-pick-language-row ha-language-picker").click()
    await page.get_by_role("option", name=LANGUAGE_NAMES[language], exact=True).click()
    await until_stored(
        hass, page, "language", lambda value: (value or {}).get("language") == language
    )
