"""One message through one account: the account's send slots, the one safe retry, the ledger.

A failure that surely sent nothing (the connection was refused, or the gateway said it did not
take the message) is tried once more, with the same request id; anything else is returned as
it is, so no SMS goes out twice. The send says when it starts and ends (signals.py): a
delivery report that arrives meanwhile can wait for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from decimal import Decimal

from homeassistant.core import HomeAssistant

from ..const import OPT_SENDER
from ..inbound.address import report_url
from ..providers import Provider
from ..providers.channels import Channel, ZaloContent
from ..providers.errors import ProviderError, TransientError
from ..providers.models import OutgoingMessage, SendResult
from ..providers.text import segment_count
from ..runtime import SmsBridgeConfigEntry
from ..signals import SendUnderWay
from ..store.ledger import LedgerMessage, MessageLink
from .zalo import zalo_digest_text

#: Seconds before the single retry of a failure that surely sent nothing.
RETRY_DELAY = 2.0

#: Awaited before each attempt (True: a request is about to go out) and after an attempt that
#: surely sent nothing (False): where a resend writes down how far it got, durably.
type AttemptHook = Callable[[bool], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Prepared:
    """What a call sends to each of its numbers: the channel, the SMS text, the Zalo content."""

    #: The SMS text, as it goes out (plain or Unicode); "" for Zalo alone.
    text: str
    unicode: bool = False
    sender: str | None = None
    channel: Channel = Channel.SMS
    zalo: ZaloContent | None = None

    @property
    def compared(self) -> str:
        """What the duplicate window compares: the text, and a Zalo message's template."""
        return zalo_digest_text(self.zalo, self.text) if self.zalo else self.text

    @property
    def preview(self) -> str:
        """What the ledger shows of it: the SMS text, or the Zalo template and its values."""
        if self.channel is Channel.ZALO and self.zalo is not None:
            values = ", ".join(f"{name}={value}" for name, value in self.zalo.params)
            return f"Zalo {self.zalo.template_id}: {values}"
        return self.text

    @property
    def segments(self) -> int:
        """SMS segments of one message (a Zalo message alone counts as one)."""
        return segment_count(self.text) if self.channel is not Channel.ZALO else 1

    def for_backup(self) -> Prepared | None:
        """The same message as a backup account sends it: its SMS (none for Zalo alone).

        A Zalo-then-SMS message is one message: the backup sends its SMS. The call's
        brandname belongs to the first account: the backup uses its own.
        """
        if self.channel is Channel.ZALO:
            return None
        return Prepared(self.text, self.unicode)


def outgoing(
    hass: HomeAssistant,
    entry: SmsBridgeConfigEntry,
    phone: str,
    prepared: Prepared,
    *,
    request_id: str | None = None,
) -> OutgoingMessage:
    """The message as the entry sends it: its default sender, its report URL where needed.

    `request_id`: the message's own id when it has one already (a resend after a restart).
    """
    provider = entry.runtime_data.provider
    message = OutgoingMessage(
        phone=phone,
        text=prepared.text,
        unicode=prepared.unicode,
        sender=prepared.sender or entry.options.get(OPT_SENDER),
        callback_url=report_url(hass, entry.data) if provider.callback_per_message else None,
        channel=prepared.channel,
        zalo=prepared.zalo,
    )
    return message if request_id is None else replace(message, request_id=request_id)


async def _send_once_more_if_safe(
    provider: Provider, message: OutgoingMessage, hook: AttemptHook | None
) -> SendResult:
    """Send; after a failure that surely sent nothing, wait and try exactly once more."""
    for retry in (False, True):
        if hook is not None:
            await hook(True)
        try:
            return await provider.send(message)
        except TransientError as err:
            if err.maybe_sent or retry:
                raise
            if hook is not None:
                await hook(False)
            await asyncio.sleep(RETRY_DELAY)
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True, slots=True)
class Extras:
    """How one send is recorded besides its content."""

    #: Keep the whole text until the last report (a resend after a failure may need it).
    keep_body: bool = False
    #: The message this one resends.
    resend_of: MessageLink | None = None
    #: The request id to send with (a resend's own, the same after a restart).
    request_id: str | None = None
    #: What it should cost, and in which currency, until its reports say.
    estimate: tuple[Decimal, str] | None = None


async def async_send_one(
    hass: HomeAssistant,
    entry: SmsBridgeConfigEntry,
    phone: str,
    prepared: Prepared,
    *,
    extras: Extras = Extras(),
    hook: AttemptHook | None = None,
) -> tuple[SendResult, LedgerMessage] | ProviderError:
    """Send `prepared` to `phone` through the account; what went out is in its ledger."""
    runtime = entry.runtime_data
    message = outgoing(hass, entry, phone, prepared, request_id=extras.request_id)
    async with runtime.send_slots:
        send = SendUnderWay()
        runtime.signals.send_started.publish(send)
        try:
            result = await _send_once_more_if_safe(runtime.provider, message, hook)
        except ProviderError as err:
            return err
        else:
            send.message = runtime.ledger.async_record_sent(
                result,
                prepared.preview,
                keep_body=extras.keep_body,
                resend_of=extras.resend_of,
                estimate=extras.estimate,
                compared=prepared.compared,
            )
            return result, send.message
        finally:
            runtime.signals.send_finished.publish(send)
