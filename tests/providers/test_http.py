"""The send session: a new connection per send, no repeat by the library, closed by its client."""

from __future__ import annotations

import ssl
from typing import Any

import aiohttp
import pytest

from custom_components.sms_bridge.providers import base, create_provider
from custom_components.sms_bridge.providers.base import Provider
from custom_components.sms_bridge.providers.errors import TransientError
from custom_components.sms_bridge.providers.http import RepeatRefusedError, fetch, send_session
from custom_components.sms_bridge.providers.models import OutgoingMessage
from sandbox import Fault, Sandbox

TIMEOUT = aiohttp.ClientTimeout(total=5)
PHONE = "+359888123456"


def send_url(sandbox: Sandbox) -> str:
    """SMSPAY's send call, filled in: a GET that sends an SMS."""
    return (
        f"{sandbox.url}/smspay/send?user=smspay-user&pass=smspay-pass"
        "&phone=359888123456&message=Hi&ext=1"
    )


def smspay(session: aiohttp.ClientSession, sandbox: Sandbox, **kwargs: Any) -> Provider:
    """SMSPAY's client on the sandbox account."""
    template = send_url(sandbox).replace("359888123456", "{phone}").replace("Hi", "{message}")
    return create_provider(session, "smspay", {"send_url": template}, **kwargs)


async def test_the_library_repeats_a_dropped_get(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """Why the guard exists: a plain session sends a GET again when its connection drops.

    It does so on a new connection too, on aiohttp 3.11 as on 3.14: two SMS, one answer.
    """
    sandbox.state.faults.append(Fault("answer_lost", "smspay", "disconnect"))
    async with session.get(send_url(sandbox)) as response:
        assert response.status == 200
    assert len(sandbox.state.messages) == 2
    assert all(arrival.fresh for arrival in sandbox.state.arrivals)


async def test_the_send_session_refuses_the_repeat(sandbox: Sandbox) -> None:
    """The same GET through a send session reaches the gateway once: the repeat is refused."""
    sandbox.state.faults.append(Fault("answer_lost", "smspay", "disconnect"))
    async with send_session() as guarded:
        with pytest.raises(RepeatRefusedError):
            await fetch(guarded, "GET", send_url(sandbox), client_timeout=TIMEOUT, sending=True)
    assert len(sandbox.state.messages) == 1


async def test_each_send_on_a_new_connection(sandbox: Sandbox) -> None:
    """Two sends in a row: two connections, the first closed after its answer."""
    async with send_session() as guarded:
        for _ in range(2):
            answer = await fetch(
                guarded, "GET", send_url(sandbox), client_timeout=TIMEOUT, sending=True
            )
            assert b"SMS_ID" in answer.body
    assert [(a.connection, a.order) for a in sandbox.state.arrivals] == [(1, 1), (2, 1)]


async def test_a_send_needs_the_send_session(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """A send through a plain session, or a request on a send session not made by fetch: refused.

    Neither reaches the gateway.
    """
    with pytest.raises(ValueError, match="send session"):
        await fetch(session, "GET", send_url(sandbox), client_timeout=TIMEOUT, sending=True)
    async with send_session() as guarded:
        with pytest.raises(TypeError):
            await guarded.get(send_url(sandbox))
    assert sandbox.state.arrivals == []


async def test_client_owns_its_send_session(
    sandbox: Sandbox, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Made at the first send with the client's TLS context, closed once by close().

    A plain call does not make one; a send after close() is refused, nothing sent.
    """
    made: list[aiohttp.ClientSession] = []
    contexts: list[ssl.SSLContext | bool] = []

    def recorded(context: ssl.SSLContext | bool = True) -> aiohttp.ClientSession:
        contexts.append(context)
        made.append(send_session(context))
        return made[-1]

    monkeypatch.setattr(base, "send_session", recorded)
    context = ssl.create_default_context()
    provider = smspay(session, sandbox, ssl=context)
    await provider.check_credentials()
    assert made == []
    for _ in range(2):
        await provider.send(OutgoingMessage(PHONE, "Hi"))
    assert (len(made), contexts) == (1, [context])
    await provider.close()
    await provider.close()
    assert made[0].closed
    with pytest.raises(TransientError) as caught:
        await provider.send(OutgoingMessage(PHONE, "Hi"))
    assert not caught.value.maybe_sent
    assert len(sandbox.state.messages) == 2


async def test_close_without_a_send(session: aiohttp.ClientSession) -> None:
    """A client that never sent has nothing to close."""
    provider = create_provider(session, "smspay", {"send_url": "http://x/s?p={phone}&m={message}"})
    await provider.close()
    assert provider._send_session is None
