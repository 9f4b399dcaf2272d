"""A sent message as people read it: in get_messages' answer and in diagnostics.

Times in Home Assistant's time zone, the account by its name as well as its id, the channel
(and each report's leg), why a failure failed in words (the server's language) beside the
gateway's own code, the cost once known, and both ends of a resend pointing at each other with
the account that holds the other end.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .runtime import SmsBridgeConfigEntry
from .store.ledger import LedgerMessage, MessageLink, Report
from .texts import reason_words


def _local(when: datetime) -> str:
    return dt_util.as_local(when).isoformat()


def _report(hass: HomeAssistant, report: Report) -> dict[str, Any]:
    return {
        "time": _local(report.time),
        "channel": report.channel,
        "status": report.status.value,
        "provider_status": report.raw,
        "reason_key": report.reason.value if report.reason else None,
        "reason": reason_words(hass, report.reason),
    }


def _link(hass: HomeAssistant, link: MessageLink | None) -> dict[str, Any] | None:
    """The other end of a resend, with its account's name when the account is still there."""
    if link is None:
        return None
    entry = hass.config_entries.async_get_entry(link["config_entry_id"])
    return {**link, "account": entry.title if entry else None}


def message_view(
    hass: HomeAssistant, entry: SmsBridgeConfigEntry, message: LedgerMessage
) -> dict[str, Any]:
    """One message: who sent it, to whom, what became of it and why."""
    reason = message.last_reason
    return {
        "config_entry_id": entry.entry_id,
        "account": entry.title,
        "message_id": message.message_id,
        "phone": message.phone,
        "segments": message.segments,
        "sent_at": _local(message.sent_at),
        "channel": message.channel,
        "status": message.status.value,
        "final": message.final,
        "reason_key": reason.value if reason else None,
        "reason": reason_words(hass, reason),
        "history": [_report(hass, report) for report in message.history],
        "cost": float(message.cost) if message.cost is not None else None,
        "currency": message.currency,
        "resent_as": _link(hass, message.resent_as),
        "resend_of": _link(hass, message.resend_of),
    }
