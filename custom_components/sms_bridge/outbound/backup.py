"""The backup account: sends what the entry's own gateway surely did not take.

A number goes to the backup once, and only when its own gateway surely did not take it (a
refusal, refused credentials, no connection): never after an answer that leaves open whether it
went out, so no one gets two SMS; never from a backup's own send (no A -> B -> A). With
`resend_failed`, a final `failed` report resends the message once through the backup, and the
two ledger entries point at each other (`resent_as`, `resend_of`).

A resend survives a crash. The decision is on disk before its request goes out (the webhook
answers the gateway only after that), and so is each step: before each request ("sending"),
after an attempt that surely sent nothing ("decided" again), and the end. After a restart a
decided resend is carried out, once; one whose request may have gone out is never repeated; and
a failed report the gateway repeats finds the decision and resends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
import uuid

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.start import async_at_started

from ..const import DOMAIN, LOGGER, OPT_BACKUP, OPT_RESEND_FAILED
from ..providers.errors import MaybeSentError, ProviderError
from ..providers.models import DeliveryReport, DeliveryStatus
from ..providers.text import is_gsm7
from ..runtime import SmsBridgeConfigEntry
from ..signals import AppliedReport
from ..store.ledger import LedgerMessage, MessageLink, Resend
from .estimate import async_estimate
from .guard import Settled
from .one_message import Extras, Prepared, async_send_one
from .outcome import Number, Outcome

DECIDED = "decided"
SENDING = "sending"
DONE = "done"
MAYBE_SENT = "maybe_sent"
REFUSED = "refused"


def backup_of(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> SmsBridgeConfigEntry | None:
    """The entry's backup account, when one is chosen, exists and is loaded."""
    return _loaded(hass, entry.options.get(OPT_BACKUP), entry.entry_id)


def _loaded(
    hass: HomeAssistant, entry_id: str | None, not_this: str
) -> SmsBridgeConfigEntry | None:
    if not entry_id or entry_id == not_this:
        return None
    backup: SmsBridgeConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if backup is None or backup.domain != DOMAIN or backup.state is not ConfigEntryState.LOADED:
        return None
    return backup


@dataclass(frozen=True, slots=True)
class Fallback:
    """What a send leaves to the backup account: the numbers no account may have sent."""

    account: SmsBridgeConfigEntry
    failed: list[Outcome]
    #: As SMS: a Zalo-then-SMS message goes to the backup as its SMS.
    prepared: Prepared

    @property
    def numbers(self) -> list[Number]:
        """The numbers to send to through the backup."""
        return [outcome.number for outcome in self.failed]

    def merge(self, second: list[Outcome]) -> None:
        """The backup's outcomes, in the numbers' order, become theirs where it sent them."""
        for first, retry in zip(self.failed, second, strict=True):
            if retry.result is not None or retry.earlier is not None:
                first.entry, first.result, first.earlier = self.account, retry.result, retry.earlier
                first.via_backup, first.cost = True, retry.cost
            else:
                first.errors += retry.errors


def fallback_for(
    hass: HomeAssistant, entry: SmsBridgeConfigEntry, outcomes: list[Outcome], prepared: Prepared
) -> Fallback | None:
    """Whether a send goes on to the backup: only what its own gateway surely did not take.

    Never after an answer that may mean it went out, never from a backup's own send, and never
    a Zalo-only message (it has no SMS to send). None when nothing goes to the backup.
    """
    failed = [o for o in outcomes if o.surely_not_sent]
    as_sms = prepared.for_backup()
    if not failed or as_sms is None or (backup := backup_of(hass, entry)) is None:
        return None
    return Fallback(backup, failed, as_sms)


def resends(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> bool:
    """Whether failed messages are resent through a backup (so their text must be kept)."""
    return bool(entry.options.get(OPT_RESEND_FAILED)) and bool(entry.options.get(OPT_BACKUP))


def link(entry: SmsBridgeConfigEntry, message_id: str) -> MessageLink:
    """A message of an entry, as the ledger links resends."""
    return {"config_entry_id": entry.entry_id, "message_id": message_id}


@callback
def async_start_resends(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> list[CALLBACK_TYPE]:
    """Resume the resends a restart interrupted, and resend failed messages from now on."""
    async_resume_resends(hass, entry)
    if not resends(hass, entry):
        return []

    @callback
    def _async_report(applied: AppliedReport) -> None:
        async_resend_failed(hass, entry, applied.report, applied.message)

    return [entry.runtime_data.signals.report.listen(_async_report)]


@callback
def async_resend_failed(
    hass: HomeAssistant,
    entry: SmsBridgeConfigEntry,
    report: DeliveryReport,
    message: LedgerMessage | None,
) -> None:
    """After a final `failed` report of the entry's own message: decide its resend, then do it.

    The decision is an urgent journal record: the webhook writes it before it answers.
    """
    if (
        message is None
        or not (report.final and message.final)  # a failed Zalo leg is followed by its SMS
        or message.status is not DeliveryStatus.FAILED
        or message.resend is not None  # decided before (a repeated report, a restart)
        or message.resent_as is not None
        or message.resend_of is not None  # a resend is never resent again
        or message.body is None
    ):
        return
    backup = backup_of(hass, entry)
    if backup is None:
        LOGGER.warning("%s: a failed message could not be resent: no backup account", entry.title)
        return
    message.resend = Resend(to=backup.entry_id, state=DECIDED, request_id=uuid.uuid4().hex)
    entry.runtime_data.ledger.async_update(message, urgent=True)
    _async_carry_out_later(hass, entry, message)


@callback
def async_resume_resends(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> None:
    """After a restart: carry out decided resends once Home Assistant has started.

    One that was sending when Home Assistant stopped may have gone out: it is never repeated.
    """
    for message in entry.runtime_data.ledger.messages():
        if message.resend is None:
            continue
        if message.resend["state"] == SENDING:
            LOGGER.warning(
                "%s: a resend through the backup was under way when Home Assistant stopped;"
                " it may have been sent and is not repeated",
                entry.title,
            )
            _set_state(entry, message, MAYBE_SENT)
        elif message.resend["state"] == DECIDED:

            @callback
            def _resume(_hass: HomeAssistant, message: LedgerMessage = message) -> None:
                _async_carry_out_later(hass, entry, message)

            entry.async_on_unload(async_at_started(hass, _resume))


def _async_carry_out_later(
    hass: HomeAssistant, entry: SmsBridgeConfigEntry, message: LedgerMessage
) -> None:
    entry.async_create_background_task(
        hass, _async_carry_out(hass, entry, message), f"{DOMAIN} resend {message.message_id}"
    )


def _set_state(
    entry: SmsBridgeConfigEntry, message: LedgerMessage, state: str, *, urgent: bool = False
) -> None:
    if (resend := message.resend) is not None:
        message.resend = Resend(to=resend["to"], state=state, request_id=resend["request_id"])
        entry.runtime_data.ledger.async_update(message, urgent=urgent)


async def _async_carry_out(
    hass: HomeAssistant, entry: SmsBridgeConfigEntry, message: LedgerMessage
) -> None:
    """Resend a decided message through its backup, each step on disk before the next."""
    journal = entry.runtime_data.journal
    await journal.async_flush_urgent()  # the decision, before any request
    resend, body = message.resend, message.body
    backup = _loaded(hass, resend["to"], entry.entry_id) if resend else None
    if resend is None or backup is None or body is None:
        LOGGER.warning(
            "%s: a failed message waits for its backup account to be loaded to be resent",
            entry.title,
        )
        return
    prepared = Prepared(body, not is_gsm7(body))
    estimate = await async_estimate(hass, backup, message.phone, prepared)
    try:
        plan = backup.runtime_data.guard.plan(
            [message.phone], body, estimate[0] if estimate else None
        )
    except ServiceValidationError as err:
        LOGGER.warning("%s: a failed message was not resent: %s", entry.title, err)
        _set_state(entry, message, REFUSED)
        return
    if message.phone not in plan.to_send:  # the backup sends, or just sent, this very text
        _set_state(entry, message, DONE)
        return

    async def _hook(sending: bool) -> None:
        _set_state(entry, message, SENDING if sending else DECIDED, urgent=True)
        await journal.async_flush_urgent()

    reservation = plan.to_send[message.phone]
    settled: Settled = MaybeSentError("the resend was interrupted")
    try:
        sent = await async_send_one(
            hass,
            backup,
            message.phone,
            prepared,
            extras=Extras(
                resend_of=link(entry, message.message_id),
                request_id=resend["request_id"],
                estimate=estimate,
            ),
            hook=_hook,
        )
        settled = sent if isinstance(sent, ProviderError) else sent[1]
    finally:
        backup.runtime_data.guard.async_done(reservation, settled)
    _finish(entry, backup, message, settled)


def _finish(
    entry: SmsBridgeConfigEntry,
    backup: SmsBridgeConfigEntry,
    message: LedgerMessage,
    settled: Settled,
) -> None:
    """Write down how the resend ended: linked both ways, or why not (never tried again)."""
    if isinstance(settled, ProviderError):
        LOGGER.warning(
            "%s: resending a failed message through %s failed: %s",
            entry.title,
            backup.title,
            settled,
        )
        _set_state(entry, message, MAYBE_SENT if settled.maybe_sent else REFUSED)
        return
    message.resent_as = link(backup, settled.message_id)
    message.body = None
    _set_state(entry, message, DONE)
