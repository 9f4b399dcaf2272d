"""The FPT imitation spoken to directly: its checks, codes, answers and delivery reports."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
import json
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from sandbox import Fault, Sandbox
from sandbox.fpt import (
    DOMESTIC_PATH,
    FAILURE_TEXT,
    GRANTED_SCOPES,
    INTERNATIONAL_PATH,
    TOKEN_PATH,
    telco_of,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "fpt"
CREDENTIALS = {"client_id": "fpt-client-id", "client_secret": "fpt-client-secret"}
SESSION_ID = "0123456789abcdef0123456789abcdef"


def token_body(**changes: Any) -> dict[str, Any]:
    """A valid token request, with some fields changed (None removes one)."""
    body: dict[str, Any] = {
        "grant_type": "client_credentials",
        **CREDENTIALS,
        "scope": "send_brandname_otp send_brandname",
        "session_id": SESSION_ID,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


async def post(
    session: aiohttp.ClientSession, sandbox: Sandbox, path: str, body: Any
) -> tuple[int, Any]:
    """POST JSON (or raw bytes) and read the JSON answer."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with session.post(
        f"{sandbox.url}{path}", data=data, headers={"Content-Type": "application/json"}
    ) as response:
        return response.status, await response.json()


async def new_token(session: aiohttp.ClientSession, sandbox: Sandbox, **changes: Any) -> str:
    """A token of the built-in account (`changes` to the request: another scope)."""
    status, answer = await post(session, sandbox, TOKEN_PATH, token_body(**changes))
    assert status == 200
    return str(answer["access_token"])


def push_body(token: str, **changes: Any) -> dict[str, Any]:
    """A valid customer-care send, with some fields changed (None removes one)."""
    body: dict[str, Any] = {
        "access_token": token,
        "session_id": SESSION_ID,
        "BrandName": "FTI",
        "Phone": "84848486687",
        "Message": base64.b64encode("Xin chào".encode()).decode(),
        "RequestId": "tranID-Core01-987654321",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


async def test_token_answer(session: aiohttp.ClientSession, sandbox: Sandbox) -> None:
    """The document's token answer: a Bearer token valid for token_lifetime seconds."""
    status, answer = await post(session, sandbox, TOKEN_PATH, token_body())
    assert status == 200
    assert set(answer) == {"access_token", "expires_in", "token_type", "scope"}
    assert answer["expires_in"] == 86400
    assert answer["token_type"] == "Bearer"
    assert answer["scope"] == "send_brandname_otp send_brandname"
    assert answer["access_token"] in sandbox.state.tokens


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"not json", 400, 1001),
        (b"[]", 400, 1001),
        (token_body(grant_type=None), 400, 1001),
        (token_body(grant_type="password"), 400, 1015),
        (token_body(session_id=None), 400, 1014),
        (token_body(session_id="x" * 33), 400, 1014),
        (token_body(session_id=""), 400, 1014),
        (token_body(client_id=None), 401, 1008),
        (token_body(client_secret="wrong"), 401, 1008),
        (token_body(client_secret=5), 401, 1008),
        (token_body(scope=None), 400, 1005),
        (token_body(scope=""), 400, 1005),
        (token_body(scope="send_brandname_otp admin"), 400, 1005),
    ],
)
async def test_token_refusals(
    session: aiohttp.ClientSession, sandbox: Sandbox, body: Any, status: int, code: int
) -> None:
    """Each token check refuses with FPT's code, in FPT's error format."""
    answer_status, answer = await post(session, sandbox, TOKEN_PATH, body)
    assert (answer_status, answer["error"]) == (status, code)
    assert isinstance(answer["error_description"], str)
    assert answer["error_description"]
    assert sandbox.state.tokens == {}


async def test_token_1008_description_like_the_document(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    """Wrong credentials: the document's own error sample."""
    _, answer = await post(session, sandbox, TOKEN_PATH, token_body(client_id="nobody"))
    assert answer == json.loads((FIXTURES / "token_error.json").read_bytes())


async def test_document_sample_session_id_is_too_long(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    """The document's own token request (43-character session_id) breaks its <= 32 rule."""
    sample = json.loads((FIXTURES / "token_request.json").read_bytes().replace(b"\n", b""))
    _, answer = await post(session, sandbox, TOKEN_PATH, sample)
    assert answer["error"] == 1014


async def test_scope_not_granted(session: aiohttp.ClientSession, sandbox: Sandbox) -> None:
    """An application without send_brandname gets 1010 for both scopes, a token for one."""
    sandbox.app[GRANTED_SCOPES]["fpt-client-id"] = frozenset({"send_brandname_otp"})
    status, answer = await post(session, sandbox, TOKEN_PATH, token_body())
    assert (status, answer["error"]) == (400, 1010)
    status, answer = await post(
        session, sandbox, TOKEN_PATH, token_body(scope="send_brandname_otp")
    )
    assert status == 200
    assert answer["scope"] == "send_brandname_otp"


async def test_refuse_fault(session: aiohttp.ClientSession, sandbox: Sandbox) -> None:
    """The refuse fault answers with its code in FPT's format, 401 for token codes."""
    sandbox.state.faults.append(Fault("refuse", "fpt", 1006, path=TOKEN_PATH))
    assert await post(session, sandbox, TOKEN_PATH, token_body()) == (
        400,
        {"error": 1006, "error_description": "Lỗi không xác định"},
    )
    token = await new_token(session, sandbox)
    sandbox.state.faults.append(Fault("refuse", "fpt", 1012, path=DOMESTIC_PATH))
    status, answer = await post(session, sandbox, DOMESTIC_PATH, push_body(token))
    assert (status, answer["error"]) == (401, 1012)


async def test_push_success(session: aiohttp.ClientSession, sandbox: Sandbox) -> None:
    """The document's success answer, MessageId a string; the message recorded and charged."""
    token = await new_token(session, sandbox)
    status, answer = await post(session, sandbox, DOMESTIC_PATH, push_body(token))
    assert status == 200
    assert answer == {
        "MessageId": "491785",
        "Phone": "84848486687",
        "BrandName": "FTI",
        "Message": "Xin chào",
        "PartnerId": "2215",
        "Telco": "vina",
    }
    sent = sandbox.state.messages[("fpt", "491785")]
    assert (sent.text, sent.request_id, sent.segments) == (
        "Xin chào",
        "tranID-Core01-987654321",
        1,
    )
    assert sandbox.state.first_account("fpt").balance == 999


async def test_push_local_number_form(session: aiohttp.ClientSession, sandbox: Sandbox) -> None:
    """0xxx numbers are accepted too; no RequestId is fine."""
    token = await new_token(session, sandbox)
    body = push_body(token, Phone="0961234567", RequestId=None)
    status, answer = await post(session, sandbox, DOMESTIC_PATH, body)
    assert (status, answer["Telco"]) == (200, "viettel")


async def test_push_international(session: aiohttp.ClientSession, sandbox: Sandbox) -> None:
    """The international sample's number is accepted, the country as Telco."""
    token = await new_token(session, sandbox)
    body = push_body(token, Phone="1749123456")
    status, answer = await post(session, sandbox, INTERNATIONAL_PATH, body)
    assert (status, answer["Telco"], answer["Phone"]) == (200, "US", "1749123456")


def bad_utf8() -> str:
    """Base64 of bytes that are not UTF-8."""
    return base64.b64encode(b"\xff\xfe").decode()


@pytest.mark.parametrize(
    ("path", "changes", "code"),
    [
        (DOMESTIC_PATH, {"access_token": None}, 1011),
        (DOMESTIC_PATH, {"access_token": "forged"}, 1011),
        (DOMESTIC_PATH, {"session_id": None}, 1014),
        (DOMESTIC_PATH, {"session_id": "s" * 33}, 1014),
        (DOMESTIC_PATH, {"BrandName": None}, 2504),
        (DOMESTIC_PATH, {"BrandName": "NOPE"}, 2504),
        (DOMESTIC_PATH, {"Message": None}, 8),
        (DOMESTIC_PATH, {"Message": "Xin chào"}, 8),
        (DOMESTIC_PATH, {"Message": bad_utf8()}, 8),
        (DOMESTIC_PATH, {"Message": 5}, 8),
        (DOMESTIC_PATH, {"Phone": None}, 53),
        (DOMESTIC_PATH, {"Phone": 84848486687}, 53),
        (DOMESTIC_PATH, {"Phone": "+84848486687"}, 53),
        (DOMESTIC_PATH, {"Phone": "1749123456"}, 53),
        (DOMESTIC_PATH, {"Phone": "84848486683"}, 53),
        (INTERNATIONAL_PATH, {"Phone": "0749123456"}, 53),
        (INTERNATIONAL_PATH, {"Phone": "1749123453"}, 53),
        (DOMESTIC_PATH, {"RequestId": "r" * 101}, 1014),
        (DOMESTIC_PATH, {"RequestId": 5}, 1014),
    ],
)
async def test_push_refusals(
    session: aiohttp.ClientSession,
    sandbox: Sandbox,
    path: str,
    changes: dict[str, Any],
    code: int,
) -> None:
    """Each send check refuses with FPT's code; nothing is recorded."""
    token = await new_token(session, sandbox)
    answer_status, answer = await post(session, sandbox, path, push_body(token, **changes))
    assert (answer_status, answer["error"]) == (401 if code == 1011 else 400, code)
    assert sandbox.state.messages == {}


async def test_push_not_json(session: aiohttp.ClientSession, sandbox: Sandbox) -> None:
    """A body that is not a JSON object: 1001."""
    assert (await post(session, sandbox, DOMESTIC_PATH, b"Phone=1"))[1]["error"] == 1001


async def test_push_expired_token(session: aiohttp.ClientSession, sandbox: Sandbox) -> None:
    """A token past its lifetime is refused with 1013."""
    sandbox.state.token_lifetime = 0
    token = await new_token(session, sandbox)
    status, answer = await post(session, sandbox, DOMESTIC_PATH, push_body(token))
    assert (status, answer["error"]) == (401, 1013)


async def test_expire_token_fault_is_lasting(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    """expire_token expires the presented token for good; a new token works."""
    token = await new_token(session, sandbox)
    sandbox.state.faults.append(Fault("expire_token", "fpt"))
    for _ in range(2):
        assert (await post(session, sandbox, DOMESTIC_PATH, push_body(token)))[1]["error"] == 1013
    status, _ = await post(
        session, sandbox, DOMESTIC_PATH, push_body(await new_token(session, sandbox))
    )
    assert status == 200


async def test_push_needs_customer_care_scope(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    """A token for advertising only cannot send customer-care messages: 1010."""
    _, answer = await post(session, sandbox, TOKEN_PATH, token_body(scope="send_brandname"))
    status, answer = await post(session, sandbox, DOMESTIC_PATH, push_body(answer["access_token"]))
    assert (status, answer["error"]) == (400, 1010)


async def test_push_quota_used_up(session: aiohttp.ClientSession, sandbox: Sandbox) -> None:
    """No quota left: 2502."""
    token = await new_token(session, sandbox)
    sandbox.state.first_account("fpt").balance = 0
    assert (await post(session, sandbox, DOMESTIC_PATH, push_body(token)))[1]["error"] == 2502


@pytest.mark.parametrize(
    ("phone", "domestic", "telco"),
    [
        ("84961234567", True, "viettel"),
        ("0321234567", True, "viettel"),
        ("84911234567", True, "vina"),
        ("84901234567", True, "mobi"),
        ("84921234567", True, "htc"),
        ("84991234567", True, "beeline"),
        ("84871234567", True, "itel"),
        ("84201234567", True, "vina"),
        ("14155550100", False, "US"),
        ("35988123456", False, "BG"),
        ("6591234567", False, "SG"),
        ("9991234567", False, "INTL"),
    ],
)
def test_telco_guess(phone: str, domestic: bool, telco: str) -> None:
    """Carrier by Vietnamese prefix, country abroad."""
    assert telco_of(phone, domestic) == telco


class Partner:
    """A partner's report URL that records FPT's requests and answers with a set status."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], Any]] = []
        self.status = 200

    async def handle(self, request: web.Request) -> web.Response:
        """Record and answer."""
        self.requests.append((request.method, dict(request.headers), await request.json()))
        return web.json_response({"status": 1 if self.status == 200 else 0}, status=self.status)


@pytest.fixture
async def partner(sandbox: Sandbox) -> AsyncIterator[Partner]:
    """A report receiver on 127.0.0.1, set as the FPT account's callback."""
    target = Partner()
    app = web.Application()
    app.router.add_post("/dlr", target.handle)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    sandbox.state.first_account("fpt").callback.url = str(server.make_url("/dlr"))
    try:
        yield target
    finally:
        await server.close()


@pytest.mark.parametrize(
    ("phone", "report"),
    [
        ("84981234561", {"Status": 1, "Telco": "viettel", "mt_count": 1}),
        ("84981234564", {"Status": 0, "Telco": "viettel", "mt_count": 1, "Error": FAILURE_TEXT}),
        ("84981234565", {"Status": 2, "Telco": "viettel", "mt_count": 1}),
    ],
)
async def test_reports(
    session: aiohttp.ClientSession,
    sandbox: Sandbox,
    partner: Partner,
    phone: str,
    report: dict[str, Any],
) -> None:
    """One JSON POST per message with the Authorization key; pending gets only Status 2."""
    token = await new_token(session, sandbox)
    _, answer = await post(session, sandbox, DOMESTIC_PATH, push_body(token, Phone=phone))
    await sandbox.idle()
    ((method, headers, body),) = partner.requests
    assert method == "POST"
    assert headers["Content-Type"] == "application/json"
    assert headers["Accept"] == "application/json"
    assert headers["Authorization"] == "Basic fpt-auth-key"
    assert body == {"smsid": int(answer["MessageId"]), **report}


async def test_reports_retried_until_2xx(
    session: aiohttp.ClientSession, sandbox: Sandbox, partner: Partner
) -> None:
    """A partner answering non-2xx gets the report 5 times; no key configured, no header."""
    partner.status = 400
    sandbox.state.first_account("fpt").report_secret = None
    token = await new_token(session, sandbox)
    await post(session, sandbox, DOMESTIC_PATH, push_body(token, Phone="84981234561"))
    await sandbox.idle()
    assert len(partner.requests) == 5
    assert all("Authorization" not in headers for _, headers, _ in partner.requests)
    assert [d.attempt for d in sandbox.state.deliveries] == [1, 2, 3, 4, 5]


async def test_no_callback_no_reports(session: aiohttp.ClientSession, sandbox: Sandbox) -> None:
    """Without a callback URL the sandbox delivers nothing."""
    token = await new_token(session, sandbox)
    await post(session, sandbox, DOMESTIC_PATH, push_body(token))
    await sandbox.idle()
    assert sandbox.state.deliveries == []
