"""The one send path behind the action, the notify entities and the legacy notify services.

Every number is checked before anything is sent; messages go out a few at a time per account
(whatever the number of calls); a failure that surely sent nothing is tried once more; a refusal
or an answer that leaves open whether it went out never is, so no SMS goes out twice. Whatever
went out is in the ledger, even when other numbers failed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .account import full_webhook_url
from .const import (
    CONF_PROVIDER,
    DEFAULT_ENCODING,
    DOMAIN,
    ENCODING_ASCII,
    ENCODING_UNICODE,
    OPT_ENCODING,
    OPT_SENDER,
    PROVIDER_ESMS,
    REGIONS,
)
from .coordinator import SmsBridgeConfigEntry
from .phone import InvalidNumberError, split_numbers, to_e164
from .providers import Provider
from .providers.base import (
    AuthenticationError,
    OutgoingMessage,
    ProviderError,
    SendResult,
    TransientError,
)
from .providers.text import is_gsm7, plain_text

#: Seconds before the single retry of a transient failure.
RETRY_DELAY = 2.0


@dataclass(frozen=True, slots=True)
class Recipient:
    """A number as the caller wrote it and in E.164."""

    target: str
    phone: str


def resolve_targets(targets: str | Iterable[str], region: str) -> list[Recipient]:
    """Every target parsed, or a ServiceValidationError naming each bad one; repeats dropped."""
    raw = split_numbers(targets)
    if not raw:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_target")
    recipients: dict[str, Recipient] = {}
    invalid: list[str] = []
    for target in raw:
        try:
            phone = to_e164(target, region)
        except InvalidNumberError:
            invalid.append(target)
            continue
        recipients.setdefault(phone, Recipient(target, phone))
    if invalid:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_numbers",
            translation_placeholders={"numbers": ", ".join(invalid)},
        )
    return list(recipients.values())


def prepare_text(text: str, unicode: bool | None, encoding: str) -> tuple[str, bool]:
    """The text to send and whether it goes as Unicode.

    `unicode` (from the call) wins over the entry's encoding option. Plain text is GSM-7:
    Vietnamese diacritics removed, Bulgarian transliterated; "auto" is plain only when the text
    needs no Unicode.
    """
    if unicode is None:
        if encoding == ENCODING_UNICODE:
            unicode = True
        elif encoding == ENCODING_ASCII:
            unicode = False
        else:
            unicode = not is_gsm7(text)
    return (text, True) if unicode else (plain_text(text), False)


async def _send_once_more_if_safe(provider: Provider, message: OutgoingMessage) -> SendResult:
    """Send; after a failure that surely sent nothing, wait and try exactly once more.

    The retry is the same message, with the same request id where the gateway takes one.
    """
    try:
        return await provider.send(message)
    except TransientError as err:
        if err.maybe_sent:
            raise
        await asyncio.sleep(RETRY_DELAY)
        return await provider.send(message)


def _failure_line(recipient: Recipient, err: ProviderError) -> str:
    line = f"{recipient.target}: {err}"
    if err.maybe_sent:
        line += " (it may have been sent)"
    return line


async def async_send_one(
    entry: SmsBridgeConfigEntry, outgoing: OutgoingMessage
) -> SendResult | ProviderError:
    """One message through the account, recorded in the ledger when it went out.

    Every call shares the account's send slots; a delivery report that arrives while the send
    is under way waits for it (`ReportRouter`).
    """
    runtime = entry.runtime_data
    async with runtime.send_slots:
        ticket = runtime.reports.async_send_started()
        message = None
        try:
            result = await _send_once_more_if_safe(runtime.provider, outgoing)
        except ProviderError as err:
            return err
        else:
            message = runtime.ledger.async_record_sent(result, outgoing.text)
            return result
        finally:
            runtime.reports.async_send_finished(ticket, message)


def _raise_for_failures(
    hass: HomeAssistant,
    entry: SmsBridgeConfigEntry,
    recipients: list[Recipient],
    outcomes: list[SendResult | ProviderError],
) -> None:
    """Start reauthentication on refused credentials; raise an error naming each failure."""
    failures = [
        (recipient, outcome)
        for recipient, outcome in zip(recipients, outcomes, strict=True)
        if isinstance(outcome, ProviderError)
    ]
    if any(isinstance(err, AuthenticationError) for _, err in failures):
        entry.async_start_reauth(hass)
    if failures:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="send_failed",
            translation_placeholders={
                "failures": "; ".join(_failure_line(r, err) for r, err in failures),
                "sent": str(len(recipients) - len(failures)),
                "total": str(len(recipients)),
            },
        )


async def async_send(
    hass: HomeAssistant,
    entry: SmsBridgeConfigEntry,
    targets: str | Iterable[str],
    message: str,
    *,
    sender: str | None = None,
    unicode: bool | None = None,
) -> list[dict[str, Any]]:
    """Send `message` to every target through the entry's gateway; what went out, per number."""
    if not message or not message.strip():
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="empty_message")
    recipients = resolve_targets(targets, REGIONS[entry.data[CONF_PROVIDER]])
    text, as_unicode = prepare_text(
        message, unicode, entry.options.get(OPT_ENCODING, DEFAULT_ENCODING)
    )
    callback_url = (
        full_webhook_url(hass, entry.data[CONF_WEBHOOK_ID])
        if entry.data[CONF_PROVIDER] == PROVIDER_ESMS
        else None
    )
    sender = sender or entry.options.get(OPT_SENDER)
    outgoing = [
        OutgoingMessage(
            phone=r.phone, text=text, unicode=as_unicode, sender=sender, callback_url=callback_url
        )
        for r in recipients
    ]
    outcomes = await asyncio.gather(*(async_send_one(entry, o) for o in outgoing))
    entry.runtime_data.coordinator.async_gateway_changed()  # the balance went down
    _raise_for_failures(hass, entry, recipients, outcomes)
    return [
        {
            "target": recipient.target,
            "phone": recipient.phone,
            "message_id": outcome.message_id,
            "segments": outcome.segments,
        }
        for recipient, outcome in zip(recipients, outcomes, strict=True)
        if isinstance(outcome, SendResult)
    ]
