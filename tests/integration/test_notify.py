"""Notify: a recipient's entity and device, and the legacy notify services `alert` calls."""

from __future__ import annotations

from homeassistant.components.notify import legacy as notify_legacy
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import slugify
import pytest
from syrupy.assertion import SnapshotAssertion

from custom_components.sms_bridge.const import DOMAIN
from sandbox import Sandbox

from .conftest import PROVIDERS, EntryFactory
from .helpers import E164, NUMBERS, add_recipient, device_of, gateway_messages
from .views import device_views, entity_views, placeholders


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_notify_entity(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory, provider: str
) -> None:
    """A recipient's notify entity texts all its numbers, the title first."""
    entry = await setup_entry(provider)
    other = "+84901234568" if provider != "smspay" else "+359888123457"
    add_recipient(hass, entry, "Night shift", [E164[provider], other])
    await hass.async_block_till_done()
    assert hass.states.get("notify.night_shift") is not None
    await hass.services.async_call(
        "notify",
        "send_message",
        {"entity_id": "notify.night_shift", "title": "Kho 3", "message": "Door open"},
        blocking=True,
    )
    sent = gateway_messages(sandbox, provider)
    assert len(sent) == 2
    assert {m.text for m in sent} == {"Kho 3\nDoor open"}


async def test_notify_entity_failure(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """A refused number surfaces from notify.send_message as an error naming it."""
    entry = await setup_entry("fibo")
    add_recipient(hass, entry, "Owner", ["+84901234563"])
    await hass.async_block_till_done()
    with pytest.raises(HomeAssistantError, match="84901234563"):
        await hass.services.async_call(
            "notify", "send_message", {"entity_id": "notify.owner", "message": "x"}, blocking=True
        )


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_legacy_notify_service(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory, provider: str
) -> None:
    """notify.<slug of the entry title> takes target numbers, as `alert` calls it."""
    entry = await setup_entry(provider)
    await hass.async_block_till_done()
    service = slugify(entry.title)
    assert hass.services.has_service("notify", service)
    await hass.services.async_call(
        "notify",
        service,
        {"message": "Alarm", "title": "Kho", "target": [NUMBERS[provider]]},
        blocking=True,
    )
    [sent] = gateway_messages(sandbox, provider)
    assert sent.text == "Kho\nAlarm"
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call("notify", service, {"message": "no target"}, blocking=True)

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.services.has_service("notify", service)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert not hass.services.has_service("notify", service)
    # A reload of notify's services (as the notify integration does) brings nothing back.
    await notify_legacy.async_reload(hass, DOMAIN)
    assert not hass.services.has_service("notify", service)


async def test_alert_through_recipient_service(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """The `alert` integration texts a recipient through notify.<entry>_<recipient>."""
    entry = await setup_entry("fibo")
    add_recipient(hass, entry, "Night shift", ["+84901234567", "+84901234568"])
    await hass.async_block_till_done()
    assert hass.services.has_service("notify", "fibosms_cl1609110001_night_shift")
    assert await async_setup_component(hass, "input_boolean", {"input_boolean": {"freezer": {}}})
    assert await async_setup_component(
        hass,
        "alert",
        {
            "alert": {
                "freezer": {
                    "name": "Freezer",
                    "entity_id": "input_boolean.freezer",
                    "state": "on",
                    "repeat": 30,
                    "title": "Kho lạnh",
                    "message": "Tủ đông quá ấm",
                    "notifiers": ["fibosms_cl1609110001_night_shift"],
                }
            }
        },
    )
    await hass.services.async_call(
        "input_boolean", "turn_on", {"entity_id": "input_boolean.freezer"}, blocking=True
    )
    await hass.async_block_till_done()
    sent = gateway_messages(sandbox, "fibo")
    assert sorted(m.phone for m in sent) == ["0901234567", "0901234568"]
    assert {m.text for m in sent} == {"Kho lạnh\nTủ đông quá ấm"}  # "auto" keeps diacritics
    await hass.services.async_call(  # the alarm clears: the alert stops repeating
        "input_boolean", "turn_off", {"entity_id": "input_boolean.freezer"}, blocking=True
    )
    await hass.async_block_till_done()


async def test_recipient_devices_come_and_go(
    hass: HomeAssistant, setup_entry: EntryFactory
) -> None:
    """A new recipient is a new device at once; a removed one leaves no device behind."""
    entry = await setup_entry("fibo")
    add_recipient(hass, entry, "Night shift", ["+84901234567"])
    await hass.async_block_till_done()
    [subentry_id] = entry.subentries
    device = device_of(hass, entry, f"{entry.entry_id}_{subentry_id}")
    assert device is not None
    assert hass.states.get("notify.night_shift") is not None

    assert hass.config_entries.async_remove_subentry(entry, subentry_id)
    await hass.async_block_till_done()
    assert device_of(hass, entry, f"{entry.entry_id}_{subentry_id}") is None
    assert hass.states.get("notify.night_shift") is None
    assert device_of(hass, entry, entry.entry_id) is not None  # the account's


async def test_recipient_changes_are_followed_without_a_reload(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """Renamed and given another number in its reconfigure flow, a recipient texts the new one.

    Its device takes the new name and its legacy target service the new slug, while the
    account stays loaded as it was: no reload (its runtime is the same object).
    """
    entry = await setup_entry("fibo")
    runtime = entry.runtime_data
    add_recipient(hass, entry, "Night shift", ["+84901234567"])
    await hass.async_block_till_done()
    [subentry_id] = entry.subentries
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "recipient"),
        context={"source": "reconfigure", "subentry_id": subentry_id},
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Day shift", "numbers": "0901234568"}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()

    assert entry.runtime_data is runtime
    device = device_of(hass, entry, f"{entry.entry_id}_{subentry_id}")
    assert device is not None
    assert device.name == "Day shift"
    await hass.services.async_call(
        "notify", "send_message", {"entity_id": "notify.night_shift", "message": "A"}, blocking=True
    )
    await hass.services.async_call(
        "notify", "fibosms_cl1609110001_day_shift", {"message": "B"}, blocking=True
    )
    assert not hass.services.has_service("notify", "fibosms_cl1609110001_night_shift")
    assert [(m.phone, m.text) for m in gateway_messages(sandbox, "fibo")] == [
        ("0901234568", "A"),
        ("0901234568", "B"),
    ]


async def test_notify_snapshot(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory, snapshot: SnapshotAssertion
) -> None:
    """A recipient's notify entity and device, before and after its first message."""
    entry = await setup_entry("fibo")
    add_recipient(hass, entry, "Night shift", ["+84901234567", "+84901234568"])
    await hass.async_block_till_done()
    replace = placeholders(entry, sandbox)
    assert device_views(hass, entry, replace) == snapshot
    assert entity_views(hass, entry, Platform.NOTIFY, replace) == snapshot
    await hass.services.async_call(
        "notify",
        "send_message",
        {"entity_id": "notify.night_shift", "message": "Door open"},
        blocking=True,
    )
    assert entity_views(hass, entry, Platform.NOTIFY, replace) == snapshot
