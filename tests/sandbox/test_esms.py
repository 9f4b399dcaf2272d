"""The eSMS imitation spoken to directly: its bodies, checks, status call and callback policy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from sandbox import Fault, Sandbox
from sandbox.esms import telco_id

SEND = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
KEYS = {"ApiKey": "ESMS-API-KEY", "SecretKey": "ESMS-SECRET-KEY"}


def payload(**fields: Any) -> dict[str, Any]:
    """A valid send body for the built-in account, fields overriding."""
    body: dict[str, Any] = {
        **KEYS,
        "Phone": "0901234567",
        "Content": "hello",
        "Brandname": "SMSBRIDGE",
        "SmsType": "2",
        "IsUnicode": "0",
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


async def post(
    sandbox: Sandbox, session: aiohttp.ClientSession, path: str, body: Any
) -> dict[str, Any]:
    """POST a JSON body (or raw bytes) and read the JSON answer."""
    kwargs: dict[str, Any] = {"data": body} if isinstance(body, bytes) else {"json": body}
    async with session.post(f"{sandbox.url}{path}", **kwargs) as response:
        assert response.status == 200
        assert response.content_type == "application/json"
        result: dict[str, Any] = await response.json()
        return result


async def get(sandbox: Sandbox, session: aiohttp.ClientSession, path: str) -> dict[str, Any]:
    """GET and read the JSON answer."""
    async with session.get(f"{sandbox.url}{path}") as response:
        assert response.status == 200
        result: dict[str, Any] = await response.json()
        return result


async def test_success_body(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """eSMS's success body, on the path with and without its trailing slash."""
    for path in (SEND, SEND.rstrip("/")):
        answer = await post(sandbox, session, path, payload())
        assert set(answer) == {"CodeResult", "CountRegenerate", "SMSID"}
        assert answer["CodeResult"] == "100"
        assert answer["CountRegenerate"] == 0
        assert ("esms", answer["SMSID"]) in sandbox.state.messages


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not json", "99"),
        (b"[]", "99"),
        (payload(ApiKey="x"), "101"),
        (payload(SecretKey=None), "101"),
        (payload(SmsType=None), "300"),
        (payload(SmsType="8"), "118"),
        (payload(SmsType=2), None),
        (payload(Brandname="OTHER"), "104"),
        (payload(Brandname=None), "104"),
        (payload(Phone="12ab"), "108"),
        (payload(Phone="0901,0902"), "108"),
        (payload(Phone="0901234563"), "99"),
        (payload(Content=""), "99"),
        (payload(Phone="359888123456"), None),
        (payload(Phone="84901234567"), None),
    ],
)
async def test_send_checks(
    sandbox: Sandbox, session: aiohttp.ClientSession, body: Any, code: str | None
) -> None:
    """Each check answers HTTP 200 with eSMS's own code and ErrorMessage."""
    answer = await post(sandbox, session, SEND, body)
    if code is None:
        assert answer["CodeResult"] == "100"
    else:
        assert answer == {"CodeResult": code, "ErrorMessage": answer["ErrorMessage"]}
        assert answer["ErrorMessage"]
        assert "ESMS-SECRET-KEY" not in answer["ErrorMessage"]


async def test_authorize_failed_body(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """The documented error example, exactly."""
    answer = await post(sandbox, session, SEND, payload(SecretKey="wrong"))
    assert answer == {"CodeResult": "101", "ErrorMessage": "Authorize Failed"}


async def test_duplicate_request_id(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """A RequestId is single use within 24 hours per account; after that it is free again."""
    first = await post(sandbox, session, SEND, payload(RequestId="r-1"))
    again = await post(sandbox, session, SEND, payload(RequestId="r-1"))
    assert first["CodeResult"] == "100"
    assert again["CodeResult"] == "124"
    sandbox.state.messages["esms", first["SMSID"]].sent_at -= timedelta(hours=25)
    later = await post(sandbox, session, SEND, payload(RequestId="r-1"))
    assert later["CodeResult"] == "100"


async def test_balance_and_sandbox_flag(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """Too little balance is 103, except with Sandbox=1, which is never charged."""
    account = sandbox.state.first_account("esms")
    account.balance = 100
    assert (await post(sandbox, session, SEND, payload()))["CodeResult"] == "103"
    answer = await post(sandbox, session, SEND, payload(Sandbox="1"))
    assert answer["CodeResult"] == "100"
    assert account.balance == 100


async def test_refuse_fault(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """The refuse fault answers the given code in eSMS's format on each call."""
    sandbox.state.faults.append(Fault("refuse", "esms", 146, count=3))
    assert (await post(sandbox, session, SEND, payload()))["CodeResult"] == "146"
    balance = await post(sandbox, session, "/MainService.svc/json/GetBalance_json", KEYS)
    assert balance["CodeResponse"] == "146"
    status = await get(sandbox, session, "/MainService.svc/json/GetSendStatus?RefId=x")
    assert status["CodeResponse"] == "146"


async def test_balance_calls(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """GetBalance_json and the legacy GET answer the documented shape."""
    expected = {"Balance": 500_000, "CodeResponse": "100", "UserID": 9999}
    assert await post(sandbox, session, "/MainService.svc/json/GetBalance_json", KEYS) == expected
    legacy = "/MainService.svc/json/GetBalance/ESMS-API-KEY/ESMS-SECRET-KEY"
    assert await get(sandbox, session, legacy) == expected
    wrong = await get(sandbox, session, "/MainService.svc/json/GetBalance/ESMS-API-KEY/x")
    assert wrong["CodeResponse"] == "101"
    garbage = await post(sandbox, session, "/MainService.svc/json/GetBalance_json", b"{")
    assert garbage["CodeResponse"] == "101"


async def test_send_status(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """GetSendStatus follows the message: 7 soon after sending, then 5 with the counts."""
    sandbox.state.dlr_delay = 60
    keys = "ApiKey=ESMS-API-KEY&SecretKey=ESMS-SECRET-KEY"
    base = "/MainService.svc/json/GetSendStatus"
    ids = {}
    for phone in ("0901234567", "0901234564", "0901234565"):
        ids[phone] = (await post(sandbox, session, SEND, payload(Phone=phone)))["SMSID"]
    sandboxed = (await post(sandbox, session, SEND, payload(Sandbox="1")))["SMSID"]

    fresh = await get(sandbox, session, f"{base}?RefId={ids['0901234567']}&{keys}")
    assert (fresh["CodeResponse"], fresh["SendStatus"]) == ("100", 7)

    sandbox.state.dlr_delay = 0
    states = {}
    for phone, sms_id in ids.items():
        answer = await get(sandbox, session, f"{base}?RefId={sms_id}&{keys}")
        states[phone] = (answer["SendStatus"], answer["SendSuccess"], answer["SendFailed"])
    assert states == {"0901234567": (5, 1, 0), "0901234564": (5, 0, 1), "0901234565": (2, 0, 0)}
    flagged = await get(sandbox, session, f"{base}?RefId={sandboxed}&{keys}")
    assert flagged["SendStatus"] == 2

    missing = await get(sandbox, session, f"{base}?RefId=nope&{keys}")
    assert missing["CodeResponse"] == "105"
    unauthorized = await get(sandbox, session, f"{base}?RefId={sandboxed}&ApiKey=x&SecretKey=y")
    assert unauthorized["CodeResponse"] == "101"
    await sandbox.idle()


@pytest.mark.parametrize(
    ("phone", "telco"),
    [
        ("0961234567", "1"),
        ("0901234567", "2"),
        ("0911234567", "3"),
        ("0921234567", "4"),
        ("0991234567", "5"),
        ("0871234567", "6"),
        ("0551234567", "7"),
        ("0201234567", ""),
    ],
)
def test_telco_ids(phone: str, telco: str) -> None:
    """The report's telcoid comes from the number's prefix."""
    assert telco_id(phone) == telco


@pytest.fixture
async def hook(socket_enabled: None) -> AsyncIterator[tuple[str, list[str]]]:
    """A callback receiver answering HTTP 500 (eSMS does not retry an answer)."""
    seen: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(request.query_string)
        return web.Response(status=500, text="boom")

    app = web.Application()
    app.router.add_get("/dlr", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/dlr?site=home", seen
    finally:
        await runner.cleanup()


async def test_callback_answer_is_not_retried(
    sandbox: Sandbox, session: aiohttp.ClientSession, hook: tuple[str, list[str]]
) -> None:
    """Any answer, even 500, ends the attempts; the URL's own query is kept first."""
    url, seen = hook
    await post(sandbox, session, SEND, payload(Phone="84901234567", CallbackUrl=url))
    await sandbox.idle()
    assert len(seen) == 2
    assert all(q.startswith("site=home&SMSID=") for q in seen)
    assert "&telcoid=2&phonenumber=84901234567&switchsmsid=" in seen[-1]
    assert [d.attempt for d in sandbox.state.deliveries] == [1, 1]


async def test_callback_no_answer_is_retried_five_times(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """A callback URL that does not answer is tried 5 times per report, then dropped."""
    probe = web.AppRunner(web.Application())
    await probe.setup()
    site = web.TCPSite(probe, "127.0.0.1", 0)
    await site.start()
    port = probe.addresses[0][1]
    await probe.cleanup()  # nothing listens there any more
    url = f"http://127.0.0.1:{port}/dlr"
    await post(sandbox, session, SEND, payload(Phone="0901234565", CallbackUrl=url))
    await sandbox.idle()
    attempts = sandbox.state.deliveries
    assert [d.attempt for d in attempts] == [1, 2, 3, 4, 5]
    assert all(d.status is None and d.error for d in attempts)


async def test_foreign_number_report(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """A foreign number's report has no telcoid; the report still names the message."""
    got: list[dict[str, str]] = []

    async def handle(request: web.Request) -> web.Response:
        got.append(dict(request.query))
        return web.Response(text="OK")

    app = web.Application()
    app.router.add_get("/dlr", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/dlr"
        answer = await post(
            sandbox, session, SEND, payload(Phone="359888123456", CallbackUrl=url, SmsType="1")
        )
        await sandbox.idle()
    finally:
        await runner.cleanup()
    assert [q["SendStatus"] for q in got] == ["7", "5"]
    assert got[-1]["SMSID"] == answer["SMSID"]
    assert got[-1]["telcoid"] == ""
    assert got[-1]["TypeId"] == "1"
    assert got[-1]["TotalPrice"] == "800.0000"
