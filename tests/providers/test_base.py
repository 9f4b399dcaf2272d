"""The shared client machinery: HTTP errors, no silent repeat of a send, no URL in errors."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from hypothesis import given, settings, strategies as st
import pytest

from custom_components.sms_bridge.providers.base import Provider
from custom_components.sms_bridge.providers.errors import (
    BadSecretError,
    MalformedReportError,
    ProviderError,
    ReplyKind,
    TransientError,
)
from custom_components.sms_bridge.providers.models import (
    Balance,
    DailyTotals,
    DeliveryReport,
    DeliveryStatus,
    InboundRequest,
    OutgoingMessage,
    SendResult,
    WebhookReply,
)
from custom_components.sms_bridge.providers.parsing import (
    as_int,
    lower_keys,
    query_params,
    secrets_equal,
)
from sandbox import Fault, Sandbox

SECRET = "pw-7f3a9c"


class Probe(Provider):
    """A minimal client that sends with GET to a path of the sandbox."""

    name = "probe"
    region = "VN"

    @classmethod
    def account_id(cls, config: Mapping[str, Any]) -> str:
        """Not needed here."""
        raise NotImplementedError

    @classmethod
    def account_name(cls, config: Mapping[str, Any]) -> str:
        """Not needed here."""
        raise NotImplementedError

    async def send(self, message: OutgoingMessage) -> SendResult:
        """GET the probe path as a send."""
        await self._request(
            "GET", self._url("http://unused", f"/smspay/send?pass={SECRET}"), sending=True
        )
        return SendResult(self.name, "1", message.phone, 1)

    async def check_credentials(self) -> None:
        """GET the probe path as a plain call."""
        await self._request("GET", self._url("http://unused", f"/smspay/check?pass={SECRET}"))

    def parse_report(self, request: InboundRequest) -> DeliveryReport:
        """Not used here."""
        raise MalformedReportError

    def reply(self, kind: ReplyKind) -> WebhookReply:
        """Not used here."""
        return WebhookReply(200, kind.value)


def _probe(session: aiohttp.ClientSession, sandbox: Sandbox, timeout: float = 5) -> Probe:
    return Probe(session, base_url=sandbox.url + "/", timeout=timeout)


async def test_dropped_send_is_not_repeated(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """A send whose connection drops reaches the gateway once and is reported as maybe sent.

    Only the first request is dropped: a repeat by the HTTP library would be answered.
    """
    sandbox.state.faults.append(Fault("disconnect", "smspay", count=1))
    with pytest.raises(TransientError) as caught:
        await _probe(session, sandbox).send(OutgoingMessage("+84901234567", "hi"))
    assert caught.value.maybe_sent
    assert [r for r in sandbox.state.requests if r[2] == "/smspay/send"] == [
        ("smspay", "GET", "/smspay/send")
    ]


async def test_dropped_plain_call_is_retried_by_aiohttp(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """A call that sends nothing keeps aiohttp's one silent repeat (harmless there)."""
    sandbox.state.faults.append(Fault("disconnect", "smspay", count=1))
    await _probe(session, sandbox).check_credentials()
    assert len([r for r in sandbox.state.requests if r[2] == "/smspay/check"]) == 2


@pytest.mark.parametrize(
    ("fault", "maybe_sent", "code"),
    [
        (Fault("status", "smspay", 503), True, "HTTP 503"),
        (Fault("timeout", "smspay", 5), True, None),
    ],
)
async def test_send_errors(
    sandbox: Sandbox,
    session: aiohttp.ClientSession,
    fault: Fault,
    maybe_sent: bool,
    code: str | None,
) -> None:
    """A 5xx or a timeout: it may have been sent. No URL or secret in the text.

    A proxy can answer 502 after the gateway took the message.
    """
    sandbox.state.faults.append(fault)
    with pytest.raises(TransientError) as caught:
        await _probe(session, sandbox, timeout=0.3).send(OutgoingMessage("+84901234567", "hi"))
    assert caught.value.maybe_sent is maybe_sent
    assert caught.value.code == code
    assert SECRET not in str(caught.value)
    assert "http" not in str(caught.value)
    assert caught.value.__cause__ is None


async def test_cannot_connect(socket_enabled: None, session: aiohttp.ClientSession) -> None:
    """No listener: a transient error that surely sent nothing."""
    probe = Probe(session, base_url="http://127.0.0.1:9")
    with pytest.raises(TransientError) as caught:
        await probe.send(OutgoingMessage("+84901234567", "hi"))
    assert not caught.value.maybe_sent
    assert str(caught.value) == "probe: cannot connect"


async def test_other_client_error(session: aiohttp.ClientSession) -> None:
    """Any other aiohttp error becomes a transient error naming only its type."""
    probe = Probe(session, base_url="http://[bad")
    with pytest.raises(TransientError, match="HTTP error"):
        await probe.check_credentials()


async def test_optional_calls_say_unsupported(session: aiohttp.ClientSession) -> None:
    """Balance and totals are only for gateways that have them."""
    probe = Probe(session)
    assert not probe.has_balance
    with pytest.raises(NotImplementedError):
        await probe.balance()
    with pytest.raises(NotImplementedError):
        await probe.daily_totals()


def test_types_and_helpers() -> None:
    """Final statuses, totals, header lookup, comparisons and field parsing."""
    assert DeliveryStatus.DELIVERED.final
    assert DeliveryStatus.FAILED.final
    assert not DeliveryStatus.PENDING.final
    assert not DeliveryStatus.SENT.final
    report = DeliveryReport("fibo", "1", DeliveryStatus.SENT, "1")
    assert not report.final
    assert DeliveryReport("esms", "1", DeliveryStatus.SENT, "5", finished=True).final
    assert DeliveryReport("esms", "1", DeliveryStatus.FAILED, "4").final
    assert DailyTotals(delivered=5, failed=2, pending=1).sent == 8
    assert Balance(Decimal(3)).unit is None
    request = InboundRequest("POST", headers={"Authorization": "Basic k"})
    assert request.header("authorization") == "Basic k"
    assert request.header("x-missing") is None
    assert secrets_equal("abc", "abc")
    assert not secrets_equal("abd", "abc")
    assert not secrets_equal(None, "abc")
    assert as_int(" 7 ") == 7
    assert as_int("x") is None
    assert as_int(None) is None
    assert lower_keys({"SMSID": 1}) == {"smsid": 1}
    assert BadSecretError.kind is ReplyKind.BAD_SECRET
    assert MalformedReportError.kind is ReplyKind.MALFORMED
    assert str(ProviderError("Refused", code="5")) == "Refused (code 5)"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab=&+%2Fz\u00e9\u0110 ;"), max_size=40))
def test_query_params_reads_as_parse_qsl(raw_query: str) -> None:
    """The direct split for a query with nothing to decode gives what parse_qsl would."""
    expected = dict(parse_qsl(raw_query, keep_blank_values=True, errors="replace"))
    assert query_params(raw_query) == expected


@pytest.mark.parametrize(
    ("raw_query", "expected"),
    [
        (
            "SMSID=a-1&SendStatus=5&&TotalPrice=",
            {"SMSID": "a-1", "SendStatus": "5", "TotalPrice": ""},
        ),
        ("answer=Abs+ok&x=%C4%90", {"answer": "Abs ok", "x": "\u0110"}),
        ("a=1&a=2&flag", {"a": "2", "flag": ""}),
        ("bad=%FF", {"bad": "\ufffd"}),
    ],
)
def test_query_params_samples(raw_query: str, expected: dict[str, str]) -> None:
    """Blank values kept, the last of a repeated name, `+` and escapes decoded, bad bytes marked."""
    assert query_params(raw_query) == expected
