"""sms_bridge.get_messages: the ledger, newest first, filtered as asked, never read further."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.sms_bridge.const import DOMAIN
from custom_components.sms_bridge.providers.models import DeliveryReport, DeliveryStatus, SendResult
from custom_components.sms_bridge.store.ledger import Ledger, LedgerMessage
from sandbox import Sandbox

from .conftest import EntryFactory
from .helpers import reports_delivered


async def get_messages(hass: HomeAssistant, **data: Any) -> list[dict[str, Any]]:
    """Call the action as a script does, with a response variable."""
    response = await hass.services.async_call(
        DOMAIN, "get_messages", data, blocking=True, return_response=True
    )
    assert response is not None
    messages: list[dict[str, Any]] = response["messages"]  # type: ignore[assignment]
    return messages


def record(
    entry: MockConfigEntry, message_id: str, phone: str, text: str = "Kho 3: cửa mở"
) -> None:
    """A message the gateway accepted, straight into the entry's ledger."""
    entry.runtime_data.ledger.async_record_sent(
        SendResult(provider=entry.data["provider"], message_id=message_id, phone=phone, segments=1),
        text,
    )


async def test_sent_messages_and_their_reports(
    hass: HomeAssistant,
    sandbox: Sandbox,
    reporting_entry: EntryFactory,
) -> None:
    """Sent through the action, reported over HTTP: each message as DESIGN.md lists it.

    Times are in Home Assistant's zone; a failure says why in words beside the gateway's code.
    """
    await hass.config.async_set_time_zone("Europe/Sofia")
    entry = await reporting_entry("smspay")
    text = "Склад 3: вратата е отворена от 10 минути, температурата се качва, провери!"  # noqa: RUF001
    for number in ("0888123456", "0888123454"):
        await hass.services.async_call(
            DOMAIN, "send", {"target": number, "message": text}, blocking=True
        )
    await reports_delivered(hass, sandbox)

    failed, delivered = await get_messages(hass)
    assert (failed["phone"], failed["status"], failed["final"]) == ("+359888123454", "failed", True)
    assert (failed["reason_key"], failed["reason"]) == ("not_delivered", "Not delivered")
    assert failed["history"][-1]["provider_status"] == "2"  # the gateway's code stays beside it
    assert failed["history"][-1]["reason"] == "Not delivered"
    assert failed["sent_at"].endswith(("+02:00", "+03:00"))  # Sofia, not UTC
    assert delivered["account"] == entry.title
    assert delivered["phone"] == "+359888123456"
    assert delivered["status"] == "delivered"
    assert delivered["config_entry_id"] == entry.entry_id
    assert delivered["text"] == text[:40]  # the ledger keeps the first 40 characters
    assert delivered["segments"] == 2
    assert dt_util.parse_datetime(failed["sent_at"]) > dt_util.parse_datetime(delivered["sent_at"])
    assert delivered["resent_as"] is None
    assert delivered["resend_of"] is None
    assert delivered["reason"] is delivered["reason_key"] is None
    history = delivered["history"]
    reports = [d for d in sandbox.state.deliveries if d.message_id == delivered["message_id"]]
    assert len(history) == len(reports)
    assert (history[-1]["status"], history[-1]["provider_status"]) == ("delivered", "1")
    assert all(dt_util.parse_datetime(report["time"]) for report in history)
    assert set(delivered) == {
        "config_entry_id",
        "account",
        "message_id",
        "phone",
        "text",
        "segments",
        "sent_at",
        "status",
        "final",
        "history",
        "reason_key",
        "reason",
        "channel",
        "cost",
        "currency",
        "resent_as",
        "resend_of",
    }


@pytest.fixture
async def two_accounts(
    hass: HomeAssistant, setup_entry: EntryFactory, freezer: FrozenDateTimeFactory
) -> tuple[MockConfigEntry, MockConfigEntry]:
    """A Vietnamese and a Bulgarian account, their messages interleaved a minute apart.

    fibo: f0 f2 f4 f6 to +84901234567 and +84901234568 in turn; smspay: b1 b3 b5 to one number.
    """
    fibo = await setup_entry("fibo")
    smspay = await setup_entry("smspay")
    for number in range(7):
        if number % 2:
            record(smspay, f"b{number}", "+359888123456")
        else:
            record(fibo, f"f{number}", f"+8490123456{7 + number % 4 // 2}")
        freezer.tick(timedelta(minutes=1))
    fibo.runtime_data.ledger.async_record_report(
        DeliveryReport(
            provider="fibo", message_id="f2", status=DeliveryStatus.DELIVERED, provider_status="2"
        )
    )
    return fibo, smspay


def ids(messages: list[dict[str, Any]]) -> list[str]:
    """The message ids, in the answer's order."""
    return [message["message_id"] for message in messages]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["f6", "b5", "f4", "b3", "f2", "b1", "f0"]),
        ({"limit": 3}, ["f6", "b5", "f4"]),
        ({"status": "delivered"}, ["f2"]),
        ({"status": "failed"}, []),
        ({"message_id": "b3"}, ["b3"]),
        ({"message_id": "nope"}, []),
        # Any way of writing a number; each account reads it in its own country.
        ({"phone": "0901234568"}, ["f6", "f2"]),
        ({"phone": "+84 90 123 4567"}, ["f4", "f0"]),
        ({"phone": "84901234567"}, ["f4", "f0"]),
        ({"phone": "0888 123 456"}, ["b5", "b3", "b1"]),
        ({"phone": "+359888123456", "limit": 1}, ["b5"]),
        ({"phone": "0901234568", "status": "pending"}, ["f6"]),
    ],
)
async def test_filters_across_accounts(
    hass: HomeAssistant,
    two_accounts: tuple[MockConfigEntry, MockConfigEntry],
    query: dict[str, Any],
    expected: list[str],
) -> None:
    """Every loaded account by default, newest first across them; filters combine."""
    assert ids(await get_messages(hass, **query)) == expected


async def test_one_account_and_since(
    hass: HomeAssistant, two_accounts: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """config_entry_id keeps to one account; since (local time or with a zone) cuts the past."""
    fibo, smspay = two_accounts
    assert ids(await get_messages(hass, config_entry_id=smspay.entry_id)) == ["b5", "b3", "b1"]
    three_minutes_ago = dt_util.now() - timedelta(minutes=3, seconds=30)
    assert ids(await get_messages(hass, since=three_minutes_ago.isoformat())) == ["f6", "b5", "f4"]
    local = three_minutes_ago.replace(tzinfo=None).isoformat()
    assert ids(await get_messages(hass, config_entry_id=fibo.entry_id, since=local)) == [
        "f6",
        "f4",
    ]


async def test_reads_no_further_than_needed(
    hass: HomeAssistant, setup_entry: EntryFactory, freezer: FrozenDateTimeFactory
) -> None:
    """Out of 1,000 messages, the 5 newest cost 5 reads; `since` stops the walk where it is."""
    entry = await setup_entry("esms")
    for number in range(1000):
        record(entry, f"m{number}", "+84901234567")
        freezer.tick(timedelta(seconds=1))
    reads = 0
    walk = Ledger.newest_first

    def counted(ledger: Ledger) -> Iterator[LedgerMessage]:
        nonlocal reads
        for message in walk(ledger):
            reads += 1
            yield message

    with patch.object(Ledger, "newest_first", counted):
        assert ids(await get_messages(hass, limit=5)) == [f"m{n}" for n in range(999, 994, -1)]
        assert reads == 5
        reads = 0
        since = dt_util.utcnow() - timedelta(seconds=10.5)
        assert len(await get_messages(hass, since=since.isoformat(), status="failed")) == 0
        assert reads == 11  # ten in the window, and the first one before it


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"config_entry_id": "nope"}, "entry_not_found"),
        ({"phone": "12345"}, "invalid_numbers"),
        ({"since": "9999-12-31T23:59:00"}, "invalid_since"),
        ({"since": "9999-12-31T23:59:00-12:00"}, "invalid_since"),  # past the end of time in UTC
        ({"since": (dt_util.now() + timedelta(days=2)).isoformat()}, "invalid_since"),
    ],
)
async def test_errors(
    hass: HomeAssistant, setup_entry: EntryFactory, data: dict[str, Any], key: str
) -> None:
    """An unknown account, a number no account can read: translated errors."""
    await setup_entry("fibo")
    with pytest.raises(ServiceValidationError) as caught:
        await get_messages(hass, **data)
    assert caught.value.translation_key == key


@pytest.mark.parametrize("limit", [0, 1001, "many"])
async def test_limit_is_checked(hass: HomeAssistant, setup_entry: EntryFactory, limit: Any) -> None:
    """1 to 1000 messages; anything else is refused before the ledger is read."""
    await setup_entry("fibo")
    with pytest.raises(vol.Invalid):
        await get_messages(hass, limit=limit)


async def test_no_account_loaded(hass: HomeAssistant, setup_entry: EntryFactory) -> None:
    """With every account unloaded there is nothing to ask: it says so."""
    entry = await setup_entry("fibo")
    assert await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as caught:
        await get_messages(hass)
    assert caught.value.translation_key == "no_entry_loaded"


async def test_response_is_required(hass: HomeAssistant, setup_entry: EntryFactory) -> None:
    """The action only answers: a call without a response variable is refused."""
    await setup_entry("fibo")
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(DOMAIN, "get_messages", {}, blocking=True)
