"""The sandbox's control API, its transport faults, the report courier and the CLI."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from sandbox import Fault, Outcome, Sandbox
from sandbox.__main__ import parse_args, serve
from sandbox.app import gateway_of
from sandbox.courier import Report, retry_on_no_answer, retry_unless_2xx
from sandbox.state import SentMessage, outcome_for, refused_number


async def _get_state(session: aiohttp.ClientSession, sandbox: Sandbox) -> dict[str, Any]:
    async with session.get(f"{sandbox.url}/_sandbox/state") as response:
        assert response.status == 200
        data: dict[str, Any] = await response.json()
        return data


async def test_state_lists_builtin_accounts(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """GET /_sandbox/state shows every gateway's built-in account."""
    data = await _get_state(session, sandbox)
    assert {a["gateway"] for a in data["accounts"]} == {"fibo", "esms", "fpt", "smspay"}
    assert data["messages"] == []


async def test_callbacks_config_and_reset(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """Callbacks, faults and settings set over HTTP land in the state; reset undoes them."""
    body = {"gateway": "smspay", "url": "http://x/cb", "method": "post", "extra": {"site": "abc"}}
    async with session.post(f"{sandbox.url}/_sandbox/callbacks", json=body) as response:
        assert response.status == 200
    account = sandbox.state.first_account("smspay")
    assert (account.callback.url, account.callback.method) == ("http://x/cb", "POST")
    assert account.callback.extra == {"site": "abc"}
    secret = {"gateway": "fibo", "url": "http://x/f", "secret": "s2"}
    async with session.post(f"{sandbox.url}/_sandbox/callbacks", json=secret) as response:
        assert response.status == 200
    assert sandbox.state.first_account("fibo").report_secret == "s2"
    async with session.post(f"{sandbox.url}/_sandbox/callbacks", json={"gateway": "x"}) as response:
        assert response.status == 400
    fault = {"kind": "status", "gateway": "esms", "value": 502, "count": 2, "bogus": 1}
    async with session.post(f"{sandbox.url}/_sandbox/faults", json=fault) as response:
        assert response.status == 200
    assert sandbox.state.faults == [Fault("status", "esms", 502, 2)]
    async with session.post(f"{sandbox.url}/_sandbox/config", json={"dlr_delay": 2.5}) as response:
        assert response.status == 200
    data = await _get_state(session, sandbox)
    assert data["dlr_delay"] == 2.5
    assert data["faults"][0]["value"] == 502
    for bad in ({"kind": "nonsense"}, {}, {"kind": "refuse", "gateway": "fibo"}):
        async with session.post(f"{sandbox.url}/_sandbox/faults", json=bad) as response:
            assert response.status == 400
    async with session.delete(f"{sandbox.url}/_sandbox/faults") as response:
        assert response.status == 200
    assert sandbox.state.faults == []
    sandbox.state.faults.append(Fault("status"))
    async with session.post(f"{sandbox.url}/_sandbox/reset") as response:
        assert response.status == 200
    assert sandbox.state.faults == []
    assert sandbox.state.first_account("smspay").callback.url is None
    assert sandbox.state.dlr_delay == 2.5


@pytest.mark.parametrize(
    ("path", "gateway"),
    [
        ("/SendMT/service.asmx/SendSMS", "fibo"),
        ("/WebserivceFibo/PartnerMtTotal.asmx", "fibo"),
        ("/MainService.svc/json/GetBalance_json", "esms"),
        ("/oauth2/token", "fpt"),
        ("/api/push-brandname-otp", "fpt"),
        ("/smspay/send", "smspay"),
        ("/_sandbox/state", None),
    ],
)
def test_gateway_of(path: str, gateway: str | None) -> None:
    """Each documented path belongs to its gateway; the control API to none."""
    assert gateway_of(path) == gateway


async def _probe(session: aiohttp.ClientSession, sandbox: Sandbox, **kwargs: Any) -> int:
    """Hit a gateway path that no gateway route serves, through the fault middleware."""
    async with session.get(f"{sandbox.url}/smspay/__probe__", **kwargs) as response:
        await response.read()
        return response.status


async def test_fault_status_counts_down(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """A status fault answers its status `count` times, then the gateway answers again."""
    sandbox.state.faults.append(Fault("status", "smspay", 503, count=2))
    assert [await _probe(session, sandbox) for _ in range(3)] == [503, 503, 404]
    assert sandbox.state.requests[-1] == ("smspay", "GET", "/smspay/__probe__")
    sandbox.state.faults.append(Fault("status", "smspay", 502))
    async with session.get(f"{sandbox.url}/smspay/x") as response:
        assert (response.status, await response.text()) == (502, "Bad Gateway")
    sandbox.state.faults.append(Fault("status", "smspay", 599))
    async with session.get(f"{sandbox.url}/smspay/x") as response:
        assert (response.status, await response.text()) == (599, "Error")


async def test_fault_other_gateway_untouched(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """A fault for one gateway or path leaves other requests alone; count -1 never runs out."""
    sandbox.state.faults.append(Fault("status", "fibo", 503, count=-1))
    sandbox.state.faults.append(Fault("status", None, 502, count=-1, path="/other"))
    assert await _probe(session, sandbox) == 404
    assert sandbox.state.faults[0].count == -1


async def test_fault_latency_and_malformed(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """Latency delays the answer; malformed answers 200 with an HTML page."""
    sandbox.state.faults.append(Fault("latency", "smspay", 0.2))
    loop = asyncio.get_running_loop()
    start = loop.time()
    assert await _probe(session, sandbox) == 404
    assert loop.time() - start >= 0.2
    sandbox.state.faults.append(Fault("malformed", "smspay"))
    async with session.get(f"{sandbox.url}/smspay/x") as response:
        assert response.status == 200
        assert "maintenance" in await response.text()


async def test_fault_timeout_and_disconnect(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """Timeout holds the answer back; disconnect drops the connection."""
    sandbox.state.faults.append(Fault("timeout", "smspay", 0.1))
    assert await _probe(session, sandbox) == 504
    sandbox.state.faults.append(Fault("timeout", "smspay", 30))
    with pytest.raises(TimeoutError):
        await _probe(session, sandbox, timeout=aiohttp.ClientTimeout(total=0.2))
    # aiohttp repeats a GET once after a dropped connection, so drop both attempts.
    sandbox.state.faults.append(Fault("disconnect", "smspay", count=2))
    with pytest.raises(aiohttp.ClientError):
        await _probe(session, sandbox)


SEND = "/smspay/send?user=smspay-user&pass=smspay-pass&phone=359888123456&message=Hi&ext=1"


async def _raw_get(sandbox: Sandbox, paths: list[str]) -> bytes:
    """GET each path in turn on one connection (the last asks to close it); all that came back."""
    reader, writer = await asyncio.open_connection("127.0.0.1", int(sandbox.url.rsplit(":", 1)[1]))
    try:
        for number, path in enumerate(paths, 1):
            close = "Connection: close\r\n" if number == len(paths) else ""
            writer.write(f"GET {path} HTTP/1.1\r\nHost: sandbox\r\n{close}\r\n".encode())
        await writer.drain()
        return await asyncio.wait_for(reader.read(), 5)  # to the end: the connection closes
    finally:
        writer.close()


@pytest.mark.parametrize(
    ("point", "received"),
    [("disconnect", None), ("after_headers", 0), ("mid_body", 8)],
)
async def test_answer_lost_drop_points(
    socket_enabled: None, sandbox: Sandbox, point: str, received: int | None
) -> None:
    """The gateway takes the message, then its answer stops short.

    Before its status line, after its headers (a Content-Length never filled) or halfway
    through its body.
    """
    sandbox.state.faults.append(Fault("answer_lost", "smspay", point))
    raw = await _raw_get(sandbox, [SEND])
    assert len(sandbox.state.messages) == 1
    if received is None:
        assert raw == b""
        return
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Content-Length: 17" in head  # "OK\nSMS_ID: 491785"
    assert body == b"OK\nSMS_ID: 491785"[:received]


async def test_close_reused_drops_a_request_on_an_old_connection(
    socket_enabled: None, sandbox: Sandbox
) -> None:
    """A request on a connection that carried one before is dropped unread; a fresh one is not.

    Each request is recorded with its connection and its place on it.
    """
    sandbox.state.faults.append(Fault("close_reused", "smspay", count=-1))
    raw = await _raw_get(sandbox, ["/_sandbox/state", SEND])
    assert raw.count(b"HTTP/1.1 200 OK") == 1  # the state only: the send got no answer
    assert sandbox.state.messages == {}
    assert ("smspay", "GET", "/smspay/send") not in sandbox.state.requests
    dropped = sandbox.state.closed_reused
    assert [(a.path, a.connection, a.order, a.fresh) for a in dropped] == [
        ("/smspay/send", 1, 2, False)
    ]
    raw = await _raw_get(sandbox, [SEND])  # first on its connection: answered
    assert b"SMS_ID" in raw
    assert [(a.gateway, a.connection, a.order) for a in sandbox.state.arrivals] == [
        (None, 1, 1),
        ("smspay", 1, 2),
        ("smspay", 2, 1),
    ]


def test_outcome_rules() -> None:
    """The last digit of the number decides what becomes of a message."""
    assert refused_number("+84901234563")
    assert not refused_number("+84901234564")
    assert outcome_for("0901234564") is Outcome.FAILED
    assert outcome_for("0901234565") is Outcome.PENDING
    assert outcome_for("0901234567") is Outcome.DELIVERED


def test_retry_policies() -> None:
    """eSMS retries on no answer only; FPT and SMSPAY until a 2xx."""
    assert retry_on_no_answer(None, "")
    assert not retry_on_no_answer(500, "")
    assert retry_unless_2xx(500, "")
    assert retry_unless_2xx(None, "")
    assert not retry_unless_2xx(204, "")


def _message(sandbox: Sandbox, outcome: Outcome) -> SentMessage:
    account = sandbox.state.first_account("smspay")
    message = SentMessage("smspay", "1", "359888123456", "hi", 1, account, outcome)
    sandbox.state.record(message)
    return message


async def test_courier_retries_and_settles(socket_enabled: None, sandbox: Sandbox) -> None:
    """The courier retries per policy, records each attempt, and settles the totals."""
    answers = iter([500, 500, 200])
    received: list[dict[str, str]] = []

    async def receiver(request: web.Request) -> web.Response:
        received.append(dict(request.query))
        return web.Response(status=next(answers), text="OK")

    app = web.Application()
    app.router.add_get("/cb", receiver)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        message = _message(sandbox, Outcome.DELIVERED)
        report = Report(
            "GET", f"http://127.0.0.1:{port}/cb", {"dlr": "1"}, retry_when=retry_unless_2xx
        )
        sandbox.courier.dispatch(message, [report])
        await sandbox.idle()
        assert [d.status for d in sandbox.state.deliveries] == [500, 500, 200]
        assert received == [{"dlr": "1"}] * 3
        today = message.account.today()
        assert (today.delivered, today.pending) == (1, 0)

        failed = _message(sandbox, Outcome.FAILED)
        dead = Report("GET", "http://127.0.0.1:9/cb", attempts=2, retry_when=retry_on_no_answer)
        sandbox.courier.dispatch(failed, [dead])
        await sandbox.idle()
        assert [d.error for d in sandbox.state.deliveries[-2:]] == ["ClientConnectorError"] * 2
        assert message.account.today().failed == 1

        pending = _message(sandbox, Outcome.PENDING)
        sandbox.state.settle(pending)
        assert message.account.today().pending == 1
    finally:
        await runner.cleanup()


async def test_courier_close_cancels(sandbox: Sandbox) -> None:
    """Closing the sandbox cancels reports still waiting."""
    sandbox.state.dlr_delay = 30
    sandbox.courier.dispatch(
        _message(sandbox, Outcome.DELIVERED), [Report("GET", "http://127.0.0.1:9/")]
    )
    await sandbox.close()
    assert sandbox.state.deliveries == []


def test_parse_args_defaults_and_callbacks() -> None:
    """The CLI defaults to 127.0.0.1:8765 and takes a callback per gateway."""
    args = parse_args([])
    assert (args.host, args.port, args.dlr_delay) == ("127.0.0.1", 8765, 1.0)
    args = parse_args(["--port", "0", "--fibo-callback", "http://h/f", "--smspay-method", "POST"])
    assert (args.port, args.fibo_callback, args.smspay_method) == (0, "http://h/f", "POST")


async def test_serve_runs_until_signalled(
    socket_enabled: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m sandbox` prints where it listens and stops cleanly on SIGTERM."""
    import os
    import signal

    args = parse_args(["--port", "0", "--esms-callback", "http://h/e", "--smspay-method", "POST"])
    task = asyncio.create_task(serve(args))
    for _ in range(100):
        if "listening on" in capsys.readouterr().out:
            break
        await asyncio.sleep(0.02)
    else:
        pytest.fail("the sandbox did not say where it listens")
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(task, 5)
