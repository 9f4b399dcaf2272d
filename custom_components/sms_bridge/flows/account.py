"""One gateway account as the flows see it: a live check, a secret-free unique id, a title."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.ssl import get_default_context

from ..const import CONF_BASE_URL, CONF_PROVIDER, LOGGER
from ..inbound.address import shown_url
from ..providers import PROVIDER_CLASSES, Provider, check_config, create_provider
from ..providers.errors import (
    AuthenticationError,
    InvalidConfigError,
    IpNotAllowedError,
    ProviderError,
    TransientError,
)
from ..providers.models import FieldKind


def gateway(data: Mapping[str, Any]) -> type[Provider]:
    """The gateway an entry's data belongs to: its client class, which declares the rest."""
    return PROVIDER_CLASSES[data[CONF_PROVIDER]]


def build_provider(hass: HomeAssistant, data: Mapping[str, Any]) -> Provider:
    """The gateway client for an entry's data, on Home Assistant's shared HTTP session.

    Its sends go through a session of its own (closed by `Provider.close`), on Home Assistant's
    prebuilt TLS context: building one in the event loop would block it.
    """
    return create_provider(
        async_get_clientsession(hass), data[CONF_PROVIDER], data, ssl=get_default_context()
    )


def _valid_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def form_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """Every error the form itself shows, all at once (field or "base" -> error key)."""
    errors: dict[str, str] = {}
    if CONF_BASE_URL in data and not _valid_http_url(data[CONF_BASE_URL]):
        errors[CONF_BASE_URL] = "invalid_url"
    for field in gateway(data).account_fields:
        url = data.get(field.key) if field.kind is FieldKind.URL else None
        if url is not None and not _valid_http_url(url):
            errors[field.key] = f"invalid_{field.key}"
    if errors:
        return errors
    try:
        check_config(data[CONF_PROVIDER], data)
    except InvalidConfigError as err:
        errors[err.field] = err.reason
    return errors


async def validate_account(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, str]:
    """Check the form, then the account live; errors by field ("base": the whole form)."""
    if errors := form_errors(data):
        return errors
    provider = build_provider(hass, data)
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


def account_unique_id(data: Mapping[str, Any]) -> str:
    """The account's unique id, as its gateway declares it (never a secret)."""
    return gateway(data).account_id(data)


def default_title(data: Mapping[str, Any]) -> str:
    """A readable name for the account: the gateway and what tells the account apart."""
    cls = gateway(data)
    return f"{cls.title} {cls.account_name(data)}".strip()


def webhook_placeholders(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, str]:
    """What the user copies to the gateway's admin page, for the flows' texts."""
    cls = gateway(data)
    return {
        "webhook_url": shown_url(hass, data),
        "provider": cls.title,
        **{
            field.key: str(data.get(field.key) or "-")
            for field in cls.account_fields
            if field.report_secret
        },
    }
