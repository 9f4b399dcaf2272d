"""Issue 21: how SMS Bridge is shown, in a real browser, on one Home Assistant.

One FiboSMS account on the sandbox sends to a number the sandbox delivers and to one it fails,
and both delivery reports come back over HTTP. Then, as a person sees it:
- Configure: 2.5 messages per hour and -1 per day are refused, each field with its own error in
  our words (options-errors-en.png); corrected, the options are saved (low balance 5,000 SMS,
  at most 3 messages per hour).
- The account's device page: its Logbook card has SMS Bridge's line for each report, the failed
  one with its reason, and no SMS Bridge line from saving the options (device-logbook-en.png).
  Home Assistant writes lines of its own there too, "<account> Delivery report detected an
  event", one per report and more around the reload that saving the options causes: they are
  the account's event entity's state changes, which the logbook records as it does any entity's
  that is not a measurement, and an integration cannot turn off (README: the logbook `exclude`
  recipe). They are not checked.
- Developer tools > Actions: `sms_bridge.get_messages` with `status: failed`, typed in YAML
  mode; the response shows the reason in words and times in the server's zone, +07:00
  (get-messages-en.png).
- README's dashboard example, parsed out of README.md and saved as a dashboard: the balance,
  today's totals, the last report's number, status and reason, the low-balance badge, and no
  "Entity not available" or error card (dashboard-en.png; the Vietnamese one: dashboard-vi.png).
- The spending guard: a send too big for the room left is refused and raises no repair
  (repairs-size-en.png); a send into a full hour raises "sending paused" (repairs-paused-en.png),
  whose dialog shows its whole title in English and in Vietnamese (repair-paused-en.png,
  repair-paused-vi.png).
- Configure again in Vietnamese: the same errors in vi.json's words (options-errors-vi.png).

Each repair row shows the integration's icon. Home Assistant before 2026 loads it from
brands.home-assistant.io, which this offline machine cannot reach: there the row shows a broken
image with its alt text ("SMS Bridge", of which its small box shows "SMS"). The test accepts that
only for that address on HA before 2026 (README, Known limitations); HA 2026 serves the
integration's own brand/ folder.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import os
from pathlib import Path
import re
from typing import Any

from homeassistant.const import MAJOR_VERSION
import pytest
import yaml

from custom_components.sms_bridge.const import DOMAIN
from custom_components.sms_bridge.phone import for_reading
from custom_components.sms_bridge.texts import short_name
from sandbox import Sandbox
from tools.accounts import sandbox_forms
from tools.hass import HassProcess

from .conftest import STEP_TIMEOUT_MS
from .ui import choose_language, log_in, translations

if not os.environ.get("E2E_REQUIRED"):  # under scripts/test, which installs it, a missing one fails
    pytest.importorskip("playwright", reason="Playwright is not installed: run scripts/test --e2e")

from playwright.async_api import Locator, Page, expect

expect.set_options(timeout=STEP_TIMEOUT_MS)

README = Path(__file__).resolve().parents[2] / "README.md"
#: Where each language's dashboard example starts in README.md: its first yaml block after this.
DASHBOARD_EXAMPLES = {
    "en": "### A dashboard for one account",
    "vi": "**Bảng điều khiển cho một tài khoản**",
}
EVENT = "sms_bridge_delivery_report"
DELIVERED, FAILED = "0901234567", "0901234564"  # the sandbox fails numbers ending in 4
#: Numbers the sandbox delivers, for the spending guard.
SPARE = ("0912345678", "0912345679")
MAX_PER_HOUR = 3  # the two sends above leave room for one
LOW_BALANCE = 5000  # above the sandbox account's 1,000 credits: the low-balance sensor is on
BRANDS = "https://brands.home-assistant.io/"

# A field's error: ha-form draws it (an ha-alert) just before the field's element, a child of
# its root div; from the field's input up to that element.
FIELD_ERROR = """input => {
    let node = input;
    while (node) {
        const up = node.parentNode;
        if (up && up.parentNode instanceof ShadowRoot && up.parentNode.host.localName === "ha-form")
            break;
        node = up instanceof ShadowRoot ? up.host : up;
    }
    const before = node && node.previousElementSibling;
    return before && before.localName === "ha-alert" ? before.textContent.trim() : null;
}"""
# The dialog's title: ha-dialog-header clips it (overflow hidden, ellipsis) in .header-content.
TITLE_FIT = """header => {
    const box = header.shadowRoot.querySelector(".header-content");
    const title = header.querySelector("[slot=title]");
    const padding = parseFloat(getComputedStyle(box).paddingRight);
    const inner = box.getBoundingClientRect().right - padding;
    return {
        text: title.textContent.trim(),
        scrollWidth: box.scrollWidth,
        clientWidth: box.clientWidth,
        titleRight: title.getBoundingClientRect().right,
        boxRight: inner,
    };
}"""
IMAGE = "img => ({src: img.currentSrc || img.src, done: img.complete, width: img.naturalWidth})"


@dataclass
class Account:
    """The FiboSMS account of the test, and the ids a person reaches it by."""

    entry_id: str
    title: str
    device_id: str = ""

    @property
    def prefix(self) -> str:
        """What its entity ids start with after the domain: "fibosms_cl1609110001"."""
        return re.sub(r"[^a-z0-9]+", "_", self.title.lower()).strip("_")


def words(language: str, key: str, **placeholders: str) -> str:
    """One of our texts (a dotted path in translations/<language>.json), filled in."""
    node: Any = translations(language)
    for part in key.split("."):
        node = node[part]
    return str(node).format(**placeholders)


def reason_words(language: str, reason_key: str) -> str:
    """Why a message failed, in our words."""
    return words(
        language, f"entity.event.delivery_report.state_attributes.reason_key.state.{reason_key}"
    )


def status_words(language: str, status: str) -> str:
    """A report's status, in our words."""
    return words(language, f"entity.event.delivery_report.state_attributes.status.state.{status}")


def readme_dashboard(language: str) -> tuple[str, dict[str, Any]]:
    """README's dashboard example in `language`: its text and the configuration it is."""
    text = README.read_text("utf-8")
    after = text[text.index(DASHBOARD_EXAMPLES[language]) :]
    block = re.search(r"```yaml\n(.*?)```", after, re.DOTALL)
    assert block, f"no yaml block after {DASHBOARD_EXAMPLES[language]!r} in README.md"
    config: dict[str, Any] = yaml.safe_load(block.group(1))
    return block.group(1), config


# -- the account and its messages, through the API ---------------------------------------------


async def add_account(hass: HassProcess, sandbox: Sandbox) -> Account:
    """The sandbox's FiboSMS account, through the config flow; the sandbox reports to it."""
    result = await hass.config_flow(
        DOMAIN, [{"next_step_id": "fibo"}, sandbox_forms(sandbox.url)["fibo"]]
    )
    assert result["type"] == "create_entry", result
    sandbox.state.first_account("fibo").callback.url = result["description_placeholders"][
        "webhook_url"
    ]
    return Account(result["result"]["entry_id"], result["title"])


async def send(
    hass: HassProcess, queue: asyncio.Queue[dict[str, Any]], number: str, text: str
) -> dict[str, Any]:
    """Send one SMS and wait for its final delivery report; the report's event data."""
    answer = await hass.call(DOMAIN, "send", {"target": number, "message": text}, response=True)
    message_id = answer["service_response"]["messages"][0]["message_id"]
    while True:
        event = await asyncio.wait_for(queue.get(), STEP_TIMEOUT_MS / 1000)
        if event["data"]["message_id"] == message_id and event["data"]["final"]:
            return dict(event["data"])


async def states_of(hass: HassProcess, prefix: str) -> dict[str, dict[str, Any]]:
    """The states of the account's entities (ids that start with `prefix`), by entity id."""
    return {
        s["entity_id"]: s
        for s in await hass.states()
        if s["entity_id"].split(".", 1)[1].startswith(prefix)
    }


async def until_totals(hass: HassProcess, prefix: str, sent: int) -> dict[str, dict[str, Any]]:
    """The account's states once today's totals count `sent` messages and none pending.

    Fibo's totals are the gateway's own: they follow a final report after a short debounce.
    """
    for _ in range(100):
        states = await states_of(hass, prefix)
        totals = {
            key: states.get(f"sensor.{prefix}_{key}_today", {}).get("state")
            for key in ("sent", "pending")
        }
        if totals == {"sent": str(sent), "pending": "0"}:
            return states
        await asyncio.sleep(0.2)
    pytest.fail(f"today's totals never showed {sent} sent, 0 pending: {totals}")


async def until_low_balance(hass: HassProcess, prefix: str) -> None:
    """The saved options took effect: the entry reloaded with its low-balance sensor, on."""
    for _ in range(100):
        state = (await states_of(hass, prefix)).get(f"binary_sensor.{prefix}_low_balance")
        if state and state["state"] == "on":
            return
        await asyncio.sleep(0.2)
    pytest.fail("the low-balance sensor never came (were the options saved?)")


# -- what a person sees --------------------------------------------------------------------------


async def open_options(page: Page, url: str, account: Account, language: str) -> Locator:
    """Settings > Devices & services > SMS Bridge > Configure on the account."""
    await page.goto(f"{url}/config/integrations/integration/{DOMAIN}")
    # The account's row and its Configure button, whose words are the frontend's own.
    await page.locator("ha-md-list-item.config_entry > ha-button").first.click()
    form = page.locator("dialog-data-entry-flow step-flow-form")
    title = words(language, "options.step.fibo.title", name=account.title)
    await expect(form.locator("h2")).to_have_text(title)
    return form


async def submit(form: Locator) -> None:
    """The form's own submit button."""
    await form.locator("div.buttons").get_by_role("button").click()


async def check_option_errors(
    page: Page, url: str, account: Account, language: str, shots: Path
) -> Locator:
    """A fraction and a negative count: each field says what is wrong, in our words.

    Returns the form, still open, with the wrong values in it.
    """
    form = await open_options(page, url, account, language)
    labels = translations(language)["options"]["step"]["fibo"]["data"]
    wrong = {"max_per_hour": ("2.5", "whole_number"), "max_per_day": ("-1", "range_max_per_day")}
    for field, (value, _error) in wrong.items():
        await form.get_by_label(labels[field]).fill(value)
    await submit(form)
    await expect(form.locator("ha-alert[alert-type=error]")).to_have_count(len(wrong))
    for field, (_value, error) in wrong.items():
        shown = await form.get_by_label(labels[field]).evaluate(FIELD_ERROR)
        assert shown == words(language, f"options.error.{error}"), (field, shown)
    await form.get_by_label(labels["max_per_hour"]).scroll_into_view_if_needed()
    await page.screenshot(path=shots / f"options-errors-{language}.png", animations="disabled")
    return form


async def save_options(page: Page, form: Locator) -> None:
    """Correct the counts, set the low-balance threshold and the hourly limit, save."""
    labels = translations("en")["options"]["step"]["fibo"]["data"]
    values = {"max_per_hour": MAX_PER_HOUR, "max_per_day": 0, "low_balance": LOW_BALANCE}
    for field, value in values.items():
        await form.get_by_label(labels[field]).fill(str(value))
    await submit(form)
    await expect(page.locator("dialog-data-entry-flow step-flow-create-entry")).to_be_visible()
    await page.keyboard.press("Escape")


def logbook_line(report: dict[str, Any]) -> str:
    """SMS Bridge's logbook line for a report, from strings.json (the server speaks English)."""
    # Grouped for reading and kept on one line: no-break spaces (the card is narrow).
    phone = for_reading(report["phone"]).replace(" ", "\u00a0")
    if report["status"] != "failed":
        return words("en", f"exceptions.logbook_{report['status']}.message", phone=phone)
    reason = reason_words("en", report["reason_key"])
    assert report["reason"] == reason, report
    key = "exceptions.logbook_failed_code.message"
    return words("en", key, phone=phone, reason=reason, code=report["provider_status"])


async def check_device_logbook(
    page: Page, hass: HassProcess, account: Account, reports: list[dict[str, Any]], shots: Path
) -> None:
    """The device page's Logbook card: SMS Bridge's line per report, and no other of ours."""
    lines = [logbook_line(report) for report in reports]
    # What the logbook holds for the device, our lines only (HA's own are the entity's).
    held = await hass.ws_command(
        "logbook/get_events", start_time="2000-01-01T00:00:00Z", device_ids=[account.device_id]
    )
    assert [e["message"] for e in held["result"] if e.get("domain") == DOMAIN] == lines, held
    ours = words("en", "exceptions.logbook_delivered.message", phone="{phone}").split("{phone}")[0]
    await page.goto(f"{hass.url}/config/devices/device/{account.device_id}")
    entries = page.locator("ha-logbook ha-logbook-renderer .entry")
    for line in lines:
        await expect(entries.filter(has_text=f"{account.title} {line}")).to_have_count(1)
    await expect(entries.filter(has_text=ours)).to_have_count(len(lines))
    # The card is 400 pixels high, newest first: show the oldest of ours, and the rest above it.
    await entries.filter(has_text=lines[0]).scroll_into_view_if_needed()
    await page.screenshot(path=shots / "device-logbook-en.png", animations="disabled")


async def check_get_messages(page: Page, url: str, failed: dict[str, Any], shots: Path) -> None:
    """Developer tools > Actions, YAML mode: get_messages' answer shows why, and local times."""
    await page.goto(f"{url}/developer-tools/action")
    await page.get_by_text("Go to YAML mode").click()
    editor = page.locator("ha-code-editor .cm-content").first
    await editor.click()
    await page.keyboard.press("Control+a")
    await page.keyboard.insert_text(f"action: {DOMAIN}.get_messages\ndata:\n  status: failed\n")
    await page.get_by_text("Perform action").click()
    response = page.locator("ha-code-editor .cm-content").nth(1)  # under "Response"
    await expect(response).to_contain_text(f"message_id: {failed['message_id']}")
    await expect(response).to_contain_text(f"reason: {reason_words('en', failed['reason_key'])}")
    await expect(response).to_contain_text("status: failed")
    # The test instance's time zone is Asia/Ho_Chi_Minh.
    await expect(response).to_contain_text(re.compile(r'sent_at: "\d{4}-\d\d-\d\dT[\d:.]+\+07:00"'))
    await expect(response).to_contain_text(re.compile(r'time: "\d{4}-\d\d-\d\dT[\d:.]+\+07:00"'))
    await page.screenshot(path=shots / "get-messages-en.png", animations="disabled", full_page=True)


async def check_dashboard(
    page: Page, hass: HassProcess, account: Account, language: str, sent: int, shots: Path
) -> None:
    """README's dashboard example as a dashboard of its own: every card shows what it says.

    `sent`: the messages sent so far today, once the totals count them all.
    """
    text, config = readme_dashboard(language)
    prefix = account.prefix
    states = await until_totals(hass, prefix, sent)
    named = set(re.findall(r"\b(?:sensor|binary_sensor|event)\.[a-z0-9_]+", text))
    assert named <= states.keys(), (
        f"README's dashboard names entities that do not exist: {named - states.keys()}"
    )
    url_path = f"sms-bridge-{language}"
    created = await hass.ws_command(
        "lovelace/dashboards/create", url_path=url_path, title=f"SMS ({language})", mode="storage"
    )
    assert created["success"], created
    saved = await hass.ws_command("lovelace/config/save", url_path=url_path, config=config)
    assert saved["success"], saved
    view = config["views"][0]
    await page.goto(f"{hass.url}/{url_path}/{view['path']}")

    entities = page.locator("hui-entities-card")
    await expect(entities).to_contain_text(account.title)
    cards = [card for section in view["sections"] for card in section["cards"]]
    rows = next(card for card in cards if card["type"] == "entities")["entities"]
    assert len(rows) == 7  # the balance, today's four totals, today's and the month's cost
    for row in rows:
        state = states[row["entity"]]
        shown = entities.locator("hui-generic-entity-row").filter(has_text=row["name"])
        unit = state["attributes"]["unit_of_measurement"]
        if state["attributes"].get("device_class") == "monetary":
            # Money as the language writes currency: "₫0" in English, "0 ₫" in Vietnamese.
            sign = {"VND": "₫", "EUR": "€"}.get(unit, unit)
            number = re.escape(state["state"])
            await expect(shown).to_contain_text(
                re.compile(f"{sign}\\s*{number}|{number}\\s*{sign}")
            )
        else:
            await expect(shown).to_contain_text(f"{state['state']} {unit}")

    report = states[f"event.{prefix}_delivery_report"]["attributes"]
    markdown = page.locator("hui-markdown-card")
    await expect(markdown).to_contain_text(report["phone"])
    await expect(markdown).to_contain_text(status_words(language, report["status"]))
    if report["status"] == "failed":
        await expect(markdown).to_contain_text(report["reason"])

    badge = page.locator("hui-entity-badge")
    assert states[view["badges"][0]["entity"]]["state"] == "on"
    await expect(badge).to_be_visible()
    await expect(badge).to_contain_text(view["badges"][0]["name"])

    await expect(
        page.locator("hui-warning, hui-error-card, hui-markdown-card ha-alert")
    ).to_have_count(0)
    await expect(page.get_by_text("Entity not available")).to_have_count(0)
    await page.screenshot(path=shots / f"dashboard-{language}.png", animations="disabled")


async def repair_images(page: Page) -> list[dict[str, Any]]:
    """Each repair row's image, once the browser is done with it: its address and its width."""
    images = page.locator("ha-config-repairs img")
    await expect(images.first).to_be_visible()
    for _ in range(STEP_TIMEOUT_MS // 100):
        found = [await image.evaluate(IMAGE) for image in await images.all()]
        if all(image["done"] for image in found):
            return found
        await page.wait_for_timeout(100)
    pytest.fail(f"a repair row's image never finished loading: {found}")


async def check_repair_images(page: Page) -> None:
    """The integration's icon on each row: shown, or the documented limit of HA before 2026."""
    for image in await repair_images(page):
        if image["width"] == 0:  # broken: the row shows its alt text, "SMS Bridge", cut to "SMS"
            assert MAJOR_VERSION < 2026, image
            assert image["src"].startswith(BRANDS), image


async def check_dialog_title(page: Page, title: str) -> None:
    """The open repair's title is whole: nothing of it is clipped by the dialog's header."""
    header = page.locator("dialog-repairs-issue ha-dialog-header")
    await expect(header.locator("[slot=title]")).to_have_text(title)
    await page.wait_for_timeout(300)  # the dialog's opening animation
    fit = await header.evaluate(TITLE_FIT)
    assert fit["text"] == title, fit
    assert fit["scrollWidth"] <= fit["clientWidth"], fit
    assert fit["titleRight"] <= fit["boxRight"] + 0.5, fit


async def check_sending_paused(
    page: Page,
    hass: HassProcess,
    queue: asyncio.Queue[dict[str, Any]],
    account: Account,
    shots: Path,
) -> None:
    """Refused for its size: no repair. Refused into a full hour: the repair, its title whole."""
    url = hass.url
    unreachable = words(
        "en", "issues.webhook_unreachable.title", short_name=short_name(account.title)
    )
    paused = words("en", "issues.sending_paused_hour.title", short_name=short_name(account.title))
    too_many = await hass.ws_call(
        DOMAIN, "send", {"target": list(SPARE), "message": "Two"}, response=True
    )
    assert too_many["error"]["translation_key"] == "limit_too_many_hour", too_many
    assert too_many["error"]["translation_placeholders"]["room"] == "1", too_many
    issues = await hass.ws_command("repairs/list_issues")
    assert f"sending_paused_{account.entry_id}" not in {
        i["issue_id"] for i in issues["result"]["issues"]
    }
    await page.goto(f"{url}/config/repairs")
    await expect(page.get_by_text(unreachable, exact=True)).to_be_visible()  # loopback address
    await expect(page.get_by_text(paused, exact=True)).to_have_count(0)
    await page.screenshot(path=shots / "repairs-size-en.png", animations="disabled")

    await send(hass, queue, SPARE[0], "The last one that fits")
    full = await hass.ws_call(
        DOMAIN, "send", {"target": SPARE[1], "message": "One too many"}, response=True
    )
    assert full["error"]["translation_key"] == "limit_reached_hour", full
    await page.goto(f"{url}/config/repairs")
    await expect(page.get_by_text(paused, exact=True)).to_be_visible()
    await check_repair_images(page)
    await page.screenshot(path=shots / "repairs-paused-en.png", animations="disabled")
    await page.get_by_text(paused, exact=True).click()
    await check_dialog_title(page, paused)
    await page.screenshot(path=shots / "repair-paused-en.png", animations="disabled")
    await page.keyboard.press("Escape")


async def check_paused_in_vietnamese(page: Page, url: str, account: Account, shots: Path) -> None:
    """The same repair, opened in Vietnamese: its title whole too."""
    paused = words("vi", "issues.sending_paused_hour.title", short_name=short_name(account.title))
    await page.goto(f"{url}/config/repairs")
    await page.get_by_text(paused, exact=True).click()
    await check_dialog_title(page, paused)
    await page.screenshot(path=shots / "repair-paused-vi.png", animations="disabled")
    await page.keyboard.press("Escape")


@pytest.mark.usefixtures("chromium")  # first: skip before Home Assistant starts
@pytest.mark.timeout(240)
async def test_how_it_is_shown(
    home_assistant: HassProcess, page: Page, artifacts: Path, sandbox: Sandbox
) -> None:
    hass = home_assistant
    account = await add_account(hass, sandbox)
    async with hass.events(EVENT) as queue:
        reports = [
            await send(hass, queue, DELIVERED, "Tủ đông 2: -18 °C"),
            await send(hass, queue, FAILED, "Tủ đông 2: -5 °C"),
        ]
        assert [r["status"] for r in reports] == ["delivered", "failed"], reports
        account.device_id = reports[0]["device_id"]

        await log_in(page, hass.url)
        form = await check_option_errors(page, hass.url, account, "en", artifacts)
        await save_options(page, form)
        await until_low_balance(hass, account.prefix)
        await check_device_logbook(page, hass, account, reports, artifacts)
        await check_get_messages(page, hass.url, reports[1], artifacts)
        await check_dashboard(page, hass, account, "en", len(reports), artifacts)
        await check_sending_paused(page, hass, queue, account, artifacts)

    await choose_language(hass, page, "vi")
    await check_paused_in_vietnamese(page, hass.url, account, artifacts)
    await check_option_errors(page, hass.url, account, "vi", artifacts)
    await page.keyboard.press("Escape")
    await check_dashboard(page, hass, account, "vi", len(reports) + 1, artifacts)
