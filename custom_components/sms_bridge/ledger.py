"""The ledger: every message this entry sent, persisted, with its delivery history.

It answers "which number was message X sent to" for delivery reports and counts today's
messages for gateways that keep no daily totals of their own. Bounded to 30 days or 10,000
messages, whichever is smaller; written with a delay so a burst of sends is one write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypedDict

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .providers.base import DailyTotals, DeliveryReport, DeliveryStatus, SendResult

STORAGE_VERSION = 1
SAVE_DELAY = 10
MAX_AGE = timedelta(days=30)
MAX_MESSAGES = 10_000
PREVIEW_LENGTH = 40


class StoredMessage(TypedDict):
    """One message as stored on disk."""

    id: str
    phone: str
    text: str
    segments: int
    sent: str
    status: str
    history: list[list[str]]


@dataclass(slots=True)
class LedgerMessage:
    """A message this entry sent; `history` is (time, status, provider status) per report."""

    message_id: str
    phone: str
    preview: str
    segments: int
    sent_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    history: list[tuple[datetime, DeliveryStatus, str]] = field(default_factory=list)

    def as_stored(self) -> StoredMessage:
        """The JSON form."""
        return {
            "id": self.message_id,
            "phone": self.phone,
            "text": self.preview,
            "segments": self.segments,
            "sent": self.sent_at.isoformat(),
            "status": self.status.value,
            "history": [[t.isoformat(), s.value, raw] for t, s, raw in self.history],
        }

    @classmethod
    def from_stored(cls, data: StoredMessage) -> LedgerMessage:
        """Back from the JSON form."""
        return cls(
            message_id=data["id"],
            phone=data["phone"],
            preview=data["text"],
            segments=data["segments"],
            sent_at=datetime.fromisoformat(data["sent"]),
            status=DeliveryStatus(data["status"]),
            history=[
                (datetime.fromisoformat(t), DeliveryStatus(s), raw) for t, s, raw in data["history"]
            ],
        )


class Ledger:
    """The sent messages of one config entry, newest last."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.ledger", private=True
        )
        self._messages: dict[str, LedgerMessage] = {}
        self._listeners: list[Callable[[], None]] = []

    def __len__(self) -> int:
        """How many messages are remembered."""
        return len(self._messages)

    async def async_load(self) -> None:
        """Read what was stored before the restart."""
        stored = await self._store.async_load()
        if stored:
            for item in stored.get("messages", []):
                message = LedgerMessage.from_stored(item)
                self._messages[message.message_id] = message
        self._prune()

    async def async_save(self) -> None:
        """Write now (on unload), cancelling a pending delayed write."""
        await self._store.async_save(self._data())

    async def async_remove(self) -> None:
        """Delete the stored file (the entry was removed)."""
        await self._store.async_remove()

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `listener` after every change; returns the function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def get(self, message_id: str) -> LedgerMessage | None:
        """A remembered message by its gateway id."""
        return self._messages.get(message_id)

    @callback
    def async_record_sent(self, result: SendResult, text: str) -> LedgerMessage:
        """Remember a message the gateway accepted."""
        message = LedgerMessage(
            message_id=result.message_id,
            phone=result.phone,
            preview=text[:PREVIEW_LENGTH],
            segments=result.segments,
            sent_at=dt_util.utcnow(),
        )
        self._messages[message.message_id] = message
        self._prune()
        self._changed()
        return message

    @callback
    def async_record_report(self, report: DeliveryReport) -> LedgerMessage | None:
        """Add a delivery report to its message's history; None when not ours."""
        message = self._messages.get(report.message_id)
        if message is None:
            return None
        message.history.append((dt_util.utcnow(), report.status, report.provider_status))
        # A late non-final report never undoes a final status.
        if not message.status.final or report.status.final:
            message.status = report.status
        self._changed()
        return message

    def totals_today(self) -> DailyTotals:
        """Today's (local time) messages by their latest status; sent-but-unconfirmed is pending."""
        midnight = dt_util.start_of_local_day()
        delivered = failed = pending = 0
        for message in self._messages.values():
            if message.sent_at < midnight:
                continue
            if message.status is DeliveryStatus.DELIVERED:
                delivered += 1
            elif message.status is DeliveryStatus.FAILED:
                failed += 1
            else:
                pending += 1
        return DailyTotals(delivered=delivered, failed=failed, pending=pending)

    def _prune(self) -> None:
        cutoff = dt_util.utcnow() - MAX_AGE
        for message_id in [m.message_id for m in self._messages.values() if m.sent_at < cutoff]:
            del self._messages[message_id]
        while len(self._messages) > MAX_MESSAGES:
            del self._messages[next(iter(self._messages))]

    def _data(self) -> dict[str, Any]:
        return {"messages": [m.as_stored() for m in self._messages.values()]}

    def _changed(self) -> None:
        self._store.async_delay_save(self._data, SAVE_DELAY)
        for listener in list(self._listeners):
            listener()
