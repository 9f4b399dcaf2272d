"""The backup account: sends what the entry's own gateway surely did not take.

A number goes to the backup once, and only when its own gateway surely did not take it (a
refusal, refused credentials, no connection): never after an answer that leaves open whether it
went out, so no one gets two SMS; never from a backup's own send (no A -> B -> A). With
`resend_failed`, a final `failed` report resends the message once through the backup, and the
two ledger entries point at each other (`resent_as`, `resend_of`).
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN, LOGGER, OPT_BACKUP, OPT_RESEND_FAILED
from .ledger import LedgerMessage, MessageLink
from .outgoing import async_send_one, outgoing
from .providers.base import DeliveryReport, DeliveryStatus, ProviderError
from .providers.text import is_gsm7
from .runtime import SmsBridgeConfigEntry


def backup_of(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> SmsBridgeConfigEntry | None:
    """The entry's backup account, when one is chosen, exists and is loaded."""
    backup_id = entry.options.get(OPT_BACKUP)
    if not backup_id or backup_id == entry.entry_id:
        return None
    backup: SmsBridgeConfigEntry | None = hass.config_entries.async_get_entry(backup_id)
    if backup is None or backup.domain != DOMAIN or backup.state is not ConfigEntryState.LOADED:
        return None
    return backup


def resends(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> bool:
    """Whether failed messages are resent through a backup (so their text must be kept)."""
    return bool(entry.options.get(OPT_RESEND_FAILED)) and bool(entry.options.get(OPT_BACKUP))


def link(entry: SmsBridgeConfigEntry, message_id: str) -> MessageLink:
    """A message of an entry, as the ledger links resends."""
    return {"config_entry_id": entry.entry_id, "message_id": message_id}


@callback
def async_resend_failed(
    hass: HomeAssistant,
    entry: SmsBridgeConfigEntry,
    report: DeliveryReport,
    message: LedgerMessage | None,
) -> None:
    """After a final `failed` report of the entry's own message: resend it through the backup."""
    if (
        message is None
        or not report.final
        or report.status is not DeliveryStatus.FAILED
        or message.resent_as is not None
        or message.resend_of is not None  # a resend is never resent again
        or message.body is None
    ):
        return
    entry.async_create_background_task(
        hass, _async_resend(hass, entry, message), f"{DOMAIN} resend {message.message_id}"
    )


async def _async_resend(
    hass: HomeAssistant, entry: SmsBridgeConfigEntry, message: LedgerMessage
) -> None:
    backup = backup_of(hass, entry)
    body = message.body
    if backup is None or body is None:
        LOGGER.warning("%s: a failed message could not be resent: no backup account", entry.title)
        return
    try:
        plan = backup.runtime_data.guard.plan([message.phone], body)
    except HomeAssistantError as err:
        LOGGER.warning("%s: a failed message was not resent: %s", entry.title, err)
        return
    if not plan.to_send:  # the backup sent this text to this number moments ago
        return
    sent = await async_send_one(
        backup,
        outgoing(hass, backup, message.phone, body, unicode=not is_gsm7(body)),
        resend_of=link(entry, message.message_id),
    )
    if isinstance(sent, ProviderError):
        LOGGER.warning(
            "%s: resending a failed message through %s failed: %s", entry.title, backup.title, sent
        )
        return
    message.resent_as = link(backup, sent[0].message_id)
    message.body = None
    entry.runtime_data.ledger.async_update(message)
