"""Sending: the action, the notify entities and legacy notify services, through every gateway."""
# Bulgarian test texts are Cyrillic on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any
from unittest.mock import patch

from homeassistant.components.notify import legacy as notify_legacy
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import slugify
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.sms_bridge.const import DOMAIN
from custom_components.sms_bridge.journal import EntryJournal
from custom_components.sms_bridge.ledger import Ledger
from sandbox import Fault, Sandbox

from .conftest import PROVIDERS, EntryFactory, Forwarder, reached_at

SEND_PATHS = {
    "fibo": "SendMaskedSMS",
    "esms": "SendMultiple",
    "fpt": "push-brandname",
    "smspay": "/smspay/send",
}
# A valid mobile number of each gateway's country, national form; the last digit picks the
# sandbox outcome (3 refused at send, 4 fails later, anything else delivered).
NUMBERS = {"fibo": "0901234567", "esms": "0901234567", "fpt": "0901234567", "smspay": "0888123456"}
E164 = {
    "fibo": "+84901234567",
    "esms": "+84901234567",
    "fpt": "+84901234567",
    "smspay": "+359888123456",
}
VIETNAMESE = "Cảnh báo: tủ đông số 2 đã lên -5°C, kiểm tra ngay!"


@pytest.fixture(autouse=True)
def no_retry_wait() -> Any:
    """Retry a transient failure at once instead of after two seconds."""
    with patch("custom_components.sms_bridge.outgoing.RETRY_DELAY", 0):
        yield


def gateway_messages(sandbox: Sandbox, provider: str) -> list[Any]:
    """What the sandbox's gateway accepted."""
    return [m for m in sandbox.state.messages.values() if m.gateway == provider]


def send_requests(sandbox: Sandbox, provider: str) -> int:
    """How many send calls reached the gateway."""
    send_paths = (
        "SendMaskedSMS",
        "SendSMS",
        "SendMultipleMessage",
        "push-brandname",
        "/smspay/send",
    )
    return sum(
        1
        for gw, _, path in sandbox.state.requests
        if gw == provider and any(p in path for p in send_paths)
    )


async def _send(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "send", data, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_send_action(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory, provider: str
) -> None:
    """The action sends through the gateway, answers with the ids, and fills the ledger."""
    entry = await setup_entry(provider)
    response = await _send(hass, target=NUMBERS[provider], message="Freezer 2 is at -5 C")
    [sent] = gateway_messages(sandbox, provider)
    assert response == {
        "messages": [
            {
                "target": NUMBERS[provider],
                "phone": E164[provider],
                "message_id": sent.message_id,
                "segments": 1,
                "config_entry_id": entry.entry_id,
                "via_backup": False,
            }
        ]
    }
    assert sent.text == "Freezer 2 is at -5 C"
    ledger_message = entry.runtime_data.ledger.get(sent.message_id)
    assert ledger_message is not None
    assert ledger_message.phone == E164[provider]
    assert hass.states.get(f"sensor.{slugify(entry.title)}_sent_today") is not None


async def test_send_without_response(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """Called without asking for a response, the action still sends."""
    await setup_entry("fibo")
    await hass.services.async_call(
        DOMAIN, "send", {"target": ["0901234567", "0901234568"], "message": "hi"}, blocking=True
    )
    assert len(gateway_messages(sandbox, "fibo")) == 2


async def test_targets_forms_and_repeats(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """A list, a comma string and international forms; the same number twice is sent once."""
    await setup_entry("esms")
    response = await _send(hass, target="0901234567, +84 90 123 4567; 84901234568", message="hello")
    assert [m["phone"] for m in response["messages"]] == ["+84901234567", "+84901234568"]
    assert sorted(m.phone for m in gateway_messages(sandbox, "esms")) == [
        "0901234567",
        "0901234568",
    ]


@pytest.mark.parametrize(
    ("provider", "unicode", "encoding", "expected"),
    [
        ("fibo", False, None, "Canh bao: tu dong so 2 da len -5°C, kiem tra ngay!"),
        ("fibo", True, None, VIETNAMESE),
        ("esms", None, "ascii", "Canh bao: tu dong so 2 da len -5°C, kiem tra ngay!"),
        ("esms", None, "unicode", VIETNAMESE),
        ("esms", None, "auto", VIETNAMESE),
        ("fpt", None, "auto", VIETNAMESE),
        ("smspay", False, None, "Canh bao: tu dong so 2 da len -5°C, kiem tra ngay!"),
    ],
)
async def test_vietnamese_text(
    hass: HomeAssistant,
    sandbox: Sandbox,
    setup_entry: EntryFactory,
    provider: str,
    unicode: bool | None,
    encoding: str | None,
    expected: str,
) -> None:
    """Plain text loses its diacritics (đ included); Unicode keeps them, byte for byte."""
    await setup_entry(provider, options={"encoding": encoding} if encoding else None)
    data: dict[str, Any] = {"target": NUMBERS[provider], "message": VIETNAMESE}
    if unicode is not None:
        data["unicode"] = unicode
    await _send(hass, **data)
    [sent] = gateway_messages(sandbox, provider)
    assert sent.text == expected
    if provider == "fibo":
        assert sent.details["service_type"] == (1 if expected == VIETNAMESE else 0)


BULGARIAN = "Здравей! Хладилникът в склад 3 в България е на 12 градуса, провери го веднага."
BULGARIAN_PLAIN = "Zdravey! Hladilnikat v sklad 3 v Bulgaria e na 12 gradusa, proveri go vednaga."


@pytest.mark.parametrize(
    ("unicode", "encoding", "expected", "segments"),
    [
        (None, "ascii", BULGARIAN_PLAIN, 1),
        (False, None, BULGARIAN_PLAIN, 1),
        (None, "auto", BULGARIAN, 2),  # Cyrillic needs Unicode: 70 characters a segment
        (None, "unicode", BULGARIAN, 2),
    ],
    ids=["ascii", "unicode-false", "auto", "unicode"],
)
async def test_bulgarian_text(
    hass: HomeAssistant,
    sandbox: Sandbox,
    setup_entry: EntryFactory,
    unicode: bool | None,
    encoding: str | None,
    expected: str,
    segments: int,
) -> None:
    """Plain text is transliterated to Latin (GSM-7, one segment); Unicode keeps the Cyrillic."""
    await setup_entry("smspay", options={"encoding": encoding} if encoding else None)
    data: dict[str, Any] = {"target": NUMBERS["smspay"], "message": BULGARIAN}
    if unicode is not None:
        data["unicode"] = unicode
    response = await _send(hass, **data)
    [sent] = gateway_messages(sandbox, "smspay")
    assert sent.text == expected
    assert sent.segments == response["messages"][0]["segments"] == segments


@pytest.mark.parametrize(
    ("message", "unicode", "segments"),
    [
        ("a" * 160, False, 1),
        ("a" * 161, False, 2),
        ("a" * 306, False, 2),
        ("a" * 307, False, 3),
        ("ă" * 70, True, 1),
        ("ă" * 71, True, 2),
        ("ă" * 134, True, 2),
        ("ă" * 135, True, 3),
    ],
)
async def test_segments_at_boundaries(
    hass: HomeAssistant, setup_entry: EntryFactory, message: str, unicode: bool, segments: int
) -> None:
    """GSM-7 holds 160 then 153 a segment, UCS-2 70 then 67; each message says how many."""
    await setup_entry("fpt")
    response = await _send(hass, target="0901234567", message=message, unicode=unicode)
    assert response["messages"][0]["segments"] == segments


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"target": "0901234567, 12345, abc", "message": "hi"}, "invalid_numbers"),
        ({"target": " , ", "message": "hi"}, "no_target"),
        ({"target": "0901234567", "message": "  "}, "empty_message"),
    ],
)
async def test_validation_sends_nothing(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory, data: dict[str, Any], key: str
) -> None:
    """Bad input is refused before anything goes out, with a translated error naming it."""
    await setup_entry("fibo")
    with pytest.raises(ServiceValidationError) as caught:
        await _send(hass, **data)
    assert caught.value.translation_key == key
    if key == "invalid_numbers":
        assert caught.value.translation_placeholders == {"numbers": "12345, abc"}
        assert "12345, abc" in str(caught.value)
    assert gateway_messages(sandbox, "fibo") == []


def count_sends(
    entry: MockConfigEntry, on_each: Callable[[], Awaitable[None]] | None = None
) -> list[int]:
    """Count calls of the entry's real gateway client `send`; `on_each` runs after each."""
    provider = entry.runtime_data.provider
    real_send = provider.send
    calls: list[int] = []

    async def send(message: Any) -> Any:
        calls.append(1)
        try:
            return await real_send(message)
        finally:
            if on_each is not None:
                await on_each()

    provider.send = send  # type: ignore[method-assign]
    return calls


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
    response = await _send(hass, target=NUMBERS[provider], message="retry me")
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
        await _send(hass, target="0901234567", message="hi")
    assert caught.value.translation_key == "send_failed"
    assert "0901234567" in str(caught.value)
    assert "may have been sent" not in str(caught.value)
    assert len(calls) == 2
    assert gateway_messages(sandbox, "esms") == []


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("lost", [502, 504, "disconnect"])
async def test_answer_lost_after_accept_sends_once(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory, provider: str, lost: Any
) -> None:
    """A proxy answers 502/504 (or drops the line) after the gateway took the message.

    It may have been sent, so it is not tried again: exactly one SMS, and the error says so.
    """
    await setup_entry(provider)
    before = send_requests(sandbox, provider)
    sandbox.state.faults.append(Fault("answer_lost", provider, lost, path=SEND_PATHS[provider]))
    with pytest.raises(HomeAssistantError) as caught:
        await _send(hass, target=NUMBERS[provider], message="once only")
    assert NUMBERS[provider] in str(caught.value)
    assert "may have been sent" in str(caught.value)
    assert send_requests(sandbox, provider) - before == 1
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
    before = send_requests(sandbox, provider)
    sandbox.state.faults.append(Fault("refuse", provider, code, path=SEND_PATHS[provider]))
    with pytest.raises(HomeAssistantError) as caught:
        await _send(hass, target=NUMBERS[provider], message="hi")
    assert NUMBERS[provider] in str(caught.value)
    assert "Sent 0 of 1" in str(caught.value)
    assert send_requests(sandbox, provider) - before == 1


async def test_timeout_never_retried(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """No answer in time may mean it went out: not tried again, and the error says so."""
    entry = await setup_entry("fibo")
    entry.runtime_data.provider._timeout = __import__("aiohttp").ClientTimeout(total=0.3)
    sandbox.state.faults.append(Fault("timeout", "fibo", 5, path="SendMaskedSMS"))
    with pytest.raises(HomeAssistantError) as caught:
        await _send(hass, target="0901234567", message="hi")
    assert "may have been sent" in str(caught.value)
    assert send_requests(sandbox, "fibo") == 1


async def test_partial_failure(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """One refused number: the error names it and counts the rest, which are in the ledger."""
    entry = await setup_entry("fibo")
    with pytest.raises(HomeAssistantError) as caught:
        await _send(hass, target=["0901234567", "0901234563", "0901234568"], message="hi")
    text = str(caught.value)
    assert "Sent 2 of 3" in text
    assert "0901234563" in text
    assert "0901234567" not in text
    sent = gateway_messages(sandbox, "fibo")
    assert len(sent) == 2
    assert all(entry.runtime_data.ledger.get(m.message_id) for m in sent)


async def test_refused_credentials_start_reauth(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """A send refused for bad credentials starts reauthentication."""
    await setup_entry("esms")
    sandbox.state.first_account("esms").secrets["SecretKey"] = "rotated"
    with pytest.raises(HomeAssistantError):
        await _send(hass, target="0901234567", message="hi")
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
    response = await _send(hass, target=targets, message="all hands")
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
    responses = await asyncio.gather(*(_send(hass, target=b, message="all hands") for b in batches))
    assert sum(len(r["messages"]) for r in responses) == 20
    assert sandbox.state.max_in_flight == 2


async def test_ledger_survives_restart(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """What was sent is still known after the entry is unloaded and loaded from storage."""
    entry = await setup_entry("fpt")
    response = await _send(hass, target="0901234567", message="Điện mất ở kho 3")
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


async def test_choosing_the_account(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """With two accounts config_entry_id is required; a wrong or unloaded one is refused."""
    await setup_entry("fibo")
    esms = await setup_entry("esms")
    with pytest.raises(ServiceValidationError) as caught:
        await _send(hass, target="0901234567", message="hi")
    assert caught.value.translation_key == "entry_required"
    await _send(hass, target="0901234567", message="hi", config_entry_id=esms.entry_id)
    assert len(gateway_messages(sandbox, "esms")) == 1
    with pytest.raises(ServiceValidationError) as caught:
        await _send(hass, target="0901234567", message="hi", config_entry_id="nope")
    assert caught.value.translation_key == "entry_not_found"
    await hass.config_entries.async_unload(esms.entry_id)
    with pytest.raises(ServiceValidationError) as caught:
        await _send(hass, target="0901234567", message="hi", config_entry_id=esms.entry_id)
    assert caught.value.translation_key == "entry_not_loaded"


async def test_no_account(hass: HomeAssistant, sandbox: Sandbox) -> None:
    """Without a loaded account the action says so."""
    assert await async_setup_component(hass, DOMAIN, {})
    with pytest.raises(ServiceValidationError) as caught:
        await _send(hass, target="0901234567", message="hi")
    assert caught.value.translation_key == "no_entry_loaded"


async def test_sender_override(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """The call's sender wins over the option, which wins over the account's brandname."""
    await setup_entry("fibo", options={"sender": "FIBO"})
    await _send(hass, target="0901234567", message="a")
    await _send(hass, target="0901234568", message="b", sender="SMSBRIDGE")
    senders = sorted((m.phone, m.details["sender"]) for m in gateway_messages(sandbox, "fibo"))
    assert senders == [("0901234567", "FIBO"), ("0901234568", "SMSBRIDGE")]


def _add_recipient(
    hass: HomeAssistant, entry: MockConfigEntry, title: str, numbers: list[str]
) -> None:
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data={"numbers": numbers}, subentry_type="recipient", title=title, unique_id=None
        ),
    )


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_notify_entity(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory, provider: str
) -> None:
    """A recipient's notify entity texts all its numbers, the title first."""
    entry = await setup_entry(provider)
    other = "+84901234568" if provider != "smspay" else "+359888123457"
    _add_recipient(hass, entry, "Night shift", [E164[provider], other])
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
    _add_recipient(hass, entry, "Owner", ["+84901234563"])
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
    await _send(hass, target=["0901234567", "0901234568"], message="hi")
    await hass.async_block_till_done()
    assert hass.states.get(sensor).state == after  # type: ignore[union-attr]


async def test_alert_through_recipient_service(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """The `alert` integration texts a recipient through notify.<entry>_<recipient>."""
    entry = await setup_entry("fibo")
    _add_recipient(hass, entry, "Night shift", ["+84901234567", "+84901234568"])
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
    registry = dr.async_get(hass)
    _add_recipient(hass, entry, "Night shift", ["+84901234567"])
    await hass.async_block_till_done()
    [subentry_id] = entry.subentries
    device = registry.async_get_device({(DOMAIN, f"{entry.entry_id}_{subentry_id}")})
    assert device is not None
    assert hass.states.get("notify.night_shift") is not None

    assert hass.config_entries.async_remove_subentry(entry, subentry_id)
    await hass.async_block_till_done()
    assert registry.async_get_device({(DOMAIN, f"{entry.entry_id}_{subentry_id}")}) is None
    assert hass.states.get("notify.night_shift") is None
    assert registry.async_get_device({(DOMAIN, entry.entry_id)}) is not None  # the account's
