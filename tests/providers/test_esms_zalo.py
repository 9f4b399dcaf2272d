"""eSMS's Zalo channels: ZNS and Zalo-then-SMS sends, estimates, lookups, reports of every channel.

Against the sandbox (written apart from the client, from eSMS's documents) and, where an exact
body must be checked or eSMS's answers vary, against a capture server answering what the test says.
"""

from __future__ import annotations

from collections.abc import Callable
import dataclasses
from decimal import Decimal
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import aiohttp
from aiohttp import web
from hypothesis import given, settings, strategies as st
import pytest

from custom_components.sms_bridge.providers.channels import (
    Channel,
    ZaloAccount,
    ZaloContent,
    ZaloParam,
    ZaloTemplate,
)
from custom_components.sms_bridge.providers.errors import (
    AuthenticationError,
    InvalidRecipientError,
    IpNotAllowedError,
    MalformedReportError,
    MaybeSentError,
    ProviderError,
    RefusedError,
    TransientError,
    UnexpectedResponseError,
)
from custom_components.sms_bridge.providers.esms import CODE_REASONS, EsmsProvider
from custom_components.sms_bridge.providers.esms_base import UNKNOWN_ZALO_CODE
from custom_components.sms_bridge.providers.esms_zalo import (
    ZALO_REASONS,
    leg_callback_url,
    leg_request_id,
    read_markers,
    zalo_result,
)
from custom_components.sms_bridge.providers.models import (
    DeliveryReport,
    DeliveryStatus,
    FailureReason,
    InboundRequest,
    OutgoingMessage,
)
from custom_components.sms_bridge.providers.parsing import query_params
from sandbox import Fault, Sandbox

from . import test_esms
from .test_esms import API_KEY, SECRET_KEY, Server, make_client
from .test_never_twice import warm_pool

#: test_esms's capture server: a loopback server answering what the test says.
server = test_esms.server

FIXTURES = Path(__file__).parent.parent / "fixtures" / "esms"
OA = "4097311281936189049"
ORDER = ZaloContent(
    OA,
    "200607",
    (("customer_name", "Lan"), ("order_code", "HD00001"), ("order_date", "24/04/2024")),
)
OTP = ZaloContent(OA, "2056446", (("otp", "123456"),))
HOOK = "https://ha.example/api/webhook/abc"
INACTIVE = (
    "User is inactive, or reject the message, or using an outdated Zalo version, "
    "or other internal errors"
)


def zalo(phone: str = "+84901234567", **fields: Any) -> OutgoingMessage:
    """A ZNS alone, the order template."""
    return OutgoingMessage(phone, "", channel=Channel.ZALO, zalo=ORDER, **fields)


def zalo_sms(
    phone: str = "+84901234567", text: str = "Don HD00001", **fields: Any
) -> OutgoingMessage:
    """Zalo first, SMS when it fails, the order template."""
    return OutgoingMessage(phone, text, channel=Channel.ZALO_SMS, zalo=ORDER, **fields)


def parse_raw(provider: EsmsProvider, raw_query: str) -> DeliveryReport:
    """Parse a report as Home Assistant's webhook receives it (query_params of the raw query)."""
    request = InboundRequest(method="GET", query=query_params(raw_query), raw_query=raw_query)
    return provider.parse_report(request)


def seed(name: str) -> str:
    """A seed callback sample's query, byte for byte."""
    return (FIXTURES / f"{name}.query").read_bytes().decode("ascii")


@pytest.fixture
def parser() -> EsmsProvider:
    """A client used only for parsing."""
    return EsmsProvider(
        None,  # type: ignore[arg-type]
        api_key=API_KEY,
        secret_key=SECRET_KEY,
        brandname="SMSBRIDGE",
    )


# --- the wire, captured ---------------------------------------------------------------------------


async def test_zns_wire(server: Server, session: aiohttp.ClientSession) -> None:
    """V6: the variables by name, our RequestId and CallbackUrl as they are, Sandbox when on."""
    client = make_client(server.url, session, sandbox=True)
    message = zalo(callback_url=HOOK)
    result = await client.send(message)

    (request,) = server.requests
    assert (request.method, request.path) == ("POST", "/MainService.svc/json/SendZaloMessage_V6/")
    assert request.query_string == ""
    assert json.loads(request.body) == {
        "ApiKey": API_KEY,
        "SecretKey": SECRET_KEY,
        "Phone": "0901234567",
        "OAID": OA,
        "TempID": "200607",
        "TempData": {
            "customer_name": "Lan",
            "order_code": "HD00001",
            "order_date": "24/04/2024",
        },
        "RequestId": message.request_id,
        "CallbackUrl": HOOK,
        "Sandbox": "1",
    }
    assert result.message_id == "captured-1"
    assert (result.channel, result.segments) == (Channel.ZALO, 1)
    assert (result.request_id, result.request_ids) == (message.request_id, (message.request_id,))


async def test_zns_wire_without_options(server: Server, session: aiohttp.ClientSession) -> None:
    """No callback URL, no Sandbox flag: neither field is sent."""
    await make_client(server.url, session).send(zalo())
    [payload] = server.payloads()
    assert "CallbackUrl" not in payload
    assert "Sandbox" not in payload


async def test_zalo_sms_wire(server: Server, session: aiohttp.ClientSession) -> None:
    """MultiChannelMessage: Channels, then the ZNS leg (values by position) and the SMS leg.

    Each leg has its own RequestId and its own CallbackUrl carrying the leg marker.
    """
    client = make_client(server.url, session, sandbox=True, sms_type=1)
    message = zalo_sms(callback_url=HOOK, unicode=True, sender="Baotrixemay", text="Đơn HD00001")
    result = await client.send(message)

    (request,) = server.requests
    assert request.path == "/MainService.svc/json/MultiChannelMessage/"
    rid = message.request_id
    assert json.loads(request.body) == {
        "ApiKey": API_KEY,
        "SecretKey": SECRET_KEY,
        "Phone": "0901234567",
        "Channels": ["zalo", "sms"],
        "Data": [
            {
                "OAID": OA,
                "TempID": "200607",
                "Params": ["Lan", "HD00001", "24/04/2024"],
                "RequestId": f"{rid}-z",
                "CallbackUrl": f"{HOOK}?leg=zalo&ref={rid}-z",
                "Sandbox": "1",
            },
            {
                "Content": "Đơn HD00001",
                "IsUnicode": "1",
                "SmsType": "2",  # customer care, whatever the account's own type
                "Brandname": "Baotrixemay",
                "RequestId": f"{rid}-s",
                "CallbackUrl": f"{HOOK}?leg=sms&ref={rid}-s",
                "Sandbox": "1",
            },
        ],
    }
    assert result.channel is Channel.ZALO_SMS
    assert result.request_id == rid
    assert result.request_ids == (f"{rid}-z", f"{rid}-s")
    assert result.segments == 1


async def test_zalo_sms_retry_carries_the_same_ids(
    server: Server, session: aiohttp.ClientSession
) -> None:
    """The same message sent again carries the same leg ids, so eSMS can refuse it (124)."""
    client = make_client(server.url, session)
    message = zalo_sms(callback_url=HOOK + "?x=1")
    await client.send(message)
    await client.send(message)
    first, second = server.payloads()
    assert first == second
    assert "CallbackUrl" in first["Data"][0]
    assert first["Data"][0]["CallbackUrl"] == f"{HOOK}?x=1&leg=zalo&ref={message.request_id}-z"


async def test_zalo_sms_without_callback(server: Server, session: aiohttp.ClientSession) -> None:
    """No report URL: no CallbackUrl on either leg; the legs keep their ids."""
    await make_client(server.url, session).send(zalo_sms(request_id="abc"))
    [payload] = server.payloads()
    assert [leg.get("CallbackUrl") for leg in payload["Data"]] == [None, None]
    assert [leg["RequestId"] for leg in payload["Data"]] == ["abc-z", "abc-s"]


@pytest.mark.parametrize(
    "message",
    [
        OutgoingMessage("+84901234567", "x", channel=Channel.ZALO),
        OutgoingMessage("+84901234567", "x", channel=Channel.ZALO_SMS),
        zalo_sms(text=" "),
        OutgoingMessage("+84901234567", "x", channel=Channel.VIBER),
    ],
    ids=["zalo_without_content", "zalo_sms_without_content", "zalo_sms_without_text", "viber"],
)
async def test_refused_before_anything_goes_out(
    server: Server, session: aiohttp.ClientSession, message: OutgoingMessage
) -> None:
    """A Zalo message without its template, a fallback without its text, a Viber send."""
    with pytest.raises(RefusedError) as caught:
        await make_client(server.url, session).send(message)
    assert not caught.value.maybe_sent
    assert server.requests == []


# --- the leg marker and the legs' ids -----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "marked"),
    [
        (HOOK, f"{HOOK}?leg=sms&ref=r-s"),
        (f"{HOOK}?site=home", f"{HOOK}?site=home&leg=sms&ref=r-s"),
        (f"{HOOK}?", f"{HOOK}?leg=sms&ref=r-s"),
        (f"{HOOK}?a=1&", f"{HOOK}?a=1&leg=sms&ref=r-s"),
        (f"{HOOK}#top", f"{HOOK}?leg=sms&ref=r-s#top"),
        (f"{HOOK}?a=1#top", f"{HOOK}?a=1&leg=sms&ref=r-s#top"),
    ],
)
def test_leg_callback_url(url: str, marked: str) -> None:
    """The marker joins a URL's own query with "&", starts one with "?", stays before a fragment."""
    assert leg_callback_url(url, Channel.SMS, "r-s") == marked


def test_leg_callback_url_quotes_the_ref() -> None:
    """A ref is URL-encoded (the client's own ids never need it)."""
    assert leg_callback_url(HOOK, Channel.ZALO, "a b&c") == f"{HOOK}?leg=zalo&ref=a+b%26c"


@pytest.mark.parametrize(
    ("request_id", "zalo_id"),
    [
        ("6ed0fe69-348b-4d65-9aeb-5f87090abc8b", "6ed0fe69-348b-4d65-9aeb-5f87090abc8b-z"),
        ("x" * 48, "x" * 48 + "-z"),
    ],
)
def test_leg_request_id(request_id: str, zalo_id: str) -> None:
    """The message's id and the leg's suffix, within eSMS's 50 characters."""
    assert leg_request_id(request_id, Channel.ZALO) == zalo_id
    assert leg_request_id(request_id, Channel.SMS) == zalo_id[:-1] + "s"


@pytest.mark.parametrize("request_id", ["x" * 49, "y" * 200, "a b", "a?b", "ä", ""])
def test_leg_request_id_digest(request_id: str) -> None:
    """Too long, or not URL-safe: a digest of it, the same each time, 50 characters at most."""
    zalo_id = leg_request_id(request_id, Channel.ZALO)
    assert zalo_id == leg_request_id(request_id, Channel.ZALO)
    assert zalo_id.endswith("-z")
    assert len(zalo_id) == 50
    assert zalo_id[:-2] == leg_request_id(request_id, Channel.SMS)[:-2]
    assert zalo_id != leg_request_id(request_id + "!", Channel.ZALO)


# eSMS's report as it would reach us, for each way of appending its parameters to our URL.
REPORT = "SMSID=s-1&SendFailed=0&SendStatus=5&SendSuccess=1&TotalPrice=800.0000&RequestId=&TypeId=2"


def arrived(callback_url: str, join: str) -> str:
    """The raw query a report to `callback_url` carries, eSMS appending with `join`."""
    query = callback_url.partition("?")[2]
    if not query:
        return REPORT
    return f"{query}{join}{REPORT}"


@pytest.mark.parametrize("join", ["&", "?"])
@pytest.mark.parametrize("url", [HOOK, f"{HOOK}?site=home", f"{HOOK}?x=%3F"])
@pytest.mark.parametrize("how", ["webhook", "framework"])
def test_marker_read_back_however_appended(
    parser: EsmsProvider, url: str, join: str, how: str
) -> None:
    """Our marker is read back when eSMS appends by "&" or by a second "?", and eSMS's fields too.

    `webhook`: as Home Assistant's webhook reads the query; `framework`: as parse_qsl does.
    """
    marked = leg_callback_url(url, Channel.SMS, "r-s")
    raw = arrived(marked, join)
    if how == "webhook":
        parsed = parse_raw(parser, raw)
    else:
        parsed = parser.parse_report(
            InboundRequest("GET", query=dict(parse_qsl(raw, keep_blank_values=True)))
        )
    assert parsed.message_id == "s-1"
    assert parsed.status is DeliveryStatus.DELIVERED
    assert (parsed.leg, parsed.channel) == (Channel.SMS, Channel.SMS)
    assert parsed.request_id == "r-s"
    assert parsed.price == Decimal("800.0000")


def test_marker_whose_leg_carries_the_second_question_mark(parser: EsmsProvider) -> None:
    """`.../hook?leg=sms?SMSID=...&SendStatus=5`: the marker's last value carries eSMS's first."""
    parsed = parse_raw(parser, "leg=sms?SMSID=s-2&SendStatus=5&SendSuccess=0&SendFailed=1")
    assert (parsed.message_id, parsed.leg, parsed.request_id) == ("s-2", Channel.SMS, None)
    assert parsed.status is DeliveryStatus.FAILED


@pytest.mark.parametrize(
    ("query", "leg", "ref", "rest"),
    [
        ({}, None, None, {}),
        ({"leg": "zalo"}, Channel.ZALO, None, {}),
        ({"leg": "ZALO", "ref": " r "}, Channel.ZALO, "r", {}),
        ({"leg": "viber", "ref": ""}, None, None, {}),
        ({"ref": "r?SMSID=1"}, None, "r", {"smsid": "1"}),
        ({"ref": "r?=1&"}, None, "r", {}),
        ({"leg": "sms?a=1", "ref": "r?B=2"}, Channel.SMS, "r", {"a": "1", "b": "2"}),
    ],
)
def test_read_markers(
    query: dict[str, str], leg: Channel | None, ref: str | None, rest: dict[str, str]
) -> None:
    """The leg and ref, and what follows a second "?" put back among the parameters."""
    params = dict(query)
    assert read_markers(params) == (leg, ref)
    assert {k: v for k, v in params.items() if k not in ("leg", "ref")} == rest


# --- reports: channel, leg, price, currency, request id -----------------------------------------


@dataclasses.dataclass(frozen=True)
class Seen:
    """What a seed sample's report says about channels and cost."""

    channel: Channel
    leg: Channel | None
    price: str
    reason: FailureReason | None


SEEN = {
    "cskh": Seen(Channel.SMS, Channel.SMS, "0.0000", FailureReason.NOT_DELIVERED),
    "quang_cao": Seen(Channel.SMS, Channel.SMS, "696987.0000", None),
    "viber": Seen(Channel.VIBER, None, "470.0000", None),
    "zalo": Seen(Channel.ZALO, Channel.ZALO, "0.0000", FailureReason.ZALO_INACTIVE),
    "zalo_tu_van": Seen(Channel.ZALO, Channel.ZALO, "60.0000", None),
    "zalo_giao_dich": Seen(Channel.ZALO, Channel.ZALO, "60.0000", None),
    "zalo_yeu_cau_thong_tin": Seen(Channel.ZALO, Channel.ZALO, "60.0000", None),
    "zalo_hanh_trinh": Seen(Channel.ZALO, Channel.ZALO, "220.0000", None),
}


def test_every_seed_sample_is_seen() -> None:
    """Each fixture has its expectation here."""
    assert {p.stem for p in FIXTURES.glob("*.query")} == set(SEEN)


@pytest.mark.parametrize("name", sorted(SEEN))
@pytest.mark.parametrize("how", ["webhook", "framework"])
def test_seed_samples_channel_and_price(parser: EsmsProvider, name: str, how: str) -> None:
    """TypeId 1, 2 SMS; 23 Viber; 25, 26, 27 Zalo; TotalPrice in VND; no RequestId given."""
    raw = seed(name)
    if how == "webhook":
        parsed = parse_raw(parser, raw)
    else:
        query = dict(parse_qsl(raw, keep_blank_values=True))
        parsed = parser.parse_report(InboundRequest("GET", query=query))
    expected = SEEN[name]
    assert (parsed.channel, parsed.leg) == (expected.channel, expected.leg)
    assert parsed.price == Decimal(expected.price)
    assert parsed.currency == "VND"
    assert parsed.reason is expected.reason
    assert parsed.request_id is None


def test_zalo_sample_error_is_zalos_text(parser: EsmsProvider) -> None:
    """The -114 sample: Zalo's own words as the error, the reason in ours."""
    parsed = parse_raw(parser, seed("zalo"))
    assert parsed.status is DeliveryStatus.FAILED
    assert parsed.error == INACTIVE
    assert parsed.reason is FailureReason.ZALO_INACTIVE


def finished_zalo(error_info: str, **extra: str) -> dict[str, str]:
    """A finished, failed Zalo report with this error_info (as decoded once by the framework)."""
    return {
        "SMSID": "z",
        "SendStatus": "5",
        "SendSuccess": "0",
        "SendFailed": "1",
        "TypeId": "25",
        "error_info": error_info,
        **extra,
    }


def json_in_string(code: int, message: str) -> str:
    """The seed's -114 encoding: JSON inside a JSON string."""
    return json.dumps(json.dumps({"error": code, "message": message}, separators=(",", ":")))


def plain(code: int, message: str) -> str:
    """The UID sample's encoding: plain JSON with data."""
    return json.dumps({"error": code, "message": message, "data": {"status": 0}})


def encoded_again(code: int, message: str) -> str:
    """The 26/27 samples' encoding: URL-encoded once more, a date after it."""
    text = json.dumps({"data": {"message_id": "m"}, "error": code, "message": message})
    return quote(text, safe=":,") + "____24%2F04%2F2024%2016%3A58%3A01"


@pytest.mark.parametrize("encoding", [json_in_string, plain, encoded_again])
@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (-114, FailureReason.ZALO_INACTIVE),
        (1001, FailureReason.UNREACHABLE),
        (-124, FailureReason.REJECTED),
        (-201, FailureReason.NOT_DELIVERED),
        (0, FailureReason.NOT_DELIVERED),
    ],
)
def test_zalo_failure_reason_in_each_encoding(
    parser: EsmsProvider, encoding: Callable[[int, str], str], code: int, reason: FailureReason
) -> None:
    """Zalo's code is read in the seed's three encodings; those the documents give have words."""
    parsed = parser.parse_report(InboundRequest("GET", query=finished_zalo(encoding(code, "Why"))))
    assert parsed.status is DeliveryStatus.FAILED
    assert parsed.reason is reason
    assert parsed.error == "Why"
    assert zalo_result(encoding(code, "Why")) == (code, "Why")


def test_zalo_reasons_table() -> None:
    """The three Zalo codes ESMS-CHANNELS.md gives, and no more."""
    assert ZALO_REASONS == {
        -114: FailureReason.ZALO_INACTIVE,
        -124: FailureReason.REJECTED,
        1001: FailureReason.UNREACHABLE,
    }


def test_bare_number_error_info(parser: EsmsProvider) -> None:
    """QueryZnsStatus writes ErrorInfo as a bare number: it is Zalo's code."""
    parsed = parser.parse_report(InboundRequest("GET", query=finished_zalo("1001")))
    assert parsed.reason is FailureReason.UNREACHABLE
    assert zalo_result("true") == (None, "true")


@pytest.mark.parametrize(
    ("extra", "channel", "leg"),
    [
        ({}, Channel.SMS, None),
        ({"TypeId": ""}, Channel.SMS, None),
        ({"TypeId": "8"}, Channel.SMS, None),
        ({"TypeId": "1"}, Channel.SMS, Channel.SMS),
        ({"TypeId": " 24 "}, Channel.ZALO, Channel.ZALO),
        ({"TypeId": "23"}, Channel.VIBER, None),
        ({"leg": "zalo"}, Channel.ZALO, Channel.ZALO),
        ({"leg": "sms", "TypeId": "25"}, Channel.ZALO, Channel.SMS),
        ({"leg": "other", "TypeId": "2"}, Channel.SMS, Channel.SMS),
    ],
)
def test_channel_and_leg(
    parser: EsmsProvider, extra: dict[str, str], channel: Channel, leg: Channel | None
) -> None:
    """The channel from TypeId (else the marker, else SMS); the leg from the marker, else TypeId.

    A marker naming one leg and a TypeId another: each says its own (the HA side can tell).
    """
    parsed = parser.parse_report(
        InboundRequest("GET", query={"SMSID": "a", "SendStatus": "7", **extra})
    )
    assert (parsed.channel, parsed.leg) == (channel, leg)


@pytest.mark.parametrize(
    ("extra", "request_id"),
    [
        ({}, None),
        ({"RequestId": ""}, None),
        ({"ref": "r-z"}, "r-z"),
        ({"RequestId": "", "ref": "r-z"}, "r-z"),
        ({"RequestId": "given", "ref": "r-z"}, "given"),
    ],
)
def test_request_id_from_the_marker(
    parser: EsmsProvider, extra: dict[str, str], request_id: str | None
) -> None:
    """eSMS's RequestId when it gives one, else our marker's ref."""
    parsed = parser.parse_report(
        InboundRequest("GET", query={"SMSID": "a", "SendStatus": "2", **extra})
    )
    assert parsed.request_id == request_id


def test_no_price_no_currency(parser: EsmsProvider) -> None:
    """The currency comes with a price only."""
    parsed = parser.parse_report(InboundRequest("GET", query={"SMSID": "a", "SendStatus": "7"}))
    assert (parsed.price, parsed.currency) == (None, None)
    priced = parser.parse_report(
        InboundRequest("GET", query={"SMSID": "a", "SendStatus": "7", "TotalPrice": "cheap"})
    )
    assert (priced.price, priced.currency) == (None, None)


@settings(max_examples=200, deadline=None)
@given(
    query=st.dictionaries(
        st.sampled_from(
            ["SMSID", "SendStatus", "SendSuccess", "TypeId", "leg", "ref", "RequestId"]
        ),
        st.text(alphabet="?&=abcSMSID5zalo ", max_size=30),
    ),
)
def test_parser_with_markers_only_raises_malformed(query: dict[str, str]) -> None:
    """Whatever a marker holds, the parser returns a report or raises MalformedReportError."""
    provider = EsmsProvider(
        None,  # type: ignore[arg-type]
        api_key=API_KEY,
        secret_key=SECRET_KEY,
        brandname="SMSBRIDGE",
    )
    raw = urlencode(query)
    for request in (
        InboundRequest("GET", query=query),
        InboundRequest("GET", query=query_params(raw), raw_query=raw),
    ):
        try:
            parsed = provider.parse_report(request)
        except MalformedReportError:
            continue
        assert isinstance(parsed, DeliveryReport)


# --- sending through the sandbox, reports back --------------------------------------------------


@dataclasses.dataclass
class Receiver:
    """A webhook receiving eSMS's callbacks: the raw query strings, in order."""

    url: str = ""
    raw: list[str] = dataclasses.field(default_factory=list)


@pytest.fixture
async def receiver(socket_enabled: None) -> Any:
    """A webhook on 127.0.0.1 at /api/webhook/abc answering OK."""
    got = Receiver()

    async def handle(request: web.Request) -> web.Response:
        got.raw.append(request.rel_url.raw_query_string)
        return web.Response(text="OK")

    app = web.Application()
    app.router.add_get("/api/webhook/abc", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    got.url = f"http://127.0.0.1:{runner.addresses[0][1]}/api/webhook/abc"
    yield got
    await runner.cleanup()


@pytest.mark.parametrize("join", ["&", "?"])
@pytest.mark.parametrize("query", ["", "?site=home"])
async def test_fallback_reports_match_their_legs(
    sandbox: Sandbox,
    session: aiohttp.ClientSession,
    receiver: Receiver,
    parser: EsmsProvider,
    join: str,
    query: str,
) -> None:
    """Not on Zalo: the ZNS leg fails for free, the SMS leg is delivered at its price.

    Every report names one of the send's request ids (the SMS leg's comes under an SMSID the
    send never saw); the legs' prices add up to what the account was charged.
    """
    sandbox.state.esms.callback_join = join
    account = sandbox.state.first_account("esms")
    before = account.balance
    client = make_client(sandbox.url, session)
    result = await client.send(zalo_sms("+84901234566", callback_url=receiver.url + query))
    await sandbox.idle()

    reports = [parse_raw(parser, raw) for raw in receiver.raw]
    assert [(r.leg, r.status) for r in reports] == [
        (Channel.ZALO, DeliveryStatus.FAILED),
        (Channel.SMS, DeliveryStatus.SENT),
        (Channel.SMS, DeliveryStatus.DELIVERED),
    ]
    assert [r.request_id for r in reports] == [result.request_ids[0], *[result.request_ids[1]] * 2]
    assert reports[0].message_id == result.message_id
    assert reports[0].reason is FailureReason.ZALO_INACTIVE
    assert reports[0].error == INACTIVE
    assert reports[2].message_id != result.message_id
    assert [r.channel for r in reports] == [Channel.ZALO, Channel.SMS, Channel.SMS]
    assert {r.currency for r in reports} == {"VND"}
    assert reports[0].price + reports[2].price == before - account.balance == Decimal(800)


async def test_zalo_delivered_reports_once(
    sandbox: Sandbox, session: aiohttp.ClientSession, receiver: Receiver, parser: EsmsProvider
) -> None:
    """Zalo delivered: one report, on the ZNS leg, at the ZNS's price; no SMS."""
    client = make_client(sandbox.url, session)
    result = await client.send(zalo_sms(callback_url=receiver.url))
    await sandbox.idle()
    [report] = [parse_raw(parser, raw) for raw in receiver.raw]
    assert (report.leg, report.status, report.price) == (
        Channel.ZALO,
        DeliveryStatus.DELIVERED,
        Decimal(300),
    )
    assert report.request_id == result.request_ids[0]
    assert report.answer == "Success"


@pytest.mark.parametrize(
    ("phone", "status", "reason", "price"),
    [
        ("+84901234567", DeliveryStatus.DELIVERED, None, "300.0000"),
        ("+84901234566", DeliveryStatus.FAILED, FailureReason.ZALO_INACTIVE, "0.0000"),
        ("+84901234564", DeliveryStatus.FAILED, FailureReason.UNREACHABLE, "0.0000"),
        ("+84901234565", DeliveryStatus.PENDING, None, "0.0000"),
    ],
)
async def test_zns_alone_reports(
    sandbox: Sandbox,
    session: aiohttp.ClientSession,
    receiver: Receiver,
    parser: EsmsProvider,
    *,
    phone: str,
    status: DeliveryStatus,
    reason: FailureReason | None,
    price: str,
) -> None:
    """A ZNS alone: one report, matched by its SMSID; its callback URL untouched."""
    result = await make_client(sandbox.url, session).send(zalo(phone, callback_url=receiver.url))
    await sandbox.idle()
    [raw] = receiver.raw
    assert raw.startswith("SMSID=")
    report = parse_raw(parser, raw)
    assert (report.message_id, report.status, report.reason) == (result.message_id, status, reason)
    assert (report.channel, report.leg, report.price) == (
        Channel.ZALO,
        Channel.ZALO,
        Decimal(price),
    )
    assert report.phone == phone
    assert report.final is (status is not DeliveryStatus.PENDING)


async def test_otp_template_end_to_end(
    sandbox: Sandbox, session: aiohttp.ClientSession, receiver: Receiver, parser: EsmsProvider
) -> None:
    """A template found by lookup, filled by its own rules, sent, and reported under TypeId 24."""
    client = make_client(sandbox.url, session)
    [account] = await client.zalo_accounts()
    templates = {t.template_id: t for t in await client.zalo_templates(account.oa_id)}
    content = templates["2056446"].content(account.oa_id, {"otp": "654321"})
    message = OutgoingMessage("+84901234567", "", channel=Channel.ZALO, zalo=content)
    await client.send(dataclasses.replace(message, callback_url=receiver.url))
    await sandbox.idle()
    assert dict(parse_qsl(receiver.raw[0]))["TypeId"] == "24"
    assert parse_raw(parser, receiver.raw[0]).channel is Channel.ZALO


async def test_sandbox_flag_on_zalo(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """eSMS's Sandbox flag on each leg: accepted, not charged, no report."""
    client = make_client(sandbox.url, session, sandbox=True)
    account = sandbox.state.first_account("esms")
    before = account.balance
    await client.send(zalo_sms("+84901234566", callback_url="http://127.0.0.1:9/none"))
    await client.send(zalo(callback_url="http://127.0.0.1:9/none"))
    await sandbox.idle()
    assert account.balance == before
    assert sandbox.state.deliveries == []


# --- result codes -------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", [Channel.ZALO, Channel.ZALO_SMS])
@pytest.mark.parametrize(
    ("code", "error"),
    [
        (101, AuthenticationError),
        (140, IpNotAllowedError),
        (99, InvalidRecipientError),
        (108, InvalidRecipientError),
        (124, MaybeSentError),
        (801, MaybeSentError),
        (789, RefusedError),
        (790, RefusedError),
        (791, RefusedError),
        (204, RefusedError),
        (799, RefusedError),
        (802, RefusedError),
        (102, RefusedError),
        (103, RefusedError),
        (104, RefusedError),
        (110, RefusedError),
        (146, RefusedError),
        (177, RefusedError),
        (143, RefusedError),
        (555, MaybeSentError),
        (160, MaybeSentError),
    ],
)
async def test_zalo_send_codes(
    sandbox: Sandbox,
    session: aiohttp.ClientSession,
    channel: Channel,
    code: int,
    error: type[ProviderError],
) -> None:
    """Each code's class; only a code the documents give as a refusal is one (never twice)."""
    sandbox.state.faults.append(Fault("refuse", "esms", code))
    message = zalo() if channel is Channel.ZALO else zalo_sms()
    with pytest.raises(error) as caught:
        await make_client(sandbox.url, session).send(message)
    assert type(caught.value) is error
    assert caught.value.code == str(code)
    assert caught.value.reason == CODE_REASONS.get(str(code), UNKNOWN_ZALO_CODE)
    assert caught.value.maybe_sent is (error is MaybeSentError)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("789", "template"),
        ("790", "template"),
        ("791", "OAID"),
        ("204", "Official Account"),
        ("799", "Official Account"),
    ],
)
def test_template_and_oa_reasons_are_clear(code: str, words: str) -> None:
    """The refusals a user can act on say what is wrong, in English."""
    assert words in CODE_REASONS[code]
    assert CODE_REASONS[code].startswith(("eSMS refused", "eSMS does not know"))


async def test_sms_keeps_its_own_rule(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """A plain SMS's unknown code stays a refusal, as before (its code list is the old one)."""
    sandbox.state.faults.append(Fault("refuse", "esms", 555))
    with pytest.raises(RefusedError) as caught:
        await make_client(sandbox.url, session).send(OutgoingMessage("+84901234567", "x"))
    assert type(caught.value) is RefusedError


async def test_sandbox_refusals_reach_the_client(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """The sandbox's own checks: unknown template 789, a value too long 790, OA unknown 204."""
    client = make_client(sandbox.url, session)
    cases = [
        (dataclasses.replace(ORDER, template_id="1"), "789"),
        (
            dataclasses.replace(ORDER, params=(("customer_name", "x" * 31), *ORDER.params[1:])),
            "790",
        ),
        (dataclasses.replace(ORDER, oa_id="42"), "204"),
    ]
    for content, code in cases:
        for channel in (Channel.ZALO, Channel.ZALO_SMS):
            message = OutgoingMessage("+84901234567", "x", channel=channel, zalo=content)
            with pytest.raises(RefusedError) as caught:
                await client.send(message)
            assert caught.value.code == code
    assert sandbox.state.messages == {}


async def test_replayed_zalo_sms_is_maybe_sent(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """The same multichannel message again: its leg ids are taken (124), it may have gone out."""
    client = make_client(sandbox.url, session)
    message = zalo_sms()
    await client.send(message)
    with pytest.raises(MaybeSentError) as caught:
        await client.send(message)
    assert caught.value.code == "124"
    assert len(sandbox.state.messages) == 1


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"not json", UnexpectedResponseError),
        (b'{"CodeResult":"100"}', UnexpectedResponseError),
        (b'{"SMSID":"x"}', UnexpectedResponseError),
        (b'{"CodeResult":"789","ErrorMessage":"TemplateId is not config"}', RefusedError),
        (b'{"CodeResult":"9999"}', MaybeSentError),
    ],
)
@pytest.mark.parametrize("channel", [Channel.ZALO, Channel.ZALO_SMS])
async def test_ambiguous_answers_may_have_sent(
    server: Server,
    session: aiohttp.ClientSession,
    channel: Channel,
    body: bytes,
    error: type[ProviderError],
) -> None:
    """An answer that does not say the message was refused leaves it "maybe sent"."""
    server.default = (200, body)
    message = zalo() if channel is Channel.ZALO else zalo_sms()
    with pytest.raises(error) as caught:
        await make_client(server.url, session).send(message)
    assert caught.value.maybe_sent is (error is not RefusedError)


@pytest.mark.parametrize("point", ["disconnect", "after_headers", "mid_body"])
@pytest.mark.parametrize("path", ["MultiChannelMessage", "SendZaloMessage_V6"])
async def test_lost_answer_sends_once(
    sandbox: Sandbox, session: aiohttp.ClientSession, point: str, path: str
) -> None:
    """eSMS took it and the answer was lost: one request on a fresh connection, maybe sent."""
    client = make_client(sandbox.url, session)
    await warm_pool(client, sandbox)
    sandbox.state.faults.append(Fault("answer_lost", "esms", point, path=path))
    message = zalo_sms("+84901234566") if path == "MultiChannelMessage" else zalo()
    with pytest.raises(TransientError) as caught:
        await client.send(message)
    assert caught.value.maybe_sent
    sends = [a for a in sandbox.state.arrivals if path in a.path]
    assert len(sends) == 1
    assert sends[0].fresh
    assert (
        sum(1 for m in sandbox.state.messages.values() if m.details.get("channel") == "zalo") == 1
    )


# --- estimates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "price"),
    [
        (OutgoingMessage("+84901234567", "Hello"), Decimal(800)),
        (OutgoingMessage("+84901234567", "x" * 161), Decimal(1600)),
        (OutgoingMessage("+84901234567", "Đ" * 71, unicode=True), Decimal(1600)),
        (zalo(), Decimal(300)),
        (zalo_sms(), Decimal(800)),  # the dearer leg: the SMS
        (zalo_sms(text="Đ" * 71, unicode=True), Decimal(1600)),
    ],
)
async def test_estimates(
    sandbox: Sandbox, session: aiohttp.ClientSession, message: OutgoingMessage, price: Decimal
) -> None:
    """eSMS's own estimate; for Zalo-then-SMS the worst case, the dearer of the two legs."""
    assert await make_client(sandbox.url, session).estimate(message) == price
    assert sandbox.state.messages == {}


async def test_zalo_sms_estimate_when_zalo_is_dearer(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """A ZNS dearer than the SMS is the worst case."""
    sandbox.state.first_account("esms").zalo_oas[OA].templates["200607"].price = 900
    assert await make_client(sandbox.url, session).estimate(zalo_sms()) == Decimal(900)


@pytest.mark.parametrize(
    ("message", "options"),
    [
        (OutgoingMessage("+84901234567", "x"), {"brandname": "NOPE"}),
        (OutgoingMessage("+84901234563", "x"), {}),
        (zalo(phone="+8490"), {}),
        (
            OutgoingMessage(
                "+84901234567", "x", channel=Channel.ZALO, zalo=OTP.__class__(OA, "1", ())
            ),
            {},
        ),
        (zalo_sms(), {"brandname": "NOPE"}),
        (OutgoingMessage("+84901234567", "x", channel=Channel.ZALO), {}),
        (OutgoingMessage("+84901234567", "x", channel=Channel.VIBER), {}),
    ],
    ids=["brandname", "refused_number", "bad_phone", "template", "sms_leg", "no_content", "viber"],
)
async def test_estimate_none_when_esms_cannot_say(
    sandbox: Sandbox,
    session: aiohttp.ClientSession,
    message: OutgoingMessage,
    options: dict[str, Any],
) -> None:
    """A refusal is no estimate, never an error."""
    assert await make_client(sandbox.url, session, **options).estimate(message) is None


@pytest.mark.parametrize("message", [OutgoingMessage("+84901234567", "x"), zalo(), zalo_sms()])
async def test_estimate_with_wrong_keys(
    sandbox: Sandbox, session: aiohttp.ClientSession, message: OutgoingMessage
) -> None:
    """Wrong keys are the one refusal an estimate raises."""
    with pytest.raises(AuthenticationError):
        await make_client(sandbox.url, session, secret_key="wrong").estimate(message)


async def test_estimate_wire(server: Server, session: aiohttp.ClientSession) -> None:
    """SMS: GET with every field in the query; ZNS: POST JSON with the values by position."""
    server.answers = [
        (200, b'{"CodeResult":"100","ErrorMessage":"success","TotalPrice":660.0000}'),
        (200, b'{"CodeResult":"100","TotalPrice":"850"}'),
    ]
    client = make_client(server.url, session, sms_type=1)
    assert await client.estimate(zalo_sms(sender="Baotrixemay", unicode=True)) == Decimal(850)
    zns, sms = server.requests
    assert (zns.method, zns.path) == (
        "POST",
        "/MainService.svc/json/SummaryZaloMessage_V4_post_json/",
    )
    assert json.loads(zns.body) == {
        "ApiKey": API_KEY,
        "SecretKey": SECRET_KEY,
        "Phone": "0901234567",
        "OAID": OA,
        "TempID": "200607",
        "Params": ["Lan", "HD00001", "24/04/2024"],
    }
    assert (sms.method, sms.path) == ("GET", "/MainService.svc/json/SummaryMultipleMessage_V4_get")
    assert sms.query == {
        "Phone": "0901234567",
        "Content": "Don HD00001",
        "ApiKey": API_KEY,
        "SecretKey": SECRET_KEY,
        "SmsType": "2",
        "BrandName": "Baotrixemay",
        "IsUnicode": "1",
    }
    assert sms.body == b""


async def test_sms_estimate_takes_the_accounts_type(
    server: Server, session: aiohttp.ClientSession
) -> None:
    """A plain SMS is estimated with the account's own SmsType (it is sent with it)."""
    server.default = (200, b'{"CodeResult":"100","TotalPrice":"470"}')
    await make_client(server.url, session, sms_type=1).estimate(
        OutgoingMessage("+84901234567", "x")
    )
    assert server.requests[0].query["SmsType"] == "1"


@pytest.mark.parametrize(
    ("body", "price"),
    [
        (b'{"CodeResult":"100","TotalPrice":"660.0000"}', Decimal("660.0000")),
        (b'{"CodeResult":100,"totalprice":850}', Decimal(850)),
        (b'{"CodeResult":"100","TotalPrice":0}', Decimal(0)),
        (b'{"CodeResult":"100","TotalPrice":-1}', None),
        (b'{"CodeResult":"100","TotalPrice":"NaN"}', None),
        (b'{"CodeResult":"100","TotalPrice":true}', None),
        (b'{"CodeResult":"100"}', None),
        (b'{"CodeResult":"104","TotalPrice":850}', None),
        (b'{"TotalPrice":850}', None),
        (b"<html>", None),
        (b"[850]", None),
    ],
)
async def test_estimate_answers(
    server: Server, session: aiohttp.ClientSession, body: bytes, price: Decimal | None
) -> None:
    """A price eSMS states with 100, else no estimate."""
    server.default = (200, body)
    assert await make_client(server.url, session).estimate(zalo()) == price


SECRET_API = "APIKEY-Zq81x"
SECRET_SECRET = "SECRET-Pw77k"


@pytest.mark.parametrize(
    "fault",
    [Fault("status", "esms", 503), Fault("timeout", "esms", 5), Fault("disconnect", "esms")],
    ids=["503", "timeout", "disconnect"],
)
async def test_estimate_out_of_reach_never_shows_the_keys(
    sandbox: Sandbox, session: aiohttp.ClientSession, fault: Fault
) -> None:
    """The SMS estimate's GET carries the keys in its URL: no error ever shows it.

    It sends nothing, so a dropped connection is asked again (aiohttp and the client each ask
    once more): the fault holds for every request.
    """
    sandbox.state.faults.append(dataclasses.replace(fault, count=-1))
    sandbox.state.first_account("esms").secrets.update(ApiKey=SECRET_API, SecretKey=SECRET_SECRET)
    client = make_client(
        sandbox.url, session, api_key=SECRET_API, secret_key=SECRET_SECRET, timeout=0.3
    )
    with pytest.raises(TransientError) as caught:
        await client.estimate(OutgoingMessage("+84901234567", "x"))
    text = f"{caught.value} {caught.value.reason} {caught.value.code} {caught.value!r}"
    assert SECRET_API not in text
    assert SECRET_SECRET not in text
    assert "://" not in text
    assert not caught.value.maybe_sent


# --- lookups ------------------------------------------------------------------------------------


async def test_lookups_against_the_sandbox(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """The OA, then its templates of both ZNS types, each variable in order with its rules."""
    client = make_client(sandbox.url, session)
    assert await client.zalo_accounts() == [ZaloAccount(OA, "SMS Bridge Demo")]
    templates = {t.template_id: t for t in await client.zalo_templates(OA)}
    assert templates == {
        "2056446": ZaloTemplate(
            "2056446", "Verification code", (ZaloParam("otp", 1, 6, "type_number"),)
        ),
        "200607": ZaloTemplate(
            "200607",
            "Order confirmation",
            (
                ZaloParam("customer_name", 1, 30, "type_text"),
                ZaloParam("order_code", 2, 20, "type_text"),
                ZaloParam("order_date", 3, 10, "type_date"),
            ),
        ),
    }
    asked = [p for _, method, p in sandbox.state.requests if p.endswith("GetTemplate/")]
    assert len(asked) == 2


@pytest.mark.parametrize(
    ("oa_id", "options", "error", "code"),
    [
        ("42", {}, RefusedError, "204"),
        (OA, {"api_key": "wrong"}, AuthenticationError, "101"),
    ],
)
async def test_lookup_refusals(
    sandbox: Sandbox,
    session: aiohttp.ClientSession,
    *,
    oa_id: str,
    options: dict[str, Any],
    error: type[ProviderError],
    code: str,
) -> None:
    """An OA eSMS does not know is refused; wrong keys are wrong keys."""
    client = make_client(sandbox.url, session, **options)
    with pytest.raises(error) as caught:
        await client.zalo_templates(oa_id)
    assert caught.value.code == code
    if options:
        with pytest.raises(AuthenticationError):
            await client.zalo_accounts()


async def test_lookup_wire(server: Server, session: aiohttp.ClientSession) -> None:
    """GetListZOA with the keys; GetTemplate with OAId (that spelling) for SmsType 24 and 25."""
    server.default = (200, b'{"CodeResult":"100","ZOAList":[],"ZNSTemplates":[]}')
    client = make_client(server.url, session)
    assert await client.zalo_accounts() == []
    assert await client.zalo_templates("77") == []
    oas, t24, t25 = server.requests
    assert oas.path == "/MainService.svc/json/ZNS/GetListZOA/"
    assert json.loads(oas.body) == {"ApiKey": API_KEY, "SecretKey": SECRET_KEY}
    assert {t24.path, t25.path} == {"/MainService.svc/json/GetTemplate/"}
    assert [json.loads(t.body) for t in (t24, t25)] == [
        {"ApiKey": API_KEY, "SecretKey": SECRET_KEY, "OAId": "77", "SmsType": "24"},
        {"ApiKey": API_KEY, "SecretKey": SECRET_KEY, "OAId": "77", "SmsType": "25"},
    ]


async def test_templates_as_esms_may_write_them(
    server: Server, session: aiohttp.ClientSession
) -> None:
    """TempId a number or a string, details out of order, names twice, levels or limits missing.

    Status, Require and AcceptNull are read where eSMS gives them; a template in both types once.
    """
    t24 = {
        "CodeResult": "100",
        "ZNSTemplates": [
            {
                "TempId": 200607,
                "TempName": "Order",
                "Status": "ENABLE",
                "ZNSTempDetail": [
                    {"Param": "b", "ParamLevel": 2, "Limit": 10, "RequireType": "type_number"},
                    {"Param": "a", "ParamLevel": "1", "Limit": "30", "RequireType": "type_text"},
                    {"Param": "a", "ParamLevel": 3, "Limit": 5},
                    {"Param": "c", "Limit": 0, "AcceptNull": True},
                    {"Param": "d", "ParamLevel": 9, "Require": "false"},
                    {"ParamLevel": 10},
                ],
            },
            {"TempId": None, "TempName": "nothing"},
            "junk",
        ],
    }
    t25 = {
        "CodeResult": 100,
        "znstemplates": [
            {"tempid": "200607", "tempname": "Order again"},
            {"tempid": 5.0, "ZNSTempDetail": None, "Status": "PENDING_REVIEW"},
        ],
    }
    server.answers = [(200, json.dumps(t24).encode()), (200, json.dumps(t25).encode())]
    templates = await make_client(server.url, session).zalo_templates("77")
    assert templates == [
        ZaloTemplate(
            "200607",
            "Order",
            (
                ZaloParam("a", 1, 30, "type_text"),
                ZaloParam("b", 2, 10, "type_number"),
                ZaloParam("c", 4, None, "type_text", required=False),
                ZaloParam("d", 9, None, "type_text", required=False),
            ),
            "ENABLE",
        ),
        ZaloTemplate("5", "5", (), "PENDING_REVIEW"),
    ]


async def test_one_type_refused_the_other_listed(
    server: Server, session: aiohttp.ClientSession
) -> None:
    """A type eSMS refuses adds nothing; the other's templates come back."""
    server.answers = [
        (200, b'{"CodeResult":"118"}'),
        (200, b'{"CodeResult":"100","ZNSTemplates":[{"TempId":"1","TempName":"One"}]}'),
    ]
    assert await make_client(server.url, session).zalo_templates("77") == [
        ZaloTemplate("1", "One", ())
    ]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b'{"CodeResult":"100","ZOAList":"x"}', UnexpectedResponseError),
        (b'{"ZOAList":[]}', UnexpectedResponseError),
        (b"<html>", UnexpectedResponseError),
        (b'{"CodeResult":"140"}', IpNotAllowedError),
    ],
)
async def test_account_lookup_errors(
    server: Server, session: aiohttp.ClientSession, body: bytes, error: type[ProviderError]
) -> None:
    """An unreadable list or answer, and the IP refusal."""
    server.default = (200, body)
    with pytest.raises(error):
        await make_client(server.url, session).zalo_accounts()


async def test_accounts_as_esms_may_write_them(
    server: Server, session: aiohttp.ClientSession
) -> None:
    """A numeric OAID, a missing name (the id stands in), an entry without an id skipped."""
    body = {
        "CodeResult": "100",
        "ZOAList": [
            {"OAID": 4097311281936189049, "OAName": "Shop"},
            {"OAID": "9"},
            {"OAName": "x"},
        ],
    }
    server.default = (200, json.dumps(body).encode())
    assert await make_client(server.url, session).zalo_accounts() == [
        ZaloAccount("4097311281936189049", "Shop"),
        ZaloAccount("9", "9"),
    ]
