"""The benchmark's baselines: webhooks in the same Home Assistant that do (nearly) nothing.

- The no-op answers 200 OK and does nothing else.
- The floor, at the no-op's id plus `-floor`, does the least every delivery report must do in
  Home Assistant: fire one event on the bus and trigger one event entity (its state written),
  with data the size of SMS Bridge's. It shows which share of a report's cost is Home
  Assistant's own, whatever the integration does.

Only `scripts/bench` installs it (linked into its throwaway config); it is never shipped. Its
entry is made through a config flow over REST, as the bench makes SMS Bridge's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web
from homeassistant.components.webhook import async_register, async_unregister
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_WEBHOOK_ID, Platform
from homeassistant.core import HomeAssistant

DOMAIN = "bench_noop"
EVENT = "bench_noop_report"
FLOOR_SUFFIX = "-floor"

type FloorEntry = ConfigEntry[list[Callable[[dict[str, Any]], None]]]


async def _handle(hass: HomeAssistant, webhook_id: str, request: web.Request) -> web.Response:
    """Answer like an accepting gateway receiver, doing no work at all."""
    return web.Response(text="OK")


def _floor_handler(entry: FloorEntry) -> Any:
    async def _handle_floor(
        hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """One bus event and one event entity state per request: what every report costs."""
        data = {
            "entry_id": entry.entry_id,
            "provider": "bench",
            "message_id": request.rel_url.raw_query_string.partition("&")[0].partition("=")[2],
            "status": "delivered",
            "provider_status": "2",
            "final": True,
            "phone": "+84900000005",
            "error": None,
            "telco": None,
            "segments": 1,
            "price": None,
            "tracked": True,
        }
        hass.bus.async_fire(EVENT, data)
        for trigger in entry.runtime_data:
            trigger(data)
        return web.Response(text="OK")

    return _handle_floor


async def async_setup_entry(hass: HomeAssistant, entry: FloorEntry) -> bool:
    """Register both webhooks with the options SMS Bridge's webhooks use; add the entity."""
    entry.runtime_data = []
    webhook_id = entry.data[CONF_WEBHOOK_ID]
    methods = ("GET", "POST")
    async_register(hass, DOMAIN, "Benchmark no-op", webhook_id, _handle, allowed_methods=methods)
    async_register(
        hass,
        DOMAIN,
        "Benchmark floor",
        webhook_id + FLOOR_SUFFIX,
        _floor_handler(entry),
        allowed_methods=methods,
    )
    entry.async_on_unload(lambda: async_unregister(hass, webhook_id))
    entry.async_on_unload(lambda: async_unregister(hass, webhook_id + FLOOR_SUFFIX))
    await hass.config_entries.async_forward_entry_setups(entry, [Platform.EVENT])
    return True


async def async_unload_entry(hass: HomeAssistant, entry: FloorEntry) -> bool:
    """Unload the entity; the webhooks go with async_on_unload."""
    return await hass.config_entries.async_unload_platforms(entry, [Platform.EVENT])
