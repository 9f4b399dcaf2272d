"""A user's whole journey on a real Home Assistant, with an ear on what its log says of us.

Home Assistant reports what it will stop accepting (a deprecated call, a blocking call in the event
loop) in its log, naming the custom integration, releases before it becomes an error. On the
newest stack this catches the next deprecation before a user's upgrade does: setup of every
gateway, a send and its report, options, reconfigure, a recipient and its notify service, reload
and removal, then not one such line about sms_bridge.

The journey has a user's mistakes too, made through the websocket API as the frontend makes
them: each is refused with its translated error, logged in one line, never with a traceback.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from sandbox import Sandbox
from tools.accounts import sandbox_forms
from tools.demo import gateways
from tools.hass import HassProcess

from .harness import DOMAIN, EVENT, WAIT_TIMEOUT, add_accounts

#: Words of Home Assistant's deprecation and misuse reports (helpers/frame.py, deprecation.py).
MARKS = (
    "detected that custom integration",
    "detected blocking call",
    "deprecated",
    "will stop working",
    "please report",
    "please create a bug report",
)


def deprecation_lines(log: str) -> list[str]:
    """The log lines in which Home Assistant reports sms_bridge for a deprecation or misuse."""
    return [
        line
        for line in log.splitlines()
        if "sms_bridge" in line and any(mark in line.lower() for mark in MARKS)
    ]


@pytest.mark.parametrize(
    ("line", "reported"),
    [
        (
            "WARNING (MainThread) [homeassistant.helpers.frame] Detected that custom integration "
            "'sms_bridge' calls `device_registry.async_get_or_create` with a deprecated "
            "`via_device` parameter; use `via_device_id` instead at custom_components/sms_bridge/"
            "notify.py, line 44. This will stop working in Home Assistant 2027.8.0, please create "
            "a bug report at https://github.com/sms-bridge/sms-bridge/issues",
            True,
        ),
        (
            "WARNING (MainThread) [homeassistant.data_entry_flow] The deprecated function "
            "show_advanced_options was called from sms_bridge. It will be removed in HA Core "
            "2027.6.",
            True,
        ),
        (
            "WARNING (MainThread) [homeassistant.loader] We found a custom integration sms_bridge "
            "which has not been tested by Home Assistant.",
            False,
        ),
        (
            "WARNING (MainThread) [homeassistant.helpers.frame] Detected that custom integration "
            "'other' calls a deprecated function",
            False,
        ),
    ],
)
def test_deprecation_lines_are_recognised(line: str, reported: bool) -> None:
    """The check knows Home Assistant's report about us from its other warnings."""
    assert bool(deprecation_lines(line)) is reported


async def _send_and_hear_reports(
    hass: HassProcess, sandbox: Sandbox, entry_ids: dict[str, str]
) -> None:
    """One SMS through each account; returns once each has its delivery report's event."""
    numbers = {gateway.key: gateway.numbers[0] for gateway in gateways(sandbox.url)}
    async with hass.events(EVENT) as queue:
        waiting = set()
        for key, entry_id in entry_ids.items():
            data = {"config_entry_id": entry_id, "target": numbers[key], "message": "Cửa kho mở"}
            answer = await hass.call(DOMAIN, "send", data, response=True)
            waiting.add(answer["service_response"]["messages"][0]["message_id"])
        async with asyncio.timeout(WAIT_TIMEOUT):
            while waiting:
                waiting.discard((await queue.get())["data"]["message_id"])


#: Mistakes a user or an automation makes, over the websocket: (action, data, translation key).
MISTAKES: tuple[tuple[str, dict[str, Any], str], ...] = (
    ("send", {"target": "12ab", "message": "x"}, "invalid_numbers"),
    ("send", {"target": "0901234567", "message": "x" * 2000}, "message_too_long"),
    # The account sent two messages this hour already: a limit of 1 refuses the next.
    ("send", {"target": "0901234562", "message": "limit"}, "limit_reached_hour"),
    ("get_messages", {"since": "9999-12-31T23:59:00"}, "invalid_since"),
    ("send_campaign", {"target": "0901234567", "message": "x"}, "campaigns_fpt_only"),
)


async def _make_mistakes(hass: HassProcess, entry_id: str) -> None:
    """Each mistake gets its translated refusal."""
    result = await hass.options_flow(entry_id, {"max_per_hour": 1})
    assert result["type"] == "create_entry", result
    await asyncio.sleep(1)  # deliberate: the entry reloads with its new limit
    for action, data, key in MISTAKES:
        answer = await hass.ws_call(
            DOMAIN, action, {"config_entry_id": entry_id, **data}, response=True
        )
        assert not answer["success"], answer
        assert answer["error"]["translation_key"] == key, answer


async def _until_service(hass: HassProcess, domain: str, service: str) -> None:
    """Wait for an action to be there (a reload takes the entry's notify services a moment)."""
    async with asyncio.timeout(WAIT_TIMEOUT):
        while True:
            services = {s["domain"]: s["services"] for s in await hass.services()}
            if service in services.get(domain, {}):
                return
            await asyncio.sleep(0.2)


def tracebacks(log: str) -> list[str]:
    """The log lines that open a traceback or call an error unexpected."""
    return [
        line
        for line in log.splitlines()
        if line.startswith("Traceback")
        or "Unexpected exception" in line
        or "Error doing job" in line
    ]


async def test_a_users_journey_reports_no_deprecation(
    home_assistant: HassProcess, sandbox: Sandbox
) -> None:
    """Setup, send, report, options, reconfigure, recipient, mistakes, reload, removal.

    No deprecation report about sms_bridge, and no traceback from any refusal.
    """
    hass = home_assistant
    accounts = await add_accounts(hass, sandbox)
    entry_ids = {key: account.entry_id for key, account in accounts.items()}
    await _send_and_hear_reports(hass, sandbox, entry_ids)

    for entry_id in entry_ids.values():
        result = await hass.options_flow(entry_id, {"max_per_hour": 30, "duplicate_window": 0})
        assert result["type"] == "create_entry", result
    fibo = entry_ids["fibo"]
    reconfigured = await hass.reconfigure_flow(fibo, sandbox_forms(sandbox.url)["fibo"])
    assert reconfigured.get("reason") == "reconfigure_successful", reconfigured
    recipient = await hass.subentry_flow(
        fibo, "recipient", {"name": "Night shift", "numbers": "0901234567"}
    )
    assert recipient["type"] == "create_entry", recipient
    await _until_service(hass, "notify", "fibosms_cl1609110001_night_shift")  # reloaded
    await hass.call("notify", "fibosms_cl1609110001_night_shift", {"message": "Kho 3"})
    await _send_and_hear_reports(hass, sandbox, entry_ids)
    log_before_mistakes = len(hass.log_path.read_text(errors="replace").splitlines())
    await _make_mistakes(hass, entry_ids["esms"])
    await hass.reload_entry(fibo)
    for entry_id in entry_ids.values():
        await hass.delete_entry(entry_id)
    assert await hass.entries(DOMAIN) == []
    await hass.stop()

    log = hass.log_path.read_text(errors="replace")
    reported = deprecation_lines(log)
    assert not reported, "Home Assistant reports sms_bridge:\n" + "\n".join(reported)
    after_mistakes = "\n".join(log.splitlines()[log_before_mistakes:])
    crashes = tracebacks(after_mistakes)
    assert not crashes, "A refusal logged a traceback:\n" + after_mistakes[-3000:]
