"""Polling: availability while the gateway fails, back-off, logging, reauth, midnight, unload."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    get_scheduled_timer_handles,
)

from custom_components.sms_bridge.const import DOMAIN
from custom_components.sms_bridge.providers.models import SendResult
from custom_components.sms_bridge.runtime import SmsBridgeRuntime
from sandbox import Fault, Sandbox

from .conftest import EntryFactory

KEYS = ("balance", "sent_today", "delivered_today", "failed_today", "pending_today")
DAILY_KEYS = KEYS[1:]


@pytest.fixture
def noon(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    """The clock stopped at tomorrow's local noon: no midnight during a test's polls."""
    freezer.move_to(dt_util.start_of_local_day() + timedelta(days=1, hours=12))
    return freezer


@pytest.fixture
def before_midnight(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    """The clock stopped ten seconds before the next local midnight."""
    freezer.move_to(dt_util.start_of_local_day() + timedelta(days=1, seconds=-10))
    return freezer


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta) -> None:
    """Let `delta` pass and every timer due by then run to the end."""
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def states(hass: HomeAssistant, entry: MockConfigEntry, keys: tuple[str, ...]) -> dict[str, str]:
    """The states of the entry's sensors by key."""
    registry = er.async_get(hass)
    result = {}
    for key in keys:
        entity_id = registry.async_get_entity_id(Platform.SENSOR, DOMAIN, f"{entry.entry_id}_{key}")
        assert entity_id is not None, key
        state = hass.states.get(entity_id)
        assert state is not None, entity_id
        result[key] = state.state
    return result


def gateway_requests(sandbox: Sandbox, gateway: str) -> int:
    """How many requests the sandbox's `gateway` has received so far."""
    return sum(1 for request in sandbox.state.requests if request[0] == gateway)


def warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Warnings and errors, without asyncio's slow-callback notes (the clock jumps here)."""
    return [r for r in caplog.records if r.levelno >= logging.WARNING and r.name != "asyncio"]


def sent(message_id: str) -> SendResult:
    """An accepted eSMS message."""
    return SendResult(provider="esms", message_id=message_id, phone="+84901234567", segments=1)


async def test_unavailable_while_gateway_fails(
    hass: HomeAssistant, noon: FrozenDateTimeFactory, setup_entry: EntryFactory, sandbox: Sandbox
) -> None:
    """Fibo's sensors all come from the gateway: unavailable while it fails, back after."""
    entry = await setup_entry("fibo", options={"poll_minutes": 10})
    before = states(hass, entry, KEYS)
    assert STATE_UNAVAILABLE not in before.values()

    sandbox.state.faults.append(Fault("status", "fibo", 503, count=-1))
    await advance(hass, noon, timedelta(minutes=10))
    assert set(states(hass, entry, KEYS).values()) == {STATE_UNAVAILABLE}
    assert not entry.runtime_data.coordinator.last_update_success

    sandbox.state.faults.clear()
    sandbox.state.first_account("fibo").balance = 777
    await advance(hass, noon, timedelta(minutes=20))
    assert states(hass, entry, KEYS) == before | {"balance": "777"}
    assert entry.state is ConfigEntryState.LOADED


async def test_backoff_doubles_up_to_an_hour(
    hass: HomeAssistant, noon: FrozenDateTimeFactory, setup_entry: EntryFactory, sandbox: Sandbox
) -> None:
    """While the gateway fails the poll waits 20, 40, then 60 minutes; after success, 10 again."""
    entry = await setup_entry("fibo", options={"poll_minutes": 10})
    coordinator = entry.runtime_data.coordinator
    assert coordinator.update_interval == timedelta(minutes=10)

    sandbox.state.faults.append(Fault("status", "fibo", 503, count=-1))
    await advance(hass, noon, timedelta(minutes=10))
    for expected in (20, 40, 60, 60):
        assert coordinator.update_interval == timedelta(minutes=expected)
        asked = gateway_requests(sandbox, "fibo")
        # Not a minute before the longer interval is up...
        await advance(hass, noon, timedelta(minutes=expected - 1))
        assert gateway_requests(sandbox, "fibo") == asked
        # ...and at its end, exactly one more (failed) poll.
        await advance(hass, noon, timedelta(minutes=1))
        assert gateway_requests(sandbox, "fibo") > asked

    sandbox.state.faults.clear()
    await advance(hass, noon, timedelta(minutes=60))
    assert coordinator.last_update_success
    assert coordinator.update_interval == timedelta(minutes=10)
    asked = gateway_requests(sandbox, "fibo")
    await advance(hass, noon, timedelta(minutes=10))
    assert gateway_requests(sandbox, "fibo") > asked


async def test_refresh_after_a_send_never_grows_the_interval(
    hass: HomeAssistant, noon: FrozenDateTimeFactory, setup_entry: EntryFactory, sandbox: Sandbox
) -> None:
    """During an outage, refreshes that sends ask for fail without pushing polls further out."""
    entry = await setup_entry("fibo", options={"poll_minutes": 10})
    coordinator = entry.runtime_data.coordinator
    sandbox.state.faults.append(Fault("status", "fibo", 503, count=-1))
    await advance(hass, noon, timedelta(minutes=10))  # a scheduled poll fails: 20 minutes
    assert coordinator.update_interval == timedelta(minutes=20)
    for _ in range(5):
        await coordinator.async_refresh()  # what a send asks for (debounced in real use)
        assert not coordinator.last_update_success
    assert coordinator.update_interval == timedelta(minutes=20)


async def test_entities_back_at_the_first_good_answer(
    hass: HomeAssistant, noon: FrozenDateTimeFactory, setup_entry: EntryFactory, sandbox: Sandbox
) -> None:
    """After an hour-long outage, the first refresh that works brings the sensors back."""
    entry = await setup_entry("fibo", options={"poll_minutes": 10})
    coordinator = entry.runtime_data.coordinator
    sandbox.state.faults.append(Fault("status", "fibo", 503, count=-1))
    for minutes in (10, 20, 40, 60):
        await advance(hass, noon, timedelta(minutes=minutes))
    assert coordinator.update_interval == timedelta(hours=1)
    assert set(states(hass, entry, KEYS).values()) == {STATE_UNAVAILABLE}

    sandbox.state.faults.clear()
    await coordinator.async_refresh()  # e.g. a send went through: the gateway is back
    await hass.async_block_till_done()
    assert STATE_UNAVAILABLE not in states(hass, entry, KEYS).values()
    assert coordinator.update_interval == timedelta(minutes=10)


async def test_default_interval(hass: HomeAssistant, setup_entry: EntryFactory) -> None:
    """Without the option the gateway is polled every 10 minutes; ledger-only ones never."""
    fibo = await setup_entry("fibo")
    assert fibo.runtime_data.coordinator.update_interval == timedelta(minutes=10)
    fpt = await setup_entry("fpt")
    assert fpt.runtime_data.coordinator.update_interval is None


async def test_one_log_line_per_outage(
    hass: HomeAssistant,
    noon: FrozenDateTimeFactory,
    setup_entry: EntryFactory,
    sandbox: Sandbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An outage of several failed polls logs one error when it starts, one info when it ends."""
    entry = await setup_entry("fibo", options={"poll_minutes": 10})
    caplog.clear()
    caplog.set_level(logging.DEBUG)

    sandbox.state.faults.append(Fault("status", "fibo", 503, count=-1))
    for minutes in (10, 20, 40, 60):
        await advance(hass, noon, timedelta(minutes=minutes))
    assert entry.runtime_data.coordinator.update_interval == timedelta(minutes=60)
    problems = warnings(caplog)
    assert len(problems) == 1, [r.getMessage() for r in problems]
    assert problems[0].name == "custom_components.sms_bridge"
    assert "503" in problems[0].getMessage()

    sandbox.state.faults.clear()
    await advance(hass, noon, timedelta(minutes=60))
    await advance(hass, noon, timedelta(minutes=10))
    recovered = [
        r
        for r in caplog.records
        if r.levelno == logging.INFO and r.name == "custom_components.sms_bridge"
    ]
    assert [r.getMessage() for r in recovered] == [
        f"Fetching {DOMAIN} {entry.title} data recovered"
    ]
    assert len(warnings(caplog)) == 1
    # No credential reaches the log, at any level.
    assert "fibo-pass" not in caplog.text


async def test_auth_failure_starts_reauth(
    hass: HomeAssistant, noon: FrozenDateTimeFactory, setup_entry: EntryFactory, sandbox: Sandbox
) -> None:
    """A password changed on the gateway's side makes the next poll ask the user again."""
    entry = await setup_entry("fibo")
    assert not list(entry.async_get_active_flows(hass, {SOURCE_REAUTH}))

    sandbox.state.first_account("fibo").secrets["clientPass"] = "changed"
    await advance(hass, noon, timedelta(minutes=10))
    flows = list(entry.async_get_active_flows(hass, {SOURCE_REAUTH}))
    assert len(flows) == 1
    assert flows[0]["context"]["entry_id"] == entry.entry_id
    assert states(hass, entry, ("balance",)) == {"balance": STATE_UNAVAILABLE}


async def test_esms_ledger_counts_stay_available(
    hass: HomeAssistant, noon: FrozenDateTimeFactory, setup_entry: EntryFactory, sandbox: Sandbox
) -> None:
    """eSMS's balance depends on the gateway; its ledger counts do not."""
    entry = await setup_entry("esms")
    ledger = entry.runtime_data.ledger
    ledger.async_record_sent(sent("m1"), "one")

    sandbox.state.faults.append(Fault("status", "esms", 503, count=-1))
    await advance(hass, noon, timedelta(minutes=10))
    assert states(hass, entry, KEYS) == {
        "balance": STATE_UNAVAILABLE,
        "sent_today": "1",
        "delivered_today": "0",
        "failed_today": "0",
        "pending_today": "1",
    }

    # Sends while the gateway's balance fails still count at once.
    ledger.async_record_sent(sent("m2"), "two")
    assert states(hass, entry, ("balance", "sent_today")) == {
        "balance": STATE_UNAVAILABLE,
        "sent_today": "2",
    }

    sandbox.state.faults.clear()
    await advance(hass, noon, timedelta(minutes=20))
    current = states(hass, entry, KEYS)
    assert current["balance"] == str(sandbox.state.first_account("esms").balance)
    assert current["sent_today"] == "2"


async def test_midnight_refreshes_gateway_totals(
    hass: HomeAssistant,
    before_midnight: FrozenDateTimeFactory,
    setup_entry: EntryFactory,
    sandbox: Sandbox,
) -> None:
    """At local midnight Fibo's totals are fetched anew, without waiting for the next poll."""
    today = sandbox.state.first_account("fibo").today()
    today.delivered, today.failed, today.pending = 5, 1, 1
    entry = await setup_entry("fibo", options={"poll_minutes": 10})
    assert states(hass, entry, DAILY_KEYS)["sent_today"] == "7"

    before_midnight.tick(timedelta(seconds=12))
    totals = sandbox.state.first_account("fibo").today()  # the sandbox's new day, if any
    totals.delivered, totals.failed, totals.pending = 0, 0, 0
    asked = gateway_requests(sandbox, "fibo")
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert gateway_requests(sandbox, "fibo") > asked
    assert set(states(hass, entry, DAILY_KEYS).values()) == {"0"}


@pytest.mark.parametrize("provider", ["esms", "smspay"])
async def test_midnight_resets_ledger_counts(
    hass: HomeAssistant,
    before_midnight: FrozenDateTimeFactory,
    setup_entry: EntryFactory,
    provider: str,
) -> None:
    """Ledger counts start again at local midnight with nothing sent or polled."""
    entry = await setup_entry(provider, options={"poll_minutes": 10})
    entry.runtime_data.ledger.async_record_sent(sent("late"), "yesterday")
    assert states(hass, entry, ("sent_today",)) == {"sent_today": "1"}

    await advance(hass, before_midnight, timedelta(seconds=12))
    assert set(states(hass, entry, DAILY_KEYS).values()) == {"0"}


async def test_midnight_resets_ledger_counts_while_gateway_fails(
    hass: HomeAssistant,
    before_midnight: FrozenDateTimeFactory,
    setup_entry: EntryFactory,
    sandbox: Sandbox,
) -> None:
    """eSMS's counts start again at midnight even when its balance cannot be fetched."""
    entry = await setup_entry("esms", options={"poll_minutes": 10})
    entry.runtime_data.ledger.async_record_sent(sent("late"), "yesterday")
    sandbox.state.faults.append(Fault("status", "esms", 503, count=-1))

    await advance(hass, before_midnight, timedelta(seconds=12))
    assert not entry.runtime_data.coordinator.last_update_success
    assert states(hass, entry, KEYS) == {
        "balance": STATE_UNAVAILABLE,
        "sent_today": "0",
        "delivered_today": "0",
        "failed_today": "0",
        "pending_today": "0",
    }


def entry_timers(hass: HomeAssistant, runtime: SmsBridgeRuntime) -> list[asyncio.TimerHandle]:
    """Pending timers of an entry: its poll, its midnight tracker, its journal's flush."""
    coordinator = runtime.coordinator
    return [
        handle
        for handle in get_scheduled_timer_handles(hass.loop)
        if not handle.cancelled()
        and (
            getattr(handle._callback, "__self__", None) in (coordinator, runtime.journal)
            or "SmsBridgeCoordinator._async_midnight" in repr(handle._callback)
        )
    ]


@pytest.mark.parametrize("provider", ["fibo", "esms", "smspay"])
async def test_unload_cancels_timers(
    hass: HomeAssistant, setup_entry: EntryFactory, sandbox: Sandbox, provider: str
) -> None:
    """After unload no poll, midnight or ledger timer of the entry is left behind."""
    entry = await setup_entry(provider)
    runtime = entry.runtime_data
    runtime.ledger.async_record_sent(sent("m1"), "unsaved")
    assert len(entry_timers(hass, runtime)) >= 2  # at least the midnight and the journal flush

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry_timers(hass, runtime) == []
    assert not runtime.signals.ledger_changed._listeners
    # Nothing polls the gateway any more, a day later either.
    asked = len(sandbox.state.requests)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(days=1))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(sandbox.state.requests) == asked
