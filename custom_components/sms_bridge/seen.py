"""Which delivery reports were already acted on: gateways retry, an event must fire once.

One key per (message id, provider status), kept 24 hours and across restarts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN

STORAGE_VERSION = 1
SAVE_DELAY = 5
KEEP = timedelta(hours=24)


class SeenReports:
    """Report keys seen in the last 24 hours, persisted."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.reports", private=True
        )
        self._seen: dict[str, datetime] = {}

    async def async_load(self) -> None:
        """Read the keys seen before the restart."""
        stored = await self._store.async_load() or {}
        for key, when in stored.get("seen", {}).items():
            self._seen[key] = datetime.fromisoformat(when)
        self._prune(dt_util.utcnow())

    async def async_save(self) -> None:
        """Write now (on unload)."""
        await self._store.async_save(self._data())

    async def async_remove(self) -> None:
        """Delete the stored file (the entry was removed)."""
        await self._store.async_remove()

    @callback
    def async_first_time(self, message_id: str, provider_status: str) -> bool:
        """Remember the report; True when it was not seen in the last 24 hours."""
        now = dt_util.utcnow()
        self._prune(now)
        key = f"{message_id}\x1f{provider_status}"
        if key in self._seen:
            return False
        self._seen[key] = now
        self._store.async_delay_save(self._data, SAVE_DELAY)
        return True

    def __len__(self) -> int:
        """How many report keys are remembered."""
        return len(self._seen)

    def _prune(self, now: datetime) -> None:
        cutoff = now - KEEP
        # Keys are added in time order: the oldest are first.
        for key in [k for k, when in self._seen.items() if when < cutoff]:
            del self._seen[key]

    def _data(self) -> dict[str, Any]:
        return {"seen": {key: when.isoformat() for key, when in self._seen.items()}}
