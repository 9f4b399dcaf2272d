"""Config entries for each gateway, pointed at the sandbox over loopback."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.sms_bridge.account import account_unique_id, default_title
from custom_components.sms_bridge.config_flow import SmsBridgeConfigFlow
from custom_components.sms_bridge.const import DOMAIN
from sandbox import Sandbox

PROVIDERS = ("fibo", "esms", "fpt", "smspay")

type EntryFactory = Callable[..., Awaitable[MockConfigEntry]]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/sms_bridge."""


def account_data(sandbox: Sandbox, provider: str) -> dict[str, Any]:
    """The sandbox's built-in account of `provider`, as the config flow would store it."""
    url = sandbox.url
    return {
        "fibo": {
            "provider": "fibo",
            "client_no": "CL1609110001",
            "client_pass": "fibo-pass",
            "sender": "SMSBRIDGE",
            "secure_code": "fibo-secure",
            "base_url": url,
        },
        "esms": {
            "provider": "esms",
            "api_key": "ESMS-API-KEY",
            "secret_key": "ESMS-SECRET-KEY",
            "brandname": "SMSBRIDGE",
            "sms_type": 2,
            "base_url": url,
        },
        "fpt": {
            "provider": "fpt",
            "client_id": "fpt-client-id",
            "client_secret": "fpt-client-secret",
            "brandname": "SMSBRIDGE",
            "environment": "sandbox",
            "auth_key": "fpt-auth-key",
            "base_url": url,
        },
        "smspay": {
            "provider": "smspay",
            "send_url": (
                f"{url}/smspay/send?user=smspay-user&pass=smspay-pass"
                "&phone={phone}&message={message}&from={sender}&ext=1"
            ),
        },
    }[provider]


def make_entry(
    sandbox: Sandbox, provider: str, *, options: dict[str, Any] | None = None, **changes: Any
) -> MockConfigEntry:
    """A config entry for the sandbox account of `provider` (not yet added to hass)."""
    data = account_data(sandbox, provider) | {"webhook_id": f"hook-{provider}"} | changes
    return MockConfigEntry(
        domain=DOMAIN,
        title=default_title(data),
        unique_id=account_unique_id(data),
        data=data,
        options=options or {},
        version=SmsBridgeConfigFlow.VERSION,
        minor_version=SmsBridgeConfigFlow.MINOR_VERSION,
    )


@pytest.fixture
def setup_entry(hass: HomeAssistant, sandbox: Sandbox) -> EntryFactory:
    """Add and set up an entry for a gateway; returns it."""

    async def _setup(provider: str, **kwargs: Any) -> MockConfigEntry:
        entry = make_entry(sandbox, provider, **kwargs)
        entry.add_to_hass(hass)
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        return entry

    return _setup
