"""The monthly budget: each send reserves what it should cost; a send over it is refused.

The estimate is the gateway's own where it gives one (eSMS), else the price option times the
segments, else the account's recent average. It stands until a report states the real price.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from decimal import Decimal

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util, slugify
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.sms_bridge.const import DOMAIN
from sandbox import Fault, Sandbox

from .conftest import EntryFactory
from .helpers import gateway_messages, reports_delivered, send_through
from .test_zalo import OTP, ZALO_OPTIONS

#: Fibo at 800 VND a segment, 2,000 a month: two SMS fit, not three.
FIBO_BUDGET = {"price_per_segment": 800, "max_cost_per_month": 2000}
#: Three segments of plain text (160 + 153 + some).
LONG = "x" * 400


def cost_states(hass: HomeAssistant, entry: MockConfigEntry) -> tuple[State, State]:
    """The states of the account's cost sensors: today's and this month's."""
    today = hass.states.get(f"sensor.{slugify(entry.title)}_cost_today")
    month = hass.states.get(f"sensor.{slugify(entry.title)}_cost_this_month")
    assert today is not None
    assert month is not None
    return today, month


def paused(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"sending_paused_{entry.entry_id}")


async def test_a_send_over_the_budget_is_refused_and_pauses_until_next_month(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """Two SMS fit; the third is refused, naming the budget; the repair stays until the 1st."""
    await hass.config.async_set_time_zone("Asia/Ho_Chi_Minh")
    freezer.move_to(datetime(2026, 12, 30, 12, 0, tzinfo=dt_util.get_default_time_zone()))
    entry = await setup_entry("fibo", options=dict(FIBO_BUDGET))
    await send_through(hass, entry, "0901234561", "one")
    await send_through(hass, entry, "0901234562", "two")
    assert entry.runtime_data.ledger.costs.totals().month == 1600

    with pytest.raises(ServiceValidationError) as caught:
        await send_through(hass, entry, "0901234566", "three")
    assert caught.value.translation_key == "limit_reached_budget"
    placeholders = caught.value.translation_placeholders or {}
    assert (placeholders["limit"], placeholders["spent"]) == ("2000 VND", "1600 VND")
    assert placeholders["until"] == "2027-01-01"
    issue = paused(hass, entry)
    assert issue is not None
    assert issue.translation_key == "sending_paused_budget"
    assert len(gateway_messages(sandbox, "fibo")) == 2

    freezer.move_to(datetime(2027, 1, 1, 0, 0, 5, tzinfo=dt_util.get_default_time_zone()))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert paused(hass, entry) is None
    await send_through(hass, entry, "0901234566", "three")


async def test_a_send_too_big_for_what_is_left_says_how_many_fit(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """Three numbers at 800 against 2,000: two would fit; nothing goes out; no repair."""
    entry = await setup_entry("fibo", options=dict(FIBO_BUDGET))
    with pytest.raises(ServiceValidationError) as caught:
        await send_through(hass, entry, ["0901234561", "0901234562", "0901234566"])
    assert caught.value.translation_key == "limit_too_many_budget"
    assert (caught.value.translation_placeholders or {})["room"] == "2"
    assert paused(hass, entry) is None
    assert not gateway_messages(sandbox, "fibo")


async def test_thirty_calls_at_once_against_a_budget_of_five(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """Reservations count what is under way: exactly five SMS go out of thirty calls."""
    entry = await setup_entry(
        "smspay", options={"price_per_segment": 0.1, "max_cost_per_month": 0.5}
    )
    targets = [f"0888{n:06d}" for n in range(100) if n % 10 not in (3, 4, 5)][:30]
    calls = [send_through(hass, entry, t, f"alarm {n}") for n, t in enumerate(targets)]
    results = await asyncio.gather(*calls, return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(gateway_messages(sandbox, "smspay")) == 5
    assert len(errors) == 25
    assert {getattr(e, "translation_key", None) for e in errors} == {"limit_reached_budget"}
    assert entry.runtime_data.ledger.costs.totals().month == Decimal("0.5")


async def test_esms_estimate_is_reserved_and_corrected_by_the_report(
    hass: HomeAssistant, sandbox: Sandbox, reporting_entry: EntryFactory
) -> None:
    """eSMS prices the message before it goes (300 for a ZNS); a failed ZNS's report says 0."""
    entry = await reporting_entry("esms", options=ZALO_OPTIONS | {"max_cost_per_month": 100_000})
    [row] = await send_through(hass, entry, "0901234566", "", channel="zalo", **OTP)
    assert (row["cost"], row["currency"]) == (300.0, "VND")
    assert any("SummaryZaloMessage" in path for _, _, path in sandbox.state.requests)
    assert entry.runtime_data.ledger.costs.totals().month == 300
    await reports_delivered(hass, sandbox)
    assert entry.runtime_data.ledger.costs.totals().month == 0


async def test_esms_sms_estimate_counts_segments(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """A three-segment SMS is estimated by eSMS at three times 800."""
    entry = await setup_entry("esms", options={"max_cost_per_month": 100_000})
    [row] = await send_through(hass, entry, "0901234567", LONG)
    assert row["segments"] == 3
    assert row["cost"] == 2400.0


async def test_without_estimate_or_price_the_recent_average_counts(
    hass: HomeAssistant, sandbox: Sandbox, reporting_entry: EntryFactory
) -> None:
    """eSMS cannot estimate (refused): the average of stated prices per segment stands in."""
    entry = await reporting_entry("esms", options={"max_cost_per_month": 100_000})
    await send_through(hass, entry, "0901234567", "priced by its report")
    await reports_delivered(hass, sandbox)  # TotalPrice=800 stated
    sandbox.state.faults.append(Fault("refuse", "esms", 99, path="SummaryMultipleMessage"))
    [row] = await send_through(hass, entry, "0901234561", "x" * 200)  # two segments
    assert row["cost"] == 1600.0


async def test_a_send_that_may_have_gone_out_keeps_its_cost(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """An answer lost after the gateway took it: its estimate counts against the budget."""
    entry = await setup_entry("fibo", options=dict(FIBO_BUDGET))
    sandbox.state.faults.append(Fault("answer_lost", "fibo", "disconnect", path="SendMaskedSMS"))
    with pytest.raises(Exception):  # noqa: B017, PT011 - the send's own error, tested elsewhere
        await send_through(hass, entry, "0901234561", "maybe")
    assert entry.runtime_data.ledger.costs.totals().month == 800
    await send_through(hass, entry, "0901234562", "fits")
    with pytest.raises(ServiceValidationError):
        await send_through(hass, entry, "0901234566", "over")


async def test_budget_off_never_asks_for_an_estimate(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """Without a budget, eSMS is not asked what a message costs (one request less per send)."""
    entry = await setup_entry("esms")
    await send_through(hass, entry, "0901234567", "no budget")
    assert not any("Summary" in path for _, _, path in sandbox.state.requests)


async def test_the_month_total_resets_on_the_first(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """The cost sensors: money in the account's currency, reset at midnight and on the 1st.

    Local time: Sofia's midnight, not UTC's.
    """
    await hass.config.async_set_time_zone("Europe/Sofia")
    freezer.move_to(datetime(2026, 12, 31, 23, 0, tzinfo=dt_util.get_default_time_zone()))
    entry = await setup_entry("smspay", options={"price_per_segment": 0.06})
    await send_through(hass, entry, "0888123456", "Happy new year")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=2))
    await hass.async_block_till_done()
    today, month = cost_states(hass, entry)
    assert (today.state, month.state) == ("0.06", "0.06")
    assert today.attributes["unit_of_measurement"] == "BGN"
    assert today.attributes["device_class"] == "monetary"
    assert today.attributes["state_class"] == "total"

    freezer.move_to(datetime(2027, 1, 1, 0, 0, 2, tzinfo=dt_util.get_default_time_zone()))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    today, month = cost_states(hass, entry)
    assert (today.state, month.state) == ("0", "0")
    assert today.attributes["last_reset"].startswith("2027-01-01T00:00:00")
