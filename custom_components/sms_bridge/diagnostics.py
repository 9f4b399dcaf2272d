"""Diagnostics: the entry, the coordinator and the ledger, with every secret redacted."""

from __future__ import annotations

import dataclasses
from itertools import islice
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant

from .const import CONF_NUMBERS
from .message_view import message_view
from .providers import PROVIDER_CLASSES
from .runtime import SmsBridgeConfigEntry

#: Every gateway's secret fields (as each declares them), and the webhook address's secret parts.
TO_REDACT = {
    field.key
    for cls in PROVIDER_CLASSES.values()
    for field in cls.account_fields
    if field.is_secret
} | {CONF_WEBHOOK_ID, "cloudhook_url"}
#: How many of the latest messages diagnostics show.
LAST_MESSAGES = 20


def mask_phone(number: str) -> str:
    """A phone number with its middle hidden: enough to tell numbers apart, not to call them.

    Short numbers keep only their last two digits: the first four would show nearly all of them.
    """
    head = number[:4] if len(number) > 8 else ""
    return f"{head}{'*' * max(len(number) - len(head) - 2, 0)}{number[-2:]}"


def last_messages(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> list[dict[str, Any]]:
    """The latest messages, newest first: numbers masked and no text.

    Diagnostics end up attached to public issues, and an SMS can be private (a code, a name, an
    address); what support needs is the number's shape, the length and the gateway's answers.
    """
    return [
        message_view(hass, entry, message) | {"phone": mask_phone(message.phone)}
        for message in islice(entry.runtime_data.ledger.newest_first(), LAST_MESSAGES)
    ]


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: SmsBridgeConfigEntry
) -> dict[str, Any]:
    """What support needs to see, and nothing that would let anyone use the account."""
    runtime = entry.runtime_data
    coordinator = runtime.coordinator
    state = coordinator.data
    return {
        "entry": {
            "title": entry.title,
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": dict(entry.options),
        },
        "recipients": [
            {
                "title": subentry.title,
                CONF_NUMBERS: [mask_phone(n) for n in subentry.data.get(CONF_NUMBERS, [])],
            }
            for subentry in entry.subentries.values()
        ],
        "coordinator": {
            "last_update_success": coordinator.last_update_success,
            "update_interval": str(coordinator.update_interval),
            "counts_from_ledger": coordinator.counts_from_ledger,
            "balance": (
                {"amount": str(state.balance.amount), "unit": state.balance.unit}
                if state and state.balance
                else None
            ),
            "totals": dataclasses.asdict(state.totals) if state else None,
        },
        "ledger": {"messages": len(runtime.ledger), "last": last_messages(hass, entry)},
    }
