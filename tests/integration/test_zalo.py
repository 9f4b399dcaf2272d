"""Zalo through eSMS: a ZNS template message, Zalo first with SMS as the fallback, the checks.

Everything goes over loopback to the sandbox's eSMS, whose reports come back to the webhook.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from sandbox import Fault, Sandbox

from .conftest import EntryFactory
from .helpers import gateway_messages, reports_delivered, send, send_requests, send_through
from .test_messages import get_messages

OA = "4097311281936189049"
OTP = {"zalo_template": "2056446", "zalo_params": {"otp": "123456"}}
ZALO_OPTIONS = {"zalo_oa": OA}


@pytest.fixture
async def esms(reporting_entry: EntryFactory) -> MockConfigEntry:
    """An eSMS account with its Zalo Official Account, reports coming back to Home Assistant."""
    return await reporting_entry("esms", options=dict(ZALO_OPTIONS))


def of(events: list[Event], message_id: str) -> list[dict[str, Any]]:
    """The report events of one message, in order."""
    return [e.data for e in events if e.data["message_id"] == message_id]


async def test_zalo_message_is_sent_reported_and_priced(
    hass: HomeAssistant, sandbox: Sandbox, esms: MockConfigEntry, events: list[Event]
) -> None:
    """A ZNS goes out once; its report says Zalo, delivered, and the template's price."""
    [row] = await send_through(hass, esms, "0901234567", message="", channel="zalo", **OTP)
    assert row["channel"] == "zalo"
    [sent] = gateway_messages(sandbox, "esms")
    assert sent.details["channel"] == "zalo"
    assert sent.details["oa_id"] == OA
    await reports_delivered(hass, sandbox)

    [report] = of(events, row["message_id"])
    assert (report["channel"], report["status"], report["final"]) == ("zalo", "delivered", True)
    assert (report["cost"], report["currency"]) == (300.0, "VND")
    [message] = await get_messages(hass)
    assert (message["channel"], message["status"]) == ("zalo", "delivered")
    assert (message["cost"], message["currency"]) == (300.0, "VND")
    assert esms.runtime_data.ledger.costs.totals().today == 300


async def test_zalo_then_sms_falls_back_when_zalo_fails(
    hass: HomeAssistant, sandbox: Sandbox, esms: MockConfigEntry, events: list[Event]
) -> None:
    """Not on Zalo (ending 6): Zalo fails with -114, eSMS sends the SMS, the message is delivered.

    The history keeps the Zalo failure with its reason and the SMS leg's reports; the cost is the
    legs' (a failed ZNS costs nothing, the SMS 800).
    """
    [row] = await send_through(
        hass, esms, "0901234566", message="Ma xac minh 123456", channel="zalo_sms", **OTP
    )
    assert row["channel"] == "zalo_sms"
    await reports_delivered(hass, sandbox)

    reports = [e.data for e in events if e.data["tracked"]]
    # The SMS leg's reports carry eSMS's id of the SMS; they name the message the send answered.
    assert {r["message_id"] for r in reports} == {row["message_id"]}
    sms_id = {sent.message_id for sent in gateway_messages(sandbox, "esms")} - {row["message_id"]}
    assert {r.get("leg_message_id") for r in reports if r["channel"] == "sms"} == sms_id
    assert (reports[0]["channel"], reports[0]["status"]) == ("zalo", "failed")
    assert reports[0]["reason_key"] == "zalo_inactive"
    assert reports[0]["final"] is False  # the SMS leg is still to come
    assert (reports[-1]["channel"], reports[-1]["status"]) == ("sms", "delivered")
    assert reports[-1]["final"] is True
    [message] = await get_messages(hass)
    assert message["status"] == "delivered"
    assert message["history"][0]["status"] == "failed"
    assert message["history"][0]["reason_key"] == "zalo_inactive"
    assert (message["cost"], message["currency"]) == (800.0, "VND")
    assert len(gateway_messages(sandbox, "esms")) == 2  # the ZNS and eSMS's own SMS, no more


async def test_zalo_alone_failing_is_final(
    hass: HomeAssistant, sandbox: Sandbox, esms: MockConfigEntry, events: list[Event]
) -> None:
    """Zalo alone to a number not on Zalo: failed, with the reason, and no SMS goes out."""
    [row] = await send_through(hass, esms, "0901234566", message="", channel="zalo", **OTP)
    await reports_delivered(hass, sandbox)
    [report] = of(events, row["message_id"])
    assert (report["status"], report["final"], report["reason_key"]) == (
        "failed",
        True,
        "zalo_inactive",
    )
    assert len(gateway_messages(sandbox, "esms")) == 1


@pytest.mark.parametrize(
    ("provider", "options", "call", "key"),
    [
        ("esms", ZALO_OPTIONS, {"channel": "fax", "message": "x"}, "unknown_channel"),
        ("fibo", {}, {"channel": "zalo", **OTP}, "channel_not_supported"),
        ("esms", ZALO_OPTIONS, {"channel": "viber", "message": "x"}, "channel_not_supported"),
        ("esms", {}, {"channel": "zalo", **OTP}, "zalo_oa_missing"),
        ("esms", ZALO_OPTIONS, {"channel": "zalo"}, "zalo_template_required"),
        ("esms", ZALO_OPTIONS, {"channel": "zalo", "zalo_template": "1"}, "zalo_template_unknown"),
        (
            "esms",
            ZALO_OPTIONS,
            {"channel": "zalo", "zalo_template": "200607", "zalo_params": {"customer_name": "Lan"}},
            "zalo_param_missing",
        ),
        (
            "esms",
            ZALO_OPTIONS,
            {
                "channel": "zalo",
                "zalo_template": "200607",
                "zalo_params": {
                    "customer_name": "Lan",
                    "order_code": "F2",
                    "order_date": "2026-12-07",
                },
            },
            "zalo_param_not_a_date",
        ),
        (
            "esms",
            ZALO_OPTIONS,
            {"channel": "zalo", "zalo_template": "2056446", "zalo_params": {"otp": "12a"}},
            "zalo_param_not_a_number",
        ),
        (
            "esms",
            ZALO_OPTIONS,
            {"channel": "zalo", "zalo_template": "2056446", "zalo_params": {"pin": "1"}},
            "zalo_param_unknown",
        ),
        ("esms", ZALO_OPTIONS, {"channel": "zalo_sms", **OTP}, "empty_message"),
    ],
)
async def test_bad_channel_calls_are_refused_before_anything_goes_out(
    hass: HomeAssistant,
    sandbox: Sandbox,
    setup_entry: EntryFactory,
    provider: str,
    options: dict[str, Any],
    call: dict[str, Any],
    key: str,
) -> None:
    """Each mistake is a translated refusal, and no send reaches the gateway."""
    entry = await setup_entry(provider, options=dict(options))
    with pytest.raises(ServiceValidationError) as caught:
        await send(hass, config_entry_id=entry.entry_id, target="0901234567", **call)
    assert caught.value.translation_key == key
    assert send_requests(sandbox, provider) == 0
    assert not gateway_messages(sandbox, provider)


@pytest.fixture
async def with_backup(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> tuple[MockConfigEntry, MockConfigEntry]:
    """eSMS with Zalo, and Fibo as its backup (Fibo takes numbers ending in 3)."""
    sandbox.state.first_account("fibo").refuses_3 = False
    backup = await setup_entry("fibo")
    options = ZALO_OPTIONS | {"backup_entry_id": backup.entry_id}
    return await setup_entry("esms", options=options), backup


async def test_ambiguous_zalo_is_never_followed_by_sms_from_us(
    hass: HomeAssistant,
    sandbox: Sandbox,
    with_backup: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    """eSMS took the Zalo-then-SMS message but its answer was lost: nothing more is sent.

    Only eSMS's own fallback may send the SMS; the backup account is not tried.
    """
    primary, _backup = with_backup
    sandbox.state.faults.append(
        Fault("answer_lost", "esms", "disconnect", path="MultiChannelMessage")
    )
    with pytest.raises(HomeAssistantError) as caught:
        await send_through(hass, primary, "0901234567", "Ma 123456", channel="zalo_sms", **OTP)
    assert "may have been sent" in str(caught.value.translation_placeholders)
    assert len(gateway_messages(sandbox, "esms")) == 1  # eSMS handled it, once
    assert not gateway_messages(sandbox, "fibo")


async def test_refused_zalo_then_sms_goes_to_the_backup_as_one_sms(
    hass: HomeAssistant,
    sandbox: Sandbox,
    with_backup: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    """eSMS refused the message (ending 3): the backup sends its SMS, once."""
    primary, backup = with_backup
    [row] = await send_through(
        hass, primary, "0901234563", "Ma xac minh 123456", channel="zalo_sms", **OTP
    )
    assert (row["via_backup"], row["channel"], row["config_entry_id"]) == (
        True,
        "sms",
        backup.entry_id,
    )
    [sms] = gateway_messages(sandbox, "fibo")
    assert sms.text == "Ma xac minh 123456"


async def test_zalo_alone_never_goes_to_the_backup(
    hass: HomeAssistant,
    sandbox: Sandbox,
    with_backup: tuple[MockConfigEntry, MockConfigEntry],
) -> None:
    """A refused Zalo message has no SMS to send: the backup is not asked."""
    primary, _backup = with_backup
    with pytest.raises(HomeAssistantError):
        await send_through(hass, primary, "0901234563", "", channel="zalo", **OTP)
    assert not gateway_messages(sandbox, "fibo")


async def test_duplicate_window_compares_template_and_values(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """The same template and values to a number go once; other values go again."""
    entry = await setup_entry("esms", options=dict(ZALO_OPTIONS))
    first = await send_through(hass, entry, "0901234567", "", channel="zalo", **OTP)
    again = await send_through(hass, entry, "0901234567", "", channel="zalo", **OTP)
    assert again[0]["duplicate"] is True
    assert again[0]["message_id"] == first[0]["message_id"]
    other = {"zalo_template": "2056446", "zalo_params": {"otp": "654321"}}
    await send_through(hass, entry, "0901234567", "", channel="zalo", **other)
    assert len(gateway_messages(sandbox, "esms")) == 2
