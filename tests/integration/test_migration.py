"""Entries stored by older versions are brought up to date before they load."""

from __future__ import annotations

from typing import Any

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_CLASS, ATTR_UNIT_OF_MEASUREMENT
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.sms_bridge.config_flow import SmsBridgeConfigFlow
from custom_components.sms_bridge.flows.account import account_unique_id
from sandbox import Sandbox

from .conftest import make_entry


def stored_entry(
    sandbox: Sandbox, provider: str, options: dict[str, Any], *, version: int, minor_version: int
) -> MockConfigEntry:
    """The sandbox account of `provider` as an older (or newer) SMS Bridge stored it."""
    current = make_entry(sandbox, provider, options=options)
    return MockConfigEntry(
        domain=current.domain,
        title=current.title,
        unique_id=current.unique_id,
        data=dict(current.data),
        options=options,
        version=version,
        minor_version=minor_version,
    )


async def test_fibo_vnd_unit_migrated(hass: HomeAssistant, sandbox: Sandbox) -> None:
    """1.1 stored Fibo's VND balance unit as "VND": it becomes "vnd" and still means money."""
    entry = stored_entry(
        sandbox, "fibo", {"balance_unit": "VND", "encoding": "unicode"}, version=1, minor_version=1
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (1, SmsBridgeConfigFlow.MINOR_VERSION)
    assert entry.options == {"balance_unit": "vnd", "encoding": "unicode"}
    state = hass.states.get("sensor.fibosms_cl1609110001_balance")
    assert state is not None
    assert state.attributes[ATTR_DEVICE_CLASS] == SensorDeviceClass.MONETARY
    assert state.attributes[ATTR_UNIT_OF_MEASUREMENT] == "VND"


@pytest.mark.parametrize(
    ("provider", "options"),
    [
        ("fibo", {"balance_unit": "credits"}),
        ("fibo", {}),
        ("esms", {"sender": "SMSBRIDGE", "poll_minutes": 5}),
    ],
)
async def test_other_options_unchanged(
    hass: HomeAssistant, sandbox: Sandbox, provider: str, options: dict[str, Any]
) -> None:
    """Only the old VND value is rewritten; every other entry just gets the new version."""
    entry = stored_entry(sandbox, provider, dict(options), version=1, minor_version=1)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert entry.minor_version == SmsBridgeConfigFlow.MINOR_VERSION
    assert entry.options == options


async def test_newer_version_is_not_loaded(hass: HomeAssistant, sandbox: Sandbox) -> None:
    """An entry written by a newer major version is left alone, not guessed at."""
    entry = stored_entry(sandbox, "fibo", {"balance_unit": "VND"}, version=2, minor_version=1)
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.MIGRATION_ERROR
    assert (entry.version, entry.minor_version) == (2, 1)
    assert entry.options == {"balance_unit": "VND"}


async def test_options_flow_offers_migrated_value(hass: HomeAssistant, sandbox: Sandbox) -> None:
    """After migration the options form suggests the stored unit, which is one of its choices."""
    entry = stored_entry(sandbox, "fibo", {"balance_unit": "VND"}, version=1, minor_version=1)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    result = await hass.config_entries.options.async_init(entry.entry_id)
    schema = result["data_schema"].schema
    (key,) = (marker for marker in schema if marker == "balance_unit")
    assert key.description == {"suggested_value": "vnd"}
    assert "vnd" in schema[key].config["options"]


async def test_newer_minor_version_loads(hass: HomeAssistant, sandbox: Sandbox) -> None:
    """A newer minor version only adds what this version may ignore: it loads as stored."""
    entry = stored_entry(sandbox, "fibo", {"balance_unit": "vnd"}, version=1, minor_version=99)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (1, 99)
    assert entry.options == {"balance_unit": "vnd"}


async def test_smspay_account_id_migrated(hass: HomeAssistant, sandbox: Sandbox) -> None:
    """1.3: an SMSPAY account is its host and user, not the whole send URL with its password.

    The same account keeps its id when the password changes.
    """
    current = make_entry(sandbox, "smspay")
    entry = MockConfigEntry(
        domain=current.domain,
        title=current.title,
        unique_id="smspay_0123456789abcdef",
        data=dict(current.data),
        version=1,
        minor_version=2,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.unique_id == current.unique_id
    changed = dict(entry.data, send_url=entry.data["send_url"].replace("smspay-pass", "new"))
    assert account_unique_id(changed) == entry.unique_id
