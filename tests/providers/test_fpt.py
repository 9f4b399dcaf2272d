"""The FPT client against the sandbox over loopback: one shared token, Base64 sends, reports."""

from __future__ import annotations

import asyncio
import base64
import codecs
from collections.abc import AsyncIterator
import json
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.sms_bridge.providers.errors import (
    AuthenticationError,
    BadSecretError,
    InvalidRecipientError,
    MalformedReportError,
    MaybeSentError,
    ProviderError,
    RefusedError,
    ReplyKind,
    ReportError,
    TransientError,
    UnexpectedResponseError,
)
from custom_components.sms_bridge.providers.fpt.provider import (
    CREATE_CAMPAIGN_PATH,
    DETAIL_ADS_PATH,
    DLR_ADS_PATH,
    DOMESTIC_PATH,
    FULL_SCOPE,
    INTERNATIONAL_PATH,
    OTP_SCOPE,
    PUSH_ADS_PATH,
    TOKEN_PATH,
    FptProvider,
    encode_text,
    parse_send_answer,
    parse_token_answer,
    refresh_margin,
)
from custom_components.sms_bridge.providers.fpt.wire import (
    CODE_REASONS,
    TokenRejectedError,
    wire_phone,
)
from custom_components.sms_bridge.providers.http import RawResponse
from custom_components.sms_bridge.providers.models import (
    DeliveryStatus,
    InboundRequest,
    OutgoingMessage,
)
from custom_components.sms_bridge.providers.text import segment_count
from sandbox import Fault, Sandbox
from sandbox.fpt import CALLS, FAILURE_TEXT, GRANTED_SCOPES

FIXTURES = Path(__file__).parent.parent / "fixtures" / "fpt"
CLIENT_ID, CLIENT_SECRET, AUTH_KEY = "fpt-client-id", "fpt-client-secret", "fpt-auth-key"
TOKEN_REQUEST = ("fpt", "POST", TOKEN_PATH)
VIETNAMESE = "Cảnh báo: nhiệt độ phòng khách 35°C, điều hòa đã bật 🌡"


def make(sandbox: Sandbox, session: aiohttp.ClientSession, **overrides: Any) -> FptProvider:
    """A client of the sandbox's built-in FPT account."""
    options: dict[str, Any] = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "brandname": "SMSBRIDGE",
        "environment": "sandbox",
        "auth_key": AUTH_KEY,
        "base_url": sandbox.url,
        "timeout": 5,
    }
    options.update(overrides)
    return FptProvider(session, **options)


@pytest.fixture
def provider(sandbox: Sandbox, session: aiohttp.ClientSession) -> FptProvider:
    """The FPT client pointed at the sandbox."""
    return make(sandbox, session)


def token_requests(sandbox: Sandbox) -> int:
    """How many token requests the sandbox received."""
    return sandbox.state.requests.count(TOKEN_REQUEST)


def calls(sandbox: Sandbox, path: str | None = None) -> list[dict[str, Any]]:
    """The JSON bodies the sandbox's FPT received (on `path`, or on the send paths)."""
    paths = {path} if path else {DOMESTIC_PATH, INTERNATIONAL_PATH}
    return [body for p, body in sandbox.app[CALLS] if p in paths]


def report_request(
    body: bytes | dict[str, Any], auth: str | None = f"Basic {AUTH_KEY}"
) -> InboundRequest:
    """An FPT report as the webhook would hand it to the parser."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if auth is not None:
        headers["Authorization"] = auth
    return InboundRequest("POST", headers=headers, body=raw)


# --- sending ----------------------------------------------------------------------------------


async def test_send_domestic_base64_on_the_wire(provider: FptProvider, sandbox: Sandbox) -> None:
    """A Vietnamese number goes to push-brandname-otp as 84..., the text as Base64 of UTF-8."""
    result = await provider.send(OutgoingMessage("+84901234567", VIETNAMESE, unicode=True))
    sent = sandbox.state.messages[("fpt", result.message_id)]
    assert sent.text == VIETNAMESE
    assert sent.phone == "84901234567"
    assert sent.details["path"] == DOMESTIC_PATH
    assert sent.details["brandname"] == "SMSBRIDGE"
    (body,) = calls(sandbox)
    assert body["Message"] == base64.b64encode(VIETNAMESE.encode("utf-8")).decode()
    assert set(body) == {"access_token", "session_id", "BrandName", "Phone", "Message", "RequestId"}
    assert result.provider == "fpt"
    assert result.phone == "+84901234567"
    assert result.segments == segment_count(VIETNAMESE) == 1
    assert result.request_id == sent.request_id == body["RequestId"]
    assert result.request_id is not None
    assert len(result.request_id) <= 100
    assert result.telco == "Mobifone"


async def test_send_international(provider: FptProvider, sandbox: Sandbox) -> None:
    """A foreign number goes to push-brandname-international, digits without '+'."""
    result = await provider.send(OutgoingMessage("+14155550100", "Door open"))
    sent = sandbox.state.messages[("fpt", result.message_id)]
    assert sent.phone == "14155550100"
    assert sent.details["path"] == INTERNATIONAL_PATH
    assert result.telco == "US"
    assert calls(sandbox, DOMESTIC_PATH) == []


async def test_sender_overrides_brandname(provider: FptProvider, sandbox: Sandbox) -> None:
    """message.sender is the BrandName when given."""
    result = await provider.send(OutgoingMessage("+84981234567", "hi", sender="FTI"))
    assert sandbox.state.messages[("fpt", result.message_id)].details["brandname"] == "FTI"


async def test_request_ids_are_fresh(provider: FptProvider) -> None:
    """Each message gets its own RequestId."""
    first = await provider.send(OutgoingMessage("+84981234567", "a"))
    second = await provider.send(OutgoingMessage("+84981234567", "a"))
    assert first.request_id != second.request_id
    assert first.message_id != second.message_id


@pytest.mark.parametrize(
    ("phone", "wire", "domestic"),
    [
        ("+84901234567", "84901234567", True),
        ("0901234567", "84901234567", True),
        ("0084901234567", "84901234567", True),
        ("84901234567", "84901234567", True),
        ("+1 415-555-0100", "14155550100", False),
        ("+6591234567", "6591234567", False),
    ],
)
def test_wire_phone(phone: str, wire: str, domestic: bool) -> None:
    """Numbers are written as FPT wants them, Vietnamese ones as 84..."""
    assert wire_phone(phone) == (wire, domestic)


@pytest.mark.parametrize("phone", ["+84abc", "", "+12", "+٨٤٩٠١٢٣٤٥٦٧", "+8490123456789012"])
async def test_invalid_phone_sends_nothing(
    provider: FptProvider, sandbox: Sandbox, phone: str
) -> None:
    """A number that cannot be written is refused before any request."""
    with pytest.raises(InvalidRecipientError):
        await provider.send(OutgoingMessage(phone, "x"))
    assert sandbox.state.requests == []


async def test_session_id_fresh_and_short_on_every_request(
    provider: FptProvider, sandbox: Sandbox
) -> None:
    """Every request carries its own session_id of at most 32 characters."""
    await provider.send(OutgoingMessage("+84901234567", "a"))
    await provider.send(OutgoingMessage("+14155550100", "b"))
    await provider.check_credentials()
    session_ids = [body["session_id"] for _, body in sandbox.app[CALLS]]
    assert len(session_ids) == 4
    assert all(isinstance(s, str) and 0 < len(s) <= 32 for s in session_ids)
    assert len(set(session_ids)) == 4


async def test_token_request_body(provider: FptProvider, sandbox: Sandbox) -> None:
    """The token request is the document's: client credentials with both scopes."""
    await provider.check_credentials()
    (body,) = calls(sandbox, TOKEN_PATH)
    assert body == {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "scope": "send_brandname_otp send_brandname",
        "session_id": body["session_id"],
    }


async def test_one_token_for_twenty_concurrent_sends(
    provider: FptProvider, sandbox: Sandbox
) -> None:
    """20 sends at once share a single token request."""
    results = await asyncio.gather(
        *(provider.send(OutgoingMessage(f"+849012{i:02d}567", f"m{i}")) for i in range(20))
    )
    assert token_requests(sandbox) == 1
    assert len({r.message_id for r in results}) == 20
    assert len({body["access_token"] for body in calls(sandbox)}) == 1


async def test_token_reused_across_sends(provider: FptProvider, sandbox: Sandbox) -> None:
    """Sequential sends keep using the cached token."""
    for _ in range(3):
        await provider.send(OutgoingMessage("+84901234567", "a"))
    assert token_requests(sandbox) == 1


def test_refresh_margin() -> None:
    """Refresh 5 minutes early, or 10% early for short lifetimes."""
    assert refresh_margin(86400) == 300
    assert refresh_margin(3000) == 300
    assert refresh_margin(1000) == pytest.approx(100)
    assert refresh_margin(1) == pytest.approx(0.1)


async def test_token_refreshed_before_expiry(provider: FptProvider, sandbox: Sandbox) -> None:
    """A token near its expiry is replaced before use: no expired-token refusal is needed."""
    sandbox.state.token_lifetime = 1
    await provider.send(OutgoingMessage("+84901234567", "a"))
    await asyncio.sleep(0.95)  # past the 10% margin (0.9 s), before the sandbox's expiry
    await provider.send(OutgoingMessage("+84901234567", "b"))
    assert token_requests(sandbox) == 2
    assert len(calls(sandbox)) == 2
    first, second = calls(sandbox)
    assert first["access_token"] != second["access_token"]


async def test_expired_token_replaced_and_retried_once(
    provider: FptProvider, sandbox: Sandbox
) -> None:
    """An expired token (1013) is replaced and the same message tried once more."""
    await provider.check_credentials()
    sandbox.state.faults.append(Fault("expire_token", "fpt"))
    result = await provider.send(OutgoingMessage("+84901234567", "a"))
    assert token_requests(sandbox) == 2
    first, second = calls(sandbox)
    assert first["access_token"] != second["access_token"]
    assert first["RequestId"] == second["RequestId"] == result.request_id
    assert first["session_id"] != second["session_id"]
    assert len(sandbox.state.messages) == 1


@pytest.mark.parametrize("code", [1011, 1012, 1013])
async def test_refused_token_codes_retried(
    provider: FptProvider, sandbox: Sandbox, code: int
) -> None:
    """1011, 1012 and 1013 all mean: fetch a new token and retry once."""
    sandbox.state.faults.append(Fault("refuse", "fpt", code, path=DOMESTIC_PATH))
    await provider.send(OutgoingMessage("+84901234567", "a"))
    assert token_requests(sandbox) == 2
    assert len(calls(sandbox)) == 2


async def test_refused_token_twice_is_not_retried_again(
    provider: FptProvider, sandbox: Sandbox
) -> None:
    """A fresh token refused too: RefusedError (credentials work), and no third attempt."""
    sandbox.state.faults.append(Fault("expire_token", "fpt", count=2))
    with pytest.raises(RefusedError) as caught:
        await provider.send(OutgoingMessage("+84901234567", "a"))
    assert type(caught.value) is RefusedError
    assert caught.value.code == "1013"
    assert "new token" in caught.value.reason
    assert token_requests(sandbox) == 2
    assert len(calls(sandbox)) == 2
    assert sandbox.state.messages == {}


async def test_concurrent_refusals_share_one_new_token(
    provider: FptProvider, sandbox: Sandbox
) -> None:
    """Ten sends refused with the same expired token cause one new token, not ten."""
    await provider.check_credentials()
    sandbox.state.faults.append(Fault("expire_token", "fpt"))
    await asyncio.gather(*(provider.send(OutgoingMessage("+84901234567", "a")) for _ in range(10)))
    assert token_requests(sandbox) == 2
    assert len(sandbox.state.messages) == 10


async def test_failed_token_fetch_shared_by_waiters(
    provider: FptProvider, sandbox: Sandbox
) -> None:
    """Callers waiting on a token fetch that fails get its error without fetching again."""
    sandbox.state.faults.append(Fault("refuse", "fpt", 1007, path=TOKEN_PATH))
    outcomes = await asyncio.gather(
        *(provider.send(OutgoingMessage("+84901234567", "a")) for _ in range(20)),
        return_exceptions=True,
    )
    assert [type(o) for o in outcomes] == [TransientError] * 20, outcomes
    assert {o.code for o in outcomes if isinstance(o, TransientError)} == {"1007"}
    assert token_requests(sandbox) == 1
    await provider.send(OutgoingMessage("+84901234567", "a"))  # not sticky: next call fetches
    assert token_requests(sandbox) == 2


async def test_check_credentials_fetches_a_fresh_token(
    provider: FptProvider, sandbox: Sandbox
) -> None:
    """check_credentials always asks for a token; sends then reuse it."""
    await provider.check_credentials()
    await provider.check_credentials()
    await provider.send(OutgoingMessage("+84901234567", "a"))
    assert token_requests(sandbox) == 2


async def test_wrong_credentials(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """1008: AuthenticationError, whose reason also names the IP allow-list."""
    provider = make(sandbox, session, client_secret="wrong")
    with pytest.raises(AuthenticationError) as caught:
        await provider.check_credentials()
    assert caught.value.code == "1008"
    assert "IP" in caught.value.reason
    with pytest.raises(AuthenticationError):
        await provider.send(OutgoingMessage("+84901234567", "a"))


@pytest.mark.parametrize("code", [1005, 1010])
async def test_scope_refusal_falls_back_to_customer_care_scope(
    provider: FptProvider, sandbox: Sandbox, code: int
) -> None:
    """A refused scope is asked again as send_brandname_otp alone, and remembered."""
    sandbox.state.faults.append(Fault("refuse", "fpt", code, path=TOKEN_PATH))
    await provider.check_credentials()
    await provider.check_credentials()
    scopes = [body["scope"] for body in calls(sandbox, TOKEN_PATH)]
    assert scopes == [FULL_SCOPE, OTP_SCOPE, OTP_SCOPE]


async def test_customer_care_only_account_sends(provider: FptProvider, sandbox: Sandbox) -> None:
    """An application created with only the customer-care scope still sends."""
    sandbox.app[GRANTED_SCOPES][CLIENT_ID] = frozenset({OTP_SCOPE})
    result = await provider.send(OutgoingMessage("+84901234567", "a"))
    assert ("fpt", result.message_id) in sandbox.state.messages
    assert token_requests(sandbox) == 2


async def test_scope_refused_again(provider: FptProvider, sandbox: Sandbox) -> None:
    """Both scope requests refused: RefusedError with FPT's code, two requests only."""
    sandbox.state.faults.append(Fault("refuse", "fpt", 1010, count=2, path=TOKEN_PATH))
    with pytest.raises(RefusedError) as caught:
        await provider.check_credentials()
    assert caught.value.code == "1010"
    assert token_requests(sandbox) == 2


TOKEN_ERRORS = [
    (1001, RefusedError),
    (1002, AuthenticationError),
    (1003, AuthenticationError),
    (1004, RefusedError),
    (1006, TransientError),
    (1007, TransientError),
    (1008, AuthenticationError),
    (1009, RefusedError),
    (1014, RefusedError),
    (1015, RefusedError),
]


@pytest.mark.parametrize(("code", "error"), TOKEN_ERRORS)
async def test_token_errors(
    provider: FptProvider, sandbox: Sandbox, code: int, error: type[ProviderError]
) -> None:
    """Token endpoint codes map to the error classes; no scope retry for them."""
    sandbox.state.faults.append(Fault("refuse", "fpt", code, path=TOKEN_PATH))
    with pytest.raises(ProviderError) as caught:
        await provider.check_credentials()
    assert type(caught.value) is error
    assert caught.value.code == str(code)
    assert caught.value.reason == CODE_REASONS[code]
    assert token_requests(sandbox) == 1


SEND_ERRORS = [
    (1002, AuthenticationError),
    (1003, AuthenticationError),
    (1008, AuthenticationError),
    (1006, MaybeSentError),
    (1007, MaybeSentError),
    (53, InvalidRecipientError),
    (-10, InvalidRecipientError),
    (902, InvalidRecipientError),
    (2505, InvalidRecipientError),
    (-11, InvalidRecipientError),
    (1010, RefusedError),
    (1014, RefusedError),
    (1016, RefusedError),
    (2501, RefusedError),
    (1, RefusedError),
    (2502, RefusedError),
    (2503, RefusedError),
    (2504, RefusedError),
    (54, RefusedError),
    (2506, MaybeSentError),
    (2507, MaybeSentError),
    (2, RefusedError),
    (-8, RefusedError),
    (3, RefusedError),
    (4, RefusedError),
    (-14, RefusedError),
    (901, RefusedError),
    (5, RefusedError),
    (-20, RefusedError),
    (55, RefusedError),
    (6, RefusedError),
    (-18, RefusedError),
    (7, RefusedError),
    (8, RefusedError),
    (4242, MaybeSentError),
]


@pytest.mark.parametrize(("code", "error"), SEND_ERRORS)
async def test_send_errors(
    provider: FptProvider, sandbox: Sandbox, code: int, error: type[ProviderError]
) -> None:
    """Send refusals map to the error classes with FPT's code and an English reason."""
    sandbox.state.faults.append(Fault("refuse", "fpt", code, path=DOMESTIC_PATH))
    with pytest.raises(ProviderError) as caught:
        await provider.send(OutgoingMessage("+84901234567", "a"))
    assert type(caught.value) is error
    assert caught.value.code == str(code)
    assert caught.value.reason == CODE_REASONS.get(code, "FPT refused the request")
    assert caught.value.maybe_sent is (error is MaybeSentError)
    assert len(calls(sandbox)) == 1
    assert sandbox.state.messages == {}


@pytest.mark.parametrize(
    ("message", "error", "code"),
    [
        (OutgoingMessage("+84901234567", "a", sender="NOPE"), RefusedError, "2504"),
        (OutgoingMessage("+84901234563", "a"), InvalidRecipientError, "53"),
        (OutgoingMessage("+14155550103", "a"), InvalidRecipientError, "53"),
    ],
)
async def test_sandbox_refusals(
    provider: FptProvider, message: OutgoingMessage, error: type[ProviderError], code: str
) -> None:
    """The sandbox's own checks: unregistered brandname, refused numbers."""
    with pytest.raises(ProviderError) as caught:
        await provider.send(message)
    assert type(caught.value) is error
    assert caught.value.code == code


async def test_quota_used_up(provider: FptProvider, sandbox: Sandbox) -> None:
    """No quota left: 2502, a refusal."""
    sandbox.state.first_account("fpt").balance = 0
    with pytest.raises(RefusedError) as caught:
        await provider.send(OutgoingMessage("+84901234567", "a"))
    assert caught.value.code == "2502"


@pytest.mark.parametrize("path", [TOKEN_PATH, DOMESTIC_PATH])
@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (("status", 503), TransientError),
        (("status", 404), UnexpectedResponseError),
        (("malformed", None), UnexpectedResponseError),
        (("disconnect", None), TransientError),
    ],
)
async def test_transport_faults(
    provider: FptProvider,
    sandbox: Sandbox,
    path: str,
    fault: tuple[str, int | None],
    error: type[ProviderError],
) -> None:
    """5xx and dropped connections are transient; unreadable answers are unexpected.

    (A token request that drops once is asked again: it sends nothing. So every one drops.)
    """
    kind, value = fault
    sandbox.state.faults.append(Fault(kind, "fpt", value, path=path, count=-1))
    with pytest.raises(error):
        await provider.send(OutgoingMessage("+84901234567", "a"))
    assert sandbox.state.messages == {}


@pytest.mark.parametrize(("path", "maybe_sent"), [(TOKEN_PATH, False), (DOMESTIC_PATH, True)])
async def test_timeouts(
    sandbox: Sandbox, session: aiohttp.ClientSession, path: str, maybe_sent: bool
) -> None:
    """A send that times out may have gone out; a token request that times out did not."""
    provider = make(sandbox, session, timeout=0.3)
    sandbox.state.faults.append(Fault("timeout", "fpt", 5, path=path))
    with pytest.raises(TransientError) as caught:
        await provider.send(OutgoingMessage("+84901234567", "a"))
    assert caught.value.maybe_sent is maybe_sent


def test_environment_hosts(session: aiohttp.ClientSession) -> None:
    """production and sandbox have their documented hosts; anything else is refused."""
    common = {"client_id": "i", "client_secret": "s", "brandname": "B"}
    assert FptProvider(session, **common)._host == "https://api01.sms.fpt.net"
    assert (
        FptProvider(session, **common, environment="sandbox")._host == "http://sandbox.sms.fpt.net"
    )
    with pytest.raises(ValueError, match="environment"):
        FptProvider(session, **common, environment="staging")


def test_no_balance_or_totals() -> None:
    """FPT reports neither a balance nor daily totals."""
    assert FptProvider.name == "fpt"
    assert FptProvider.region == "VN"
    assert not FptProvider.has_balance
    assert not FptProvider.has_daily_totals


# --- answers the sandbox does not give --------------------------------------------------------


def raw(status: int, body: bytes | dict[str, Any] | list[Any]) -> RawResponse:
    """An HTTP answer for the parsers."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return RawResponse(status, data, "application/json")


def send_answer(answer: RawResponse) -> Any:
    """parse_send_answer with fixed message details."""
    return parse_send_answer(answer, phone="+84901234567", segments=1, request_id="r1")


@pytest.mark.parametrize(
    ("answer", "error", "code"),
    [
        (raw(200, {"Phone": "84901234567"}), UnexpectedResponseError, None),
        (raw(200, {"MessageId": ""}), UnexpectedResponseError, None),
        (raw(200, {"MessageId": True}), UnexpectedResponseError, None),
        (raw(200, {"MessageId": None}), UnexpectedResponseError, None),
        (raw(200, []), UnexpectedResponseError, "HTTP 200"),
        (raw(200, b"<html>"), UnexpectedResponseError, "HTTP 200"),
        (raw(200, b"[" * 100_000), UnexpectedResponseError, "HTTP 200"),
        (raw(200, {"error": 1014, "error_description": "x"}), RefusedError, "1014"),
        (raw(400, {"Error": 53, "Error_description": "Sai số"}), InvalidRecipientError, "53"),
        (raw(400, {"ERROR": "2505"}), InvalidRecipientError, "2505"),
        (raw(401, {"error": 1011}), TokenRejectedError, "1011"),
        (raw(400, {"error": "invalid_client"}), UnexpectedResponseError, "HTTP 400"),
        (raw(400, {"error": True}), UnexpectedResponseError, "HTTP 400"),
        (raw(400, {"message": "x"}), UnexpectedResponseError, "HTTP 400"),
        (raw(404, b"Not Found"), UnexpectedResponseError, "HTTP 404"),
    ],
)
def test_send_answer_errors(
    answer: RawResponse, error: type[ProviderError], code: str | None
) -> None:
    """Success is decided from the body: MessageId and no error code."""
    with pytest.raises(ProviderError) as caught:
        send_answer(answer)
    assert type(caught.value) is error
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("body", "message_id", "telco"),
    [
        ({"MessageId": 491785, "Telco": "viettel"}, "491785", "Viettel"),
        ({"messageid": " 42 ", "telco": "SG"}, "42", "SG"),
        ({"MessageId": "7"}, "7", None),
        ({"MessageId": "7", "Telco": ""}, "7", None),
    ],
)
def test_send_answer_success(body: dict[str, Any], message_id: str, telco: str | None) -> None:
    """MessageId as number or string, names in any case, Telco optional."""
    result = send_answer(raw(200, body))
    assert (result.message_id, result.telco, result.request_id) == (message_id, telco, "r1")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"access_token": "T", "expires_in": 3600}, ("T", 3600)),
        ({"access_token": "T", "expires_in": "3600"}, ("T", 3600)),
        ({"access_token": "T"}, ("T", 86400)),
        ({"access_token": "T", "expires_in": 0}, ("T", 86400)),
        ({"access_token": "T", "expires_in": True}, ("T", 86400)),
        ({"Access_Token": " T ", "Expires_In": 60}, ("T", 60)),
    ],
)
def test_token_answer(body: dict[str, Any], expected: tuple[str, int]) -> None:
    """The token and its lifetime; the document's 86400 s when the answer does not say."""
    assert parse_token_answer(raw(200, body)) == expected


@pytest.mark.parametrize(
    "body", [{"token_type": "Bearer"}, {"access_token": ""}, {"access_token": 5}, []]
)
def test_token_answer_without_token(body: dict[str, Any] | list[Any]) -> None:
    """A 200 without a token is unexpected."""
    with pytest.raises(UnexpectedResponseError):
        parse_token_answer(raw(200, body))


# --- secrets ------------------------------------------------------------------------------------


async def test_no_secret_in_any_error(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """No error message carries a credential, token, key or URL."""
    secrets = {"client_id": "cid-Zq81xw", "client_secret": "csec-Pk27vb"}
    sandbox.state.first_account("fpt").secrets = dict(secrets)
    key = "akey-Hy64mn"
    provider = make(sandbox, session, **secrets, auth_key=key, timeout=0.3)
    wrong = make(sandbox, session, client_id=secrets["client_id"], client_secret="csec-Wrong99")
    errors: list[Exception] = []

    async def attempt(coro: Any) -> None:
        try:
            await coro
        except (ProviderError, ReportError) as err:
            errors.append(err)

    await attempt(wrong.check_credentials())
    await attempt(wrong.send(OutgoingMessage("+84901234567", "a")))
    faults = [Fault("refuse", "fpt", code, path=DOMESTIC_PATH) for code, _ in SEND_ERRORS] + [
        Fault("expire_token", "fpt", count=2),
        Fault("status", "fpt", 503),
        Fault("malformed", "fpt"),
        Fault("disconnect", "fpt"),
        Fault("timeout", "fpt", 5, path=DOMESTIC_PATH),
        Fault("refuse", "fpt", 1010, count=2, path=TOKEN_PATH),
    ]
    for fault in faults:
        sandbox.state.faults.append(fault)
        await attempt(provider.send(OutgoingMessage("+84901234567", "a")))
        await attempt(provider.check_credentials())
    await attempt(provider.send(OutgoingMessage("+84901234563", "a")))
    reports = [report_request({"smsid": 1}, a) for a in (None, f"Basic {key}x", f"Bearer {key}")]
    reports.append(report_request(b"{" + key.encode(), f"Basic {key}"))
    for request in reports:
        with pytest.raises(ReportError) as caught:
            provider.parse_report(request)
        errors.append(caught.value)
    assert len(errors) >= len(faults) + 7
    tokens = list(sandbox.state.tokens)
    for err in errors:
        text = str(err)
        for secret in [*secrets.values(), key, "csec-Wrong99", *tokens]:
            assert secret not in text
        assert "http://" not in text
        assert "https://" not in text
        assert sandbox.url not in text


# --- delivery reports ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected", "final"),
    [
        (2, DeliveryStatus.PENDING, False),
        (-11, DeliveryStatus.PENDING, False),
        (1, DeliveryStatus.DELIVERED, True),
        (0, DeliveryStatus.FAILED, True),
        ("1", DeliveryStatus.DELIVERED, True),
        (" -11 ", DeliveryStatus.PENDING, False),
    ],
)
def test_report_status_table(
    provider: FptProvider, status: int | str, expected: DeliveryStatus, final: bool
) -> None:
    """Every row of DESIGN.md's FPT status table."""
    report = provider.parse_report(report_request({"smsid": 451838640, "Status": status}))
    assert report.status is expected
    assert report.final is final
    assert report.provider == "fpt"
    assert report.message_id == "451838640"
    assert report.provider_status == str(status).strip()
    assert report.error is None


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({}, "Unknown status 7"),
        ({"Error": "E42 no route"}, "Unknown status 7 (E42 no route)"),
    ],
)
def test_report_unknown_status_fails(
    provider: FptProvider, extra: dict[str, Any], error: str
) -> None:
    """Values outside the table are failures that keep the raw status."""
    report = provider.parse_report(report_request({"smsid": 5, "Status": 7, **extra}))
    assert report.status is DeliveryStatus.FAILED
    assert report.provider_status == "7"
    assert report.error == error


@pytest.mark.parametrize(
    ("status", "error_value", "error"),
    [
        (0, "Thuê bao không liên lạc được", "Thuê bao không liên lạc được"),
        (0, 12, "12"),
        (0, "  ", None),
        (0, {"code": 1}, None),
        (1, "ignored", None),
        (2, "ignored", None),
    ],
)
def test_report_error_only_for_failures(
    provider: FptProvider, status: int, error_value: Any, error: str | None
) -> None:
    """Error (code and/or text) is the failure's reason."""
    report = provider.parse_report(
        report_request({"smsid": 5, "Status": status, "Error": error_value})
    )
    assert report.error == error


@pytest.mark.parametrize(
    ("telco", "name"),
    [
        ("viettel", "Viettel"),
        ("vina", "Vinaphone"),
        ("mobi", "Mobifone"),
        ("htc", "Vietnamobile"),
        ("beeline", "Gtel"),
        ("itel", "Itel"),
        ("VINA", "Vinaphone"),
        ("reddi", "reddi"),
        ("", None),
        (None, None),
        (7, "7"),
    ],
)
def test_report_telco(provider: FptProvider, telco: Any, name: str | None) -> None:
    """FPT's carrier codes become carrier names; unknown values stay as they are."""
    report = provider.parse_report(report_request({"smsid": 5, "Status": 1, "Telco": telco}))
    assert report.telco == name


@pytest.mark.parametrize(
    ("count", "segments"), [(2, 2), ("3", 3), ("x", None), (True, None), (None, None)]
)
def test_report_segments(provider: FptProvider, count: Any, segments: int | None) -> None:
    """mt_count is the segment count when it is a number."""
    report = provider.parse_report(report_request({"smsid": 5, "Status": 1, "mt_count": count}))
    assert report.segments == segments


def test_report_names_in_any_case(provider: FptProvider) -> None:
    """SmsId/status/TELCO/MT_COUNT are read like smsid/Status/Telco/mt_count."""
    report = provider.parse_report(
        report_request({"SmsId": "77", "status": 0, "TELCO": "mobi", "MT_COUNT": 2, "error": "x"})
    )
    assert (report.message_id, report.status, report.telco, report.segments, report.error) == (
        "77",
        DeliveryStatus.FAILED,
        "Mobifone",
        2,
        "x",
    )


@pytest.mark.parametrize(
    "auth",
    [
        f"Basic {AUTH_KEY}",
        f"basic {AUTH_KEY}",
        f"  BASIC   {AUTH_KEY}  ",
        f"Basic\t{AUTH_KEY}",
    ],
)
def test_report_authorization_accepted(provider: FptProvider, auth: str) -> None:
    """The scheme in any case, whitespace around the key ignored."""
    assert provider.parse_report(report_request({"smsid": 1, "Status": 1}, auth)).message_id == "1"


def test_report_authorization_header_name_any_case(provider: FptProvider) -> None:
    """The header name is case-insensitive."""
    request = InboundRequest(
        "POST", headers={"authorization": f"Basic {AUTH_KEY}"}, body=b'{"smsid": 1, "Status": 1}'
    )
    assert provider.parse_report(request).status is DeliveryStatus.DELIVERED


@pytest.mark.parametrize(
    "auth",
    [
        None,
        "",
        "Basic",
        "Basic ",
        AUTH_KEY,
        f"Bearer {AUTH_KEY}",
        f"Basic {AUTH_KEY}x",
        f"Basic {AUTH_KEY.upper()}",
        f"Basic {base64.b64encode(AUTH_KEY.encode()).decode()}",
        "Basic fpt-auth-kéy",
    ],
)
def test_report_bad_authorization(provider: FptProvider, auth: str | None) -> None:
    """A missing or wrong key is a bad secret, checked before the body is read."""
    with pytest.raises(BadSecretError):
        provider.parse_report(report_request({"smsid": 1, "Status": 1}, auth))
    with pytest.raises(BadSecretError):
        provider.parse_report(report_request(b"not json", auth))


@pytest.mark.parametrize("auth_key", [None, ""])
def test_report_without_configured_key(
    sandbox: Sandbox, session: aiohttp.ClientSession, auth_key: str | None
) -> None:
    """No auth_key configured: any Authorization (or none) is accepted."""
    provider = make(sandbox, session, auth_key=auth_key)
    for auth in (None, "Basic whatever"):
        assert provider.parse_report(report_request({"smsid": 1, "Status": 0}, auth)).final


MALFORMED = [
    b"",
    b"not json",
    b"\xff\xfe\x00garbage",
    b"[]",
    b'"text"',
    b"null",
    b"[" * 100_000,
    b'{"Status": 1}',
    b'{"smsid": 1}',
    b'{"smsid": 1, "Status": "abc"}',
    b'{"smsid": 1, "Status": true}',
    b'{"smsid": 1, "Status": 1.5}',
    b'{"smsid": 1, "Status": null}',
    b'{"smsid": 1, "Status": [1]}',
    b'{"smsid": null, "Status": 1}',
    b'{"smsid": true, "Status": 1}',
    b'{"smsid": " ", "Status": 1}',
    b'{"smsid": {}, "Status": 1}',
    b'{"smsid": 1.5, "Status": 1}',
    b"smsid=1&Status=1",
]


def test_utf8_byte_order_mark_tolerated(provider: FptProvider) -> None:
    """A UTF-8 BOM before the JSON (some servers add one) does not make it unreadable."""
    bom = codecs.BOM_UTF8
    report = provider.parse_report(report_request(bom + b'{"smsid": 1, "Status": 1}'))
    assert report.status is DeliveryStatus.DELIVERED
    assert send_answer(raw(200, bom + b'{"MessageId": "9"}')).message_id == "9"


@pytest.mark.parametrize("body", MALFORMED)
def test_report_malformed(provider: FptProvider, body: bytes) -> None:
    """Anything unreadable is MalformedReportError, never another exception."""
    with pytest.raises(MalformedReportError):
        provider.parse_report(report_request(body))


def test_report_get_without_body(provider: FptProvider) -> None:
    """A GET (FPT only POSTs) has no body: malformed."""
    request = InboundRequest(
        "GET", query={"smsid": "1", "Status": "1"}, headers={"Authorization": f"Basic {AUTH_KEY}"}
    )
    with pytest.raises(MalformedReportError):
        provider.parse_report(request)


@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        (ReplyKind.ACCEPTED, 200, '{"status": 1}'),
        (ReplyKind.BAD_SECRET, 401, '{"status": 0, "desc": "Unauthorized"}'),
        (ReplyKind.MALFORMED, 400, '{"status": 0, "desc": "Invalid data"}'),
    ],
)
def test_reply(provider: FptProvider, kind: ReplyKind, status: int, body: str) -> None:
    """DESIGN.md's webhook replies, byte for byte, as JSON."""
    reply = provider.reply(kind)
    assert (reply.status, reply.body, reply.content_type) == (status, body, "application/json")


# --- end to end ---------------------------------------------------------------------------------


class Receiver:
    """A partner webhook: parses FPT's reports with the client and answers with its reply."""

    def __init__(self, provider: FptProvider) -> None:
        self.provider = provider
        self.reports: list[Any] = []
        self.headers: list[dict[str, str]] = []

    async def handle(self, request: web.Request) -> web.Response:
        """Parse the report, answer as the webhook would."""
        inbound = InboundRequest(
            request.method, dict(request.query), dict(request.headers), await request.read()
        )
        self.headers.append(dict(request.headers))
        try:
            self.reports.append(self.provider.parse_report(inbound))
            kind = ReplyKind.ACCEPTED
        except ReportError as err:
            kind = err.kind
        reply = self.provider.reply(kind)
        return web.Response(status=reply.status, text=reply.body, content_type=reply.content_type)


@pytest.fixture
async def receiver(
    sandbox: Sandbox, provider: FptProvider
) -> AsyncIterator[tuple[Receiver, TestServer]]:
    """A report receiver on 127.0.0.1, set as the FPT account's callback."""
    target = Receiver(provider)
    app = web.Application()
    app.router.add_post("/fpt-dlr", target.handle)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    sandbox.state.first_account("fpt").callback.url = str(server.make_url("/fpt-dlr"))
    try:
        yield target, server
    finally:
        await server.close()


async def test_end_to_end_reports(
    provider: FptProvider, sandbox: Sandbox, receiver: tuple[Receiver, TestServer]
) -> None:
    """Reports the sandbox POSTs parse to the sent messages' ids and outcomes."""
    target, _ = receiver
    delivered = await provider.send(OutgoingMessage("+84981234561", VIETNAMESE))
    failed = await provider.send(OutgoingMessage("+84981234564", "b"))
    pending = await provider.send(OutgoingMessage("+84981234565", "c"))
    await sandbox.idle()
    by_id = {r.message_id: r for r in target.reports}
    assert len(target.reports) == 3
    assert by_id[delivered.message_id].status is DeliveryStatus.DELIVERED
    assert by_id[delivered.message_id].telco == "Viettel"
    assert by_id[delivered.message_id].segments == delivered.segments
    assert by_id[failed.message_id].status is DeliveryStatus.FAILED
    assert by_id[failed.message_id].error == FAILURE_TEXT
    assert by_id[pending.message_id].status is DeliveryStatus.PENDING
    assert by_id[pending.message_id].provider_status == "2"
    assert all(h["Content-Type"] == "application/json" for h in target.headers)
    assert all(h["Accept"] == "application/json" for h in target.headers)
    assert [d.status for d in sandbox.state.deliveries] == [200, 200, 200]


async def test_end_to_end_wrong_key_is_retried(
    sandbox: Sandbox, provider: FptProvider, receiver: tuple[Receiver, TestServer]
) -> None:
    """A report refused with 401 (wrong key) is retried until FPT gives up after 5 attempts."""
    target, _ = receiver
    sandbox.state.first_account("fpt").report_secret = "another-key"
    result = await provider.send(OutgoingMessage("+84981234561", "a"))
    await sandbox.idle()
    assert target.reports == []
    attempts = [d for d in sandbox.state.deliveries if d.message_id == result.message_id]
    assert [d.status for d in attempts] == [401] * 5
    assert json.loads(attempts[0].body) == {"status": 0, "desc": "Unauthorized"}


# --- the seed document's samples ------------------------------------------------------------------


def fixture(name: str) -> bytes:
    """A fixture file's bytes."""
    return (FIXTURES / name).read_bytes()


def repaired(name: str) -> dict[str, Any]:
    """A sample the document's layout broke across lines, with the line breaks taken out."""
    data = json.loads(fixture(name).replace(b"\n", b""))
    assert isinstance(data, dict)
    return data


BROKEN = [
    "token_request.json",
    "token_response.json",
    "push_otp_request.json",
    "push_international_request.json",
    "create_campaign_request.json",
    "push_ads_request.json",
]


@pytest.mark.parametrize("name", BROKEN)
def test_broken_samples_are_malformed(provider: FptProvider, name: str) -> None:
    """As printed (line breaks inside strings) they are not JSON: such a report is malformed."""
    with pytest.raises(ValueError, match="control character"):
        json.loads(fixture(name))
    with pytest.raises(MalformedReportError):
        provider.parse_report(report_request(fixture(name)))
    assert repaired(name)


def test_token_response_sample(provider: FptProvider) -> None:
    """The token answer sample: unreadable as printed, the token and 86400 s once repaired."""
    with pytest.raises(UnexpectedResponseError):
        parse_token_answer(RawResponse(200, fixture("token_response.json"), "application/json"))
    data = repaired("token_response.json")
    answer = RawResponse(200, json.dumps(data).encode(), "application/json")
    token, lifetime = parse_token_answer(answer)
    assert token.startswith("dGk1dVF1")
    assert token.endswith("R2ZLYitHcGljOD0=")
    assert " " not in token
    assert lifetime == 86400


async def test_request_samples_match_what_the_client_sends(
    provider: FptProvider, sandbox: Sandbox
) -> None:
    """The client sends exactly the fields of the document's request samples."""
    await provider.send(OutgoingMessage("+84848486687", "day la noi dung test", sender="FTI"))
    await provider.send(OutgoingMessage("+1749123456", "day la noi dung test", sender="FTI"))
    (token_body,) = calls(sandbox, TOKEN_PATH)
    (domestic,) = calls(sandbox, DOMESTIC_PATH)
    (international,) = calls(sandbox, INTERNATIONAL_PATH)
    sample = repaired("token_request.json")
    assert set(token_body) == set(sample)
    assert {k: token_body[k] for k in ("scope", "grant_type")} == {
        k: sample[k] for k in ("scope", "grant_type")
    }
    for body, name in (
        (domestic, "push_otp_request.json"),
        (international, "push_international_request.json"),
    ):
        sample = repaired(name)
        assert set(body) == set(sample)
        assert {k: body[k] for k in ("BrandName", "Phone", "Message")} == {
            k: sample[k] for k in ("BrandName", "Phone", "Message")
        }
    assert len(sample["session_id"]) == 43  # the document breaks its own <= 32 rule; we do not


def test_sample_message_is_base64_of_the_answer_text() -> None:
    """The samples' Message is Base64 of the text the answer echoes."""
    request = repaired("push_otp_request.json")
    answer = json.loads(fixture("push_otp_response.json"))
    assert encode_text(answer["Message"]) == request["Message"] == "ZGF5IGxhIG5vaSBkdW5nIHRlc3Q="


@pytest.mark.parametrize(
    ("name", "message_id", "telco"),
    [
        ("push_otp_response.json", "491785", "Vinaphone"),
        ("push_international_response.json", "491785", "US"),
    ],
)
def test_send_answer_samples(name: str, message_id: str, telco: str) -> None:
    """The success samples parse to the message id and carrier."""
    result = send_answer(RawResponse(200, fixture(name), "application/json"))
    assert (result.message_id, result.telco) == (message_id, telco)


@pytest.mark.parametrize(
    ("name", "parse", "error", "code"),
    [
        ("token_error.json", parse_token_answer, AuthenticationError, "1008"),
        ("push_otp_error.json", send_answer, TokenRejectedError, "1011"),
        ("push_international_error.json", send_answer, TokenRejectedError, "1011"),
        ("create_campaign_error.json", send_answer, RefusedError, "1014"),
        ("push_ads_error.json", send_answer, RefusedError, "1014"),
        ("create_campaign_response.json", send_answer, UnexpectedResponseError, None),
        ("push_ads_response.json", send_answer, UnexpectedResponseError, None),
    ],
)
def test_error_and_advertising_samples(
    name: str, parse: Any, error: type[ProviderError], code: str | None
) -> None:
    """Error samples map to their classes; advertising answers are not sends of this client."""
    status = 200 if code is None else 401
    with pytest.raises(ProviderError) as caught:
        parse(RawResponse(status, fixture(name), "application/json"))
    assert type(caught.value) is error
    assert caught.value.code == code


def doc_headers() -> dict[str, str]:
    """The report headers of the document's section 4.1."""
    lines = fixture("dlr_request_headers.txt").decode().splitlines()
    return dict(line.split(": ", 1) for line in lines)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("dlr_from_field_table.json", (DeliveryStatus.DELIVERED, "Viettel", 1, None)),
        ("dlr_failed_from_field_table.json", (DeliveryStatus.FAILED, "Gtel", 2, FAILURE_TEXT)),
    ],
)
def test_report_samples(
    sandbox: Sandbox, session: aiohttp.ClientSession, name: str, expected: tuple[Any, ...]
) -> None:
    """Reports built from the document's field table, with its headers, parse."""
    provider = make(sandbox, session, auth_key="AUTHORIZATION_KEY")
    report = provider.parse_report(
        InboundRequest("POST", headers=doc_headers(), body=fixture(name))
    )
    assert report.message_id == "451838640"
    assert (report.status, report.telco, report.segments, report.error) == expected


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("dlr_reply_accepted.json", ReplyKind.ACCEPTED),
        ("dlr_reply_failed.json", ReplyKind.MALFORMED),
    ],
)
def test_reply_samples(provider: FptProvider, name: str, kind: ReplyKind) -> None:
    """Our replies are the document's outputs."""
    assert provider.reply(kind).body.encode() == fixture(name)


def test_endpoint_urls(session: aiohttp.ClientSession) -> None:
    """Every URL the client builds for either environment is one the document prints."""
    printed = {line.strip() for line in fixture("endpoint_urls.txt").decode().splitlines()}
    for environment in ("production", "sandbox"):
        provider = FptProvider(
            session, client_id="i", client_secret="s", brandname="B", environment=environment
        )
        paths = [TOKEN_PATH, DOMESTIC_PATH, INTERNATIONAL_PATH, CREATE_CAMPAIGN_PATH, PUSH_ADS_PATH]
        if environment == "production":  # the document prints section 4.2's for production only
            paths += [DETAIL_ADS_PATH, DLR_ADS_PATH]
        for path in paths:
            assert provider._url(provider._host, path) in printed


def test_every_fixture_is_tested() -> None:
    """Each file in tests/fixtures/fpt is used by a test above."""
    source = Path(__file__).read_text(encoding="utf-8")
    names = {p.name for p in FIXTURES.iterdir()} - {"SOURCES.md"}
    assert names
    assert all(f'"{name}"' in source for name in names)
