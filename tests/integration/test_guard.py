"""The spending guard: hourly and daily limits, and no duplicate inside the window."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.sms_bridge.const import DOMAIN
from sandbox import Sandbox

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


@pytest.mark.parametrize(
    ("option", "period", "key"),
    [("max_per_hour", timedelta(hours=1), "hour"), ("max_per_day", timedelta(days=1), "day")],
)
async def test_limit_refuses_before_anything_goes_out(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    sandbox: Sandbox,
    setup_entry: EntryFactory,
    option: str,
    period: timedelta,
    key: str,
) -> None:
    """3 allowed: 2 go out, then a send of 2 is refused whole, naming the limit.

    The repair stays until the window has room again; the count holds across a reload.
    """
    entry = await setup_entry("esms", options={option: 3})
    await send_through(hass, entry, ["0901234561", "0901234562"])
    assert sent(sandbox) == 2

    assert await hass.config_entries.async_reload(entry.entry_id)  # counting survives it
    await hass.async_block_till_done()
    with pytest.raises(HomeAssistantError) as caught:
        await send_through(hass, entry, ["0901234566", "0901234567"], "another text")
    assert caught.value.translation_key == f"limit_reached_{key}"
    assert caught.value.translation_placeholders is not None
    assert caught.value.translation_placeholders["limit"] == "3"
    assert sent(sandbox) == 2
    issue = paused(hass, entry)
    assert issue is not None
    assert issue.translation_key == f"sending_paused_{key}"

    await send_through(hass, entry, "0901234566", "one more fits")  # the third is allowed
    assert sent(sandbox) == 3
    await _later(hass, freezer, period + timedelta(minutes=1))
    assert paused(hass, entry) is None
    await send_through(hass, entry, "0901234567", "room again")
    assert sent(sandbox) == 4


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
