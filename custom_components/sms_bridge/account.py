"""One gateway account as the flows see it: a live check, a secret-free unique id, a title."""

from __future__ import annotations

from collections.abc import Mapping
import hashlib
from typing import Any
from urllib.parse import urlsplit

from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.network import NoURLAvailableError

from .const import (
    CONF_API_KEY,
    CONF_AUTH_KEY,
    CONF_BASE_URL,
    CONF_BRANDNAME,
    CONF_CLIENT_ID,
    CONF_CLIENT_NO,
    CONF_PROVIDER,
    CONF_REPORT_PARAM,
    CONF_REPORT_VALUE,
    CONF_SECURE_CODE,
    CONF_SEND_URL,
    LOGGER,
    PROVIDER_ESMS,
    PROVIDER_FIBO,
    PROVIDER_FPT,
)
from .providers import Provider, create_provider
from .providers.base import (
    AuthenticationError,
    IpNotAllowedError,
    ProviderError,
    TransientError,
)

TITLES = {"fibo": "FiboSMS", "esms": "eSMS", "fpt": "FPT SMS", "smspay": "SMSPAY"}


def build_provider(hass: HomeAssistant, data: Mapping[str, Any]) -> Provider:
    """The gateway client for an entry's data, on Home Assistant's shared HTTP session."""
    return create_provider(async_get_clientsession(hass), data[CONF_PROVIDER], data)


def _valid_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


async def validate_account(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, str]:
    """Check the account live; form errors by field ("base" for the whole form), {} when fine."""
    if CONF_BASE_URL in data and not _valid_http_url(data[CONF_BASE_URL]):
        return {CONF_BASE_URL: "invalid_url"}
    if CONF_SEND_URL in data and not _valid_http_url(data[CONF_SEND_URL]):
        return {CONF_SEND_URL: "invalid_send_url"}
    try:
        provider = build_provider(hass, data)
    except ValueError:
        if bool(data.get(CONF_REPORT_PARAM)) != bool(data.get(CONF_REPORT_VALUE)):
            return {"base": "report_pair"}
        return {CONF_SEND_URL: "invalid_send_url"}
    try:
        await provider.check_credentials()
    except AuthenticationError:
        return {"base": "invalid_auth"}
    except IpNotAllowedError:
        return {"base": "ip_not_allowed"}
    except TransientError:
        return {"base": "cannot_connect"}
    except ProviderError as err:
        LOGGER.warning("The %s gateway refused the account check: %s", provider.name, err)
        return {"base": "refused"}
    except Exception as err:  # noqa: BLE001 - a flow must answer the user whatever happens
        # Only the type: the message of an unexpected error could quote a URL with secrets.
        LOGGER.error(
            "Unexpected %s while checking the %s account", type(err).__name__, provider.name
        )
        return {"base": "unknown"}
    return {}


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def account_unique_id(data: Mapping[str, Any]) -> str:
    """The account's unique id; where the account id is itself a secret, a hash of it."""
    provider = data[CONF_PROVIDER]
    if provider == PROVIDER_FIBO:
        return f"fibo_{data[CONF_CLIENT_NO].strip().upper()}"
    if provider == PROVIDER_ESMS:
        return f"esms_{_digest(data[CONF_API_KEY])}"
    if provider == PROVIDER_FPT:
        return f"fpt_{_digest(data[CONF_CLIENT_ID])}"
    # SMSPAY: the send URL holds the account's credentials.
    return f"smspay_{_digest(data[CONF_SEND_URL])}"


def default_title(data: Mapping[str, Any]) -> str:
    """A readable name for the account: the gateway and the account or brandname."""
    provider = data[CONF_PROVIDER]
    if provider == PROVIDER_FIBO:
        detail = data[CONF_CLIENT_NO]
    elif provider in (PROVIDER_ESMS, PROVIDER_FPT):
        detail = data[CONF_BRANDNAME]
    else:
        detail = urlsplit(data[CONF_SEND_URL]).hostname or ""
    return f"{TITLES[provider]} {detail}".strip()


def full_webhook_url(hass: HomeAssistant, webhook_id: str) -> str | None:
    """The full delivery-report URL, or None when Home Assistant knows no URL of its own."""
    try:
        return webhook.async_generate_url(hass, webhook_id)
    except NoURLAvailableError:
        return None


def webhook_url(hass: HomeAssistant, webhook_id: str) -> str:
    """The delivery-report URL to show: in full, or its path after a placeholder host."""
    return full_webhook_url(hass, webhook_id) or (
        f"https://<your-home-assistant>{webhook.async_generate_path(webhook_id)}"
    )


def webhook_placeholders(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, str]:
    """What the user copies to the gateway's admin page, for the flows' texts."""
    return {
        "webhook_url": webhook_url(hass, data[CONF_WEBHOOK_ID]),
        "secure_code": data.get(CONF_SECURE_CODE) or "-",
        "auth_key": data.get(CONF_AUTH_KEY) or "-",
        "provider": TITLES[data[CONF_PROVIDER]],
        "report_pair": (
            f"&{data[CONF_REPORT_PARAM]}={data[CONF_REPORT_VALUE]}"
            if data.get(CONF_REPORT_PARAM)
            else "-"
        ),
    }
