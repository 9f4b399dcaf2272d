"""The benchmark's baseline: a webhook in the same Home Assistant that answers 200 OK, nothing else.

Only `scripts/bench` installs it (linked into its throwaway config); it is never shipped. Its
entry is made through a config flow over REST, as the bench makes SMS Bridge's.
"""

from __future__ import annotations

from aiohttp import web
from homeassistant.components.webhook import async_register, async_unregister
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant

DOMAIN = "bench_noop"


async def _handle(hass: HomeAssistant, webhook_id: str, request: web.Request) -> web.Response:
    """Answer like an accepting gateway receiver, doing no work at all."""
    return web.Response(text="OK")


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Register the no-op webhook with the options SMS Bridge's webhooks use."""
    webhook_id = entry.data[CONF_WEBHOOK_ID]
    async_register(
        hass, DOMAIN, "Benchmark no-op", webhook_id, _handle, allowed_methods=("GET", "POST")
    )
    entry.async_on_unload(lambda: async_unregister(hass, webhook_id))
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Nothing to stop but the webhook (unregistered by async_on_unload)."""
    return True
