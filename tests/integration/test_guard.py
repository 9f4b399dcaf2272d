"""The spending guard: hourly and daily limits, and no duplicate inside the window.

A send reserves its place before anything goes out, so concurrent calls (a burst of triggers)
are counted as they start, not only once the gateway has answered.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.sms_bridge.const import DOMAIN
from sandbox import Fault, Sandbox

from .conftest import EntryFactory
from .helpers import send_through


def sent(sandbox: Sandbox) -> int:
    return len(sandbox.state.messages)


def paused(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"sending_paused_{entry.entry_id}")


async def _later(hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta) -> None:
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def _at_once(
    hass: HomeAssistant, entry: MockConfigEntry, targets: list[str], texts: list[str]
) -> list[list[dict[str, Any]] | BaseException]:
    """Every send started together, as a burst of triggers does; each call's rows or error."""
    calls = [
        send_through(hass, entry, target, text) for target, text in zip(targets, texts, strict=True)
    ]
    return list(await asyncio.gather(*calls, return_exceptions=True))


@pytest.mark.parametrize(
    ("option", "period", "key"),
    [("max_per_hour", timedelta(hours=1), "hour"), ("max_per_day", timedelta(days=1), "day")],
)
async def test_a_full_window_refuses_and_pauses_until_there_is_room(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    sandbox: Sandbox,
    setup_entry: EntryFactory,
    option: str,
    period: timedelta,
    key: str,
) -> None:
    """3 allowed and 3 gone out: the next send is refused before anything goes out.

    The error names the limit and when there is room; the repair stays until then. The count
    holds across a reload.
    """
    entry = await setup_entry("esms", options={option: 3})
    await send_through(hass, entry, ["0901234561", "0901234562", "0901234566"])
    assert await hass.config_entries.async_reload(entry.entry_id)  # counting survives it
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as caught:
        await send_through(hass, entry, "0901234567", "another text")
    assert caught.value.translation_key == f"limit_reached_{key}"
    placeholders = caught.value.translation_placeholders or {}
    assert (placeholders["limit"], placeholders["used"], placeholders["count"]) == ("3", "3", "1")
    assert placeholders["until"]
    assert sent(sandbox) == 3
    issue = paused(hass, entry)
    assert issue is not None
    assert issue.translation_key == f"sending_paused_{key}"
    assert (issue.translation_placeholders or {})["until"] == placeholders["until"]

    await _later(hass, freezer, period + timedelta(minutes=1))
    assert paused(hass, entry) is None
    await send_through(hass, entry, "0901234567", "room again")
    assert sent(sandbox) == 4


async def test_a_send_too_big_for_the_room_left_says_how_many_fit(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """Room for 2 and a send of 3: refused for its size alone, no repair; 2 then go out."""
    entry = await setup_entry("esms", options={"max_per_hour": 3})
    await send_through(hass, entry, "0901234561")
    with pytest.raises(ServiceValidationError) as caught:
        await send_through(hass, entry, ["0901234562", "0901234566", "0901234567"], "three")
    assert caught.value.translation_key == "limit_too_many_hour"
    placeholders = caught.value.translation_placeholders or {}
    assert (placeholders["room"], placeholders["count"], placeholders["limit"]) == ("2", "3", "3")
    assert paused(hass, entry) is None
    await send_through(hass, entry, ["0901234562", "0901234566"], "two fit")
    assert sent(sandbox) == 3


async def test_thirty_calls_at_once_against_a_limit_of_five(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """Exactly 5 SMS go out; the other 25 calls get the limit's error; sending is paused."""
    entry = await setup_entry("smspay", options={"max_per_hour": 5})
    # Numbers the sandbox takes and delivers (not ending in 3, 4 or 5).
    targets = [f"0888{n:06d}" for n in range(100) if n % 10 not in (3, 4, 5)][:30]
    results = await _at_once(hass, entry, targets, [f"alarm {n}" for n in range(30)])
    errors = [r for r in results if isinstance(r, BaseException)]
    assert sent(sandbox) == 5
    assert len(errors) == 25
    assert all(isinstance(e, ServiceValidationError) for e in errors)
    assert {e.translation_key for e in errors} == {"limit_reached_hour"}  # type: ignore[union-attr]
    assert paused(hass, entry) is not None


async def test_ten_equal_calls_at_once_send_one_sms(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """Inside the duplicate window: one SMS; the other nine share its message id."""
    entry = await setup_entry("fibo")
    results = await _at_once(hass, entry, ["0901234567"] * 10, ["Cửa kho mở"] * 10)
    assert sent(sandbox) == 1
    rows = [row for result in results if not isinstance(result, BaseException) for row in result]
    assert len(rows) == 10
    assert len({row["message_id"] for row in rows}) == 1
    assert sorted(row.get("duplicate", False) for row in rows) == [False] + [True] * 9


async def test_equal_calls_share_a_failure(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """Equal calls while the gateway refuses: one request, every call hears the refusal."""
    entry = await setup_entry("fibo")
    sandbox.state.faults.append(Fault("refuse", "fibo", 14, path="SendMasked"))
    results = await _at_once(hass, entry, ["0901234567"] * 3, ["low balance"] * 3)
    assert len([r for r in sandbox.state.requests if "SendMasked" in r[2]]) == 1
    assert all(isinstance(r, BaseException) and "0901234567" in str(r) for r in results)


async def test_a_send_that_surely_failed_gives_its_place_back(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """Limit 1: a refused send took nothing, so the next one goes out."""
    entry = await setup_entry("fibo", options={"max_per_hour": 1})
    sandbox.state.faults.append(Fault("refuse", "fibo", 14, path="SendMasked"))
    with pytest.raises(Exception, match="0901234567"):
        await send_through(hass, entry, "0901234567")
    await send_through(hass, entry, "0901234567")
    assert sent(sandbox) == 1


async def test_a_send_that_may_have_gone_out_keeps_its_place(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """Limit 1: the answer was lost after the gateway took it, so it counts."""
    entry = await setup_entry("esms", options={"max_per_hour": 1})
    sandbox.state.faults.append(Fault("answer_lost", "esms", 502, path="SendMultiple"))
    with pytest.raises(Exception, match="may have been sent"):
        await send_through(hass, entry, "0901234567")
    with pytest.raises(ServiceValidationError) as caught:
        await send_through(hass, entry, "0901234568", "another")
    assert caught.value.translation_key == "limit_reached_hour"
    assert sent(sandbox) == 1


async def test_same_text_to_same_number_goes_once(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """Inside the window the earlier message stands for the repeat, across a reload too."""
    entry = await setup_entry("fpt")  # duplicate_window: 5 minutes by default
    [first] = await send_through(hass, entry, "0901234567")
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await _later(hass, freezer, timedelta(minutes=2))
    rows = await send_through(hass, entry, ["0901234567", "0901234568"])
    assert sent(sandbox) == 2  # the first call's one, and the new number
    by_target = {row["target"]: row for row in rows}
    assert by_target["0901234567"]["duplicate"] is True
    assert by_target["0901234567"]["message_id"] == first["message_id"]
    assert "duplicate" not in by_target["0901234568"]

    await send_through(hass, entry, "0901234567", "a different text goes out")
    assert sent(sandbox) == 3
    await _later(hass, freezer, timedelta(minutes=6))
    await send_through(hass, entry, "0901234567")
    assert sent(sandbox) == 4


async def test_duplicate_window_off(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """A window of 0 sends every repeat."""
    entry = await setup_entry("smspay", options={"duplicate_window": 0})
    await send_through(hass, entry, "0888123456")
    await send_through(hass, entry, "0888123456")
    assert sent(sandbox) == 2


async def test_a_text_too_long_is_refused_before_anything_goes_out(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """A 100,000-character text (a template gone wrong) is refused, naming both lengths."""
    entry = await setup_entry("fibo")
    with pytest.raises(ServiceValidationError) as caught:
        await send_through(hass, entry, "0901234567", "x" * 100_000)
    assert caught.value.translation_key == "message_too_long"
    assert caught.value.translation_placeholders == {"length": "100000", "max": "1000"}
    assert sent(sandbox) == 0
