"""The one send path behind the action, the notify entities and the legacy notify services.

Every number is checked before anything is sent, and the spending guard may refuse the call
before anything goes out; the same text to the same number inside the duplicate window goes out
once. Each number goes through the account (one_message.py); a number its gateway surely did not
take goes once through the backup account (backup.py). Whatever went out is in the ledger of the
account that sent it, even when other numbers failed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from ..const import (
    DEFAULT_ENCODING,
    DOMAIN,
    ENCODING_ASCII,
    ENCODING_UNICODE,
    LOGGER,
    OPT_ENCODING,
)
from ..phone import InvalidNumberError, split_numbers, to_e164
from ..providers.channels import Channel
from ..providers.errors import AuthenticationError, MaybeSentError, ProviderError
from ..providers.models import SendResult
from ..providers.text import is_gsm7, plain_text
from ..runtime import SmsBridgeConfigEntry
from ..store.ledger import LedgerMessage
from .backup import Fallback, fallback_for, resends
from .estimate import async_estimate
from .guard import Reservation, Settled
from .one_message import Extras, Prepared, async_send_one
from .outcome import Number, Outcome
from .zalo import async_zalo_content, check_channel

#: Characters in one text at most: 7 plain or 15 Unicode SMS to each number. A longer text is
#: a mistake (a template that printed a whole state dump), and each of its SMS would cost.
MAX_MESSAGE_LENGTH = 1000


@dataclass(frozen=True, slots=True)
class SendOptions:
    """How a call sends, besides its numbers and its text."""

    sender: str | None = None
    #: Unicode or plain: None leaves it to the account's encoding option.
    unicode: bool | None = None
    #: Whether numbers the account's gateway surely did not take go through its backup.
    backup: bool = True
    channel: str = Channel.SMS.value
    zalo_template: str | None = None
    zalo_params: Mapping[str, str] = field(default_factory=dict)


def resolve_targets(targets: str | Iterable[str], region: str) -> list[Number]:
    """Every target parsed, or a ServiceValidationError naming each bad one; repeats dropped."""
    raw = split_numbers(targets)
    if not raw:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="no_target")
    numbers: dict[str, Number] = {}
    invalid: list[str] = []
    for target in raw:
        try:
            phone = to_e164(target, region)
        except InvalidNumberError:
            invalid.append(target)
            continue
        numbers.setdefault(phone, Number(target, phone))
    if invalid:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_numbers",
            translation_placeholders={"numbers": ", ".join(invalid)},
        )
    return list(numbers.values())


def check_message(message: str) -> None:
    """A text that can go out: not empty, and not longer than MAX_MESSAGE_LENGTH."""
    if not message or not message.strip():
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="empty_message")
    if len(message) > MAX_MESSAGE_LENGTH:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="message_too_long",
            translation_placeholders={"length": str(len(message)), "max": str(MAX_MESSAGE_LENGTH)},
        )


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


async def _async_send_reserved(
    hass: HomeAssistant,
    entry: SmsBridgeConfigEntry,
    reservation: Reservation,
    prepared: Prepared,
    extras: Extras,
) -> tuple[SendResult, LedgerMessage] | ProviderError:
    """Send one number under its reservation, and settle the reservation whatever happens."""
    settled: Settled = MaybeSentError("the send was interrupted")
    try:
        sent = await async_send_one(hass, entry, reservation.phone, prepared, extras=extras)
        settled = sent if isinstance(sent, ProviderError) else sent[1]
        return sent
    finally:
        entry.runtime_data.guard.async_done(reservation, settled)


async def _async_through(
    hass: HomeAssistant,
    entry: SmsBridgeConfigEntry,
    numbers: list[Number],
    prepared: Prepared,
    *,
    via_backup: bool = False,
) -> list[Outcome]:
    """Send to the numbers through one account: its guard, its slots, its ledger.

    A number an equal send under way also goes to waits for that send and shares its outcome.
    Every number's message costs what the first's does (same text, same country).
    """
    estimate = await async_estimate(hass, entry, numbers[0].phone, prepared)
    plan = entry.runtime_data.guard.plan(
        [n.phone for n in numbers], prepared.compared, estimate[0] if estimate else None
    )
    extras = Extras(
        keep_body=resends(hass, entry) and prepared.channel is not Channel.ZALO,
        estimate=estimate,
    )
    sends = {
        phone: _async_send_reserved(hass, entry, reservation, prepared, extras)
        for phone, reservation in plan.to_send.items()
    }
    results = dict(zip(sends, await asyncio.gather(*sends.values()), strict=True))
    waits = [asyncio.shield(outcome) for outcome in plan.waiting.values()]
    shared = dict(zip(plan.waiting, await asyncio.gather(*waits), strict=True))
    if sends:
        entry.runtime_data.coordinator.async_gateway_changed()  # the balance went down
    found: dict[str, Settled | tuple[SendResult, LedgerMessage]] = {
        **results,
        **shared,
        **plan.duplicates,
    }
    return [_outcome(entry, n, found[n.phone], via_backup=via_backup) for n in numbers]


def _outcome(
    entry: SmsBridgeConfigEntry,
    number: Number,
    found: Settled | tuple[SendResult, LedgerMessage],
    *,
    via_backup: bool,
) -> Outcome:
    """What became of one number: sent, covered by an equal message, or failed."""
    outcome = Outcome(number, entry, via_backup=via_backup)
    if isinstance(found, ProviderError):
        outcome.errors.append((entry, found))
    elif isinstance(found, LedgerMessage):
        outcome.earlier, outcome.cost = found, found.known_cost
    else:
        outcome.result, outcome.cost = found[0], found[1].known_cost
    return outcome


async def _async_fall_back(hass: HomeAssistant, fallback: Fallback) -> None:
    """Send once through the backup what the account surely did not take."""
    try:
        second = await _async_through(
            hass, fallback.account, fallback.numbers, fallback.prepared, via_backup=True
        )
    except HomeAssistantError as err:  # the backup's own limit
        LOGGER.warning("The backup account %s refused the send: %s", fallback.account.title, err)
        return
    fallback.merge(second)


def _failure_line(outcome: Outcome) -> str:
    reasons = []
    for account, err in outcome.errors:
        reason = str(err) + (" (it may have been sent)" if err.maybe_sent else "")
        reasons.append(f"{account.title}: {reason}" if len(outcome.errors) > 1 else reason)
    return f"{outcome.number.target}: " + "; ".join(reasons)


def _raise_for_failures(hass: HomeAssistant, outcomes: list[Outcome]) -> None:
    """Start reauthentication on refused credentials; raise an error naming each failure."""
    failures = [o for o in outcomes if o.result is None and o.earlier is None]
    refused = {
        e.entry_id: e
        for o in failures
        for e, err in o.errors
        if isinstance(err, AuthenticationError)
    }
    for account in refused.values():
        account.async_start_reauth(hass)
    if failures:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="send_failed",
            translation_placeholders={
                "failures": "; ".join(_failure_line(o) for o in failures),
                "sent": str(len(outcomes) - len(failures)),
                "total": str(len(outcomes)),
            },
        )


async def async_prepare(
    hass: HomeAssistant,
    entry: SmsBridgeConfigEntry,
    message: str | None,
    call: SendOptions,
) -> Prepared:
    """What the call sends: its channel checked, its SMS text encoded, its Zalo content checked."""
    runtime = entry.runtime_data
    channel = check_channel(runtime.provider, call.channel)
    zalo = None
    if channel is not Channel.SMS:
        zalo = await async_zalo_content(
            runtime.zalo, entry.options, call.zalo_template, call.zalo_params
        )
    if channel is Channel.ZALO:
        return Prepared("", channel=channel, zalo=zalo)
    check_message(message or "")
    text, as_unicode = prepare_text(
        message or "", call.unicode, entry.options.get(OPT_ENCODING, DEFAULT_ENCODING)
    )
    return Prepared(text, as_unicode, call.sender, channel, zalo)


async def async_send(
    hass: HomeAssistant,
    entry: SmsBridgeConfigEntry,
    targets: str | Iterable[str],
    message: str | None,
    call: SendOptions = SendOptions(),
) -> list[dict[str, Any]]:
    """Send `message` to every target through the entry (and its backup); what went out."""
    numbers = resolve_targets(targets, entry.runtime_data.provider.region)
    prepared = await async_prepare(hass, entry, message, call)
    outcomes = await _async_through(hass, entry, numbers, prepared)
    if call.backup and (fallback := fallback_for(hass, entry, outcomes, prepared)) is not None:
        await _async_fall_back(hass, fallback)
    _raise_for_failures(hass, outcomes)
    return [outcome.row() for outcome in outcomes]
