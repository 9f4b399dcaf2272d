"""The send path's rules: retry only what surely was not sent, bounded, remembered, reauth."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest

from custom_components.sms_bridge.const import DOMAIN
from custom_components.sms_bridge.store.journal import EntryJournal
from custom_components.sms_bridge.store.ledger import Ledger
from sandbox import Fault, Sandbox

from .conftest import PROVIDERS, EntryFactory, Forwarder, reached_at
from .helpers import (
    NUMBERS,
    SEND_PATHS,
    TEXT,
    count_sends,
    gateway_messages,
    send,
    send_requests,
)

pytestmark = pytest.mark.usefixtures("no_retry_wait")


async def _fails_after_one_request(
    hass: HomeAssistant, sandbox: Sandbox, provider: str, fault: str, value: Any
) -> str:
    """Send into a fault on the gateway's send path: one request, an error naming the number.

    Returns the error's text.
    """
    before = send_requests(sandbox, provider)
    sandbox.state.faults.append(Fault(fault, provider, value, path=SEND_PATHS[provider]))
    with pytest.raises(HomeAssistantError) as caught:
        await send(hass, target=NUMBERS[provider], message=TEXT)
    assert NUMBERS[provider] in str(caught.value)
    assert send_requests(sandbox, provider) - before == 1
    return str(caught.value)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_unreachable_gateway_retried_once(
    hass: HomeAssistant,
    sandbox: Sandbox,
    forwarder: Forwarder,
    setup_entry: EntryFactory,
    provider: str,
) -> None:
    """A refused connection surely sent nothing: tried once more, and then the SMS goes out."""
    await forwarder.open()  # Fibo and eSMS ask for the balance at setup
    entry = await setup_entry(provider, **reached_at(sandbox, provider, forwarder.url))
    await forwarder.close()
    calls = count_sends(entry, on_each=forwarder.open)  # the gateway is back after one try
    response = await send(hass, target=NUMBERS[provider], message="retry me")
    assert len(calls) == 2
    assert len(gateway_messages(sandbox, provider)) == 1
    assert (
        response["messages"][0]["message_id"] == gateway_messages(sandbox, provider)[0].message_id
    )


async def test_unreachable_gateway_twice_fails(
    hass: HomeAssistant, sandbox: Sandbox, forwarder: Forwarder, setup_entry: EntryFactory
) -> None:
    """Unreachable twice in a row: two attempts, then an error naming the number, not sent."""
    await forwarder.open()  # eSMS asks for the balance at setup
    entry = await setup_entry("esms", **reached_at(sandbox, "esms", forwarder.url))
    await forwarder.close()
    calls = count_sends(entry)
    with pytest.raises(HomeAssistantError) as caught:
        await send(hass, target="0901234567", message="hi")
    assert caught.value.translation_key == "send_failed"
    assert "0901234567" in str(caught.value)
    assert "may have been sent" not in str(caught.value)
    assert len(calls) == 2
    assert gateway_messages(sandbox, "esms") == []


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("lost", [502, 504, "disconnect", "after_headers", "mid_body"])
async def test_answer_lost_after_accept_sends_once(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory, provider: str, lost: Any
) -> None:
    """The gateway took the message, then its answer was lost.

    A proxy answers 502/504, or the connection drops before the status line, after the
    headers or halfway through the body. It may have been sent, so it is not tried again:
    exactly one SMS, and the error says so.
    """
    await setup_entry(provider)
    error = await _fails_after_one_request(hass, sandbox, provider, "answer_lost", lost)
    assert "may have been sent" in error
    assert len(gateway_messages(sandbox, provider)) == 1


@pytest.mark.parametrize(
    ("provider", "code"),
    [("fibo", 6), ("esms", 103), ("fpt", 2504), ("smspay", "insufficient credit")],
)
async def test_refusal_never_retried(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory, provider: str, code: Any
) -> None:
    """A gateway refusal is sent once and reported with the gateway's reason."""
    await setup_entry(provider)
    error = await _fails_after_one_request(hass, sandbox, provider, "refuse", code)
    assert "Sent 0 of 1" in error


async def test_timeout_never_retried(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """No answer in time may mean it went out: not tried again, and the error says so."""
    entry = await setup_entry("fibo")
    entry.runtime_data.provider._timeout = __import__("aiohttp").ClientTimeout(total=0.3)
    sandbox.state.faults.append(Fault("timeout", "fibo", 5, path="SendMaskedSMS"))
    with pytest.raises(HomeAssistantError) as caught:
        await send(hass, target="0901234567", message="hi")
    assert "may have been sent" in str(caught.value)
    assert send_requests(sandbox, "fibo") == 1


async def test_refused_credentials_start_reauth(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """A send refused for bad credentials starts reauthentication."""
    await setup_entry("esms")
    sandbox.state.first_account("esms").secrets["SecretKey"] = "rotated"
    with pytest.raises(HomeAssistantError):
        await send(hass, target="0901234567", message="hi")
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_concurrency_bound(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """Many recipients at once never exceed the entry's concurrency option."""
    await setup_entry("smspay", options={"concurrency": 2})
    sandbox.state.faults.append(Fault("latency", "smspay", 0.1, count=-1))
    sandbox.state.max_in_flight = 0
    targets = [f"088812345{digit}" for digit in "0126789"]  # no 3: the sandbox refuses those
    response = await send(hass, target=targets, message="all hands")
    assert len(response["messages"]) == 7
    assert sandbox.state.max_in_flight == 2


async def test_concurrency_bound_is_for_the_whole_account(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """Four calls at once still put no more sends in flight than the option allows."""
    await setup_entry("smspay", options={"concurrency": 2})
    sandbox.state.faults.append(Fault("latency", "smspay", 0.1, count=-1))
    sandbox.state.max_in_flight = 0
    batches = [[f"08881234{call}{digit}" for digit in "01267"] for call in range(4)]
    responses = await asyncio.gather(*(send(hass, target=b, message="all hands") for b in batches))
    assert sum(len(r["messages"]) for r in responses) == 20
    assert sandbox.state.max_in_flight == 2


async def test_ledger_survives_restart(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """What was sent is still known after the entry is unloaded and loaded from storage."""
    entry = await setup_entry("fpt")
    response = await send(hass, target="0901234567", message="Điện mất ở kho 3")
    message_id = response["messages"][0]["message_id"]
    assert await hass.config_entries.async_unload(entry.entry_id)
    journal = EntryJournal(hass, entry.entry_id)
    ledger = Ledger(journal)
    await journal.async_load()
    stored = ledger.get(message_id)
    assert stored is not None
    assert (stored.phone, stored.preview, stored.segments) == (
        "+84901234567",
        "Điện mất ở kho 3",
        1,
    )


@pytest.mark.parametrize(
    ("provider", "sensor", "before", "after"),
    [
        ("fibo", "sensor.fibosms_cl1609110001_balance", "1000", "998"),
        ("esms", "sensor.esms_smsbridge_balance", "500000", "498400"),
    ],
)
async def test_balance_follows_a_send(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    provider: str,
    sensor: str,
    before: str,
    after: str,
) -> None:
    """Sending asks the gateway for the balance again at once, not at the next poll."""
    await setup_entry(provider)
    assert hass.states.get(sensor).state == before  # type: ignore[union-attr]
    await send(hass, target=["0901234567", "0901234568"], message="hi")
    await hass.async_block_till_done()
    assert hass.states.get(sensor).state == after  # type: ignore[union-attr]
