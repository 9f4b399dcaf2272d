"""One message through one account: the account's send slots, the one safe retry, the ledger.

A failure that surely sent nothing (the connection was refused, or the gateway said it did not
take the message) is tried once more, with the same request id; anything else is returned as
it is, so no SMS goes out twice. The send says when it starts and ends (signals.py): a
delivery report that arrives meanwhile can wait for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace

from homeassistant.core import HomeAssistant

from .address import report_url
from .const import OPT_SENDER
from .ledger import LedgerMessage, MessageLink
from .providers import Provider
from .providers.base import OutgoingMessage, ProviderError, SendResult, TransientError
from .runtime import SmsBridgeConfigEntry
from .signals import SendUnderWay

#: Seconds before the single retry of a failure that surely sent nothing.
RETRY_DELAY = 2.0

#: Awaited before each attempt (True: a request is about to go out) and after an attempt that
#: surely sent nothing (False): where a resend writes down how far it got, durably.
type AttemptHook = Callable[[bool], Awaitable[None]]


def outgoing(
    hass: HomeAssistant,
    entry: SmsBridgeConfigEntry,
    phone: str,
    text: str,
    *,
    unicode: bool,
    sender: str | None = None,
    request_id: str | None = None,
) -> OutgoingMessage:
    """The message as the entry sends it: its default sender, its report URL where needed.

    `request_id`: the message's own id when it has one already (a resend after a restart).
    """
    provider = entry.runtime_data.provider
    message = OutgoingMessage(
        phone=phone,
        text=text,
        unicode=unicode,
        sender=sender or entry.options.get(OPT_SENDER),
        callback_url=report_url(hass, entry.data) if provider.callback_per_message else None,
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


async def async_send_one(
    entry: SmsBridgeConfigEntry,
    message: OutgoingMessage,
    *,
    keep_body: bool = False,
    resend_of: MessageLink | None = None,
    hook: AttemptHook | None = None,
) -> tuple[SendResult, LedgerMessage] | ProviderError:
    """Send through the account; what went out is in its ledger (`keep_body`: its whole text)."""
    runtime = entry.runtime_data
    async with runtime.send_slots:
        send = SendUnderWay()
        runtime.signals.send_started.publish(send)
        try:
            result = await _send_once_more_if_safe(runtime.provider, message, hook)
        except ProviderError as err:
            return err
        else:
            send.message = runtime.ledger.async_record_sent(
                result, message.text, keep_body=keep_body, resend_of=resend_of
            )
            return result, send.message
        finally:
            runtime.signals.send_finished.publish(send)
