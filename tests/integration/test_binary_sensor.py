"""Low balance: on below the threshold, unavailable without a balance, only where it applies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    ATTR_FRIENDLY_NAME,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from syrupy.assertion import SnapshotAssertion

from custom_components.sms_bridge.const import DOMAIN
from sandbox import Fault, Sandbox

from .conftest import EntryFactory
from .helpers import report_extra, send
from .views import entity_views, placeholders


def low_balance_id(hass: HomeAssistant, entry: MockConfigEntry) -> str | None:
    """The entity id of the entry's low-balance sensor, if it has one."""
    return er.async_get(hass).async_get_entity_id(
        Platform.BINARY_SENSOR, DOMAIN, f"{entry.entry_id}_balance_low"
    )


def low_balance(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Its state."""
    state = hass.states.get(low_balance_id(hass, entry) or "")
    assert state is not None
    return state.state


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: int) -> None:
    """Let the minutes pass and every poll due by then run to the end."""
    freezer.tick(timedelta(minutes=minutes))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_on_below_the_threshold(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory, freezer: FrozenDateTimeFactory
) -> None:
    """eSMS in VND: off above 100,000, on below it, off again after a top-up."""
    account = sandbox.state.first_account("esms")
    account.balance = 100_000
    entry = await setup_entry("esms", options={"low_balance": 100_000})
    assert low_balance(hass, entry) == STATE_OFF  # at the threshold is not below it

    account.balance = 99_999
    await advance(hass, freezer, 10)  # the next poll
    assert low_balance(hass, entry) == STATE_ON

    account.balance = 2_000_000
    await advance(hass, freezer, 10)  # the next poll
    assert low_balance(hass, entry) == STATE_OFF


async def test_a_send_updates_it(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """Fibo in SMS credits: the send that takes the balance below the threshold turns it on."""
    sandbox.state.first_account("fibo").balance = 11
    entry = await setup_entry("fibo", options={"low_balance": 10.5})
    assert low_balance(hass, entry) == STATE_OFF
    await send(hass, target="0901234567", message="Kho 3")
    await hass.async_block_till_done()
    assert sandbox.state.first_account("fibo").balance < 10.5
    assert low_balance(hass, entry) == STATE_ON


async def test_unavailable_without_a_balance(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory, freezer: FrozenDateTimeFactory
) -> None:
    """While the gateway does not answer there is no balance to judge; then it comes back."""
    entry = await setup_entry("esms", options={"low_balance": 1_000_000})
    assert low_balance(hass, entry) == STATE_ON
    sandbox.state.faults.append(Fault("status", "esms", 503, count=-1))
    await advance(hass, freezer, 10)  # the next poll
    assert low_balance(hass, entry) == STATE_UNAVAILABLE
    sandbox.state.faults.clear()
    await advance(hass, freezer, 20)  # the poll after a failure waits twice as long
    assert low_balance(hass, entry) == STATE_ON


async def test_name_class_and_id(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """A problem sensor named from the translations, with the contract's unique id."""
    entry = await setup_entry("esms", options={"low_balance": 1000})
    entity_id = low_balance_id(hass, entry)
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes[ATTR_DEVICE_CLASS] == BinarySensorDeviceClass.PROBLEM
    assert state.attributes[ATTR_FRIENDLY_NAME] == f"{entry.title} Low balance"
    registry_entry = er.async_get(hass).async_get(entity_id)
    assert registry_entry is not None
    assert registry_entry.translation_key == "balance_low"


@pytest.mark.parametrize(
    ("provider", "options"),
    [
        ("esms", {}),  # no threshold
        ("fpt", {"low_balance": 1000}),  # no balance at all
        ("smspay", {"low_balance": 1000}),
    ],
)
async def test_only_where_it_applies(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory, provider: str, options: dict
) -> None:
    """No threshold, or a gateway without a balance: no sensor."""
    entry = await setup_entry(provider, options=options, **report_extra(provider))
    assert low_balance_id(hass, entry) is None


async def test_clearing_the_threshold_removes_it(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """Saving the options reloads the entry; the sensor goes, not left behind unavailable."""
    entry = await setup_entry("esms", options={"low_balance": 1000})
    assert low_balance_id(hass, entry) is not None
    await save_options(hass, entry, {})
    assert low_balance_id(hass, entry) is None
    await save_options(hass, entry, {"low_balance": 1000})
    assert low_balance(hass, entry) == STATE_OFF


async def save_options(hass: HomeAssistant, entry: ConfigEntry, options: dict[str, Any]) -> None:
    """What a user does: the options form, saved."""
    flow = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(flow["flow_id"], options)
    assert result["type"] == "create_entry", result
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("provider", "threshold"),
    [("fibo", 10), ("esms", 1_000_000)],  # sandbox balances: 1000 credits, 500,000 VND
)
async def test_binary_sensor_snapshot(
    hass: HomeAssistant,
    sandbox: Sandbox,
    setup_entry: EntryFactory,
    snapshot: SnapshotAssertion,
    provider: str,
    threshold: int,
) -> None:
    """The low-balance sensor of each gateway with a balance: off above, on below."""
    entry = await setup_entry(provider, options={"low_balance": threshold})
    views = entity_views(hass, entry, Platform.BINARY_SENSOR, placeholders(entry, sandbox))
    assert views == snapshot
