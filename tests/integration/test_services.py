"""The sms_bridge.send action: its answer, targets, texts, segments, validation and accounts."""
# Bulgarian test texts are Cyrillic on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import slugify
import pytest

from custom_components.sms_bridge.const import DOMAIN
from sandbox import Sandbox

from .conftest import PROVIDERS, EntryFactory
from .helpers import E164, NUMBERS, gateway_messages, send

VIETNAMESE = "Cảnh báo: tủ đông số 2 đã lên -5°C, kiểm tra ngay!"


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_send_action(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory, provider: str
) -> None:
    """The action sends through the gateway, answers with the ids, and fills the ledger."""
    entry = await setup_entry(provider)
    response = await send(hass, target=NUMBERS[provider], message="Freezer 2 is at -5 C")
    [sent] = gateway_messages(sandbox, provider)
    assert response == {
        "messages": [
            {
                "target": NUMBERS[provider],
                "phone": E164[provider],
                "message_id": sent.message_id,
                "segments": 1,
                "channel": "sms",
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
    response = await send(hass, target="0901234567, +84 90 123 4567; 84901234568", message="hello")
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
    await send(hass, **data)
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
    response = await send(hass, **data)
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
    response = await send(hass, target="0901234567", message=message, unicode=unicode)
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
        await send(hass, **data)
    assert caught.value.translation_key == key
    if key == "invalid_numbers":
        assert caught.value.translation_placeholders == {"numbers": "12345, abc"}
        assert "12345, abc" in str(caught.value)
    assert gateway_messages(sandbox, "fibo") == []


async def test_choosing_the_account(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """With two accounts config_entry_id is required; a wrong or unloaded one is refused."""
    await setup_entry("fibo")
    esms = await setup_entry("esms")
    with pytest.raises(ServiceValidationError) as caught:
        await send(hass, target="0901234567", message="hi")
    assert caught.value.translation_key == "entry_required"
    await send(hass, target="0901234567", message="hi", config_entry_id=esms.entry_id)
    assert len(gateway_messages(sandbox, "esms")) == 1
    with pytest.raises(ServiceValidationError) as caught:
        await send(hass, target="0901234567", message="hi", config_entry_id="nope")
    assert caught.value.translation_key == "entry_not_found"
    await hass.config_entries.async_unload(esms.entry_id)
    with pytest.raises(ServiceValidationError) as caught:
        await send(hass, target="0901234567", message="hi", config_entry_id=esms.entry_id)
    assert caught.value.translation_key == "entry_not_loaded"


async def test_no_account(hass: HomeAssistant, sandbox: Sandbox) -> None:
    """Without a loaded account the action says so."""
    assert await async_setup_component(hass, DOMAIN, {})
    with pytest.raises(ServiceValidationError) as caught:
        await send(hass, target="0901234567", message="hi")
    assert caught.value.translation_key == "no_entry_loaded"


async def test_sender_override(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """The call's sender wins over the option, which wins over the account's brandname."""
    await setup_entry("fibo", options={"sender": "FIBO"})
    await send(hass, target="0901234567", message="a")
    await send(hass, target="0901234568", message="b", sender="SMSBRIDGE")
    senders = sorted((m.phone, m.details["sender"]) for m in gateway_messages(sandbox, "fibo"))
    assert senders == [("0901234567", "FIBO"), ("0901234568", "SMSBRIDGE")]


async def test_partial_failure(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """One refused number: the error names it and counts the rest, which are in the ledger."""
    entry = await setup_entry("fibo")
    with pytest.raises(HomeAssistantError) as caught:
        await send(hass, target=["0901234567", "0901234563", "0901234568"], message="hi")
    text = str(caught.value)
    assert "Sent 2 of 3" in text
    assert "0901234563" in text
    assert "0901234567" not in text
    sent = gateway_messages(sandbox, "fibo")
    assert len(sent) == 2
    assert all(entry.runtime_data.ledger.get(m.message_id) for m in sent)
