"""Plain helpers: each gateway's numbers, the send action, what the sandbox took, settled counts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.sms_bridge.const import DOMAIN
from sandbox import Sandbox

#: A part of each gateway's send path, for faults aimed at the send alone.
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
#: SMSPAY's report address carries a parameter of the user's choice (here site=abc), checked.
SMSPAY_EXTRA = {"report_param": "site", "report_value": "abc"}
#: A short Vietnamese alert, the usual text of a test that does not care about the text.
TEXT = "Kho 3: cửa mở"


def device_of(
    hass: HomeAssistant, entry: MockConfigEntry, identifier: str
) -> dr.DeviceEntry | None:
    """The entry's device with this identifier (of our domain), by the public lookup of each HA.

    HA 2026.10 deprecates `async_get_device` (identifiers are unique per entry only).
    """
    registry = dr.async_get(hass)
    if hasattr(registry, "async_get_device_by_identifier"):
        device: dr.DeviceEntry | None = registry.async_get_device_by_identifier(
            (DOMAIN, identifier), entry.entry_id
        )
        return device
    return registry.async_get_device(identifiers={(DOMAIN, identifier)})


def report_extra(provider: str) -> dict[str, str]:
    """The entry data a gateway needs for its reports to be heard: SMSPAY's parameter."""
    return SMSPAY_EXTRA if provider == "smspay" else {}


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


async def send(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    """Call the sms_bridge.send action as a script would, and return its answer."""
    response = await hass.services.async_call(
        DOMAIN, "send", data, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


async def send_through(
    hass: HomeAssistant, entry: MockConfigEntry, target: Any, message: str = TEXT, **data: Any
) -> list[dict[str, Any]]:
    """Send through one named account: the answer's rows, one per number."""
    response = await send(
        hass, config_entry_id=entry.entry_id, target=target, message=message, **data
    )
    return list(response["messages"])


def count_sends(
    entry: MockConfigEntry, on_each: Callable[[], Awaitable[None]] | None = None
) -> list[int]:
    """Count calls of the entry's real gateway client `send`; `on_each` runs after each."""
    provider = entry.runtime_data.provider
    real_send = provider.send
    calls: list[int] = []

    async def counted_send(message: Any) -> Any:
        calls.append(1)
        try:
            return await real_send(message)
        finally:
            if on_each is not None:
                await on_each()

    provider.send = counted_send  # type: ignore[method-assign]
    return calls


def add_recipient(
    hass: HomeAssistant, entry: MockConfigEntry, title: str, numbers: list[str]
) -> None:
    """Add a recipient subentry to the entry, as the recipient flow would."""
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data={"numbers": numbers}, subentry_type="recipient", title=title, unique_id=None
        ),
    )


async def counts_settled(hass: HomeAssistant) -> None:
    """Let the counting sensors catch up: they show ledger changes at most once a second."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=1))
    await hass.async_block_till_done()


async def reports_delivered(hass: HomeAssistant, sandbox: Sandbox) -> None:
    """Wait until the sandbox's courier has made its calls and Home Assistant has handled them."""
    await sandbox.idle()
    await hass.async_block_till_done()
