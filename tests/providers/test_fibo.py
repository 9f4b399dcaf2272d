"""The FiboSMS client against the sandbox (and a few scripted answers) over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit
import uuid
from xml.etree import ElementTree as ET

import aiohttp
from aiohttp import web
import pytest
import yarl

from custom_components.sms_bridge.providers import fibo as fibo_module
from custom_components.sms_bridge.providers.errors import (
    AuthenticationError,
    BadSecretError,
    InvalidRecipientError,
    IpNotAllowedError,
    MalformedReportError,
    MaybeSentError,
    ProviderError,
    RefusedError,
    ReplyKind,
    ReportError,
    TransientError,
    UnexpectedResponseError,
)
from custom_components.sms_bridge.providers.fibo import (
    BALANCE_PATHS,
    CODE_REASONS,
    SEND_MASKED_PATH,
    SEND_PATH,
    STATUS_TABLE,
    TOTALS_PATH,
    FiboProvider,
    national_number,
    parse_balance,
    parse_code,
    parse_totals,
)
from custom_components.sms_bridge.providers.models import (
    DailyTotals,
    DeliveryReport,
    DeliveryStatus,
    FailureReason,
    InboundRequest,
    OutgoingMessage,
)
from sandbox import Fault, Sandbox, SentMessage

FIXTURES = Path(__file__).parent.parent / "fixtures" / "fibo"
CLIENT_NO = "CL1609110001"
CLIENT_PASS = "fibo-pass"
SECURE_CODE = "fibo-secure"
ASPX, ASMX = BALANCE_PATHS
UNEXPECTED = UnexpectedResponseError
BAD_NUMBER = InvalidRecipientError


def fixture_bytes(name: str) -> bytes:
    """A sample copied byte for byte from the seed documents."""
    return (FIXTURES / name).read_bytes()


def fixture_text(name: str) -> str:
    """A seed sample as text."""
    return fixture_bytes(name).decode()


def escaped(inner: str) -> str:
    """An ASMX string result, the inner XML escaped as .NET writes it."""
    text = inner.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<?xml version="1.0" encoding="utf-8"?>\n<string xmlns="http://tempuri.org/">{text}</string>'


def totals_envelope(result: str) -> str:
    """The seed's GetTotalMt answer with another result."""
    return fixture_text("totals_answer.xml").replace("56|12|0", result)


def make(session: aiohttp.ClientSession, url: str, **options: Any) -> FiboProvider:
    """A client for the sandbox's built-in Fibo account, with options overridden."""
    config: dict[str, Any] = {
        "client_no": CLIENT_NO,
        "client_pass": CLIENT_PASS,
        "secure_code": SECURE_CODE,
    } | options
    return FiboProvider(session, base_url=url, **config)


@pytest.fixture
def fibo(sandbox: Sandbox, session: aiohttp.ClientSession) -> FiboProvider:
    """The client pointed at the sandbox, without a configured brandname."""
    return make(session, sandbox.url)


def sent(sandbox: Sandbox) -> list[SentMessage]:
    """The messages the sandbox accepted, in order."""
    return list(sandbox.state.messages.values())


def fibo_paths(sandbox: Sandbox) -> list[str]:
    """The paths of every request the sandbox's Fibo received."""
    return [path for gateway, _, path in sandbox.state.requests if gateway == "fibo"]


# --- a scripted gateway and a partner's report page, both on loopback -----------------------------


@dataclass
class Seen:
    """One request the scripted gateway received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeGateway:
    """Answers each path with a scripted (status, body, content type); 404 for the rest."""

    url: str = ""
    answers: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def answer(self, path: str, body: str, status: int = 200, ctype: str = "text/xml") -> None:
        """Script the answer of `path`."""
        self.answers[path] = (status, body, ctype)

    async def handle(self, request: web.Request) -> web.Response:
        """Record the request, give the scripted answer."""
        self.seen.append(
            Seen(
                request.method,
                request.path,
                dict(request.query),
                dict(request.headers),
                await request.read(),
            )
        )
        status, body, ctype = self.answers.get(
            request.path, (404, "<html><body>Not Found</body></html>", "text/html")
        )
        return web.Response(status=status, body=body.encode(), headers={"Content-Type": ctype})


async def serve(handler: Callable[[web.Request], Awaitable[web.Response]]) -> web.AppRunner:
    """A catch-all aiohttp app on a free loopback port."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


def port_of(runner: web.AppRunner) -> int:
    """The port a runner listens on."""
    server = runner.addresses[0]
    return int(server[1])


@pytest.fixture
async def fake(socket_enabled: None) -> AsyncIterator[FakeGateway]:
    """A scripted Fibo on loopback, for answer variants the sandbox does not produce."""
    gateway = FakeGateway()
    runner = await serve(gateway.handle)
    gateway.url = f"http://127.0.0.1:{port_of(runner)}"
    try:
        yield gateway
    finally:
        await runner.cleanup()


class Receiver:
    """A partner's report page: scripted answers first, then the client's own parse and reply."""

    def __init__(self) -> None:
        """Nothing received yet."""
        self.provider: FiboProvider | None = None
        self.script: list[tuple[int, str]] = []
        self.requests: list[InboundRequest] = []
        self.reports: list[DeliveryReport] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        """Record the request; answer from the script, or as the integration's webhook would."""
        inbound = InboundRequest(
            method=request.method,
            query=dict(request.query),
            headers=dict(request.headers),
            body=await request.read(),
            remote=request.remote,
        )
        self.requests.append(inbound)
        if self.script:
            status, body = self.script.pop(0)
            return web.Response(status=status, text=body, content_type="text/xml")
        assert self.provider is not None
        try:
            report = self.provider.parse_report(inbound)
        except ReportError as err:
            reply = self.provider.reply(err.kind)
        else:
            self.reports.append(report)
            reply = self.provider.reply(ReplyKind.ACCEPTED)
        return web.Response(status=reply.status, text=reply.body, content_type=reply.content_type)


@pytest.fixture
async def receiver(socket_enabled: None) -> AsyncIterator[Receiver]:
    """A report page on a free loopback port."""
    page = Receiver()
    runner = await serve(page.handle)
    page.url = f"http://127.0.0.1:{port_of(runner)}/fibo/dlr"
    try:
        yield page
    finally:
        await runner.cleanup()


# --- sending --------------------------------------------------------------------------------------


async def test_send_without_sender_uses_send_sms(fibo: FiboProvider, sandbox: Sandbox) -> None:
    """No brandname anywhere: SendSMS, plain text, national number, the smsGUID as message id."""
    result = await fibo.send(OutgoingMessage("+84901234567", "Cua garage dang mo"))
    [message] = sent(sandbox)
    assert fibo_paths(sandbox) == [SEND_PATH]
    assert message.details == {"method": "SendSMS", "sender": None, "service_type": 0}
    assert message.phone == "0901234567"
    assert message.text == "Cua garage dang mo"
    assert result.provider == "fibo"
    assert result.phone == "+84901234567"
    assert result.message_id == message.message_id
    assert result.segments == 1


@pytest.mark.parametrize(
    ("configured", "given", "expected"),
    [("FIBO", None, "FIBO"), (None, "SMSBRIDGE", "SMSBRIDGE"), ("FIBO", "SMSBRIDGE", "SMSBRIDGE")],
)
async def test_send_with_sender_uses_send_masked_sms(
    sandbox: Sandbox,
    session: aiohttp.ClientSession,
    configured: str | None,
    given: str | None,
    expected: str,
) -> None:
    """A brandname (the message's, else the configured one) selects SendMaskedSMS."""
    client = make(session, sandbox.url, sender=configured)
    await client.send(OutgoingMessage("+84901234567", "Test", sender=given))
    [message] = sent(sandbox)
    assert fibo_paths(sandbox) == [SEND_MASKED_PATH]
    assert message.details["method"] == "SendMaskedSMS"
    assert message.details["sender"] == expected


async def test_empty_configured_sender_means_none(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """An empty brandname option (a cleared form field) is no brandname."""
    await make(session, sandbox.url, sender="").send(OutgoingMessage("+84901234567", "Test"))
    assert fibo_paths(sandbox) == [SEND_PATH]


@pytest.mark.parametrize(("unicode", "service_type"), [(False, 0), (True, 1)])
async def test_service_type(
    fibo: FiboProvider, sandbox: Sandbox, unicode: bool, service_type: int
) -> None:
    """serviceType 0 for plain text, 1 for Unicode."""
    await fibo.send(OutgoingMessage("+84901234567", "Điều hòa đã bật", unicode=unicode))
    assert sent(sandbox)[0].details["service_type"] == service_type


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("+84901234567", "0901234567"),
        ("+84 90 123 4567", "0901234567"),
        ("+359888123456", "359888123456"),
        ("+12025550142", "12025550142"),
        ("0901234567", "0901234567"),
    ],
)
def test_national_number(phone: str, expected: str) -> None:
    """Vietnamese numbers in 0xxxxxxxxx form, foreign ones as digits without '+'."""
    assert national_number(phone) == expected


async def test_foreign_number_reaches_gateway_without_plus(
    fibo: FiboProvider, sandbox: Sandbox
) -> None:
    """A Bulgarian number goes out as 359888123456."""
    await fibo.send(OutgoingMessage("+359888123456", "Zdravei"))
    assert sent(sandbox)[0].phone == "359888123456"


@pytest.mark.parametrize(
    "text",
    ["1+1=2 & 100% sure? #tag /path;x=y", "Nhiệt độ phòng khách: 35°C, độ ẩm 80%", "a\nb\r\nc  "],
)
async def test_text_arrives_unchanged(fibo: FiboProvider, sandbox: Sandbox, text: str) -> None:
    """Query-string encoding keeps '+', '&', '%', '#', diacritics and line breaks."""
    await fibo.send(OutgoingMessage("+84901234567", text, unicode=True))
    assert sent(sandbox)[0].text == text


async def test_sms_guid_is_fresh_for_every_message(fibo: FiboProvider, sandbox: Sandbox) -> None:
    """Each send carries its own UUID as smsGUID (never the documented default 0)."""
    results = [await fibo.send(OutgoingMessage("+84901234567", f"n{i}")) for i in range(40)]
    ids = [result.message_id for result in results]
    assert len(set(ids)) == 40
    assert "0" not in ids
    assert all(str(uuid.UUID(message_id)) == message_id for message_id in ids)
    assert [message.message_id for message in sent(sandbox)] == ids


@pytest.mark.parametrize(
    ("text", "unicode", "segments"),
    [("x" * 160, False, 1), ("x" * 161, False, 2), ("đ" * 70, True, 1), ("đ" * 71, True, 2)],
)
async def test_segments_and_charge(
    fibo: FiboProvider, sandbox: Sandbox, text: str, unicode: bool, segments: int
) -> None:
    """The result counts segments; the sandbox charges as many credits."""
    result = await fibo.send(OutgoingMessage("+84901234567", text, unicode=unicode))
    assert result.segments == segments
    assert await fibo.balance() == fibo_module.Balance(Decimal(1000 - segments))


# --- result codes ---------------------------------------------------------------------------------

CODE_CASES = [
    (2, TransientError),
    (3, AuthenticationError),
    (4, IpNotAllowedError),
    (5, RefusedError),
    (6, RefusedError),
    (10, InvalidRecipientError),
    (11, RefusedError),
    (12, AuthenticationError),
    (13, TransientError),
    (14, RefusedError),
    (24, RefusedError),
    (27, RefusedError),
    (31, InvalidRecipientError),
    (100, AuthenticationError),
    (101, InvalidRecipientError),
    (102, RefusedError),
    (103, RefusedError),
    (104, RefusedError),
    (202, RefusedError),
    (301, RefusedError),
    (99, RefusedError),
]


#: In answer to a send, the codes that do not say whether Fibo took the message (and codes no
#: document lists) may mean it went out: never retried, never resent elsewhere.
SEND_CODE_CASES = [
    (code, MaybeSentError if code in (2, 13, 24, 27, 202, 99) else error)
    for code, error in CODE_CASES
]


@pytest.mark.parametrize(("code", "error"), SEND_CODE_CASES)
async def test_send_refused_codes(
    fibo: FiboProvider, sandbox: Sandbox, code: int, error: type[ProviderError]
) -> None:
    """Each result code maps to its error class, with the English reason and the code."""
    sandbox.state.faults.append(Fault("refuse", "fibo", code))
    with pytest.raises(ProviderError) as caught:
        await fibo.send(OutgoingMessage("+84901234567", "Test"))
    assert type(caught.value) is error
    assert caught.value.code == str(code)
    expected = CODE_REASONS.get(code, f"Unknown result code {code}")
    assert caught.value.reason == f"Fibo: {expected}"
    assert caught.value.maybe_sent is (error is MaybeSentError)
    assert sent(sandbox) == []


@pytest.mark.parametrize(("code", "error"), CODE_CASES)
async def test_balance_refused_codes(
    fibo: FiboProvider, sandbox: Sandbox, code: int, error: type[ProviderError]
) -> None:
    """A balance answer with an error code raises the same classes."""
    sandbox.state.faults.append(Fault("refuse", "fibo", code))
    with pytest.raises(ProviderError) as caught:
        await fibo.balance()
    assert type(caught.value) is error
    assert caught.value.code == str(code)


@pytest.mark.parametrize(("code", "error"), CODE_CASES)
async def test_daily_totals_refused_codes(
    fibo: FiboProvider, sandbox: Sandbox, code: int, error: type[ProviderError]
) -> None:
    """A GetTotalMt result that is an error code instead of a|b|c raises the same classes."""
    sandbox.state.faults.append(Fault("refuse", "fibo", code))
    with pytest.raises(ProviderError) as caught:
        await fibo.daily_totals()
    assert type(caught.value) is error
    assert caught.value.code == str(code)


async def test_success_code_on_daily_totals_is_unexpected(
    fibo: FiboProvider, sandbox: Sandbox
) -> None:
    """A bare 200 where totals belong is not totals."""
    sandbox.state.faults.append(Fault("refuse", "fibo", 200))
    with pytest.raises(UnexpectedResponseError):
        await fibo.daily_totals()


# --- the sandbox's own refusals -------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda client: client.send(OutgoingMessage("+84901234567", "Test")),
        lambda client: client.balance(),
        lambda client: client.check_credentials(),
        lambda client: client.daily_totals(),
    ],
    ids=["send", "balance", "check_credentials", "daily_totals"],
)
async def test_wrong_password(
    sandbox: Sandbox,
    session: aiohttp.ClientSession,
    call: Callable[[FiboProvider], Awaitable[object]],
) -> None:
    """Wrong credentials: AuthenticationError (code 3) from every call."""
    client = make(session, sandbox.url, client_pass="wrong")
    with pytest.raises(AuthenticationError) as caught:
        await call(client)
    assert caught.value.code == "3"


async def test_check_credentials_ok(fibo: FiboProvider, sandbox: Sandbox) -> None:
    """Good credentials: a balance query, nothing sent."""
    await fibo.check_credentials()
    assert fibo_paths(sandbox) == [ASPX]
    assert sent(sandbox) == []


@pytest.mark.parametrize(
    ("phone", "sender", "error", "code"),
    [
        ("+84901234567", "UNKNOWN", RefusedError, "5"),
        ("+84901234563", None, InvalidRecipientError, "10"),
        ("+8490123", None, InvalidRecipientError, "10"),
        ("+841234567890", None, InvalidRecipientError, "31"),
    ],
)
async def test_sandbox_refusals(
    *,
    fibo: FiboProvider,
    sandbox: Sandbox,
    phone: str,
    sender: str | None,
    error: type[ProviderError],
    code: str,
) -> None:
    """Unknown brandname -> 5; refused or badly formed number -> 10; old 11-digit -> 31."""
    with pytest.raises(error) as caught:
        await fibo.send(OutgoingMessage(phone, "Test", sender=sender))
    assert caught.value.code == code
    assert sent(sandbox) == []


async def test_insufficient_balance(fibo: FiboProvider, sandbox: Sandbox) -> None:
    """Less credit than the message costs: code 14, a refusal."""
    sandbox.state.first_account("fibo").balance = 1
    with pytest.raises(RefusedError) as caught:
        await fibo.send(OutgoingMessage("+84901234567", "x" * 200))
    assert type(caught.value) is RefusedError
    assert caught.value.code == "14"


# --- transport faults -----------------------------------------------------------------------------

CALLS: dict[str, Callable[[FiboProvider], Awaitable[object]]] = {
    "send": lambda client: client.send(OutgoingMessage("+84901234567", "Test")),
    "balance": lambda client: client.balance(),
    "daily_totals": lambda client: client.daily_totals(),
}


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize(
    ("fault", "error", "maybe_sent"),
    [
        (Fault("status", "fibo", 503, count=-1), TransientError, True),
        (Fault("disconnect", "fibo", count=-1), TransientError, True),
        (Fault("timeout", "fibo", 5, count=-1), TransientError, True),
        (Fault("malformed", "fibo", count=-1), UNEXPECTED, None),
        (Fault("status", "fibo", 403, count=-1), UNEXPECTED, None),
    ],
    ids=["503", "disconnect", "timeout", "malformed", "403"],
)
async def test_transport_faults(
    *,
    sandbox: Sandbox,
    session: aiohttp.ClientSession,
    call: str,
    fault: Fault,
    error: type[ProviderError],
    maybe_sent: bool | None,
) -> None:
    """5xx, dropped connections and timeouts are transient; garbage and 4xx are unexpected.

    Only a send can have gone out when the answer was lost or came from something between us
    and the gateway, as a 5xx can (`maybe_sent`).
    """
    sandbox.state.faults.append(fault)
    client = make(session, sandbox.url, timeout=0.3)
    with pytest.raises(ProviderError) as caught:
        await CALLS[call](client)
    assert type(caught.value) is error
    if maybe_sent is not None:
        assert isinstance(caught.value, TransientError)
        assert caught.value.maybe_sent is (maybe_sent and call == "send")


async def test_latency_within_timeout_is_fine(fibo: FiboProvider, sandbox: Sandbox) -> None:
    """A slow but timely answer is an answer."""
    sandbox.state.faults.append(Fault("latency", "fibo", 0.1))
    result = await fibo.send(OutgoingMessage("+84901234567", "Test"))
    assert result.message_id == sent(sandbox)[0].message_id


# --- answer variants (a scripted gateway) ---------------------------------------------------------

SEND_OK = [
    pytest.param(fixture_text("send_answer.xml"), id="seed-unescaped"),
    pytest.param(
        escaped("<SMS><Code>200</Code><Message>Sending...</Message><Time></Time></SMS>"),
        id="escaped",
    ),
    pytest.param(
        "\r\n<string>\r\n  <SMS>\r\n    <Code> 200 </Code>\r\n  </SMS>\r\n</string>\r\n",
        id="whitespace",
    ),
    pytest.param("<string xmlns='http://tempuri.org/'>200</string>", id="bare-in-string"),
    pytest.param("200", id="bare"),
    pytest.param(
        "<string>&amp;lt;SMS&amp;gt;&amp;lt;Code&amp;gt;200&amp;lt;/Code&amp;gt;</string>",
        id="double-escaped",
    ),
]


@pytest.mark.parametrize("body", SEND_OK)
async def test_send_answer_variants(
    fake: FakeGateway, session: aiohttp.ClientSession, body: str
) -> None:
    """Success in every ASMX form: escaped, unescaped, with whitespace, bare."""
    fake.answer(SEND_PATH, body)
    result = await make(session, fake.url).send(OutgoingMessage("+84901234567", "Test"))
    assert result.message_id == fake.seen[0].query["smsGUID"]


@pytest.mark.parametrize(
    ("status", "body", "ctype", "error", "code"),
    [
        (200, "<string><SMS><Code>10</Code></SMS></string>", "text/xml", BAD_NUMBER, "10"),
        (200, escaped("<SMS><Code>3</Code></SMS>"), "text/xml", AuthenticationError, "3"),
        (200, "<html><body>Oops</body></html>", "text/html", UNEXPECTED, None),
        (200, "<string></string>", "text/xml", UNEXPECTED, None),
        (200, "&amp;amp;amp;lt;Code&amp;amp;amp;gt;200", "text/xml", UNEXPECTED, None),
        (404, "<html>Not Found</html>", "text/html", UNEXPECTED, "HTTP 404"),
        (400, "<string><SMS><Code>200</Code></SMS></string>", "text/xml", UNEXPECTED, "HTTP 400"),
        (400, "<string><SMS><Code>11</Code></SMS></string>", "text/xml", RefusedError, "11"),
    ],
)  # fmt: skip
async def test_send_answer_errors(
    *,
    fake: FakeGateway,
    session: aiohttp.ClientSession,
    status: int,
    body: str,
    ctype: str,
    error: type[ProviderError],
    code: str | None,
) -> None:
    """Success is decided from the body (and needs HTTP 200); anything unreadable is unexpected."""
    fake.answer(SEND_PATH, body, status, ctype)
    with pytest.raises(ProviderError) as caught:
        await make(session, fake.url).send(OutgoingMessage("+84901234567", "Test"))
    assert type(caught.value) is error
    assert caught.value.code == code


BALANCE_OK = [
    pytest.param(fixture_text("balance_answer.xml"), Decimal(1641060), id="seed-unescaped"),
    pytest.param(
        escaped("<SMS><Code>200</Code><AccountBalance>1641060</AccountBalance><Time></Time></SMS>"),
        Decimal(1641060),
        id="escaped",
    ),
    pytest.param(
        "<string>\n <SMS>\n  <code>200</code>\n  <accountbalance> 42 </accountbalance>\n"
        " </SMS>\n</string>\n",
        Decimal(42),
        id="whitespace-lowercase",
    ),
    pytest.param("<string>529</string>", Decimal(529), id="old-string"),
    pytest.param(
        '<?xml version="1.0" encoding="utf-8"?>\n<string xmlns="http://tempuri.org/">529</string>',
        Decimal(529),
        id="old-string-xmlns",
    ),
    pytest.param("529\n", Decimal(529), id="bare"),
    pytest.param("1234.50", Decimal("1234.50"), id="bare-decimal"),
]


@pytest.mark.parametrize(("body", "amount"), BALANCE_OK)
async def test_balance_answer_variants(
    fake: FakeGateway, session: aiohttp.ClientSession, body: str, amount: Decimal
) -> None:
    """Every balance form is read; the unit is left to the user (SMS credits or VND)."""
    fake.answer(ASPX, body)
    balance = await make(session, fake.url).balance()
    assert balance.amount == amount
    assert balance.unit is None


@pytest.mark.parametrize(
    ("status", "body", "ctype", "error", "code"),
    [
        (200, escaped("<SMS><Code>3</Code></SMS>"), "text/xml", AuthenticationError, "3"),
        (400, "<string><SMS><Code>12</Code></SMS></string>", "text/xml", AuthenticationError, "12"),
        (200, "<string><SMS><Code>200</Code></SMS></string>", "text/xml", UNEXPECTED, None),
        (200, "<string>lots</string>", "text/xml", UNEXPECTED, None),
        (403, "Forbidden", "text/plain", UNEXPECTED, "HTTP 403"),
        (400, "529", "text/plain", UNEXPECTED, "HTTP 400"),
    ],
)  # fmt: skip
async def test_balance_answer_errors(
    *,
    fake: FakeGateway,
    session: aiohttp.ClientSession,
    status: int,
    body: str,
    ctype: str,
    error: type[ProviderError],
    code: str | None,
) -> None:
    """Error codes map; an answer without a readable balance is unexpected (no fallback)."""
    fake.answer(ASPX, body, status, ctype)
    fake.answer(ASMX, "<string>1</string>")
    with pytest.raises(ProviderError) as caught:
        await make(session, fake.url).balance()
    assert type(caught.value) is error
    assert caught.value.code == code
    assert [seen.path for seen in fake.seen] == [ASPX]


# --- the balance path fallback --------------------------------------------------------------------


async def test_balance_uses_documented_path(fibo: FiboProvider, sandbox: Sandbox) -> None:
    """The documented .aspx path first; the sandbox serves it, so nothing else is tried."""
    assert (await fibo.balance()).amount == Decimal(1000)
    assert (await fibo.balance()).amount == Decimal(1000)
    assert fibo_paths(sandbox) == [ASPX, ASPX]


async def test_balance_falls_back_and_remembers(fibo: FiboProvider, sandbox: Sandbox) -> None:
    """.aspx answers 404: the .asmx path is tried, and used first from then on."""
    sandbox.state.faults.append(Fault("status", "fibo", 404, count=-1, path="service.aspx"))
    assert (await fibo.balance()).amount == Decimal(1000)
    assert fibo_paths(sandbox) == [ASPX, ASMX]
    await fibo.check_credentials()
    assert fibo_paths(sandbox) == [ASPX, ASMX, ASMX]


@pytest.mark.parametrize(
    ("status", "body", "ctype"),
    [
        (200, "<html><body><h1>Server Error in '/' Application.</h1></body></html>", "text/html"),
        (404, "The resource cannot be found.", "text/plain"),
        (405, "", "text/plain"),
        (410, "", "text/plain"),
    ],
)
async def test_balance_fallback_triggers(
    fake: FakeGateway, session: aiohttp.ClientSession, status: int, body: str, ctype: str
) -> None:
    """A 404/405/410 or an HTML page instead of an answer means the path does not exist."""
    fake.answer(ASPX, body, status, ctype)
    fake.answer(ASMX, fixture_text("balance_answer.xml"))
    assert (await make(session, fake.url).balance()).amount == Decimal(1641060)
    assert [seen.path for seen in fake.seen] == [ASPX, ASMX]


async def test_remembered_path_can_fall_back_again(
    fake: FakeGateway, session: aiohttp.ClientSession
) -> None:
    """If the remembered path disappears later, the other one is tried again."""
    client = make(session, fake.url)
    fake.answer(ASMX, "<string>7</string>")
    assert (await client.balance()).amount == Decimal(7)
    del fake.answers[ASMX]
    fake.answer(ASPX, "<string>8</string>")
    assert (await client.balance()).amount == Decimal(8)
    assert [seen.path for seen in fake.seen] == [ASPX, ASMX, ASMX, ASPX]


async def test_balance_both_paths_missing(fibo: FiboProvider, sandbox: Sandbox) -> None:
    """Neither path exists: unexpected, saying so."""
    sandbox.state.faults.append(Fault("status", "fibo", 404, count=-1))
    with pytest.raises(UnexpectedResponseError) as caught:
        await fibo.balance()
    assert caught.value.code == "HTTP 404"
    assert fibo_paths(sandbox) == [ASPX, ASMX]


# --- daily totals ---------------------------------------------------------------------------------


async def test_daily_totals_from_sandbox(
    fibo: FiboProvider, sandbox: Sandbox, receiver: Receiver
) -> None:
    """Today's delivered | failed | waiting, as the gateway counts them."""
    receiver.provider = fibo
    sandbox.state.first_account("fibo").callback.url = receiver.url
    sandbox.state.dlr_delay = 0.5  # long enough to see the messages pending first
    assert await fibo.daily_totals() == DailyTotals(0, 0, 0)
    for last in "1245":
        await fibo.send(OutgoingMessage(f"+8490123456{last}", "Test"))
    assert await fibo.daily_totals() == DailyTotals(0, 0, 4)
    await sandbox.idle()
    totals = await fibo.daily_totals()
    assert totals == DailyTotals(delivered=2, failed=1, pending=1)
    assert totals.sent == 4
    assert fibo_paths(sandbox).count(TOTALS_PATH) == 3


async def test_daily_totals_request_shape(
    fake: FakeGateway, session: aiohttp.ClientSession
) -> None:
    """SOAP 1.1: POST, SOAPAction header, text/xml, the envelope with escaped credentials."""
    fake.answer(TOTALS_PATH, fixture_text("totals_answer.xml"))
    client = make(session, fake.url, client_no="CL<&>1", client_pass="p&<>\"'ss")
    assert await client.daily_totals() == DailyTotals(56, 12, 0)
    [seen] = fake.seen
    assert seen.method == "POST"
    assert seen.path == "/WebserivceFibo/PartnerMtTotal.asmx"
    assert seen.headers["SOAPAction"] == '"http://tempuri.org/GetTotalMt"'
    assert seen.headers["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(seen.body)  # noqa: S314 - our own request
    soap, tempuri = "{http://schemas.xmlsoap.org/soap/envelope/}", "{http://tempuri.org/}"
    assert root.tag == f"{soap}Envelope"
    operation = root.find(f"{soap}Body/{tempuri}GetTotalMt")
    assert operation is not None
    assert operation.findtext(f"{tempuri}Username") == "CL<&>1"
    assert operation.findtext(f"{tempuri}Password") == "p&<>\"'ss"
    assert b"CL&lt;&amp;&gt;1" in seen.body


async def test_special_credentials_against_sandbox(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """Credentials with XML and URL specials work in every call (escaped and encoded)."""
    account = sandbox.state.first_account("fibo")
    account.secrets = {"clientNo": "CL&<1>+ %", "clientPass": "p&<>\"' +#%?"}
    client = make(session, sandbox.url, client_no="CL&<1>+ %", client_pass="p&<>\"' +#%?")
    await client.send(OutgoingMessage("+84901234567", "Test"))
    assert (await client.balance()).amount == Decimal(999)
    assert (await client.daily_totals()).sent == 1


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (totals_envelope("56|12|0"), DailyTotals(56, 12, 0)),
        (totals_envelope(" 505 | 6 | 0 "), DailyTotals(505, 6, 0)),
        (
            "<s:Envelope xmlns:s='x'><s:Body><r xmlns:t='y'><t:GetTotalMtResult>1|2|3"
            "</t:GetTotalMtResult></r></s:Body></s:Envelope>",
            DailyTotals(1, 2, 3),
        ),
    ],
)
async def test_daily_totals_variants(
    fake: FakeGateway, session: aiohttp.ClientSession, body: str, expected: DailyTotals
) -> None:
    """The seed's envelope, spaces around the numbers, prefixed result element."""
    fake.answer(TOTALS_PATH, body)
    assert await make(session, fake.url).daily_totals() == expected


ESCAPED_CODE_4 = "&lt;SMS&gt;&lt;Code&gt;4&lt;/Code&gt;&lt;/SMS&gt;"


@pytest.mark.parametrize(
    ("status", "body", "error", "code"),
    [
        (200, totals_envelope("3"), AuthenticationError, "3"),
        (200, totals_envelope(ESCAPED_CODE_4), IpNotAllowedError, "4"),
        (200, totals_envelope("13"), TransientError, "13"),
        (200, totals_envelope("200"), UNEXPECTED, None),
        (200, totals_envelope("abc"), UNEXPECTED, None),
        (200, totals_envelope("1|2"), UNEXPECTED, None),
        (200, totals_envelope("1|2|x"), UNEXPECTED, None),
        (200, "<soap:Envelope><soap:Body/></soap:Envelope>", UNEXPECTED, None),
        (400, totals_envelope("1|2|3"), UNEXPECTED, "HTTP 400"),
    ],
)  # fmt: skip
async def test_daily_totals_errors(
    *,
    fake: FakeGateway,
    session: aiohttp.ClientSession,
    status: int,
    body: str,
    error: type[ProviderError],
    code: str | None,
) -> None:
    """An error code instead of a|b|c maps like the code table; anything else is unexpected."""
    fake.answer(TOTALS_PATH, body, status)
    with pytest.raises(ProviderError) as caught:
        await make(session, fake.url).daily_totals()
    assert type(caught.value) is error
    assert caught.value.code == code


# --- delivery reports -----------------------------------------------------------------------------


def report(query: dict[str, str], **kwargs: Any) -> InboundRequest:
    """A GET report with these query parameters."""
    return InboundRequest(method=kwargs.pop("method", "GET"), query=query, **kwargs)


def good(status: str, **extra: str) -> dict[str, str]:
    """A report's query with the right secure code."""
    return {"MSGUID": "abc-123", "Status": status, "SecureCode": SECURE_CODE} | extra


R = FailureReason


@pytest.mark.parametrize(
    ("value", "status", "error", "reason"),
    [
        ("0", DeliveryStatus.PENDING, None, None),
        ("1", DeliveryStatus.SENT, None, None),
        ("2", DeliveryStatus.DELIVERED, None, None),
        ("200", DeliveryStatus.DELIVERED, None, None),
        ("3", DeliveryStatus.FAILED, "SentFailed", R.NOT_DELIVERED),
        ("4", DeliveryStatus.FAILED, "Deleted", R.CANCELLED),
        ("5", DeliveryStatus.FAILED, "ToNumberNotCorrect", R.INVALID_NUMBER),
        ("6", DeliveryStatus.FAILED, "CanNotSend", R.CARRIER_ERROR),
        ("7", DeliveryStatus.FAILED, "OutOfDate", R.EXPIRED),
        ("8", DeliveryStatus.FAILED, "SendMTFailed", R.CARRIER_ERROR),
        ("9", DeliveryStatus.FAILED, "Other", R.NOT_DELIVERED),
        ("10", DeliveryStatus.FAILED, "SpamSMS", R.REJECTED),
        ("11", DeliveryStatus.FAILED, "RestoreToAccountClient", R.CANCELLED),
        ("12", DeliveryStatus.FAILED, "Unknown status 12", R.UNKNOWN),
        ("99", DeliveryStatus.FAILED, "Unknown status 99", R.UNKNOWN),
        ("-1", DeliveryStatus.FAILED, "Unknown status -1", R.UNKNOWN),
    ],
)
def test_report_status_table(
    fibo: FiboProvider,
    value: str,
    status: DeliveryStatus,
    error: str | None,
    reason: FailureReason | None,
) -> None:
    """Every row of DESIGN.md's Fibo status table, and why each failure failed.

    The reasons follow Fibo's message statuses; unknown values fail with their number.
    """
    parsed = fibo.parse_report(report(good(value)))
    assert parsed == DeliveryReport(
        provider="fibo",
        message_id="abc-123",
        status=status,
        provider_status=value,
        error=error,
        reason=reason,
    )
    assert parsed.final is (status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED))


def test_status_table_is_design_table() -> None:
    """The code table is DESIGN.md's: 0 pending, 1 sent, 2 and 200 delivered."""
    assert STATUS_TABLE == {
        0: DeliveryStatus.PENDING,
        1: DeliveryStatus.SENT,
        2: DeliveryStatus.DELIVERED,
        200: DeliveryStatus.DELIVERED,
    }


@pytest.mark.parametrize(
    "query",
    [
        {"MSGUID": "abc-123", "Status": "2", "SecureCode": SECURE_CODE},
        {"SMSGUID": "abc-123", "Status": "2", "SecureCode": SECURE_CODE},
        {"msguid": "abc-123", "status": "2", "securecode": SECURE_CODE},
        {"SmsGuid": "abc-123", "STATUS": "2", "SECURECODE": SECURE_CODE},
        {"MSGUID": "", "SMSGUID": "abc-123", "Status": "2", "SecureCode": SECURE_CODE},
        {" MSGUID ": " abc-123 ", "Status ": " 2", " SecureCode": f"{SECURE_CODE} "},
    ],
    ids=["MSGUID", "SMSGUID", "lower", "mixed", "empty-MSGUID", "spaces"],
)
def test_report_field_names(fibo: FiboProvider, query: dict[str, str]) -> None:
    """MSGUID or SMSGUID, names in any case, spaces around names and values ignored."""
    parsed = fibo.parse_report(report(query))
    assert (parsed.message_id, parsed.status, parsed.provider_status) == (
        "abc-123",
        DeliveryStatus.DELIVERED,
        "2",
    )


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8", None],
)
def test_report_as_post_form(fibo: FiboProvider, content_type: str | None) -> None:
    """A POST form is read too (and wins over the query string)."""
    headers = {"content-type": content_type} if content_type else {}
    body = f"MSGUID=form-id&Status=3&SecureCode={SECURE_CODE}".encode()
    parsed = fibo.parse_report(
        report({"MSGUID": "query-id"}, method="POST", headers=headers, body=body)
    )
    assert (parsed.message_id, parsed.status, parsed.error) == (
        "form-id",
        DeliveryStatus.FAILED,
        "SentFailed",
    )


@pytest.mark.parametrize(
    "query",
    [
        {"MSGUID": "abc-123", "Status": "2"},
        {"MSGUID": "abc-123", "Status": "2", "SecureCode": ""},
        {"MSGUID": "abc-123", "Status": "2", "SecureCode": "fibo-secure-2"},
        {"MSGUID": "abc-123", "Status": "2", "SecureCode": "FIBO-SECURE"},
        {"MSGUID": "abc-123", "Status": "x", "SecureCode": "wrong"},
        {},
    ],
    ids=["missing", "empty", "longer", "case", "wrong-and-malformed", "nothing"],
)
def test_report_bad_secret(fibo: FiboProvider, query: dict[str, str]) -> None:
    """A configured secure code must come with the report, exactly."""
    with pytest.raises(BadSecretError):
        fibo.parse_report(report(query))


@pytest.mark.parametrize("secure_code", [None, "", "  "])
@pytest.mark.parametrize(
    "query",
    [{"MSGUID": "abc-123", "Status": "2"}, {"MSGUID": "abc-123", "Status": "2", "SecureCode": "x"}],
)
def test_report_without_configured_secret(
    session: aiohttp.ClientSession, secure_code: str | None, query: dict[str, str]
) -> None:
    """No secure code configured: reports are accepted with or without one."""
    client = make(session, "http://127.0.0.1:9", secure_code=secure_code)
    assert client.parse_report(report(query)).status is DeliveryStatus.DELIVERED


@pytest.mark.parametrize(
    "request_",
    [
        report({"SecureCode": SECURE_CODE}),
        report({"Status": "2", "SecureCode": SECURE_CODE}),
        report({"MSGUID": "abc", "SecureCode": SECURE_CODE}),
        report({"MSGUID": " ", "Status": "2", "SecureCode": SECURE_CODE}),
        report({"MSGUID": "abc", "Status": "", "SecureCode": SECURE_CODE}),
        report({"MSGUID": "abc", "Status": "delivered", "SecureCode": SECURE_CODE}),
        report({"MSGUID": "abc", "Status": "2.0", "SecureCode": SECURE_CODE}),
        report({"MSGUID": "abc", "Status": "1e3", "SecureCode": SECURE_CODE}),
        report(
            {"SecureCode": SECURE_CODE},
            method="POST",
            headers={"Content-Type": "application/json"},
            body=b'{"MSGUID": "abc", "Status": 2}',
        ),
        report({"SecureCode": SECURE_CODE}, method="POST", body=b"\xff\xfe\x00MSGUID"),
        report({"SecureCode": SECURE_CODE}, method="POST", body=b"&&==&Status&MSGUID=%ZZ"),
    ],
    ids=[
        "nothing",
        "no-id",
        "no-status",
        "blank-id",
        "blank-status",
        "word-status",
        "decimal-status",
        "exponent-status",
        "json-body",
        "binary-body",
        "garbage-form",
    ],
)
def test_report_malformed(fibo: FiboProvider, request_: InboundRequest) -> None:
    """Missing or unreadable fields: MalformedReportError, never any other exception."""
    with pytest.raises(MalformedReportError):
        fibo.parse_report(request_)


@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        (ReplyKind.ACCEPTED, 200, "<Status>2</Status>"),
        (ReplyKind.BAD_SECRET, 403, "<Status>1</Status>"),
        (ReplyKind.MALFORMED, 400, "<Status>1</Status>"),
    ],
)
def test_reply(fibo: FiboProvider, kind: ReplyKind, status: int, body: str) -> None:
    """DESIGN.md's webhook table: <Status>2</Status> stops Fibo, <Status>1</Status> retries."""
    reply = fibo.reply(kind)
    assert (reply.status, reply.body, reply.content_type) == (status, body, "text/xml")


# --- end to end -----------------------------------------------------------------------------------


async def test_reports_end_to_end(fibo: FiboProvider, sandbox: Sandbox, receiver: Receiver) -> None:
    """Sandbox pushes reach a report page; the client parses them to the sent message ids.

    Delivered -> Status 2, failed -> Status 3 (SentFailed), pending -> no push at all.
    """
    receiver.provider = fibo
    sandbox.state.first_account("fibo").callback.url = receiver.url
    delivered = await fibo.send(OutgoingMessage("+84901234561", "Test"))
    failed = await fibo.send(OutgoingMessage("+84901234564", "Test"))
    await fibo.send(OutgoingMessage("+84901234565", "Test"))
    await sandbox.idle()
    by_id = {item.message_id: item for item in receiver.reports}
    assert set(by_id) == {delivered.message_id, failed.message_id}
    assert by_id[delivered.message_id].status is DeliveryStatus.DELIVERED
    assert by_id[delivered.message_id].provider_status == "2"
    assert by_id[failed.message_id].status is DeliveryStatus.FAILED
    assert by_id[failed.message_id].error == "SentFailed"
    assert all(request.method == "GET" for request in receiver.requests)
    assert [attempt.attempt for attempt in sandbox.state.deliveries] == [1, 1]
    assert all(attempt.body == "<Status>2</Status>" for attempt in sandbox.state.deliveries)


async def test_wrong_secure_code_end_to_end(
    sandbox: Sandbox, session: aiohttp.ClientSession, receiver: Receiver
) -> None:
    """A page expecting another secure code answers 403 <Status>1</Status>; Fibo retries 5 times."""
    receiver.provider = make(session, sandbox.url, secure_code="something-else")
    sandbox.state.first_account("fibo").callback.url = receiver.url
    await receiver.provider.send(OutgoingMessage("+84901234561", "Test"))
    await sandbox.idle()
    assert receiver.reports == []
    assert [(a.status, a.body) for a in sandbox.state.deliveries] == [
        (403, "<Status>1</Status>")
    ] * 5


# --- the seed's samples ---------------------------------------------------------------------------


def test_fixture_balance_answer() -> None:
    """Seed 001's GetClientBalance answer (unescaped, with stray spaces and a line break)."""
    assert parse_balance(fixture_text("balance_answer.xml")) == fibo_module.Balance(
        Decimal(1641060)
    )


def test_fixture_send_answer() -> None:
    """Seed 001's send answer is a success."""
    assert parse_code(fixture_text("send_answer.xml")) == 200


def test_fixture_totals_answer() -> None:
    """Seed 001's GetTotalMt SOAP answer, and its inline 505|6|0 example."""
    assert parse_totals(fixture_text("totals_answer.xml")) == DailyTotals(56, 12, 0)
    result = fixture_text("totals_result.txt")
    assert parse_totals(totals_envelope(result)) == DailyTotals(505, 6, 0)


def sample_query(name: str) -> tuple[str, dict[str, str]]:
    """The path and query of a request URL sample."""
    parts = urlsplit(fixture_text(name))
    return parts.path, dict(parse_qsl(parts.query))


async def test_fixture_request_urls(fake: FakeGateway, session: aiohttp.ClientSession) -> None:
    """Our requests use the seed's paths and exactly its parameter names."""
    fake.answer(SEND_MASKED_PATH, fixture_text("send_answer.xml"))
    fake.answer(ASPX, fixture_text("balance_answer.xml"))
    fake.answer(TOTALS_PATH, fixture_text("totals_answer.xml"))
    client = make(session, fake.url, sender="FIBO")
    await client.send(OutgoingMessage("+84901234567", "Test"))
    await client.balance()
    await client.daily_totals()
    send, balance, totals = fake.seen
    path, query = sample_query("send_masked_request_url.txt")
    assert (send.path, set(send.query)) == (path, set(query))
    path, query = sample_query("balance_request_url.txt")
    assert (balance.path, set(balance.query)) == (path, set(query))
    assert balance.query["serviceType"] == query["serviceType"] == "1"
    assert totals.path == urlsplit(fixture_text("totals_request_url.txt")).path


def error_rows() -> list[tuple[int, str]]:
    """The seed's result-code table: (code, Vietnamese name)."""
    rows = fixture_text("error_codes.tsv").splitlines()[1:]
    return [(int(row.split("\t")[0]), row.split("\t")[1]) for row in rows]


def test_fixture_error_codes() -> None:
    """Every code of the seed's table has an English reason and maps to an error class."""
    rows = error_rows()
    assert [code for code, _ in rows] == [200, *range(2, 32)]
    for code, _ in rows:
        assert code in CODE_REASONS
        if code != 200:
            assert isinstance(fibo_module.error_for(code), ProviderError)


@pytest.mark.parametrize("name", ["report_link_text.txt", "report_link_href.txt"])
@pytest.mark.parametrize(
    "parse",
    [
        lambda text: dict(yarl.URL(text).query),
        lambda text: dict(parse_qsl(urlsplit(text).query, keep_blank_values=True)),
    ],
    ids=["yarl", "urllib"],
)
def test_fixture_report_links(
    session: aiohttp.ClientSession, name: str, parse: Callable[[str], dict[str, str]]
) -> None:
    """Seed 000's example link, as its link text (`Status = 2`, spaces) and as its href.

    The spaced name parses as "Status " and the value as " 2"; both are stripped, so the link
    is the delivered report it means.
    """
    query = parse(fixture_text(name))
    client = make(session, "http://127.0.0.1:9", secure_code="1")
    parsed = client.parse_report(report(query))
    assert (parsed.message_id, parsed.status, parsed.provider_status) == (
        "1234-464-789-54646",
        DeliveryStatus.DELIVERED,
        "2",
    )
    with pytest.raises(BadSecretError):
        make(session, "http://127.0.0.1:9", secure_code="2").parse_report(report(query))


async def test_fixture_report_link_over_http(
    session: aiohttp.ClientSession, receiver: Receiver
) -> None:
    """The spaced link text sent over real HTTP (spaces percent-encoded) still parses."""
    receiver.provider = make(session, "http://127.0.0.1:9", secure_code="1")
    query = fixture_text("report_link_text.txt").split("?", 1)[1]
    async with session.get(yarl.URL(f"{receiver.url}?{query}")) as response:
        assert response.status == 200
        assert await response.text() == fixture_text("report_reply_processed.xml")
    [parsed] = receiver.reports
    assert (parsed.message_id, parsed.status) == ("1234-464-789-54646", DeliveryStatus.DELIVERED)


def test_fixture_reply(fibo: FiboProvider) -> None:
    """Seed 000's "processed" answer is exactly our accepted reply."""
    assert fibo.reply(ReplyKind.ACCEPTED).body.encode() == fixture_bytes(
        "report_reply_processed.xml"
    )


# --- secrets never leak ---------------------------------------------------------------------------

SECRET_NO = "CL-SECRET-NO-4711"
SECRET_PASS = "PASS-SECRET-9876"
SECRET_CODE = "SECURE-SECRET-1234"


async def test_no_secret_in_errors(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """Every error path, with distinctive secrets: none of them, and no URL, in the message."""
    sandbox.state.first_account("fibo").secrets = {"clientNo": SECRET_NO, "clientPass": SECRET_PASS}
    client = make(
        session,
        sandbox.url,
        client_no=SECRET_NO,
        client_pass=SECRET_PASS,
        secure_code=SECRET_CODE,
        timeout=0.3,
    )
    wrong = make(session, sandbox.url, client_no=SECRET_NO, client_pass=f"{SECRET_PASS}-WRONG")
    message = OutgoingMessage("+84901234567", "Test")
    errors: list[BaseException] = []

    async def collect(call: Awaitable[object]) -> None:
        try:
            await call
        except (ProviderError, ReportError) as err:
            errors.append(err)

    for caller in (client, wrong):
        for call in CALLS.values():
            await collect(call(caller))
    for fault in (
        Fault("refuse", "fibo", 3, count=-1),
        Fault("refuse", "fibo", 10, count=-1),
        Fault("refuse", "fibo", 13, count=-1),
        Fault("refuse", "fibo", 14, count=-1),
        Fault("status", "fibo", 503, count=-1),
        Fault("status", "fibo", 404, count=-1),
        Fault("timeout", "fibo", 5, count=-1),
        Fault("disconnect", "fibo", count=-1),
        Fault("malformed", "fibo", count=-1),
    ):
        sandbox.state.faults[:] = [fault]
        for call in CALLS.values():
            await collect(call(client))
    sandbox.state.faults.clear()
    await collect(client.send(OutgoingMessage("+84901234563", "Test")))
    await collect(client.send(OutgoingMessage("+84901234567", "Test", sender="NOPE")))
    for query in (
        {"MSGUID": "x", "Status": "2", "SecureCode": f"{SECRET_CODE}-WRONG"},
        {"MSGUID": "x", "Status": "two", "SecureCode": SECRET_CODE},
    ):

        async def parse(query: dict[str, str] = query) -> None:
            client.parse_report(report(query))

        await collect(parse())
    assert len(errors) == 34
    kinds = {type(err) for err in errors}
    assert {
        AuthenticationError,
        InvalidRecipientError,
        RefusedError,
        TransientError,
        UnexpectedResponseError,
        BadSecretError,
        MalformedReportError,
    } <= kinds
    for err in errors:
        text = f"{err} {err.args!r}"
        for secret in (SECRET_NO, SECRET_PASS, SECRET_CODE):
            assert secret not in text
        assert "http://" not in text.lower()
        assert "https://" not in text.lower()
    assert message.phone not in " ".join(str(err) for err in errors)
