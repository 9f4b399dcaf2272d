"""The SMSPAY client against the sandbox and tiny loopback servers, over real HTTP."""

# Bulgarian and Vietnamese text is the point here; parametrized tests take many arguments.
# ruff: noqa: RUF001

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
import socket
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import aiohttp
from aiohttp import web
import pytest

from custom_components.sms_bridge.providers.errors import (
    AuthenticationError,
    BadSecretError,
    InvalidRecipientError,
    IpNotAllowedError,
    MalformedReportError,
    ProviderError,
    RefusedError,
    ReplyKind,
    ReportError,
    TransientError,
    UnexpectedResponseError,
)
from custom_components.sms_bridge.providers.models import (
    DeliveryReport,
    DeliveryStatus,
    FailureReason,
    InboundRequest,
    OutgoingMessage,
)
from custom_components.sms_bridge.providers.smspay import (
    DLR_REASONS,
    NO_SMS_ID,
    STATUS_TABLE,
    SmspayProvider,
)
from custom_components.sms_bridge.providers.text import segment_count
from sandbox import Sandbox
from sandbox.state import Fault

FIXTURES = Path(__file__).parent.parent / "fixtures" / "smspay"
BG = "+359888123456"
SITE = {"report_param": "site", "report_value": "abc"}
CYRILLIC = "Здравей! Алармата в гаража се задейства в 03:15 ч. Температура: −5 °C."
VIETNAMESE = "Cảnh báo: cửa gara đã mở lúc 03:15. Nhiệt độ: 28°C — kiểm tra ngay!"
SPECIAL = "50% off & more = +1 #tag /path?x=1;y 'q' \"d\" ~_.-\n2nd line"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def template(
    host: str,
    *,
    user: str = "smspay-user",
    password: str = "smspay-pass",  # noqa: S107 - the sandbox's built-in account
    ext: bool = True,
    tail: str = "",
) -> str:
    """The sandbox's send URL as a user would paste it."""
    url = (
        f"{host}/smspay/send?user={quote(user, safe='')}&pass={quote(password, safe='')}"
        "&phone={phone}&message={message}&from={sender}"
    )
    return url + ("&ext=1" if ext else "") + tail


@asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[str]:
    """A tiny aiohttp server on a free loopback port answering every path with `handler`."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@dataclass
class FakeGateway:
    """A stand-in SMSPAY that answers what a test says and remembers the raw request lines."""

    url: str = ""
    status: int = 200
    body: str = "OK\nSMS_ID: 1"
    content_type: str = "text/plain"
    raw_paths: list[str] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        """Record the request as it came over the wire; answer the programmed text."""
        self.raw_paths.append(request.raw_path)
        return web.Response(status=self.status, text=self.body, content_type=self.content_type)


@pytest.fixture
async def gateway(socket_enabled: None) -> AsyncIterator[FakeGateway]:
    fake = FakeGateway()
    async with serve(fake.handle) as url:
        fake.url = url
        yield fake


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def client(session: aiohttp.ClientSession, url: str, **kwargs: Any) -> SmspayProvider:
    return SmspayProvider(session, send_url=url, **kwargs)


def query_of(raw_path: str) -> list[tuple[str, str]]:
    """The raw (still percent-encoded) pairs of a request line's query."""
    query = urlsplit(raw_path).query
    return [(k, v) for k, _, v in (pair.partition("=") for pair in query.split("&"))]


def inbound(
    query: str = "", *, method: str = "GET", body: bytes = b"", **headers: str
) -> InboundRequest:
    return InboundRequest(
        method, query=dict(parse_qsl(query, keep_blank_values=True)), headers=headers, body=body
    )


# --- sending -------------------------------------------------------------------------------------


async def test_send_through_the_sandbox(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    provider = client(session, template(sandbox.url))
    account = sandbox.state.first_account("smspay")
    before = account.balance

    result = await provider.send(OutgoingMessage(BG, "Door open"))

    message = sandbox.state.messages[("smspay", result.message_id)]
    assert (result.provider, result.phone, result.segments) == ("smspay", BG, 1)
    assert message.phone == "359888123456"
    assert message.text == "Door open"
    assert account.balance == before - 1


@pytest.mark.parametrize(
    "text", [CYRILLIC, VIETNAMESE, SPECIAL, "Ж" * 71], ids=["bg", "vi", "special", "long"]
)
async def test_text_reaches_the_sandbox_exactly(
    sandbox: Sandbox, session: aiohttp.ClientSession, text: str
) -> None:
    result = await client(session, template(sandbox.url)).send(
        OutgoingMessage(BG, text, unicode=True)
    )

    assert sandbox.state.messages[("smspay", result.message_id)].text == text
    assert result.segments == segment_count(text)


@pytest.mark.parametrize("text", [CYRILLIC, VIETNAMESE, SPECIAL])
async def test_text_is_percent_encoded_on_the_wire(
    gateway: FakeGateway, session: aiohttp.ClientSession, text: str
) -> None:
    await client(session, template(gateway.url)).send(OutgoingMessage(BG, text))

    pairs = dict(query_of(gateway.raw_paths[0]))
    assert pairs["message"] == quote(text.encode("utf-8"), safe="")
    assert pairs["phone"] == "359888123456"


async def test_sender_is_empty_without_one(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    provider = client(session, template(sandbox.url))

    plain = await provider.send(OutgoingMessage(BG, "a"))
    named = await provider.send(OutgoingMessage(BG, "b", sender="Гараж & Co"))

    assert sandbox.state.messages[("smspay", plain.message_id)].details["sender"] == ""
    assert sandbox.state.messages[("smspay", named.message_id)].details["sender"] == "Гараж & Co"


async def test_sender_placeholder_on_the_wire(
    gateway: FakeGateway, session: aiohttp.ClientSession
) -> None:
    await client(session, template(gateway.url)).send(OutgoingMessage(BG, "a"))

    assert ("from", "") in query_of(gateway.raw_paths[0])


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        (BG, ("359888123456", "%2B359888123456", "0888123456")),
        ("+84901234567", ("84901234567", "%2B84901234567", "0084901234567")),
    ],
)
async def test_phone_forms(
    gateway: FakeGateway, session: aiohttp.ClientSession, phone: str, expected: tuple[str, ...]
) -> None:
    url = f"{gateway.url}/send?a={{phone}}&b={{PHONE_E164}}&c={{phone_national}}&m={{message}}"

    await client(session, url).send(OutgoingMessage(phone, "x"))

    assert [v for _, v in query_of(gateway.raw_paths[0])][:3] == list(expected)


@pytest.mark.parametrize("national", ["0888123456", "+359888123456"])
async def test_sandbox_accepts_other_phone_forms(
    sandbox: Sandbox, session: aiohttp.ClientSession, national: str
) -> None:
    placeholder = "{phone_national}" if national.startswith("0") else "{phone_e164}"
    url = template(sandbox.url).replace("{phone}", placeholder)

    result = await client(session, url).send(OutgoingMessage(BG, "x"))

    message = sandbox.state.messages[("smspay", result.message_id)]
    assert (message.phone, message.details["phone_param"]) == ("359888123456", national)


async def test_base_url_replaces_scheme_and_host(
    gateway: FakeGateway, session: aiohttp.ClientSession
) -> None:
    url = "https://api.smspay.invalid:8443/bsms/send.php?u=x&phone={phone}&message={message}"

    await client(session, url, base_url=f"{gateway.url}/proxy/").send(OutgoingMessage(BG, "hi"))

    assert gateway.raw_paths == ["/proxy/bsms/send.php?u=x&phone=359888123456&message=hi"]


async def test_base_url_reaches_the_sandbox(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    provider = client(session, template("https://bsms.smspay.invalid"), base_url=sandbox.url)

    result = await provider.send(OutgoingMessage(BG, "hi"))

    assert ("smspay", result.message_id) in sandbox.state.messages


async def test_fixed_text_of_the_template_is_escaped_once(
    gateway: FakeGateway, session: aiohttp.ClientSession
) -> None:
    url = f"{gateway.url}/send?u=a b&p=p%26q&s=ж&phone={{phone}}&message={{message}}"

    await client(session, url).send(OutgoingMessage(BG, "x"))

    assert gateway.raw_paths[0].startswith("/send?u=a%20b&p=p%26q&s=%D0%B6&")


@pytest.mark.parametrize(
    "url",
    [
        "http://h/send?phone={phone}",
        "http://h/send?message={message}",
        "http://h/send?phone=0888&message=text",
        "/smspay/send?phone={phone}&message={message}",
        "h/send?phone={phone}&message={message}",
        "ftp://h/send?phone={phone}&message={message}",
        "http://h/send?phone={phone}&message={message}&x={foo}",
        "http://h/send?phone={phone2}&message={message}",
        "http://{phone}.h/send?message={message}",
        "",
    ],
)
def test_bad_templates_are_refused(session: aiohttp.ClientSession, url: str) -> None:
    with pytest.raises(ValueError, match="SMSPAY send URL") as err:
        client(session, url)
    assert "://h" not in str(err.value)
    assert "send?" not in str(err.value)


@pytest.mark.parametrize(
    "options",
    [{"report_param": "site"}, {"report_value": "abc"}, {"report_param": " ", "report_value": "x"}],
)
def test_report_pair_goes_together(session: aiohttp.ClientSession, options: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="go together"):
        client(session, "http://h/?p={phone}&m={message}", **options)


def test_other_phone_forms_satisfy_the_template(session: aiohttp.ClientSession) -> None:
    provider = client(session, "  http://h/?p={phone_national}&m={Message}  ")
    assert provider.name == "smspay"
    assert (provider.region, provider.has_balance, provider.has_daily_totals) == (
        "BG",
        False,
        False,
    )


@pytest.mark.parametrize(
    ("status", "body", "message_id"),
    [
        (200, "OK\nSMS_ID: 491785", "491785"),
        (200, "ok\r\nsms_id = 00123\r\n", "123"),
        (200, "OK SMS_ID:7", "7"),
        (202, "Sms_Id=42", "42"),
        (200, "ERROR? no: SMS_ID: 9", "9"),
    ],
)
async def test_answers_with_an_sms_id(
    gateway: FakeGateway, session: aiohttp.ClientSession, status: int, body: str, message_id: str
) -> None:
    gateway.status, gateway.body = status, body

    result = await client(session, template(gateway.url)).send(OutgoingMessage(BG, "x"))

    assert result.message_id == message_id


@pytest.mark.parametrize(
    ("status", "body", "content_type", "error", "reason", "code"),
    [
        (200, "OK", "text/plain", UnexpectedResponseError, NO_SMS_ID, None),
        (200, "", "text/plain", UnexpectedResponseError, NO_SMS_ID, None),
        (200, "SMS_ID: XXXX", "text/plain", UnexpectedResponseError, NO_SMS_ID, None),
        (200, "<html>error</html>", "text/html", UnexpectedResponseError, NO_SMS_ID, None),
        (200, "<p>Login</p>", "text/plain", UnexpectedResponseError, NO_SMS_ID, None),
        (200, "ERROR: authentication failed", "text/plain", AuthenticationError, None, None),
        (200, "Грешка: невалидна парола", "text/plain", AuthenticationError, None, None),
        (200, "ERROR: access denied", "text/plain", AuthenticationError, None, None),
        (200, "ERROR: IP 10.0.0.1 denied", "text/plain", IpNotAllowedError, None, None),
        (200, "ERROR: invalid phone number", "text/plain", InvalidRecipientError, None, None),
        (200, "Грешка: невалиден номер", "text/plain", InvalidRecipientError, None, None),
        (200, "ERROR: system busy, try again later", "text/plain", TransientError, None, None),
        (200, "ERROR: insufficient balance", "text/plain", RefusedError, None, None),
        (200, "Грешка при изпращане", "text/plain", RefusedError, None, None),
        (200, "NOK", "text/plain", RefusedError, None, None),
        (401, "", "text/plain", AuthenticationError, None, "HTTP 401"),
        (403, "Forbidden", "text/plain", AuthenticationError, None, "HTTP 403"),
        (
            404,
            "<html>Not Found</html>",
            "text/html",
            RefusedError,
            "smspay: request refused",
            "HTTP 404",
        ),
        (400, "missing message\nmore", "text/plain", RefusedError, "missing message", "HTTP 400"),
        (302, "", "text/plain", RefusedError, "smspay: request refused", "HTTP 302"),
        (429, "slow down", "text/plain", TransientError, None, "HTTP 429"),
        (503, "busy", "text/plain", TransientError, None, "HTTP 503"),
    ],
)
async def test_answer_variants(
    gateway: FakeGateway,
    session: aiohttp.ClientSession,
    status: int,
    body: str,
    content_type: str,
    error: type[ProviderError],
    reason: str | None,
    code: str | None,
) -> None:
    gateway.status, gateway.body, gateway.content_type = status, body, content_type

    with pytest.raises(ProviderError) as raised:
        await client(session, template(gateway.url)).send(OutgoingMessage(BG, "x"))

    assert type(raised.value) is error
    assert raised.value.code == code
    if reason is not None:
        assert raised.value.reason == reason
    elif status == 200:
        assert raised.value.reason == body
    # 429 and "try later" say the message was not taken; a 5xx may come after it was.
    assert raised.value.maybe_sent is (status >= 500 or error is UnexpectedResponseError)


async def test_reason_is_the_first_line_cut_to_80(
    gateway: FakeGateway, session: aiohttp.ClientSession
) -> None:
    gateway.body = "\n  ERROR: " + "x" * 100 + "\nsecond line"

    with pytest.raises(RefusedError) as raised:
        await client(session, template(gateway.url)).send(OutgoingMessage(BG, "x"))

    assert raised.value.reason == ("ERROR: " + "x" * 100)[:80]


async def test_phone_without_digits_is_refused(
    gateway: FakeGateway, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(InvalidRecipientError):
        await client(session, template(gateway.url)).send(OutgoingMessage("+", "x"))
    assert gateway.raw_paths == []


@pytest.mark.parametrize(
    ("setup", "phone", "kwargs", "error", "reason"),
    [
        ("none", BG, {"password": "wrong"}, AuthenticationError, "ERROR: authentication failed"),
        ("none", "+359888123453", {}, InvalidRecipientError, "ERROR: invalid phone number"),
        ("none", "+3598881234", {}, InvalidRecipientError, "ERROR: invalid phone number"),
        ("none", BG, {"ext": False}, UnexpectedResponseError, NO_SMS_ID),
        ("broke", BG, {}, RefusedError, "ERROR: insufficient balance"),
        ("brand", BG, {}, RefusedError, "ERROR: sender not allowed"),
        ("refuse-text", BG, {}, TransientError, "ERROR: system busy, try again later"),
        ("refuse-code", BG, {}, RefusedError, "ERROR: refused (code 7)"),
    ],
)
async def test_sandbox_refusals(
    sandbox: Sandbox,
    session: aiohttp.ClientSession,
    setup: str,
    phone: str,
    kwargs: dict[str, object],
    error: type[ProviderError],
    reason: str,
) -> None:
    account = sandbox.state.first_account("smspay")
    if setup == "broke":
        account.balance = 0
    if setup == "brand":
        account.brandnames = {"SMSBRIDGE"}
    if setup == "refuse-text":
        sandbox.state.faults.append(Fault("refuse", "smspay", "system busy, try again later"))
    if setup == "refuse-code":
        sandbox.state.faults.append(Fault("refuse", "smspay", 7))

    with pytest.raises(ProviderError) as raised:
        await client(session, template(sandbox.url, **kwargs)).send(
            OutgoingMessage(phone, "x", sender="OTHER")
        )

    assert type(raised.value) is error
    assert raised.value.reason == reason


@pytest.mark.parametrize(
    ("fault", "error", "maybe_sent"),
    [
        (Fault("status", "smspay", 503), TransientError, True),
        (Fault("timeout", "smspay", 5), TransientError, True),
        (Fault("disconnect", "smspay"), TransientError, True),
        (Fault("malformed", "smspay"), UnexpectedResponseError, None),
        (Fault("status", "smspay", 401), AuthenticationError, None),
    ],
    ids=lambda value: value.kind if isinstance(value, Fault) else None,
)
async def test_sandbox_faults(
    sandbox: Sandbox,
    session: aiohttp.ClientSession,
    fault: Fault,
    error: type[ProviderError],
    maybe_sent: bool | None,
) -> None:
    sandbox.state.faults.append(fault)

    with pytest.raises(ProviderError) as raised:
        await client(session, template(sandbox.url), timeout=0.3).send(OutgoingMessage(BG, "x"))

    assert type(raised.value) is error
    if maybe_sent is not None:
        assert getattr(raised.value, "maybe_sent", None) is maybe_sent
    assert sandbox.state.messages == {}


async def test_connection_refused(session: aiohttp.ClientSession, closed_port_url: str) -> None:
    with pytest.raises(TransientError) as raised:
        await client(session, template(closed_port_url)).send(OutgoingMessage(BG, "x"))
    assert raised.value.maybe_sent is False


# --- secrets -------------------------------------------------------------------------------------

USER, PASSWORD = "u-Vrabec-7731", "p@ss Kokiche&99"
SECRETS = (USER, PASSWORD, quote(PASSWORD, safe=""), quote(PASSWORD))


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, f"ERROR: wrong password {PASSWORD} for {USER}"),
        (200, f"ERROR: auth failed for pass={quote(PASSWORD, safe='')}"),
        (200, f"ERROR: invalid request http://bsms.smspay.invalid/send?user={USER}"),
        (200, f"Грешка: {USER[:-1]}{PASSWORD}"),
        (200, f"ERROR: number {USER} {PASSWORD} busy, try later"),
        (200, f"ERROR: IP denied for {USER}"),
        (200, f"OK {USER}"),
        (400, f"bad request {PASSWORD}"),
        (401, f"{USER}"),
        (503, f"{PASSWORD}"),
    ],
)
async def test_secrets_never_in_errors(
    gateway: FakeGateway, session: aiohttp.ClientSession, status: int, body: str
) -> None:
    gateway.status, gateway.body = status, body
    provider = client(session, template(gateway.url, user=USER, password=PASSWORD))

    with pytest.raises(ProviderError) as raised:
        await provider.send(OutgoingMessage(BG, "x"))

    text = f"{raised.value} {raised.value.reason}"
    assert not [secret for secret in SECRETS if secret in text]
    assert "://" not in text


async def test_userinfo_password_is_masked(
    gateway: FakeGateway, session: aiohttp.ClientSession
) -> None:
    gateway.body = f"ERROR: bad login {PASSWORD}"
    host = gateway.url.replace("://", f"://{USER}:{quote(PASSWORD, safe='')}@")
    url = f"{host}/send?phone={{phone}}&message={{message}}"

    with pytest.raises(AuthenticationError) as raised:
        await client(session, url).send(OutgoingMessage(BG, "x"))

    assert raised.value.reason == "ERROR: bad login ***"


@pytest.mark.parametrize("fault", ["timeout", "disconnect", "refused", "template", "pair"])
async def test_secrets_never_in_other_errors(
    sandbox: Sandbox, session: aiohttp.ClientSession, closed_port_url: str, fault: str
) -> None:
    url = template(sandbox.url, user=USER, password=PASSWORD)
    if fault in ("timeout", "disconnect"):
        sandbox.state.faults.append(Fault(fault, "smspay", 5))
    if fault == "refused":
        url = template(closed_port_url, user=USER, password=PASSWORD)

    async def attempt() -> None:
        if fault == "template":
            client(session, url.replace("{message}", "m"))
        elif fault == "pair":
            client(session, url, report_param=PASSWORD)
        else:
            await client(session, url, timeout=0.3).send(OutgoingMessage(BG, "x"))

    with pytest.raises((ProviderError, ValueError)) as raised:
        await attempt()

    assert not [secret for secret in SECRETS if secret in str(raised.value)]
    assert "://" not in str(raised.value)


# --- check_credentials ---------------------------------------------------------------------------


async def test_check_credentials_sends_nothing(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    await client(session, template(sandbox.url)).check_credentials()

    assert sandbox.state.requests == []
    assert sandbox.state.messages == {}


@pytest.mark.parametrize("status", [200, 404, 500])
async def test_check_credentials_takes_any_answer(
    gateway: FakeGateway, session: aiohttp.ClientSession, status: int
) -> None:
    gateway.status = status
    provider = client(
        session, "https://bsms.smspay.invalid/x/send?p={phone}&m={message}", base_url=gateway.url
    )

    await provider.check_credentials()

    assert gateway.raw_paths == ["/"]


async def test_check_credentials_unreachable(
    session: aiohttp.ClientSession, closed_port_url: str
) -> None:
    with pytest.raises(TransientError):
        await client(session, template(closed_port_url)).check_credentials()


async def test_check_credentials_timeout(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    release = asyncio.Event()

    async def never(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response()

    async with serve(never) as url:
        with pytest.raises(TransientError):
            await client(session, template(url), timeout=0.2).check_credentials()
        release.set()


# --- delivery reports ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dlr", "answer", "status", "error", "kept_answer"),
    [
        ("4", "Queued to SMSC", DeliveryStatus.PENDING, None, "Queued to SMSC"),
        ("8", "", DeliveryStatus.SENT, None, None),
        ("1", "DELIVRD", DeliveryStatus.DELIVERED, None, "DELIVRD"),
        (
            "2",
            "Абонатът е недостъпен",
            DeliveryStatus.FAILED,
            "Абонатът е недостъпен",
            "Абонатът е недостъпен",
        ),
        ("2", "", DeliveryStatus.FAILED, "Not delivered", None),
        ("16", "  ", DeliveryStatus.FAILED, "Not delivered to SMSC", None),
        ("16", "no route", DeliveryStatus.FAILED, "no route", "no route"),
        ("0", "x", DeliveryStatus.FAILED, "Unknown status 0", "x"),
        ("32", "", DeliveryStatus.FAILED, "Unknown status 32", None),
        (" 1 ", "ok", DeliveryStatus.DELIVERED, None, "ok"),
    ],
)
def test_status_table(
    session: aiohttp.ClientSession,
    dlr: str,
    answer: str,
    status: DeliveryStatus,
    error: str | None,
    kept_answer: str | None,
) -> None:
    request = InboundRequest("GET", query={"sms_id": "0491785", "dlr": dlr, "answer": answer})

    report = client(session, "http://h/?p={phone}&m={message}").parse_report(request)

    reasons = {2: FailureReason.NOT_DELIVERED, 16: FailureReason.CARRIER_ERROR}
    reason = reasons.get(int(dlr), FailureReason.UNKNOWN) if error else None
    assert report == DeliveryReport(
        provider="smspay",
        message_id="491785",
        status=status,
        provider_status=str(int(dlr)),
        error=error,
        answer=kept_answer,
        reason=reason,
    )
    assert report.final is (status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED))


def test_answer_is_optional(session: aiohttp.ClientSession) -> None:
    report = client(session, "http://h/?p={phone}&m={message}").parse_report(
        inbound("sms_id=5&dlr=1")
    )
    assert (report.message_id, report.status, report.answer) == (
        "5",
        DeliveryStatus.DELIVERED,
        None,
    )


@pytest.mark.parametrize(
    "request_",
    [
        inbound(""),
        inbound("dlr=1"),
        inbound("sms_id=5"),
        inbound("sms_id=abc&dlr=1"),
        inbound("sms_id=5&dlr=x"),
        inbound("sms_id=-5&dlr=1"),
        inbound("sms_id=5&dlr=1.5"),
        inbound("sms_id=&dlr="),
        inbound("sms_id=...&dlr=...&answer=..."),
        inbound(
            method="POST", body=b'{"sms_id": 5, "dlr": 1}', **{"Content-Type": "application/json"}
        ),
        inbound(method="POST", body=b"\xff\xfe\x00garbage=\x81"),
        inbound(method="POST", body=b"sms_id=%ZZ&dlr=%"),
    ],
)
def test_malformed_reports(session: aiohttp.ClientSession, request_: InboundRequest) -> None:
    provider = client(session, "http://h/?p={phone}&m={message}")
    with pytest.raises(ReportError) as raised:
        provider.parse_report(request_)
    assert type(raised.value) is MalformedReportError


@pytest.mark.parametrize(
    "request_",
    [
        inbound("sms_id=5&dlr=1"),
        inbound("sms_id=5&dlr=1&site=ABC"),
        inbound("sms_id=5&dlr=1&site="),
        inbound("sms_id=5&dlr=1&site=abc%20"),
        inbound("dlr=1&answer=no-id"),
        inbound("sms_id=5&dlr=1", method="POST", body=b"site=abd"),
    ],
)
def test_bad_secret(session: aiohttp.ClientSession, request_: InboundRequest) -> None:
    provider = client(session, "http://h/?p={phone}&m={message}", **SITE)
    with pytest.raises(ReportError) as raised:
        provider.parse_report(request_)
    assert type(raised.value) is BadSecretError
    assert "abc" not in str(raised.value)


@pytest.mark.parametrize(
    "request_",
    [
        inbound("sms_id=5&dlr=1&site=abc"),
        inbound("SMS_ID=5&DLR=1&Site=abc"),
        inbound(
            method="POST",
            body=b"sms_id=5&dlr=1&site=abc",
            **{"content-type": "application/x-www-form-urlencoded"},
        ),
        inbound(method="POST", body=b"sms_id=5&dlr=1&site=abc"),
        inbound("sms_id=9&dlr=2&site=x", method="POST", body=b"sms_id=5&dlr=1&site=abc"),
    ],
)
def test_good_secret_and_where_pairs_come_from(
    session: aiohttp.ClientSession, request_: InboundRequest
) -> None:
    report = client(session, "http://h/?p={phone}&m={message}", **SITE).parse_report(request_)
    assert (report.message_id, report.status) == ("5", DeliveryStatus.DELIVERED)


def test_windows_1251_form_body(session: aiohttp.ClientSession) -> None:
    body = b"sms_id=5&dlr=2&answer=" + quote("Недоставено".encode("cp1251")).encode()

    report = client(session, "http://h/?p={phone}&m={message}").parse_report(
        inbound(method="POST", body=body)
    )

    assert report.error == "Недоставено"


@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        (ReplyKind.ACCEPTED, 200, "OK"),
        (ReplyKind.BAD_SECRET, 403, "Forbidden"),
        (ReplyKind.MALFORMED, 400, "Bad Request"),
    ],
)
def test_reply(session: aiohttp.ClientSession, kind: ReplyKind, status: int, body: str) -> None:
    reply = client(session, "http://h/?p={phone}&m={message}").reply(kind)
    assert (reply.status, reply.body, reply.content_type) == (status, body, "text/plain")


# --- end to end: send, the sandbox reports to a receiver, parse_report reads it -------------------


@dataclass
class Receiver:
    """A webhook like the integration's: parse with the client, answer with its reply()."""

    provider: SmspayProvider
    reports: list[DeliveryReport] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        """Turn the aiohttp request into an InboundRequest, as the webhook does."""
        self.methods.append(request.method)
        inbound_request = InboundRequest(
            request.method,
            query=dict(request.query),
            headers=dict(request.headers),
            body=await request.read(),
        )
        try:
            self.reports.append(self.provider.parse_report(inbound_request))
            reply = self.provider.reply(ReplyKind.ACCEPTED)
        except ReportError as err:
            reply = self.provider.reply(err.kind)
        return web.Response(status=reply.status, text=reply.body, content_type=reply.content_type)


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    ("phone", "statuses", "last_error"),
    [
        (BG, [DeliveryStatus.PENDING, DeliveryStatus.SENT, DeliveryStatus.DELIVERED], None),
        (
            "+359888123454",
            [DeliveryStatus.PENDING, DeliveryStatus.SENT, DeliveryStatus.FAILED],
            "Not delivered",
        ),
        ("+359888123455", [DeliveryStatus.PENDING, DeliveryStatus.SENT], None),
    ],
    ids=["delivered", "failed", "pending"],
)
async def test_end_to_end_reports(
    sandbox: Sandbox,
    session: aiohttp.ClientSession,
    method: str,
    phone: str,
    statuses: list[DeliveryStatus],
    last_error: str | None,
) -> None:
    provider = client(session, template(sandbox.url), **SITE)
    receiver = Receiver(provider)
    async with serve(receiver.handle) as url:
        callback = sandbox.state.first_account("smspay").callback
        callback.url, callback.method, callback.extra = (
            f"{url}/dlr_receiver.php",
            method,
            {"site": "abc"},
        )

        result = await provider.send(OutgoingMessage(phone, "Тест"))
        await sandbox.idle()

    assert receiver.methods == [method] * len(statuses)
    assert [r.status for r in receiver.reports] == statuses
    assert {r.message_id for r in receiver.reports} == {result.message_id}
    assert [r.provider_status for r in receiver.reports] == [
        "4",
        "8",
        "1" if last_error is None else "2",
    ][: len(statuses)]
    assert receiver.reports[-1].error == last_error
    assert [(d.attempt, d.status) for d in sandbox.state.deliveries] == [(1, 200)] * len(statuses)


async def test_end_to_end_wrong_extra_pair_is_retried_and_refused(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    provider = client(session, template(sandbox.url), report_param="site", report_value="other")
    receiver = Receiver(provider)
    async with serve(receiver.handle) as url:
        callback = sandbox.state.first_account("smspay").callback
        callback.url, callback.extra = url, {"site": "abc"}

        await provider.send(OutgoingMessage("+359888123455", "x"))
        await sandbox.idle()

    assert receiver.reports == []
    assert [(d.attempt, d.status, d.body) for d in sandbox.state.deliveries] == [
        (n, 403, "Forbidden") for n in (1, 2, 3)
    ] * 2


# --- fixtures copied from the seed, and concrete samples ------------------------------------------


def report_from_fixture(name: str) -> InboundRequest:
    data = (FIXTURES / name).read_bytes()
    if name.endswith(".form"):
        return InboundRequest(
            "POST", headers={"Content-Type": "application/x-www-form-urlencoded"}, body=data
        )
    query = urlsplit(data.decode()).query if name.startswith("seed_") else data.decode()
    return InboundRequest("GET", query=dict(parse_qsl(query, keep_blank_values=True)))


REPORT_FIXTURES = {
    "concrete_dlr_1_delivered.query": ("491785", DeliveryStatus.DELIVERED, None, "Delivered"),
    "concrete_dlr_2_not_delivered.query": (
        "491785",
        DeliveryStatus.FAILED,
        "Not delivered",
        "Not delivered",
    ),
    "concrete_dlr_4_queued.query": ("491785", DeliveryStatus.PENDING, None, "Queued to SMSC"),
    "concrete_dlr_8_delivered_to_smsc.query": (
        "491785",
        DeliveryStatus.SENT,
        None,
        "Delivered to SMSC",
    ),
    "concrete_dlr_16_empty_answer.query": (
        "491785",
        DeliveryStatus.FAILED,
        "Not delivered to SMSC",
        None,
    ),
    "concrete_dlr_1_site.query": ("491786", DeliveryStatus.DELIVERED, None, "Delivered"),
    "concrete_dlr_2_cyrillic_site.form": (
        "491787",
        DeliveryStatus.FAILED,
        "Абонатът е недостъпен",
        "Абонатът е недостъпен",
    ),
}
OTHER_FIXTURES = {
    "README.md",
    "seed_dlr_request.txt",
    "seed_dlr_statuses.txt",
    "seed_extra_pair.txt",
    "seed_send_answer_extended.txt",
    "concrete_send_answer.txt",
}


def test_every_fixture_is_tested() -> None:
    assert {p.name for p in FIXTURES.iterdir()} == set(REPORT_FIXTURES) | OTHER_FIXTURES


@pytest.mark.parametrize("name", sorted(REPORT_FIXTURES))
def test_concrete_report_fixtures(session: aiohttp.ClientSession, name: str) -> None:
    report = client(session, "http://h/?p={phone}&m={message}").parse_report(
        report_from_fixture(name)
    )
    assert (report.message_id, report.status, report.error, report.answer) == REPORT_FIXTURES[name]


@pytest.mark.parametrize("name", ["concrete_dlr_1_site.query", "concrete_dlr_2_cyrillic_site.form"])
def test_concrete_fixtures_carry_the_seed_extra_pair(
    session: aiohttp.ClientSession, name: str
) -> None:
    pair = dict(parse_qsl((FIXTURES / "seed_extra_pair.txt").read_text().lstrip("&")))
    provider = client(
        session, "http://h/?p={phone}&m={message}", report_param="site", report_value=pair["site"]
    )
    assert provider.parse_report(report_from_fixture(name)).message_id.startswith("49178")


def test_seed_dlr_request_is_malformed(session: aiohttp.ClientSession) -> None:
    """The document's example carries literal "..." placeholders: no readable sms_id or dlr."""
    request = report_from_fixture("seed_dlr_request.txt")
    assert request.query == {"sms_id": "...", "dlr": "...", "answer": "..."}
    with pytest.raises(MalformedReportError):
        client(session, "http://h/?p={phone}&m={message}").parse_report(request)


def test_seed_dlr_request_with_the_seed_extra_pair(session: aiohttp.ClientSession) -> None:
    """The example plus `&site=abc`: authenticated first, then still malformed."""
    url = (FIXTURES / "seed_dlr_request.txt").read_text() + (
        FIXTURES / "seed_extra_pair.txt"
    ).read_text()
    request = InboundRequest("GET", query=dict(parse_qsl(urlsplit(url).query)))
    with pytest.raises(MalformedReportError):
        client(session, "http://h/?p={phone}&m={message}", **SITE).parse_report(request)
    with pytest.raises(BadSecretError):
        client(
            session, "http://h/?p={phone}&m={message}", report_param="site", report_value="xyz"
        ).parse_report(request)


def test_status_table_matches_the_seed_list() -> None:
    """Each line of the seed's dlr list: code, English label, and "краен статус" = final."""
    lines = (FIXTURES / "seed_dlr_statuses.txt").read_text(encoding="utf-8").splitlines()
    seen = {}
    for line in lines:
        code, label, *final = (part.strip() for part in line.split(" - "))
        seen[int(code)] = (label, final == ["краен статус"])
    assert seen == {code: (DLR_REASONS[code], STATUS_TABLE[code].final) for code in STATUS_TABLE}


@pytest.mark.parametrize(
    ("name", "message_id"),
    [("seed_send_answer_extended.txt", None), ("concrete_send_answer.txt", "491785")],
)
async def test_send_answer_fixtures(
    gateway: FakeGateway, session: aiohttp.ClientSession, name: str, message_id: str | None
) -> None:
    """The seed's `SMS_ID: XXXX` is a placeholder, not a number: no id, so no provable send."""
    gateway.body = (FIXTURES / name).read_text(encoding="utf-8")
    provider = client(session, template(gateway.url))
    if message_id is None:
        with pytest.raises(UnexpectedResponseError, match="extended response"):
            await provider.send(OutgoingMessage(BG, "x"))
    else:
        assert (await provider.send(OutgoingMessage(BG, "x"))).message_id == message_id
