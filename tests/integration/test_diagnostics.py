"""Diagnostics: what support needs, with every secret and phone number kept out."""

from __future__ import annotations

from datetime import timedelta
import json
from typing import Any

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.sms_bridge.const import DOMAIN
from custom_components.sms_bridge.diagnostics import mask_phone
from custom_components.sms_bridge.providers.models import DeliveryReport, DeliveryStatus, SendResult
from sandbox import Fault, Sandbox

from .conftest import PROVIDERS, make_entry
from .helpers import counts_settled
from .views import normalized, placeholders

REDACTED = "**REDACTED**"
NUMBERS = ["+84901234567", "+359888123456"]

#: Per gateway: the sandbox account's own secrets (by its field names), then the entry's data
#: changes that match them. Every value is distinctive so a leak cannot hide.
SECRETS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "fibo": (
        {"clientPass": "zqFiboPass3141"},
        {"client_pass": "zqFiboPass3141", "secure_code": "zqFiboSecure2718"},
    ),
    "esms": (
        {"ApiKey": "zqEsmsApi1618", "SecretKey": "zqEsmsSecret1414"},
        {"api_key": "zqEsmsApi1618", "secret_key": "zqEsmsSecret1414"},
    ),
    "fpt": (
        {"client_id": "zqFptClient5772", "client_secret": "zqFptSecret1732"},
        {
            "client_id": "zqFptClient5772",
            "client_secret": "zqFptSecret1732",
            "auth_key": "zqFptAuth2236",
        },
    ),
    "smspay": ({"user": "zqSmspayUser1123", "pass": "zqSmspayPass6931"}, {}),
}


async def entry_with_secrets(
    hass: HomeAssistant, sandbox: Sandbox, provider: str
) -> MockConfigEntry:
    """A loaded entry, each secret a distinctive value the sandbox accepts; one recipient."""
    account_secrets, changes = SECRETS[provider]
    sandbox.state.first_account(provider).secrets.update(account_secrets)
    if provider == "smspay":
        changes = {
            "send_url": (
                f"{sandbox.url}/smspay/send?user=zqSmspayUser1123&pass=zqSmspayPass6931"
                "&phone={phone}&message={message}&from={sender}&ext=1"
            )
        }
    base = make_entry(
        sandbox, provider, options={"sender": "SMSBRIDGE"}, webhook_id=f"zqHook{provider}0577"
    )
    data = dict(base.data) | changes
    recipient = ConfigSubentryData(
        data={"numbers": NUMBERS},
        subentry_type="recipient",
        title="Night shift",
        unique_id=None,
    )
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=base.title,
        unique_id=base.unique_id,
        data=data,
        options=dict(base.options),
        subentries_data=[recipient],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def diagnostics_of(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, entry: MockConfigEntry
) -> dict[str, Any]:
    """The entry's diagnostics as the frontend downloads them."""
    result = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert isinstance(result, dict)
    return result


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_no_secret_in_diagnostics(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, sandbox: Sandbox, provider: str
) -> None:
    """No credential, report secret, webhook id or full phone number in the download."""
    entry = await entry_with_secrets(hass, sandbox, provider)
    entry.runtime_data.ledger.async_record_sent(
        SendResult(provider=provider, message_id="m1", phone="+84907654321", segments=1),
        "zqPrivate: your code is 4242",
    )

    diagnostics = await diagnostics_of(hass, hass_client, entry)
    dumped = json.dumps(diagnostics)
    account_secrets, changes = SECRETS[provider]
    secrets = {*account_secrets.values(), *changes.values(), entry.data["webhook_id"]}
    for secret in secrets:
        assert secret not in dumped, secret
    assert "zq" not in dumped.lower()
    for number in [*NUMBERS, "+84907654321"]:
        assert number not in dumped
        assert number[4:-2] not in dumped

    data = diagnostics["entry"]["data"]
    for key in ("webhook_id", *changes, *(("send_url",) if provider == "smspay" else ())):
        assert data[key] == REDACTED, key
    assert data["provider"] == provider
    assert diagnostics["entry"]["title"] == entry.title
    assert diagnostics["entry"]["options"] == {"sender": "SMSBRIDGE"}
    assert diagnostics["recipients"] == [
        {"title": "Night shift", "numbers": ["+849******67", "+359*******56"]}
    ]
    [last] = diagnostics["ledger"]["last"]
    assert diagnostics["ledger"]["messages"] == 1
    assert last.pop("sent_at")
    assert last == {
        "config_entry_id": entry.entry_id,
        "account": entry.title,
        "message_id": "m1",
        "phone": "+849******21",
        "segments": 1,
        "channel": "sms",
        "status": "pending",
        "final": False,
        "reason_key": None,
        "reason": None,
        "history": [],
        "cost": None,
        "currency": None,
        "resent_as": None,
        "resend_of": None,
    }
    coordinator = diagnostics["coordinator"]
    assert coordinator["last_update_success"] is True
    assert coordinator["counts_from_ledger"] is (provider != "fibo")
    assert coordinator["totals"] == {
        "delivered": 0,
        "failed": 0,
        "pending": 0 if provider == "fibo" else 1,
    }
    if provider in ("fibo", "esms"):
        balance = sandbox.state.first_account(provider).balance
        assert coordinator["balance"]["amount"] == str(balance)
    else:
        assert coordinator["balance"] is None


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_diagnostics_snapshot(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    sandbox: Sandbox,
    snapshot: SnapshotAssertion,
    provider: str,
) -> None:
    """Each gateway's whole download, one message reported: redacted, masked, no text."""
    entry = await entry_with_secrets(hass, sandbox, provider)
    ledger = entry.runtime_data.ledger
    ledger.async_record_sent(
        SendResult(provider=provider, message_id="m1", phone="+84907654321", segments=1),
        "zqPrivate: your code is 4242",
    )
    ledger.async_record_report(
        DeliveryReport(
            provider=provider, message_id="m1", status=DeliveryStatus.DELIVERED, provider_status="2"
        )
    )
    await counts_settled(hass)  # the counts the sensors show, not those of a second ago

    diagnostics = await diagnostics_of(hass, hass_client, entry)
    # Checked on the download itself, so a snapshot updated in a hurry cannot hide a leak.
    assert "zq" not in json.dumps(diagnostics).lower()
    assert "+84907654321" not in json.dumps(diagnostics)
    assert normalized(diagnostics, placeholders(entry, sandbox)) == snapshot


async def test_diagnostics_while_gateway_fails(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, sandbox: Sandbox
) -> None:
    """A failing poll shows in diagnostics without its details leaking anything."""
    entry = await entry_with_secrets(hass, sandbox, "fibo")
    sandbox.state.faults.append(Fault("status", "fibo", 503, count=-1))
    # The scheduled poll (10 minutes after the last refresh, which setup may have asked for).
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
    await hass.async_block_till_done()

    diagnostics = await diagnostics_of(hass, hass_client, entry)
    assert diagnostics["coordinator"]["last_update_success"] is False
    assert diagnostics["coordinator"]["update_interval"] == "0:20:00"
    assert "zq" not in json.dumps(diagnostics).lower()


async def test_last_twenty_messages(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, sandbox: Sandbox
) -> None:
    """The latest 20 messages, newest first, each with its reports; no text."""
    entry = await entry_with_secrets(hass, sandbox, "esms")
    ledger = entry.runtime_data.ledger
    for number in range(25):
        ledger.async_record_sent(
            SendResult(provider="esms", message_id=f"m{number}", phone=NUMBERS[0], segments=1),
            f"Message number {number}",
        )
    ledger.async_record_report(
        DeliveryReport(
            provider="esms", message_id="m24", status=DeliveryStatus.FAILED, provider_status="4"
        )
    )

    last = (await diagnostics_of(hass, hass_client, entry))["ledger"]["last"]
    assert [message["message_id"] for message in last] == [f"m{n}" for n in range(24, 4, -1)]
    assert [(h["status"], h["provider_status"]) for h in last[0]["history"]] == [("failed", "4")]
    assert (last[0]["status"], last[0]["final"]) == ("failed", True)
    assert "Message number" not in json.dumps(last)


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("+84901234567", "+849******67"),
        ("+359888123456", "+359*******56"),
        ("0901234567", "0901****67"),
        ("12345", "***45"),
        ("123", "*23"),
    ],
)
def test_mask_phone(number: str, masked: str) -> None:
    """Enough of a number to tell it from another, never enough to dial it."""
    assert mask_phone(number) == masked
