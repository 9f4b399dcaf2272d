"""Issue 6: the config flow in a real browser, in English and in Vietnamese.

Home Assistant runs with its frontend on loopback; headless chromium logs in through HA's own
login page, opens "Add integration: SMS Bridge", and checks that the gateway menu and the FiboSMS
form show our texts from translations/en.json (the gateway address is a folded section, no
advanced mode needed). Then it switches the user's language to Tiếng Việt on the
profile page and checks the same against vi.json. Screenshots: artifacts/e2e/.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from custom_components.sms_bridge.const import DOMAIN
from custom_components.sms_bridge.flows.forms import SECTION_ADDRESS, account_schema
from custom_components.sms_bridge.providers import PROVIDER_CLASSES
from custom_components.sms_bridge.texts import short_name
from sandbox import Sandbox
from tools.accounts import sandbox_forms
from tools.hass import HassProcess

from .conftest import STEP_TIMEOUT_MS
from .ui import choose_language, log_in, translations

if not os.environ.get("E2E_REQUIRED"):  # under scripts/test, which installs it, a missing one fails
    pytest.importorskip("playwright", reason="Playwright is not installed: run scripts/test --e2e")

from playwright.async_api import Page, expect

expect.set_options(timeout=STEP_TIMEOUT_MS)
FIBO = "fibo"


def config_steps(language: str) -> dict[str, Any]:
    """config.step of one of our translation files."""
    steps: dict[str, Any] = translations(language)["config"]["step"]
    return steps


async def check_config_flow(page: Page, url: str, language: str, shots: Path) -> None:
    """Add SMS Bridge: the gateway menu, then FiboSMS's form, in our texts of `language`."""
    steps = config_steps(language)
    await page.goto(f"{url}/config/integrations/dashboard/add?domain={DOMAIN}")
    # "Do you want to set up SMS Bridge?" (the frontend's own words): its OK button.
    await page.locator("dialog-box ha-button[dialoginitialfocus]").click()

    menu = page.locator("dialog-data-entry-flow step-flow-menu")
    await expect(menu.locator("h2")).to_have_text(steps["user"]["title"])
    await expect(menu.get_by_text(steps["user"]["description"])).to_be_visible()
    options = [steps["user"]["menu_options"][key] for key in PROVIDER_CLASSES]
    await expect(menu.locator("mwc-list-item")).to_have_text(options)
    await page.screenshot(path=shots / f"menu-{language}.png", animations="disabled")

    await menu.locator(
        "mwc-list-item", has_text=options[list(PROVIDER_CLASSES).index(FIBO)]
    ).click()
    form = page.locator("dialog-data-entry-flow step-flow-form")
    fibo = steps[FIBO]
    await expect(form.locator("h2")).to_have_text(fibo["title"])
    await expect(form.get_by_text(fibo["description"])).to_be_visible()
    fields = [str(key) for key in account_schema(FIBO).schema if key != SECTION_ADDRESS]
    # The folded section's field is in the page but not shown: only the fields a person sees.
    labels = form.locator("ha-textfield .mdc-floating-label").filter(visible=True)
    await expect(labels).to_have_text([fibo["data"][field] for field in fields])
    # The gateway's address: a folded section anyone can open, no advanced mode needed.
    await expect(form.get_by_text(fibo["sections"][SECTION_ADDRESS]["name"])).to_be_visible()
    await page.screenshot(path=shots / f"form-fibo-{language}.png", animations="disabled")


@pytest.mark.usefixtures("chromium")  # first: skip before Home Assistant starts
@pytest.mark.timeout(180)
async def test_config_flow_in_english_and_vietnamese(
    home_assistant: HassProcess, page: Page, artifacts: Path
) -> None:
    await log_in(page, home_assistant.url)
    await check_config_flow(page, home_assistant.url, "en", artifacts)
    await choose_language(home_assistant, page, "vi")
    await check_config_flow(page, home_assistant.url, "vi", artifacts)


async def add_accounts(hass: HassProcess, sandbox_url: str) -> dict[str, str]:
    """FiboSMS and SMSPAY accounts on the sandbox, through the REST config flow: title by key."""
    everything = sandbox_forms(sandbox_url)
    forms = {key: everything[key] for key in ("fibo", "smspay")}
    titles = {}
    for key, form in forms.items():
        result = await hass.config_flow(DOMAIN, [{"next_step_id": key}, form])
        assert result["type"] == "create_entry", result
        titles[key] = result["title"]
    return titles


async def check_repair(page: Page, url: str, title: str, shots: Path) -> None:
    """Settings > Repairs lists the unreachable-address repair of an account, in our words.

    Opened, it says what to do.
    """
    issue = translations("en")["issues"]["webhook_unreachable"]
    await page.goto(f"{url}/config/repairs")
    heading = issue["title"].replace("{short_name}", short_name(title))
    await expect(page.get_by_text(heading, exact=True)).to_be_visible()
    await page.screenshot(path=shots / "repairs-en.png", animations="disabled")
    await page.get_by_text(heading, exact=True).click()
    await expect(page.get_by_text("Log in to Home Assistant Cloud", exact=False)).to_be_visible()
    await page.screenshot(path=shots / "repair-open-en.png", animations="disabled")
    await page.keyboard.press("Escape")


async def check_options(
    page: Page, url: str, key: str, titles: dict[str, str], shots: Path
) -> None:
    """The account's Configure dialog: its gateway's own options form, its title, its fields."""
    step = translations("en")["options"]["step"][key]
    title = titles[key]
    await page.goto(f"{url}/config/integrations/integration/{DOMAIN}")
    # The page lists the accounts by title, each with its Configure button.
    row = sorted(titles.values()).index(title)
    await page.get_by_role("button", name="Configure").nth(row).click()
    form = page.locator("dialog-data-entry-flow step-flow-form")
    await expect(form.locator("h2")).to_have_text(step["title"].replace("{name}", title))
    for field in ("sender", "reports_window", "duplicate_window"):
        await expect(form.get_by_text(step["data"][field], exact=True).first).to_be_visible()
    absent = "poll_minutes" if key == "smspay" else "report_param"
    label = translations("en")["options"]["step"]["fibo" if key == "smspay" else "smspay"]
    await expect(form.get_by_text(label["data"][absent], exact=True)).to_have_count(0)
    await page.screenshot(
        path=shots / f"options-{key}-en.png", animations="disabled", full_page=True
    )
    await page.keyboard.press("Escape")


@pytest.mark.usefixtures("chromium")
@pytest.mark.timeout(180)
async def test_repair_and_options_in_the_browser(
    home_assistant: HassProcess, page: Page, artifacts: Path, sandbox: Sandbox
) -> None:
    """Accounts whose report address is loopback: the repair shows in Settings > Repairs.

    Each account's Configure dialog is its gateway's own form.
    """
    titles = await add_accounts(home_assistant, sandbox.url)
    await log_in(page, home_assistant.url)
    await check_repair(page, home_assistant.url, titles["fibo"], artifacts)
    for key in titles:
        await check_options(page, home_assistant.url, key, titles, artifacts)
