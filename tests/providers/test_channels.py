"""The channel types every gateway shares: channels, Zalo templates and content, the defaults."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from custom_components.sms_bridge.providers import PROVIDER_CLASSES, create_provider
from custom_components.sms_bridge.providers.channels import (
    Channel,
    ZaloContent,
    ZaloParam,
    ZaloParamError,
    ZaloTemplate,
)
from custom_components.sms_bridge.providers.errors import RefusedError
from custom_components.sms_bridge.providers.models import (
    DeliveryReport,
    DeliveryStatus,
    OutgoingMessage,
    SendResult,
)
from sandbox import Sandbox

from .test_base import Probe

ORDER = ZaloTemplate(
    "200607",
    "Order confirmation",
    (
        ZaloParam("customer_name", 1, 30, "type_text"),
        ZaloParam("order_code", 2, 20, "type_text"),
        ZaloParam("order_date", 3, 10, "type_date"),
        ZaloParam("note", 4, None, "type_text", required=False),
        ZaloParam("amount", 5, 12, "type_number", required=False),
    ),
    "ENABLE",
)


def test_channel_values() -> None:
    """The values the HA side and the wire use."""
    assert [c.value for c in Channel] == ["sms", "zalo", "zalo_sms", "viber"]


def test_defaults_are_sms() -> None:
    """A message, a result and a report are SMS unless said otherwise."""
    message = OutgoingMessage("+84901234567", "x")
    assert (message.channel, message.zalo) == (Channel.SMS, None)
    result = SendResult("esms", "id", "+84901234567", 1, request_id="r")
    assert (result.channel, result.request_ids) == (Channel.SMS, ("r",))
    assert SendResult("fibo", "id", "+84901234567", 1).request_ids == ()
    both = SendResult("esms", "id", "+84", 1, request_id="r", request_ids=("r-z", "r-s"))
    assert both.request_ids == ("r-z", "r-s")
    report = DeliveryReport("esms", "id", DeliveryStatus.SENT, "7")
    assert (report.channel, report.leg, report.currency) == (Channel.SMS, None, None)


def test_template_content_orders_and_fills() -> None:
    """Values in the template's order whatever the mapping's; an absent optional one is empty."""
    values = {"order_date": "24/04/2024", "customer_name": " Lan ", "order_code": "HD1"}
    content = ORDER.content("oa", values)
    assert content == ZaloContent(
        "oa",
        "200607",
        (
            ("customer_name", "Lan"),
            ("order_code", "HD1"),
            ("order_date", "24/04/2024"),
            ("note", ""),
            ("amount", ""),
        ),
    )
    assert content.values == ["Lan", "HD1", "24/04/2024", "", ""]


@pytest.mark.parametrize(
    ("change", "param", "problem"),
    [
        ({"extra": "x"}, "extra", "unknown"),
        ({"customer_name": None}, "customer_name", "missing"),
        ({"customer_name": "  "}, "customer_name", "missing"),
        ({"order_code": "x" * 21}, "order_code", "too_long"),
        ({"order_date": "2024-04-24"}, "order_date", "not_a_date"),
        ({"order_date": "31/13/2024"}, "order_date", "not_a_date"),
        ({"amount": "12a"}, "amount", "not_a_number"),
        ({"amount": "1" * 13}, "amount", "too_long"),
    ],
)
def test_template_content_refuses(change: dict[str, Any], param: str, problem: str) -> None:
    """Each problem names its variable; ZaloParamError is a ValueError."""
    values: dict[str, Any] = {
        "customer_name": "Lan",
        "order_code": "HD1",
        "order_date": "01/02/2024",
    }
    values.update(change)
    values = {k: v for k, v in values.items() if v is not None}
    with pytest.raises(ZaloParamError) as caught:
        ORDER.content("oa", values)
    assert (caught.value.param, caught.value.problem) == (param, problem)
    assert isinstance(caught.value, ValueError)
    assert param in str(caught.value)


def test_number_longer_than_twelve_digits_without_limit() -> None:
    """type_number is at most 12 digits even when the template gives no Limit."""
    template = ZaloTemplate("1", "n", (ZaloParam("n", 1, None, "type_number"),))
    assert template.content("oa", {"n": "1" * 12}).values == ["1" * 12]
    with pytest.raises(ZaloParamError, match="not a number"):
        template.content("oa", {"n": "1" * 13})


@pytest.mark.parametrize(
    ("oa_id", "template_id", "params"),
    [
        ("", "1", ()),
        ("oa", " ", ()),
        ("oa", "1", (("a", "1"), ("a", "2"))),
    ],
)
def test_content_refuses_what_no_gateway_could_send(
    oa_id: str, template_id: str, params: tuple[tuple[str, str], ...]
) -> None:
    """No OA, no template, a variable twice: a programming error, refused at once."""
    with pytest.raises(ValueError, match="Zalo"):
        ZaloContent(oa_id, template_id, params)


async def test_provider_defaults() -> None:
    """A gateway sends SMS only, estimates nothing and lists no Zalo accounts unless it says."""
    probe = Probe(None)  # type: ignore[arg-type]
    assert Probe.channels == frozenset({Channel.SMS})
    assert Probe.has_estimate is False
    assert await probe.estimate(OutgoingMessage("+84901234567", "x")) is None
    with pytest.raises(NotImplementedError):
        await probe.zalo_accounts()
    with pytest.raises(NotImplementedError):
        await probe.zalo_templates("oa")


def test_only_esms_sends_zalo() -> None:
    """eSMS declares the three channels a send can ask for, and estimates; the others SMS."""
    for name, cls in PROVIDER_CLASSES.items():
        if name == "esms":
            assert cls.channels == {Channel.SMS, Channel.ZALO, Channel.ZALO_SMS}
            assert cls.has_estimate
        else:
            assert cls.channels == {Channel.SMS}
            assert not cls.has_estimate


@pytest.mark.parametrize("gateway", ["fibo", "fpt", "smspay"])
@pytest.mark.parametrize("channel", [Channel.ZALO, Channel.ZALO_SMS, Channel.VIBER])
async def test_sms_gateways_refuse_other_channels(
    sandbox: Sandbox, session: aiohttp.ClientSession, gateway: str, channel: Channel
) -> None:
    """A Zalo message given to an SMS-only gateway is refused before anything goes out.

    Its text is empty: sent as an SMS, it would be an empty one.
    """
    config: dict[str, Any] = {
        "fibo": {"client_no": "CL1609110001", "client_pass": "fibo-pass"},
        "fpt": {"client_id": "fpt-client-id", "client_secret": "fpt-client-secret"},
        "smspay": {
            "send_url": f"{sandbox.url}/smspay/send?user=smspay-user&pass=smspay-pass"
            "&phone={phone}&message={message}"
        },
    }[gateway]
    if gateway != "smspay":
        config |= {"base_url": sandbox.url, "brandname": "SMSBRIDGE", "environment": "sandbox"}
    provider = create_provider(session, gateway, config)
    zalo = ZaloContent("oa", "1", (("otp", "1"),))
    with pytest.raises(RefusedError) as caught:
        await provider.send(OutgoingMessage("+84901234567", "", channel=channel, zalo=zalo))
    assert not caught.value.maybe_sent
    assert channel.value in str(caught.value)
    assert sandbox.state.requests == []
