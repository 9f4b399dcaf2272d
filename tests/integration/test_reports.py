"""Delivery reports in the loop: a report that beats its send's answer, held and applied once."""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.sms_bridge.inbound.router import ReportRouter
from custom_components.sms_bridge.providers.models import DeliveryReport, DeliveryStatus, SendResult
from custom_components.sms_bridge.signals import SendUnderWay
from custom_components.sms_bridge.store.ledger import LedgerMessage
from sandbox import Fault, Sandbox

from .conftest import PROVIDERS, Client, EntryFactory, call_webhook
from .helpers import (
    E164,
    NUMBERS,
    SEND_PATHS,
    TEXT,
    counts_settled,
    reports_delivered,
    send,
)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_report_before_the_send_returns(
    hass: HomeAssistant,
    sandbox: Sandbox,
    reporting_entry: EntryFactory,
    events: list[Event],
    provider: str,
) -> None:
    """The gateway calls back while its answer to the send is still on the way.

    Each report waits for the send, then fires once, tracked and with the phone; the ledger and
    today's counts end up as if the answer had come first.
    """
    entry = await reporting_entry(provider)
    sandbox.state.faults.append(Fault("late_answer", provider, 0.5, path=SEND_PATHS[provider]))

    response = await send(hass, target=NUMBERS[provider], message=TEXT)
    message_id = response["messages"][0]["message_id"]
    # The reports came during the half second the answer took (the courier logged them).
    assert sandbox.state.deliveries, "no report reached Home Assistant before the answer"
    await reports_delivered(hass, sandbox)

    mine = [e.data for e in events if e.data["message_id"] == message_id]
    assert mine, "the held reports never fired"
    assert all(d["tracked"] is True and d["phone"] == E164[provider] for d in mine)
    keys = [(d["message_id"], d["provider_status"]) for d in mine]
    assert len(keys) == len(set(keys)), "a report fired twice"
    assert mine[-1]["status"] == "delivered"
    message = entry.runtime_data.ledger.get(message_id)
    assert message is not None
    assert message.status is DeliveryStatus.DELIVERED
    await counts_settled(hass)
    totals = entry.runtime_data.coordinator.data.totals
    if provider != "fibo":  # Fibo's totals are the gateway's own
        assert (totals.delivered, totals.pending) == (1, 0)


async def test_early_report_of_a_lost_send_fires_untracked(
    hass: HomeAssistant,
    sandbox: Sandbox,
    reporting_entry: EntryFactory,
    events: list[Event],
) -> None:
    """The gateway took the send but its answer was lost: the report is not lost with it."""
    entry = await reporting_entry("esms")
    sandbox.state.faults.append(Fault("answer_lost", "esms", 502, path=SEND_PATHS["esms"]))
    with pytest.raises(HomeAssistantError, match="may have been sent"):
        await send(hass, target="0901234567", message=TEXT)
    await reports_delivered(hass, sandbox)
    assert events, "the report was dropped"
    assert {e.data["tracked"] for e in events} == {False}
    assert len(entry.runtime_data.ledger) == 0


def _report(message_id: str, raw: str = "7") -> DeliveryReport:
    return DeliveryReport("esms", message_id, DeliveryStatus.SENT, raw)


def started(router: ReportRouter) -> SendUnderWay:
    """A send starts, as the send path tells it (signals.py)."""
    send = SendUnderWay()
    router._signals.send_started.publish(send)
    return send


def finished(router: ReportRouter, send: SendUnderWay, message: LedgerMessage | None) -> None:
    """The send ends: recorded as `message`, or failed (None)."""
    send.message = message
    router._signals.send_finished.publish(send)


@pytest.fixture
async def router(setup_entry: EntryFactory) -> ReportRouter:
    """The report router of a loaded eSMS entry (no send under way yet)."""
    entry = await setup_entry("esms")
    return entry.runtime_data.reports


async def test_held_reports_are_bounded_in_time(
    hass: HomeAssistant, router: ReportRouter, events: list[Event]
) -> None:
    """A send that never returns cannot hold a report for longer than HOLD_SECONDS."""
    ticket = started(router)
    assert router.async_report(_report("someone-elses"))
    await hass.async_block_till_done()
    assert events == []

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=91))
    await hass.async_block_till_done()
    assert [(e.data["message_id"], e.data["tracked"]) for e in events] == [("someone-elses", False)]
    finished(router, ticket, None)


async def test_held_reports_are_bounded_in_count(
    hass: HomeAssistant, router: ReportRouter, events: list[Event]
) -> None:
    """Past MAX_HELD, a new report is applied at once (untracked); the held ones keep waiting."""
    ticket = started(router)
    with patch("custom_components.sms_bridge.inbound.router.MAX_HELD", 2):
        for number in range(3):
            assert router.async_report(_report(f"x{number}"))
    await hass.async_block_till_done()
    assert [e.data["message_id"] for e in events] == ["x2"]
    finished(router, ticket, None)
    await hass.async_block_till_done()
    assert [e.data["message_id"] for e in events] == ["x2", "x0", "x1"]


async def test_a_flood_during_a_send_leaves_its_early_report_alone(
    hass: HomeAssistant, setup_entry: EntryFactory, events: list[Event]
) -> None:
    """Made-up reports beyond MAX_HELD cannot push out a real report waiting for its send.

    And once claimed, the real report is the ledger's to deduplicate: a flood of made-up keys
    after it, past their own bound, does not make its retry fire again.
    """
    entry = await setup_entry("esms")
    router = entry.runtime_data.reports
    ticket = started(router)
    with (
        patch("custom_components.sms_bridge.inbound.router.MAX_HELD", 5),
        patch("custom_components.sms_bridge.store.seen_reports.MAX_KEYS", 10),
    ):
        assert router.async_report(_report("mine", "5"))
        for number in range(30):
            assert router.async_report(_report(f"forged-{number}"))
        await hass.async_block_till_done()
        assert len(events) == 30 - 4  # four made-up ones wait beside the real one
        sent = SendResult("esms", "mine", "+84901234567", 1)
        finished(router, ticket, entry.runtime_data.ledger.async_record_sent(sent, "x"))
        await hass.async_block_till_done()
        [mine] = [e.data for e in events if e.data["message_id"] == "mine"]
        assert (mine["tracked"], mine["phone"]) == (True, "+84901234567")
        assert len(events) == 31
        for number in range(30, 60):  # its key among the made-up ones is long gone
            assert router.async_report(_report(f"forged-{number}"))
        assert not router.async_report(_report("mine", "5"))
    await hass.async_block_till_done()
    assert len(events) == 61


async def test_report_waits_only_for_sends_already_under_way(
    hass: HomeAssistant, router: ReportRouter, events: list[Event]
) -> None:
    """A report is released once the sends started before it came are done, whatever follows."""
    first = started(router)
    assert router.async_report(_report("r1"))
    second = started(router)  # started after the report: it cannot be its send
    finished(router, first, None)
    await hass.async_block_till_done()
    assert [e.data["message_id"] for e in events] == ["r1"]
    finished(router, second, None)


async def test_duplicate_while_held_fires_once(
    hass: HomeAssistant, router: ReportRouter, events: list[Event]
) -> None:
    """The gateway's retry of a held report is accepted but fires no second event."""
    ticket = started(router)
    assert router.async_report(_report("r1"))
    assert not router.async_report(_report("r1"))
    finished(router, ticket, None)
    await hass.async_block_till_done()
    assert len(events) == 1


async def test_unload_releases_held_reports(
    hass: HomeAssistant, setup_entry: EntryFactory, events: list[Event]
) -> None:
    """Unloading the entry fires what it still held, untracked, rather than dropping it."""
    entry = await setup_entry("esms")
    started(entry.runtime_data.reports)
    assert entry.runtime_data.reports.async_report(_report("r1"))
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert [(e.data["message_id"], e.data["tracked"]) for e in events] == [("r1", False)]


async def test_webhook_reply_does_not_wait_for_the_send(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    client: Client,
    events: list[Event],
) -> None:
    """The gateway gets its OK at once even while its report is held."""
    entry = await setup_entry("esms")
    ticket = started(entry.runtime_data.reports)
    assert await call_webhook(client, entry, query="SMSID=e9&SendStatus=7") == (
        200,
        "text/plain",
        "OK",
    )
    assert events == []
    finished(entry.runtime_data.reports, ticket, None)
    await hass.async_block_till_done()
    assert [e.data["message_id"] for e in events] == ["e9"]
