"""The SMSPAY imitation spoken to directly: its answers, its checks, its report plans."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web
import pytest

from sandbox import Sandbox
from sandbox.smspay import international, segments
from sandbox.state import Fault, Outcome
from tests.providers.test_smspay import serve

GOOD = {"user": "smspay-user", "pass": "smspay-pass", "phone": "359888123456", "message": "hi"}


async def get(sandbox: Sandbox, session: aiohttp.ClientSession, **params: Any) -> tuple[int, str]:
    """GET /smspay/send with these parameters (None drops one)."""
    query = {k: v for k, v in {**GOOD, **params}.items() if v is not None}
    async with session.get(f"{sandbox.url}/smspay/send", params=query) as response:
        return response.status, await response.text()


@pytest.mark.parametrize(
    ("params", "body"),
    [
        ({"pass": "nope"}, "ERROR: authentication failed"),
        ({"user": None}, "ERROR: authentication failed"),
        ({"phone": None}, "ERROR: invalid phone number"),
        ({"phone": "359888123453"}, "ERROR: invalid phone number"),
        ({"phone": "35988812345"}, "ERROR: invalid phone number"),
        ({"phone": "0888-123456"}, "ERROR: invalid phone number"),
        ({"message": ""}, "ERROR: empty message"),
        ({}, "OK"),
        ({"ext": "0"}, "OK"),
    ],
)
async def test_answers(
    sandbox: Sandbox, session: aiohttp.ClientSession, params: dict[str, Any], body: str
) -> None:
    assert await get(sandbox, session, **params) == (200, body)


async def test_extended_answer_and_balance(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    account = sandbox.state.first_account("smspay")

    status, body = await get(sandbox, session, ext="1", message="Ж" * 71, **{"from": "Гараж"})

    message_id = body.removeprefix("OK\nSMS_ID: ")
    message = sandbox.state.messages[("smspay", message_id)]
    assert (status, message.segments, message.details["sender"]) == (200, 2, "Гараж")
    assert account.balance == 1000 - 2


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("359888123456", "359888123456"),
        ("+359888123456", "359888123456"),
        ("0888123456", "359888123456"),
        ("84901234567", "84901234567"),
        ("3598881234567", None),
        ("088812345", None),
        ("12345", None),
        ("", None),
    ],
)
def test_phone_forms(phone: str, expected: str | None) -> None:
    assert international(phone) == expected


@pytest.mark.parametrize(
    ("text", "count"), [("a" * 160, 1), ("a" * 161, 2), ("ж" * 70, 1), ("ж" * 135, 3)]
)
def test_segments(text: str, count: int) -> None:
    assert segments(text) == count


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_report_wire_format(
    sandbox: Sandbox, session: aiohttp.ClientSession, method: str
) -> None:
    seen: list[tuple[str, str, dict[str, str], dict[str, str]]] = []

    async def receive(request: web.Request) -> web.Response:
        form = dict(parse_qsl((await request.read()).decode()))
        seen.append((request.method, request.content_type, dict(request.query), form))
        return web.Response(text="OK")

    async with serve(receive) as url:
        callback = sandbox.state.first_account("smspay").callback
        callback.url, callback.method, callback.extra = url, method, {"site": "abc"}
        _, body = await get(sandbox, session, ext="1", phone="359888123454")
        await sandbox.idle()

    message_id = body.removeprefix("OK\nSMS_ID: ")
    expected = [
        {"sms_id": message_id, "dlr": dlr, "answer": answer, "site": "abc"}
        for dlr, answer in (
            ("4", "Queued to SMSC"),
            ("8", "Delivered to SMSC"),
            ("2", "Not delivered"),
        )
    ]
    if method == "GET":
        assert [(m, q, f) for m, _, q, f in seen] == [("GET", e, {}) for e in expected]
    else:
        assert [(m, t, q, f) for m, t, q, f in seen] == [
            ("POST", "application/x-www-form-urlencoded", {}, e) for e in expected
        ]
    assert sandbox.state.messages[("smspay", message_id)].outcome is Outcome.FAILED
    assert sandbox.state.first_account("smspay").today().failed == 1


async def test_reports_retried_three_times_until_2xx(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    async def refuse(request: web.Request) -> web.Response:
        return web.Response(status=500, text="no")

    async with serve(refuse) as url:
        sandbox.state.first_account("smspay").callback.url = url
        await get(sandbox, session, ext="1", phone="359888123455")
        await sandbox.idle()

    assert [(d.attempt, d.status) for d in sandbox.state.deliveries] == [
        (1, 500),
        (2, 500),
        (3, 500),
    ] * 2


@pytest.mark.parametrize("ext", [None, "1"])
async def test_no_reports_without_ext_or_script(
    sandbox: Sandbox, session: aiohttp.ClientSession, ext: str | None
) -> None:
    if ext is None:
        sandbox.state.first_account("smspay").callback.url = "http://127.0.0.1:9/never"

    status, _ = await get(sandbox, session, ext=ext)
    await sandbox.idle()

    assert status == 200
    assert len(sandbox.state.messages) == 1
    assert sandbox.state.deliveries == []


async def test_refuse_fault_and_low_balance(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    sandbox.state.faults.append(Fault("refuse", "smspay", "maintenance"))
    assert await get(sandbox, session) == (200, "ERROR: maintenance")
    sandbox.state.first_account("smspay").balance = 0
    assert await get(sandbox, session) == (200, "ERROR: insufficient balance")
    assert sandbox.state.messages == {}
