"""The FiboSMS imitation over raw HTTP: answers, checks, SOAP, and how it pushes reports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from sandbox import Fault, Sandbox
from sandbox.fibo import CODE_NAMES, UNSETTLED, settle_due
from sandbox.state import Totals

FIXTURES = Path(__file__).parent.parent / "fixtures" / "fibo"
CREDENTIALS = {"clientNo": "CL1609110001", "clientPass": "fibo-pass"}
SEND = "/SendMT/service.asmx/SendSMS"
SEND_MASKED = "/SendMT/service.asmx/SendMaskedSMS"
TOTALS = "/WebserivceFibo/PartnerMtTotal.asmx"
BALANCE_ASMX = "/SendMT/service.asmx/GetClientBalance"
ENVELOPE = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    '<GetTotalMt xmlns="http://tempuri.org/"><Username>{user}</Username>'
    "<Password>{password}</Password></GetTotalMt></soap:Body></soap:Envelope>"
)
SOAP_HEADERS = {
    "SOAPAction": '"http://tempuri.org/GetTotalMt"',
    "Content-Type": "text/xml; charset=utf-8",
}


def answer(code: int, message: str) -> str:
    """The escaped ASMX answer the sandbox gives."""
    inner = f"&lt;SMS&gt;&lt;Code&gt;{code}&lt;/Code&gt;&lt;Message&gt;{message}&lt;/Message&gt;"
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<string xmlns="http://tempuri.org/">'
        f"{inner}&lt;Time&gt;&lt;/Time&gt;&lt;/SMS&gt;</string>"
    )


def send_params(**changes: str | None) -> dict[str, str]:
    """A valid SendSMS query, with changes (None removes a parameter)."""
    params: dict[str, str | None] = CREDENTIALS | {
        "phoneNumber": "0901234567",
        "smsMessage": "Xin chao",
        "smsGUID": "guid-1",
        "serviceType": "0",
    }
    params |= changes
    return {key: value for key, value in params.items() if value is not None}


async def get(session: aiohttp.ClientSession, url: str, **params: Any) -> tuple[int, str, str]:
    """GET, returning status, body and Content-Type."""
    async with session.get(url, params=params) as response:
        return response.status, await response.text(), response.headers["Content-Type"]


async def code_of(
    session: aiohttp.ClientSession, sandbox: Sandbox, path: str, **params: Any
) -> int:
    """The result code the sandbox answers."""
    _, body, _ = await get(session, f"{sandbox.url}{path}", **params)
    return int(body.split("&lt;Code&gt;")[1].split("&lt;")[0])


class Partner:
    """A partner's status page: scripted (status, body) answers, then `<Status>2</Status>`."""

    def __init__(self) -> None:
        """Nothing received yet."""
        self.script: list[tuple[int, str]] = []
        self.queries: list[dict[str, str]] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        """Record the query; answer from the script."""
        self.queries.append(dict(request.query))
        status, body = self.script.pop(0) if self.script else (200, "<Status>2</Status>")
        return web.Response(status=status, text=body, content_type="text/xml")


@pytest.fixture
async def partner(socket_enabled: None, sandbox: Sandbox) -> AsyncIterator[Partner]:
    """A status page on loopback, registered as the Fibo account's push link."""
    page = Partner()
    app = web.Application()
    app.router.add_get("/push", page.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    page.url = f"http://127.0.0.1:{runner.addresses[0][1]}/push"
    sandbox.state.first_account("fibo").callback.url = page.url
    try:
        yield page
    finally:
        await runner.cleanup()


# --- send -----------------------------------------------------------------------------------------


async def test_send_answer_is_escaped_asmx(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """Success: the documented <SMS> result, escaped inside ASMX's <string>, as text/xml."""
    status, body, ctype = await get(session, f"{sandbox.url}{SEND}", **send_params())
    assert status == 200
    assert ctype == "text/xml; charset=utf-8"
    assert body == answer(200, "Sending...")
    [message] = sandbox.state.messages.values()
    assert (message.message_id, message.phone, message.text) == ("guid-1", "0901234567", "Xin chao")
    assert sandbox.state.first_account("fibo").balance == 999


async def test_send_by_post_form(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """ASMX methods take an HTTP POST form as well."""
    async with session.post(
        f"{sandbox.url}{SEND_MASKED}", data=send_params(senderName="FIBO")
    ) as r:
        assert await r.text() == answer(200, "Sending...")
    assert sandbox.state.messages[("fibo", "guid-1")].details["sender"] == "FIBO"


@pytest.mark.parametrize("guid", [None, "0", ""])
async def test_default_sms_guid_is_accepted(
    sandbox: Sandbox, session: aiohttp.ClientSession, partner: Partner, guid: str | None
) -> None:
    """smsGUID absent or the documented default 0: accepted, and the push says MSGUID=0."""
    assert await code_of(session, sandbox, SEND, **send_params(smsGUID=guid)) == 200
    await sandbox.idle()
    assert list(sandbox.state.messages) == [("fibo", "0")]
    assert [query["MSGUID"] for query in partner.queries] == ["0"]


@pytest.mark.parametrize(
    ("path", "changes", "code"),
    [
        (SEND, {"clientPass": "wrong"}, 3),
        (SEND, {"clientNo": None, "clientPass": None}, 3),
        (SEND, {"phoneNumber": None}, 11),
        (SEND, {"smsMessage": ""}, 11),
        (SEND, {"serviceType": "2"}, 11),
        (SEND_MASKED, {}, 11),
        (SEND_MASKED, {"senderName": "UNKNOWN"}, 5),
        (SEND, {"phoneNumber": "0901234563"}, 10),
        (SEND, {"phoneNumber": "090123456"}, 10),
        (SEND, {"phoneNumber": "09012345678"}, 10),
        (SEND, {"phoneNumber": "+84901234567"}, 10),
        (SEND, {"phoneNumber": "1234567"}, 10),
        (SEND, {"phoneNumber": "01234567890"}, 31),
        (SEND, {"phoneNumber": "84901234567"}, 200),
        (SEND, {"phoneNumber": "359888123456"}, 200),
        (SEND, {"serviceType": None}, 200),
        (SEND_MASKED, {"senderName": "SMSBRIDGE", "serviceType": "1"}, 200),
    ],
)
async def test_send_checks(
    sandbox: Sandbox,
    session: aiohttp.ClientSession,
    path: str,
    changes: dict[str, str | None],
    code: int,
) -> None:
    """Credentials (3), parameters (11), brandname (5), number (10, 31), else accepted."""
    assert await code_of(session, sandbox, path, **send_params(**changes)) == code
    assert len(sandbox.state.messages) == (1 if code == 200 else 0)


async def test_error_answers_carry_fibo_text(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """Refusals carry the Vietnamese name from the seed's code table."""
    _, body, _ = await get(session, f"{sandbox.url}{SEND}", **send_params(clientPass="x"))
    assert body == answer(3, "Sai user hoặc mật khẩu")


async def test_insufficient_balance(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """Less credit than segments x price: code 14, nothing charged."""
    account = sandbox.state.first_account("fibo")
    account.balance = 2
    params = send_params(smsMessage="x" * 400)
    assert await code_of(session, sandbox, SEND, **params) == 14
    assert account.balance == 2


@pytest.mark.parametrize(
    "path",
    [SEND, SEND_MASKED, "/SendMT/service.aspx/GetClientBalance", BALANCE_ASMX],
)
@pytest.mark.parametrize("code", [2, 4, 777])
async def test_refuse_fault(
    sandbox: Sandbox, session: aiohttp.ClientSession, path: str, code: int
) -> None:
    """A "refuse" fault answers with its code in Fibo's own format."""
    sandbox.state.faults.append(Fault("refuse", "fibo", code))
    _, body, _ = await get(session, f"{sandbox.url}{path}", **send_params(senderName="FIBO"))
    assert body == answer(code, CODE_NAMES.get(code, "Lỗi"))
    assert sandbox.state.messages == {}


# --- balance --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["service.aspx", "service.asmx"])
async def test_balance_on_both_paths(
    sandbox: Sandbox, session: aiohttp.ClientSession, path: str
) -> None:
    """The documented .aspx path and the ASMX one both answer the balance."""
    url = f"{sandbox.url}/SendMT/{path}/GetClientBalance"
    _, body, _ = await get(session, url, serviceType="1", **CREDENTIALS)
    assert body == (
        '<?xml version="1.0" encoding="utf-8"?>\n<string xmlns="http://tempuri.org/">'
        "&lt;SMS&gt;&lt;Code&gt;200&lt;/Code&gt;&lt;AccountBalance&gt;1000&lt;/AccountBalance&gt;"
        "&lt;Time&gt;&lt;/Time&gt;&lt;/SMS&gt;</string>"
    )
    _, body, _ = await get(session, url, clientNo="CL1609110001", clientPass="x")
    assert "&lt;Code&gt;3&lt;" in body


# --- GetTotalMt (SOAP) ----------------------------------------------------------------------------


async def soap(
    session: aiohttp.ClientSession, sandbox: Sandbox, body: str, headers: dict[str, str]
) -> tuple[int, str]:
    """POST a SOAP request to GetTotalMt."""
    async with session.post(f"{sandbox.url}{TOTALS}", data=body.encode(), headers=headers) as r:
        return r.status, await r.text()


async def test_totals_envelope_is_the_seeds(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """The answer is seed 001's envelope, byte for byte, with today's totals of the account."""
    sandbox.state.first_account("fibo").totals[datetime.now().date()] = Totals(56, 12, 0)
    body = ENVELOPE.format(user="CL1609110001", password="fibo-pass")
    status, text = await soap(session, sandbox, body, SOAP_HEADERS)
    assert status == 200
    assert text.encode() == (FIXTURES / "totals_answer.xml").read_bytes()


@pytest.mark.parametrize(
    ("headers", "body", "status", "needle"),
    [
        (SOAP_HEADERS | {"SOAPAction": "http://tempuri.org/GetTotalMt"}, None, 200, "0|0|0"),
        (SOAP_HEADERS | {"SOAPAction": '"http://tempuri.org/Other"'}, None, 500, "SOAPAction"),
        ({"Content-Type": "text/xml"}, None, 500, "SOAPAction"),
        (SOAP_HEADERS | {"Content-Type": "application/json"}, None, 415, "Unsupported"),
        (SOAP_HEADERS, "<soap:Envelope", 500, "unable to read"),
        (SOAP_HEADERS, "<Envelope><Body/></Envelope>", 500, "unable to read"),
        (SOAP_HEADERS, ENVELOPE.format(user="CL1609110001", password="x"), 200, ">3<"),
    ],
    ids=["unquoted-action", "other-action", "no-action", "json", "bad-xml", "no-op", "wrong-pass"],
)
async def test_totals_request_checks(
    *,
    sandbox: Sandbox,
    session: aiohttp.ClientSession,
    headers: dict[str, str],
    body: str | None,
    status: int,
    needle: str,
) -> None:
    """ASMX's SOAP 1.1 rules: text/xml, a matching SOAPAction, a GetTotalMt envelope."""
    body = body or ENVELOPE.format(user="CL1609110001", password="fibo-pass")
    got_status, text = await soap(session, sandbox, body, headers)
    assert (got_status, needle in text) == (status, True)


async def test_totals_refuse_fault(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """A "refuse" fault makes the result an error code."""
    sandbox.state.faults.append(Fault("refuse", "fibo", 13))
    body = ENVELOPE.format(user="CL1609110001", password="fibo-pass")
    _, text = await soap(session, sandbox, body, SOAP_HEADERS)
    assert "<GetTotalMtResult>13</GetTotalMtResult>" in text


async def test_totals_get_shows_help_page(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """GET on the SOAP endpoint: the ASMX help page, not a result."""
    status, text, ctype = await get(session, f"{sandbox.url}{TOTALS}")
    assert (status, ctype.split(";")[0]) == (200, "text/html")
    assert "GetTotalMt" in text


async def test_totals_settle_without_push_link(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """No push link: final outcomes still reach the totals once their time has come."""
    for phone in ("0901234561", "0901234564", "0901234565"):
        params = send_params(phoneNumber=phone, smsGUID=phone)
        assert await code_of(session, sandbox, SEND, **params) == 200
    account = sandbox.state.first_account("fibo")
    assert len(sandbox.app[UNSETTLED]) == 2
    for message in sandbox.app[UNSETTLED]:
        message.sent_at -= timedelta(seconds=1)
    settle_due(sandbox.app)
    assert account.today() == Totals(delivered=1, failed=1, pending=1)
    assert sandbox.app[UNSETTLED] == []
    assert sandbox.state.deliveries == []


# --- status pushes --------------------------------------------------------------------------------


@pytest.mark.parametrize(("phone", "status"), [("0901234561", "2"), ("0901234564", "3")])
async def test_push_parameters(
    sandbox: Sandbox, session: aiohttp.ClientSession, partner: Partner, phone: str, status: str
) -> None:
    """GET with MSGUID (the smsGUID), Status (2 delivered, 3 failed) and the secure code."""
    sandbox.state.first_account("fibo").callback.extra = {"site": "abc"}
    await code_of(session, sandbox, SEND, **send_params(phoneNumber=phone))
    await sandbox.idle()
    assert partner.queries == [
        {"MSGUID": "guid-1", "Status": status, "SecureCode": "fibo-secure", "site": "abc"}
    ]


async def test_push_without_secure_code(
    sandbox: Sandbox, session: aiohttp.ClientSession, partner: Partner
) -> None:
    """No secure code typed on the admin page: an empty one is passed."""
    sandbox.state.first_account("fibo").report_secret = None
    await code_of(session, sandbox, SEND, **send_params())
    await sandbox.idle()
    assert partner.queries[0]["SecureCode"] == ""


async def test_no_push_for_pending(
    sandbox: Sandbox, session: aiohttp.ClientSession, partner: Partner
) -> None:
    """Fibo pushes final statuses only: a message that stays pending is never pushed."""
    await code_of(session, sandbox, SEND, **send_params(phoneNumber="0901234565"))
    await sandbox.idle()
    assert partner.queries == []
    assert sandbox.state.first_account("fibo").today() == Totals(pending=1)


@pytest.mark.parametrize(
    ("script", "attempts"),
    [
        ([], 1),
        ([(200, "<Status>1</Status>")] * 2 + [(200, "<Status>2</Status>")], 3),
        ([(200, "<Status>1</Status>")] * 9, 5),
        ([(200, "\n <Status> 2 </Status>\n")], 1),
        ([(500, "<Status>2</Status>"), (200, "OK"), (404, "")], 4),
        ([(200, "OK")] * 9, 5),
    ],
    ids=["processed", "error-twice", "always-error", "spaced", "http-errors", "no-xml"],
)
async def test_push_retries(
    sandbox: Sandbox,
    session: aiohttp.ClientSession,
    partner: Partner,
    script: list[tuple[int, str]],
    attempts: int,
) -> None:
    """Pushed again until the page prints <Status>2</Status> with HTTP 200, 5 times at most."""
    partner.script = list(script)
    await code_of(session, sandbox, SEND, **send_params())
    await sandbox.idle()
    assert [d.attempt for d in sandbox.state.deliveries] == list(range(1, attempts + 1))
    assert len(partner.queries) == attempts


async def test_push_to_unreachable_page(
    sandbox: Sandbox, session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """A page that does not answer is tried 5 times too."""
    sandbox.state.first_account("fibo").callback.url = "http://127.0.0.1:9/push"
    await code_of(session, sandbox, SEND, **send_params())
    await sandbox.idle()
    assert [(d.attempt, d.status) for d in sandbox.state.deliveries] == [
        (n, None) for n in range(1, 6)
    ]
    assert all(d.error for d in sandbox.state.deliveries)
