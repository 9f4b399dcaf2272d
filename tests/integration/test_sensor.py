"""The account sensors: which exist per gateway, their states, units, ids, names and device."""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.sensor import (
    ATTR_STATE_CLASS,
    SensorDeviceClass,
    SensorStateClass,
)
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    ATTR_FRIENDLY_NAME,
    ATTR_UNIT_OF_MEASUREMENT,
    EVENT_STATE_CHANGED,
    Platform,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.sms_bridge.const import DOMAIN
from custom_components.sms_bridge.providers.models import DeliveryReport, DeliveryStatus, SendResult
from sandbox import Sandbox

from .conftest import PROVIDERS, EntryFactory
from .helpers import NUMBERS, TEXT, counts_settled, device_of, reports_delivered, send
from .views import entity_views, placeholders

DAILY_KEYS = ("sent_today", "delivered_today", "failed_today", "pending_today")
COST_KEYS = ("cost_today", "cost_month")
LEDGER_PROVIDERS = ("esms", "fpt", "smspay")
NAMES = {
    "balance": "Balance",
    "sent_today": "Sent today",
    "delivered_today": "Delivered today",
    "failed_today": "Failed today",
    "pending_today": "Pending today",
    "cost_today": "Cost today",
    "cost_month": "Cost this month",
}


def sensor_entries(hass: HomeAssistant, entry: MockConfigEntry) -> list[er.RegistryEntry]:
    """The entry's sensors in the entity registry."""
    return [
        e
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.domain == Platform.SENSOR
    ]


def sensor_state(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> State:
    """The state of the entry's sensor with this key, found by its unique id."""
    entity_id = er.async_get(hass).async_get_entity_id(
        Platform.SENSOR, DOMAIN, f"{entry.entry_id}_{key}"
    )
    assert entity_id is not None, key
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state


def daily_states(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, str]:
    """The four daily sensors' states by key."""
    return {key: sensor_state(hass, entry, key).state for key in DAILY_KEYS}


def sent(provider: str, message_id: str, phone: str = "+84901234567") -> SendResult:
    """A gateway's acceptance of one message."""
    return SendResult(provider=provider, message_id=message_id, phone=phone, segments=1)


def report(provider: str, message_id: str, status: DeliveryStatus) -> DeliveryReport:
    """A delivery report for a message."""
    return DeliveryReport(
        provider=provider, message_id=message_id, status=status, provider_status="x"
    )


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_sensors_per_gateway(
    hass: HomeAssistant, setup_entry: EntryFactory, provider: str
) -> None:
    """Balance only where the gateway reports one; the daily totals and the costs everywhere."""
    entry = await setup_entry(provider)
    entities = sensor_entries(hass, entry)
    expected = {*DAILY_KEYS, *COST_KEYS, *(("balance",) if provider in ("fibo", "esms") else ())}
    assert {e.unique_id for e in entities} == {f"{entry.entry_id}_{key}" for key in expected}
    for entity in entities:
        key = entity.unique_id.removeprefix(f"{entry.entry_id}_")
        # Icons come from icons.json through the translation key.
        in_credits = provider == "fibo" and key == "balance"
        assert entity.translation_key == ("balance_credits" if in_credits else key)
        assert entity.has_entity_name
        assert entity.original_name == NAMES[key]


async def test_fibo_balance_in_credits(
    hass: HomeAssistant, setup_entry: EntryFactory, sandbox: Sandbox
) -> None:
    """Fibo's balance by default: a count of SMS credits, not money."""
    sandbox.state.first_account("fibo").balance = 4321
    entry = await setup_entry("fibo")
    state = hass.states.get("sensor.fibosms_cl1609110001_balance")
    assert state is not None
    assert state == sensor_state(hass, entry, "balance")
    assert state.state == "4321"
    assert state.attributes[ATTR_FRIENDLY_NAME] == "FiboSMS CL1609110001 Balance"
    assert (
        state.attributes[ATTR_UNIT_OF_MEASUREMENT] == "SMS"
    )  # "1 SMS" and "5 SMS" read right in every language
    assert state.attributes[ATTR_STATE_CLASS] == SensorStateClass.MEASUREMENT
    assert ATTR_DEVICE_CLASS not in state.attributes


async def test_fibo_balance_in_vnd(
    hass: HomeAssistant, setup_entry: EntryFactory, sandbox: Sandbox
) -> None:
    """A Fibo money package: the option makes the balance a VND amount."""
    entry = await setup_entry("fibo", options={"balance_unit": "vnd"})
    state = sensor_state(hass, entry, "balance")
    assert state.state == str(sandbox.state.first_account("fibo").balance)
    assert state.attributes[ATTR_DEVICE_CLASS] == SensorDeviceClass.MONETARY
    assert state.attributes[ATTR_UNIT_OF_MEASUREMENT] == "VND"
    assert state.attributes[ATTR_STATE_CLASS] == SensorStateClass.TOTAL
    assert (
        er.async_get(hass).async_get(state.entity_id).translation_key  # type: ignore[union-attr]
        == "balance"
    )


async def test_esms_balance_in_vnd(
    hass: HomeAssistant, setup_entry: EntryFactory, sandbox: Sandbox
) -> None:
    """eSMS reports money: a monetary sensor in VND."""
    sandbox.state.first_account("esms").balance = 123_456
    entry = await setup_entry("esms")
    state = sensor_state(hass, entry, "balance")
    assert state.state == "123456"
    assert state.attributes[ATTR_FRIENDLY_NAME] == "eSMS SMSBRIDGE Balance"
    assert state.attributes[ATTR_DEVICE_CLASS] == SensorDeviceClass.MONETARY
    assert state.attributes[ATTR_UNIT_OF_MEASUREMENT] == "VND"
    assert state.attributes[ATTR_STATE_CLASS] == SensorStateClass.TOTAL


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_daily_sensor_attributes(
    hass: HomeAssistant, setup_entry: EntryFactory, provider: str
) -> None:
    """Translated names and units; counts only grow during a day, pending goes up and down."""
    entry = await setup_entry(provider)
    for key in DAILY_KEYS:
        state = sensor_state(hass, entry, key)
        assert state.attributes[ATTR_FRIENDLY_NAME] == f"{entry.title} {NAMES[key]}"
        assert state.attributes[ATTR_UNIT_OF_MEASUREMENT] == "SMS"  # not "1 messages"
        assert state.attributes[ATTR_STATE_CLASS] == (
            SensorStateClass.MEASUREMENT
            if key == "pending_today"
            else SensorStateClass.TOTAL_INCREASING
        )
        assert state.state == "0"


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_one_device_per_entry(
    hass: HomeAssistant, setup_entry: EntryFactory, provider: str
) -> None:
    """Every sensor of an entry belongs to the one service device of its account."""
    entry = await setup_entry(provider)
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert len(devices) == 1
    device = devices[0]
    assert device.identifiers == {(DOMAIN, entry.entry_id)}
    assert (
        device.manufacturer
        == {
            "fibo": "FiboSMS",
            "esms": "eSMS",
            "fpt": "FPT SMS",
            "smspay": "SMSPAY",
        }[provider]
    )
    assert device.name == entry.title
    assert device.entry_type is dr.DeviceEntryType.SERVICE
    assert device.configuration_url is not None
    assert {e.device_id for e in sensor_entries(hass, entry)} == {device.id}


async def test_two_entries_two_devices(hass: HomeAssistant, setup_entry: EntryFactory) -> None:
    """Two accounts are two devices, each with its own sensors."""
    fibo = await setup_entry("fibo")
    esms = await setup_entry("esms")
    registry = dr.async_get(hass)
    assert len(registry.devices) == 2
    for entry in (fibo, esms):
        assert device_of(hass, entry, entry.entry_id) is not None


async def test_fibo_daily_totals_from_gateway(
    hass: HomeAssistant, setup_entry: EntryFactory, sandbox: Sandbox
) -> None:
    """Fibo's own GetTotalMt counts, shown as they are and again after a refresh."""
    today = sandbox.state.first_account("fibo").today()
    today.delivered, today.failed, today.pending = 7, 2, 3
    entry = await setup_entry("fibo")
    assert daily_states(hass, entry) == {
        "sent_today": "12",
        "delivered_today": "7",
        "failed_today": "2",
        "pending_today": "3",
    }

    today.delivered, today.failed, today.pending = 9, 3, 1
    # A send recorded in the ledger changes nothing: Fibo counts for itself.
    entry.runtime_data.ledger.async_record_sent(sent("fibo", "m1"), "hello")
    assert sensor_state(hass, entry, "sent_today").state == "12"

    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert daily_states(hass, entry) == {
        "sent_today": "13",
        "delivered_today": "9",
        "failed_today": "3",
        "pending_today": "1",
    }


@pytest.mark.parametrize("provider", LEDGER_PROVIDERS)
async def test_ledger_counts_move_at_once(
    hass: HomeAssistant, setup_entry: EntryFactory, sandbox: Sandbox, provider: str
) -> None:
    """Gateways without totals: sends and reports change the sensors within a second, no poll."""
    entry = await setup_entry(provider)
    ledger = entry.runtime_data.ledger
    requests = len(sandbox.state.requests)

    for message_id in ("m1", "m2", "m3", "m4"):
        ledger.async_record_sent(sent(provider, message_id), "hello")
    await counts_settled(hass)
    assert daily_states(hass, entry) == {
        "sent_today": "4",
        "delivered_today": "0",
        "failed_today": "0",
        "pending_today": "4",
    }

    ledger.async_record_report(report(provider, "m1", DeliveryStatus.DELIVERED))
    ledger.async_record_report(report(provider, "m2", DeliveryStatus.FAILED))
    ledger.async_record_report(report(provider, "m3", DeliveryStatus.SENT))
    await counts_settled(hass)
    assert daily_states(hass, entry) == {
        "sent_today": "4",
        "delivered_today": "1",
        "failed_today": "1",
        "pending_today": "2",
    }

    # A late intermediate report does not undo a final status; someone else's is ignored.
    ledger.async_record_report(report(provider, "m1", DeliveryStatus.PENDING))
    assert ledger.async_record_report(report(provider, "x9", DeliveryStatus.FAILED)) is None
    await counts_settled(hass)
    assert sensor_state(hass, entry, "delivered_today").state == "1"
    assert sensor_state(hass, entry, "failed_today").state == "1"
    # No gateway was asked for anything.
    assert len(sandbox.state.requests) == requests


@pytest.mark.parametrize("provider", LEDGER_PROVIDERS)
async def test_messages_before_midnight_not_counted(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_entry: EntryFactory,
    provider: str,
) -> None:
    """Today's counts start at local midnight: yesterday's messages stay out."""
    midnight = dt_util.start_of_local_day() + timedelta(days=1)
    freezer.move_to(midnight - timedelta(minutes=1))
    entry = await setup_entry(provider)
    ledger = entry.runtime_data.ledger
    ledger.async_record_sent(sent(provider, "late-1"), "yesterday")
    ledger.async_record_sent(sent(provider, "late-2"), "yesterday")
    await counts_settled(hass)
    assert sensor_state(hass, entry, "sent_today").state == "2"

    freezer.move_to(midnight + timedelta(seconds=5))
    ledger.async_record_sent(sent(provider, "early"), "today")
    # A report on yesterday's message does not bring it back into today's counts.
    ledger.async_record_report(report(provider, "late-1", DeliveryStatus.DELIVERED))
    await counts_settled(hass)
    assert daily_states(hass, entry) == {
        "sent_today": "1",
        "delivered_today": "0",
        "failed_today": "0",
        "pending_today": "1",
    }


async def test_ledger_survives_reload(hass: HomeAssistant, setup_entry: EntryFactory) -> None:
    """Today's counts come back after a reload: the ledger is written on unload."""
    entry = await setup_entry("smspay")
    ledger = entry.runtime_data.ledger
    ledger.async_record_sent(sent("smspay", "1"), "one")
    ledger.async_record_sent(sent("smspay", "2"), "two")
    ledger.async_record_report(report("smspay", "2", DeliveryStatus.DELIVERED))

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.ledger is not ledger
    await counts_settled(hass)
    assert daily_states(hass, entry) == {
        "sent_today": "2",
        "delivered_today": "1",
        "failed_today": "0",
        "pending_today": "1",
    }
    restored = entry.runtime_data.ledger.get("2")
    assert restored is not None
    assert restored.status is DeliveryStatus.DELIVERED
    assert [report.status for report in restored.history] == [DeliveryStatus.DELIVERED]


async def test_ledger_forgets_old_messages(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry: EntryFactory
) -> None:
    """The ledger keeps 30 days and at most MAX_MESSAGES messages, dropping the oldest first."""
    entry = await setup_entry("fpt")
    ledger = entry.runtime_data.ledger
    ledger.async_record_sent(sent("fpt", "old"), "a month ago")
    freezer.tick(timedelta(days=31))
    ledger.async_record_sent(sent("fpt", "new"), "today")
    assert ledger.get("old") is None
    assert len(ledger) == 1

    with patch("custom_components.sms_bridge.store.ledger.MAX_MESSAGES", 3):
        for number in range(4):
            ledger.async_record_sent(sent("fpt", f"m{number}"), "burst")
    assert len(ledger) == 3
    assert [ledger.get(m) is not None for m in ("new", "m0", "m1", "m2", "m3")] == [
        False,
        False,
        True,
        True,
        True,
    ]
    # Every message sent today counts, also those the full ledger had to let go.
    assert ledger.totals_today().sent == 5


async def test_counts_are_written_at_most_once_a_second(
    hass: HomeAssistant, setup_entry: EntryFactory
) -> None:
    """A burst of 50 reports fires 50 events but rewrites the counting sensors once or twice."""
    entry = await setup_entry("esms")
    runtime = entry.runtime_data
    for number in range(50):
        runtime.ledger.async_record_sent(sent("esms", f"b{number}"), "burst")
    await counts_settled(hass)
    writes = async_capture_events(hass, EVENT_STATE_CHANGED)
    reports = async_capture_events(hass, "sms_bridge_delivery_report")
    for number in range(50):
        runtime.reports.async_report(report("esms", f"b{number}", DeliveryStatus.DELIVERED))
    await hass.async_block_till_done()
    await counts_settled(hass)
    assert len(reports) == 50
    counting = [w for w in writes if w.data["entity_id"].startswith("sensor.")]
    moved = {w.data["entity_id"].rsplit("_", 2)[-2] for w in counting}
    assert moved == {"delivered", "pending"}
    assert len(counting) <= 2 * len(moved)
    assert daily_states(hass, entry)["delivered_today"] == "50"


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_sensors_snapshot(
    hass: HomeAssistant,
    sandbox: Sandbox,
    setup_entry: EntryFactory,
    snapshot: SnapshotAssertion,
    provider: str,
) -> None:
    """Every sensor of the gateway's entry after setup: states, attributes and registry facts."""
    entry = await setup_entry(provider)
    views = entity_views(hass, entry, Platform.SENSOR, placeholders(entry, sandbox))
    assert views == snapshot


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_sensors_snapshot_after_reports(
    hass: HomeAssistant,
    sandbox: Sandbox,
    reporting_entry: EntryFactory,
    snapshot: SnapshotAssertion,
    provider: str,
) -> None:
    """Two messages out, one delivered and one failed as the gateway reported them over HTTP."""
    entry = await reporting_entry(provider)
    delivered = NUMBERS[provider]
    failed = delivered[:-1] + "4"  # the sandbox fails a number ending in 4 after accepting it
    await send(hass, target=[delivered, failed], message=TEXT)
    await reports_delivered(hass, sandbox)
    # The gateway's totals are asked again after the reports (debounced for 10 s); the ledger's
    # counts show within a second.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11))
    await hass.async_block_till_done(wait_background_tasks=True)
    await counts_settled(hass)
    views = entity_views(hass, entry, Platform.SENSOR, placeholders(entry, sandbox))
    assert views == snapshot
