"""HTTP for the gateway clients: one call read in full, and sends that can never go out twice.

aiohttp sends an idempotent request (GET) again, once, on another connection when the first
drops before the answer (ServerDisconnectedError, ClientOSError); aiohttp 3.14 does so even on a
connection it has just opened. By then the gateway may have taken the message: for a send that
is a second SMS. So every request that may send goes through a session of its own
(`send_session`): a new connection for each request, never a pooled one a gateway may have
closed while it was idle, and a trace hook that refuses the request a second connection, so it
cannot be repeated whatever the library decides. The caller turns that refusal, like any other
lost answer, into "it may have been sent".

No error raised here carries the URL: Fibo and SMSPAY put secrets in query strings.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from ssl import SSLContext
from types import SimpleNamespace
from typing import Any

import aiohttp
from yarl import URL

type _Hook = Callable[[aiohttp.ClientSession, SimpleNamespace, object], Awaitable[None]]

#: The key of the per-request trace context that counts the connections a send has taken.
_CONNECTIONS = "connections"


@dataclass(frozen=True, slots=True)
class RawResponse:
    """An HTTP answer read in full. Never log `body`: gateways echo secrets."""

    status: int
    body: bytes
    content_type: str

    @property
    def text(self) -> str:
        """The body decoded as UTF-8, undecodable bytes replaced."""
        return self.body.decode("utf-8", errors="replace")


class RepeatRefusedError(Exception):
    """The library meant to make a send again on a second connection: refused.

    Its first connection dropped after the request went out: the gateway may have taken it.
    """

    def __init__(self) -> None:
        super().__init__("a send is never repeated on another connection")


class _SendGuard(aiohttp.TraceConfig):
    """The trace hooks of a send session: one connection per request, the first only."""

    def __init__(self) -> None:
        super().__init__()
        # Typed loosely: aiohttp 3.11's annotations of these signals do not fit the aiosignal
        # beside it. The hooks have the documented signature.
        hooks: tuple[tuple[Any, _Hook], ...] = (
            (self.on_connection_queued_start, _refuse_second),
            (self.on_connection_create_start, _take_first),
            (self.on_connection_reuseconn, _take_first),
        )
        for signal, hook in hooks:
            signal.append(hook)


def _connections(trace_config_ctx: SimpleNamespace) -> dict[str, int]:
    """The send's own count of connections (`fetch` gives each send a fresh one)."""
    counter = trace_config_ctx.trace_request_ctx
    if not isinstance(counter, dict) or _CONNECTIONS not in counter:
        raise TypeError("a send session only carries requests made by providers.http.fetch")
    return counter


async def _refuse_second(
    session: aiohttp.ClientSession, trace_config_ctx: SimpleNamespace, params: object
) -> None:
    """Waiting for a free connection slot: refused when the send has had its connection."""
    if _connections(trace_config_ctx)[_CONNECTIONS]:
        raise RepeatRefusedError


async def _take_first(
    session: aiohttp.ClientSession, trace_config_ctx: SimpleNamespace, params: object
) -> None:
    """About to open (or reuse) a connection: the first is the send's, any other is refused."""
    counter = _connections(trace_config_ctx)
    if counter[_CONNECTIONS]:
        raise RepeatRefusedError
    counter[_CONNECTIONS] = 1


def send_session(ssl: SSLContext | bool = True) -> aiohttp.ClientSession:
    """A session for sends alone: a new connection for each request, never a second one.

    `ssl` is the TLS context (True: aiohttp's default; Home Assistant passes its own prebuilt
    one, as building one in the event loop blocks). Names are looked up in a worker thread, as
    the system would, whatever DNS library happens to be installed. Its owner closes it.
    """
    connector = aiohttp.TCPConnector(force_close=True, ssl=ssl, resolver=aiohttp.ThreadedResolver())
    return aiohttp.ClientSession(connector=connector, trace_configs=[_SendGuard()])


def is_send_session(session: aiohttp.ClientSession) -> bool:
    """Whether `session` carries the send guard (made by `send_session`)."""
    return any(isinstance(config, _SendGuard) for config in session.trace_configs)


async def fetch(
    session: aiohttp.ClientSession,
    method: str,
    url: str | URL,
    *,
    client_timeout: aiohttp.ClientTimeout,
    sending: bool = False,
    **kwargs: Any,
) -> RawResponse:
    """One HTTP call, no redirect followed, its body read in full; aiohttp's errors as they are.

    `sending` marks a request that may make an SMS go out: it must go through a send session,
    which raises RepeatRefusedError instead of letting the library make it again.
    """
    if sending:
        if not is_send_session(session):
            raise ValueError("a send goes through a send session (providers.http.send_session)")
        kwargs["trace_request_ctx"] = {_CONNECTIONS: 0}  # fresh for each send
    async with session.request(
        method, url, timeout=client_timeout, allow_redirects=False, **kwargs
    ) as response:
        body = await response.read()
        return RawResponse(response.status, body, response.content_type)
