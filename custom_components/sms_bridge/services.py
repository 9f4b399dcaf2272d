"""The integration's actions (send, get_messages), registered once for all entries."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv

from .campaigns.action import SEND_CAMPAIGN_SCHEMA, SERVICE_SEND_CAMPAIGN, async_send_campaign
from .compat import vol
from .const import DOMAIN
from .get_messages import GET_MESSAGES_FIELDS, find_messages
from .outbound.pipeline import SendOptions, async_send
from .providers.channels import Channel
from .runtime import SmsBridgeConfigEntry

SERVICE_GET_MESSAGES = "get_messages"
SERVICE_SEND = "send"
ATTR_TARGET = "target"
ATTR_MESSAGE = "message"
ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_SENDER = "sender"
ATTR_UNICODE = "unicode"
ATTR_BACKUP = "backup"
ATTR_CHANNEL = "channel"
ATTR_ZALO_TEMPLATE = "zalo_template"
ATTR_ZALO_PARAMS = "zalo_params"

GET_MESSAGES_SCHEMA = vol.Schema(
    {vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string, **GET_MESSAGES_FIELDS}
)
SEND_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_TARGET): vol.Any(cv.string, [cv.string]),
        # Checked by the send (a translated error): optional for Zalo alone.
        vol.Optional(ATTR_MESSAGE): cv.string,
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_SENDER): cv.string,
        vol.Optional(ATTR_UNICODE): cv.boolean,
        vol.Optional(ATTR_BACKUP, default=True): cv.boolean,
        # Checked by the send against the gateway's channels and the template (outbound/zalo.py).
        vol.Optional(ATTR_CHANNEL, default=Channel.SMS.value): cv.string,
        vol.Optional(ATTR_ZALO_TEMPLATE): cv.string,
        vol.Optional(ATTR_ZALO_PARAMS, default=dict): {cv.string: cv.string},
    }
)


def resolve_entry(hass: HomeAssistant, entry_id: str | None) -> SmsBridgeConfigEntry:
    """The loaded entry to send through: the one named, or the only one there is."""
    if entry_id is not None:
        entry: SmsBridgeConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="entry_not_found",
                translation_placeholders={"entry_id": entry_id},
            )
        if entry.state is not ConfigEntryState.LOADED:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="entry_not_loaded",
                translation_placeholders={"name": entry.title},
            )
        return entry
    loaded = [
        e for e in hass.config_entries.async_entries(DOMAIN) if e.state is ConfigEntryState.LOADED
    ]
    if len(loaded) != 1:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_required" if loaded else "no_entry_loaded",
        )
    return loaded[0]


async def _async_get_messages(call: ServiceCall) -> ServiceResponse:
    """Handle sms_bridge.get_messages: the account named, else every loaded one."""
    hass = call.hass
    if (entry_id := call.data.get(ATTR_CONFIG_ENTRY_ID)) is not None:
        entries = [resolve_entry(hass, entry_id)]
    elif not (entries := hass.config_entries.async_loaded_entries(DOMAIN)):
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_entry_loaded")
    return find_messages(hass, entries, call.data)


async def _async_send(call: ServiceCall) -> ServiceResponse:
    """Handle sms_bridge.send."""
    entry = resolve_entry(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    data = call.data
    messages = await async_send(
        call.hass,
        entry,
        data[ATTR_TARGET],
        data.get(ATTR_MESSAGE),
        SendOptions(
            sender=data.get(ATTR_SENDER),
            unicode=data.get(ATTR_UNICODE),
            backup=data[ATTR_BACKUP],
            channel=data[ATTR_CHANNEL],
            zalo_template=data.get(ATTR_ZALO_TEMPLATE),
            zalo_params=data[ATTR_ZALO_PARAMS],
        ),
    )
    if not call.return_response:
        return None
    return {"messages": messages}  # type: ignore[dict-item]


async def _async_send_campaign(call: ServiceCall) -> ServiceResponse:
    """Handle sms_bridge.send_campaign (FPT advertising; campaigns/action.py)."""
    entry = resolve_entry(call.hass, call.data[ATTR_CONFIG_ENTRY_ID])
    campaign = await async_send_campaign(call.hass, entry, call.data)
    return campaign if call.return_response else None


def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_MESSAGES,
        _async_get_messages,
        schema=GET_MESSAGES_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_SEND,
        _async_send,
        schema=SEND_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_SEND_CAMPAIGN,
        _async_send_campaign,
        schema=SEND_CAMPAIGN_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
