"""No SMS twice: every gateway's send goes out on a new connection and reaches the gateway once.

The sandbox takes the message, then loses the answer before the status line, after the headers
or halfway through the body; with an idle keep-alive connection to the gateway in the shared
session's pool (a plain call made first) and without one.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from custom_components.sms_bridge.providers import create_provider
from custom_components.sms_bridge.providers.base import Provider
from custom_components.sms_bridge.providers.errors import TransientError
from custom_components.sms_bridge.providers.models import OutgoingMessage
from sandbox import Fault, Sandbox
from sandbox.app import DROP_POINTS
from sandbox.state import Arrival

GATEWAYS = ("fibo", "esms", "fpt", "smspay")
#: What only each gateway's send path contains.
SEND_PATHS = {
    "fibo": "/SendMT/service.asmx/Send",
    "esms": "SendMultipleMessage",
    "fpt": "push-brandname",
    "smspay": "/smspay/send",
}
PHONES = {"fibo": "+84901234567", "esms": "+84901234567", "fpt": "+84901234567"}


def client(session: aiohttp.ClientSession, sandbox: Sandbox, gateway: str) -> Provider:
    """The gateway's real client, on the sandbox's built-in account."""
    config: dict[str, Any] = {
        "fibo": {"client_no": "CL1609110001", "client_pass": "fibo-pass", "sender": "SMSBRIDGE"},
        "esms": {"api_key": "ESMS-API-KEY", "secret_key": "ESMS-SECRET-KEY"},
        "fpt": {"client_id": "fpt-client-id", "client_secret": "fpt-client-secret"},
        "smspay": {
            "send_url": f"{sandbox.url}/smspay/send?user=smspay-user&pass=smspay-pass"
            "&phone={phone}&message={message}&ext=1"
        },
    }[gateway]
    if gateway != "smspay":
        config |= {"base_url": sandbox.url, "brandname": "SMSBRIDGE", "environment": "sandbox"}
    return create_provider(session, gateway, config)


async def warm_pool(provider: Provider, sandbox: Sandbox) -> None:
    """Two plain calls: the second came on the first's connection, which stays in the pool."""
    await provider.check_credentials()
    await provider.check_credentials()
    assert not sandbox.state.arrivals[-1].fresh


def sends(sandbox: Sandbox, gateway: str) -> list[Arrival]:
    """The send requests that reached the gateway."""
    return [a for a in sandbox.state.arrivals if SEND_PATHS[gateway] in a.path]


def messages(sandbox: Sandbox, gateway: str) -> int:
    """How many messages the gateway took."""
    return sum(1 for m in sandbox.state.messages.values() if m.gateway == gateway)


@pytest.mark.parametrize("pool", ["idle_connection", "empty_pool"])
@pytest.mark.parametrize("point", DROP_POINTS)
@pytest.mark.parametrize("gateway", GATEWAYS)
async def test_lost_answer_sends_once(
    sandbox: Sandbox, session: aiohttp.ClientSession, gateway: str, point: str, pool: str
) -> None:
    """The gateway took the message and its answer was lost: one SMS, and "may have been sent"."""
    provider = client(session, sandbox, gateway)
    if pool == "idle_connection":
        await warm_pool(provider, sandbox)
    sandbox.state.faults.append(Fault("answer_lost", gateway, point, path=SEND_PATHS[gateway]))
    with pytest.raises(TransientError) as caught:
        await provider.send(OutgoingMessage(PHONES.get(gateway, "+359888123456"), "Kho 3"))
    assert caught.value.maybe_sent
    assert str(caught.value) == f"{gateway}: connection closed before the answer"
    assert messages(sandbox, gateway) == 1
    [send] = sends(sandbox, gateway)
    assert send.fresh


@pytest.mark.parametrize("gateway", GATEWAYS)
async def test_send_never_meets_a_connection_the_gateway_closed(
    sandbox: Sandbox, session: aiohttp.ClientSession, gateway: str
) -> None:
    """The gateway closes every reused connection as a request comes: the send goes out fine.

    It never rides the idle connection a plain call left in the pool, so nothing is lost.
    """
    provider = client(session, sandbox, gateway)
    await warm_pool(provider, sandbox)
    sandbox.state.faults.append(Fault("close_reused", gateway, count=-1))
    result = await provider.send(OutgoingMessage(PHONES.get(gateway, "+359888123456"), "Kho 3"))
    assert result.message_id
    assert messages(sandbox, gateway) == 1
    [send] = sends(sandbox, gateway)
    assert send.fresh
    assert sandbox.state.closed_reused == []


#: A plain call of each gateway that sends nothing: POST where one exists (aiohttp itself asks a
#: GET once more on a closed connection, but never a POST).
PLAIN_CALLS = {
    "fibo": lambda provider: provider.daily_totals(),  # SOAP POST
    "esms": lambda provider: provider.balance(),  # POST JSON
    "fpt": lambda provider: provider.check_credentials(),  # the token, POST
}  # SMSPAY has none: its only call is the send


@pytest.mark.parametrize("gateway", PLAIN_CALLS)
async def test_a_plain_call_on_a_connection_the_gateway_closed_is_asked_again(
    sandbox: Sandbox, session: aiohttp.ClientSession, gateway: str
) -> None:
    """It sends nothing, so once more on a new connection: the account stays available."""
    provider = client(session, sandbox, gateway)
    await warm_pool(provider, sandbox)
    sandbox.state.faults.append(Fault("close_reused", gateway, count=1))
    await PLAIN_CALLS[gateway](provider)
    assert len(sandbox.state.closed_reused) == 1
    assert sandbox.state.arrivals[-1].fresh
