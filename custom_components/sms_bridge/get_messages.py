"""sms_bridge.get_messages: what happened to the messages, answered from the ledger.

Newest first, across the accounts asked about; the ledgers are walked from their newest
message back and the walk stops as soon as `limit` messages match (or at `since`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
import heapq
from itertools import islice, takewhile
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from .compat import vol
from .const import DOMAIN
from .message_view import message_view
from .phone import InvalidNumberError, to_e164
from .providers.models import DeliveryStatus
from .runtime import SmsBridgeConfigEntry
from .store.ledger import LedgerMessage

ATTR_MESSAGE_ID = "message_id"
ATTR_PHONE = "phone"
ATTR_STATUS = "status"
ATTR_SINCE = "since"
ATTR_LIMIT = "limit"
DEFAULT_LIMIT = 50
MAX_LIMIT = 1000

GET_MESSAGES_FIELDS: dict[vol.Marker, Any] = {
    vol.Optional(ATTR_MESSAGE_ID): cv.string,
    vol.Optional(ATTR_PHONE): cv.string,
    vol.Optional(ATTR_STATUS): vol.In([status.value for status in DeliveryStatus]),
    vol.Optional(ATTR_SINCE): cv.datetime,
    vol.Optional(ATTR_LIMIT, default=DEFAULT_LIMIT): vol.All(
        vol.Coerce(int), vol.Range(min=1, max=MAX_LIMIT)
    ),
}

type Found = tuple[SmsBridgeConfigEntry, LedgerMessage]


def find_messages(
    hass: HomeAssistant, entries: Iterable[SmsBridgeConfigEntry], query: Mapping[str, Any]
) -> dict[str, Any]:
    """The response: the messages of `entries` that match `query`, newest first."""
    entries = list(entries)
    phones = _phones(entries, query.get(ATTR_PHONE))
    since = _since(query[ATTR_SINCE]) if ATTR_SINCE in query else None
    walks = [
        _walk(entry, query.get(ATTR_MESSAGE_ID), since)
        for entry in entries
        if phones is None or entry.entry_id in phones
    ]
    newest = heapq.merge(*walks, key=lambda found: found[1].sent_at, reverse=True)
    matching = (
        (entry, message)
        for entry, message in newest
        if (phones is None or message.phone == phones[entry.entry_id])
        and query.get(ATTR_STATUS) in (None, message.status.value)
    )
    return {
        "messages": [
            message_view(hass, entry, message) | {"text": message.preview}
            for entry, message in islice(matching, query[ATTR_LIMIT])
        ]
    }


def _walk(
    entry: SmsBridgeConfigEntry, message_id: str | None, since: datetime | None
) -> Iterator[Found]:
    """One account's messages, newest first; only the one asked for when an id is given."""
    ledger = entry.runtime_data.ledger
    if message_id is not None:
        message = ledger.get(message_id)
        messages: Iterable[LedgerMessage] = [message] if message else []
    else:
        messages = ledger.newest_first()
    if since is not None:
        messages = takewhile(lambda message: message.sent_at >= since, messages)
    return ((entry, message) for message in messages)


def _since(when: datetime) -> datetime:
    """`since` in UTC, refused unless it is a time the ledger could hold: up to a day ahead."""
    try:
        since = dt_util.as_utc(when)
    except OverflowError:  # the last hours of year 9999 in a zone behind UTC
        since = None
    if since is None or since > dt_util.utcnow() + timedelta(days=1):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_since",
            translation_placeholders={"since": f"{when:%Y-%m-%d %H:%M}"},
        )
    return since


def _phones(entries: list[SmsBridgeConfigEntry], phone: str | None) -> dict[str, str] | None:
    """The number as each account reads it (E.164 in its country); None when none was asked.

    An account where the number is not valid has no message to it; a number valid for no
    account is an error, as in sms_bridge.send.
    """
    if phone is None:
        return None
    phones: dict[str, str] = {}
    for entry in entries:
        try:
            phones[entry.entry_id] = to_e164(phone, entry.runtime_data.provider.region)
        except InvalidNumberError:
            continue
    if not phones:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_numbers",
            translation_placeholders={"numbers": phone},
        )
    return phones
