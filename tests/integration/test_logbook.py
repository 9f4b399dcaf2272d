"""The logbook: every delivery report in words, once, from a real recorder and logbook."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from homeassistant.components.recorder import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, mock_component
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.sms_bridge.const import DOMAIN
from custom_components.sms_bridge.logbook import report_words
from sandbox import Sandbox
from tools.hass import free_port

from .conftest import Client, EntryFactory, call_webhook
from .helpers import SMSPAY_EXTRA


# The recorder must start before Home Assistant: these two autouse fixtures of conftest.py
# use `hass`, so they ask for the recorder first here.
@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """Let Home Assistant load custom_components/sms_bridge, with a recorder."""


@pytest.fixture(autouse=True)
def config_dir(recorder_mock: Recorder, hass: HomeAssistant, tmp_path: Path) -> Path:
    """A config directory of the test's own."""
    hass.config.config_dir = str(tmp_path)
    return tmp_path


@pytest.fixture
def logbook_config() -> dict[str, Any]:
    """The logbook's YAML configuration: none, as a default Home Assistant has it."""
    return {}


@pytest.fixture(autouse=True)
async def logbook(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    logbook_config: dict[str, Any],
    socket_enabled: None,
) -> None:
    """The logbook, as a default Home Assistant has it, without the frontend it depends on.

    The frontend package is not in every test stack. With the frontend counted as set up, HA's
    web server starts at once: on a free loopback port of the test's own, not on 8123.
    """
    mock_component(hass, "frontend")
    http = {"server_host": ["127.0.0.1"], "server_port": free_port()}
    assert await async_setup_component(hass, "http", {"http": http})
    assert await async_setup_component(hass, "websocket_api", {})  # the frontend's part
    assert await async_setup_component(hass, "logbook", {"logbook": logbook_config})


async def logbook_lines(
    hass: HomeAssistant, ws: WebSocketGenerator, **query: Any
) -> list[dict[str, Any]]:
    """Every logbook line of the last hour, as the logbook panel asks for them.

    `query`: what a page asks for besides the time, e.g. a device page's `device_ids`.
    """
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    client = await ws()
    start = dt_util.utcnow() - timedelta(hours=1)
    await client.send_json_auto_id(
        {"type": "logbook/get_events", "start_time": start.isoformat(), **query}
    )
    answer = await client.receive_json()
    assert answer["success"], answer
    lines: list[dict[str, Any]] = answer["result"]
    return lines


def ours(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lines SMS Bridge words itself (numbers' no-break spaces read as spaces here)."""
    return [
        line | {"message": line["message"].replace(NBSP, " ")}
        for line in lines
        if line.get("domain") == DOMAIN
    ]


NBSP = "\u00a0"


def event_entity(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """The entity id of the account's delivery-report event entity."""
    entity_id = er.async_get(hass).async_get_entity_id(
        "event", DOMAIN, f"{entry.entry_id}_delivery_report"
    )
    assert entity_id is not None
    return entity_id


@pytest.mark.parametrize(
    ("provider", "target", "phone"),
    [("fibo", "0901234567", "+84 901 234 567"), ("smspay", "0888123456", "+359 88 812 3456")],
)
async def test_a_report_is_one_line_in_words(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    sandbox: Sandbox,
    reporting_entry: EntryFactory,
    provider: str,
    target: str,
    phone: str,
) -> None:
    """A sent message's reports arrive over HTTP: one line each, naming the account and number."""
    entry = await reporting_entry(provider)
    await hass.services.async_call(
        DOMAIN, "send", {"target": target, "message": "Kho 3"}, blocking=True
    )
    await sandbox.idle()
    lines = ours(await logbook_lines(hass, hass_ws_client))
    assert lines, "no logbook line for the report"
    assert len(lines) == len(sandbox.state.deliveries)  # one line per report, none more
    last = lines[-1]
    assert last["name"] == entry.title
    assert last["message"] == f"SMS to {phone} delivered"
    assert last["entity_id"] == event_entity(hass, entry)


async def test_a_failure_gives_its_reason(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    sandbox: Sandbox,
    reporting_entry: EntryFactory,
) -> None:
    """A number the gateway cannot reach: the line says why in words, and the gateway's code."""
    await reporting_entry("esms")
    await hass.services.async_call(
        DOMAIN, "send", {"target": "0901234564", "message": "Kho 3"}, blocking=True
    )
    await sandbox.idle()
    lines = ours(await logbook_lines(hass, hass_ws_client))
    assert len(lines) == len(sandbox.state.deliveries)
    assert lines[-1]["message"] == "SMS to +84 901 234 564 failed: Not delivered (gateway status 5)"


async def test_the_accounts_device_page_tells_each_report(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    sandbox: Sandbox,
    reporting_entry: EntryFactory,
) -> None:
    """The account's device page shows SMS Bridge's line for each report, in words."""
    entry = await reporting_entry("fibo")
    for target in ("0901234567", "0901234564"):
        await hass.services.async_call(
            DOMAIN, "send", {"target": target, "message": "Kho 3"}, blocking=True
        )
    await sandbox.idle()
    device_id = entry.runtime_data.device_id
    lines = ours(await logbook_lines(hass, hass_ws_client, device_ids=[device_id]))
    assert sorted(line["message"] for line in lines) == [
        "SMS to +84 901 234 564 failed: Not delivered (gateway status 3)",
        "SMS to +84 901 234 567 delivered",
    ]


async def test_repeats_and_reloads_add_no_line(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    setup_entry: EntryFactory,
    client: Client,
) -> None:
    """The gateway's retry of a report, and a reload of the entry, add no line of ours."""
    entry = await setup_entry("smspay", **SMSPAY_EXTRA)
    for _ in range(3):  # the gateway did not hear our OK and tries again
        status, _, _ = await call_webhook(client, entry, query="sms_id=77&dlr=1&site=abc")
        assert status == 200
    assert len(ours(await logbook_lines(hass, hass_ws_client))) == 1
    state = hass.states.get(event_entity(hass, entry))
    assert state is not None

    assert await hass.config_entries.async_reload(entry.entry_id)
    lines = ours(await logbook_lines(hass, hass_ws_client))
    assert [line["message"] for line in lines] == ["SMS to an unknown number delivered"]
    restored = hass.states.get(event_entity(hass, entry))
    assert restored is not None
    assert (restored.state, restored.attributes) == (state.state, state.attributes)


EXCLUDE_EVENT_ENTITIES = {"exclude": {"entity_globs": ["event.*_delivery_report"]}}


@pytest.mark.parametrize("logbook_config", [EXCLUDE_EVENT_ENTITIES])
async def test_readme_recipe_one_line_per_report_none_from_reloads(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    setup_entry: EntryFactory,
    client: Client,
) -> None:
    """With the event entities kept out of the logbook (README), ours is the only line left.

    Home Assistant's logbook writes every state change of an event entity as "detected an
    event", also the unavailable state and the restored one around a reload; an integration
    cannot keep its entity out. The logbook's own exclude option can.
    """
    entry = await setup_entry("smspay", **SMSPAY_EXTRA)
    for query in ("sms_id=77&dlr=4&site=abc", "sms_id=77&dlr=1&site=abc"):
        assert (await call_webhook(client, entry, query=query))[0] == 200
    assert await hass.config_entries.async_reload(entry.entry_id)
    lines = await logbook_lines(hass, hass_ws_client)
    assert [line["message"] for line in lines] == [
        "SMS to an unknown number pending",
        "SMS to an unknown number delivered",
    ]


async def test_without_the_recipe_the_event_entity_has_lines_of_its_own(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    setup_entry: EntryFactory,
    client: Client,
) -> None:
    """What the recipe is for: by default the event entity's state changes are lines too."""
    entry = await setup_entry("smspay", **SMSPAY_EXTRA)
    assert (await call_webhook(client, entry, query="sms_id=77&dlr=1&site=abc"))[0] == 200
    assert await hass.config_entries.async_reload(entry.entry_id)
    lines = await logbook_lines(hass, hass_ws_client)
    entity_id = event_entity(hass, entry)
    theirs = [
        line["state"] for line in lines if line.get("entity_id") == entity_id and "state" in line
    ]
    assert len(ours(lines)) == 1
    assert theirs[1:] == ["unavailable", theirs[0]]  # the report, then the reload's two


REPORTS = [
    ({"status": "delivered", "phone": "+84901234567"}, "SMS to +84 901 234 567 delivered"),
    ({"status": "sent", "phone": "+84901234567"}, "SMS to +84 901 234 567 sent"),
    ({"status": "pending", "phone": "+359888123456"}, "SMS to +359 88 812 3456 pending"),
    (
        {"status": "failed", "phone": "+84901234564", "error": "Thuê bao không liên lạc được"},
        "SMS to +84 901 234 564 failed: Thuê bao không liên lạc được",
    ),
    (
        {"status": "failed", "phone": "+84901234564", "provider_status": "16"},
        "SMS to +84 901 234 564 failed (gateway status 16)",
    ),
    (
        {
            "status": "failed",
            "phone": "+84901234564",
            "provider_status": "5",
            "error": "ToNumberNotCorrect",
            "reason_key": "invalid_number",
        },
        "SMS to +84 901 234 564 failed: The number is wrong or does not exist (gateway status 5)",
    ),
    ({"status": "delivered", "phone": None}, "SMS to an unknown number delivered"),
    ({"status": "delivered", "phone": "84901234567"}, "SMS to 84901234567 delivered"),
]


@pytest.mark.parametrize(("data", "words"), REPORTS)
async def test_words(
    hass: HomeAssistant, setup_entry: EntryFactory, data: dict[str, Any], words: str
) -> None:
    """Each status in its words; a number the report gives in another form is shown as given."""
    await setup_entry("fibo")
    assert report_words(hass, data).replace(NBSP, " ") == words
    if data["phone"] and data["phone"].startswith("+"):
        assert " " not in report_words(hass, data).split(" to ")[1][:15]  # one line: no-break


@pytest.mark.parametrize(
    ("language", "data", "words"),
    [
        (
            "vi",
            {"status": "delivered", "phone": "+84901234567"},
            "SMS tới +84 901 234 567 đã gửi thành công",
        ),
        ("vi", {"status": "delivered", "phone": None}, "SMS tới một số không rõ đã gửi thành công"),
        (
            "vi",
            {
                "status": "failed",
                "phone": "+84901234564",
                "provider_status": "3",
                "reason_key": "not_delivered",
            },
            "SMS tới +84 901 234 564 gửi thất bại: Không gửi được tới máy nhận"
            " (mã trạng thái của cổng 3)",
        ),
        (
            "bg",
            {"status": "failed", "phone": "+359888123456", "error": "No route"},
            "SMS до +359 88 812 3456 не е доставен: No route",  # noqa: RUF001
        ),
        ("de", {"status": "pending", "phone": "+84901234567"}, "SMS to +84 901 234 567 pending"),
    ],
)
async def test_words_in_the_server_language(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    language: str,
    data: dict[str, Any],
    words: str,
) -> None:
    """The server's language, as entity names use it; English where SMS Bridge has none."""
    await setup_entry("fibo")
    hass.config.language = language
    await async_get_translations(hass, language, "exceptions", [DOMAIN])
    assert report_words(hass, data).replace(NBSP, " ") == words
