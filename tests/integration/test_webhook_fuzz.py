"""Fuzz: random queries, headers and bodies never get a 5xx and never fire an unearned event."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.sms_bridge.inbound.router import EVENT_DELIVERY_REPORT
from custom_components.sms_bridge.providers import create_provider
from custom_components.sms_bridge.providers.errors import ReportError
from custom_components.sms_bridge.providers.models import DeliveryReport, InboundRequest
from sandbox import Sandbox

from .conftest import PROVIDERS, account_data, make_entry
from .helpers import report_extra

type Client = TestClient  # type: ignore[type-arg]

# Each gateway's real field names, so random requests often look almost right.
FIELDS = {
    "fibo": ["MSGUID", "SMSGUID", "Status", "SecureCode", "msguid", "status"],
    "esms": [
        "SMSID",
        "SendStatus",
        "SendSuccess",
        "SendFailed",
        "TotalPrice",
        "phonenumber",
        "error_info",
        "telcoid",
    ],
    "fpt": ["smsid", "Status", "Telco", "Error", "mt_count"],
    "smspay": ["sms_id", "dlr", "answer", "site"],
}
VALUES = st.one_of(
    st.text(max_size=40),
    st.integers(-20, 300).map(str),
    st.sampled_from(
        ["", "0", "1", "2", "5", "7", "-11", "200", "%", "%%41", "%E0%A4", "null", "1e9"]
    ),
)


def requests(provider: str) -> st.SearchStrategy[dict[str, Any]]:
    """Random requests in the shape a gateway might send, and far from it."""
    names = st.one_of(st.sampled_from(FIELDS[provider]), st.text(min_size=1, max_size=12))
    query = st.dictionaries(names, VALUES, max_size=6)
    json_body = st.dictionaries(
        names,
        st.one_of(
            VALUES, st.integers(), st.none(), st.booleans(), st.lists(st.integers(), max_size=2)
        ),
    ).map(lambda d: __import__("json").dumps(d).encode())
    body = st.one_of(st.just(b""), st.binary(max_size=200), json_body)
    headers = st.dictionaries(
        st.sampled_from(["Authorization", "Content-Type", "X-Forwarded-For", "Accept"]),
        st.one_of(
            st.sampled_from(
                [
                    "Basic ",
                    "Basic x",
                    "Bearer fpt-auth-key",
                    "application/json",
                    "application/x-www-form-urlencoded",
                ]
            ),
            st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
        ),
        max_size=3,
    )
    return st.fixed_dictionaries(
        {
            "method": st.sampled_from(["GET", "POST"]),
            "query": query,
            "headers": headers,
            "body": body,
        }
    )


class _Unstarted:
    url = "http://127.0.0.1:9"


def _config(provider: str) -> dict[str, Any]:
    extra = report_extra(provider)
    return account_data(_Unstarted(), provider) | extra  # type: ignore[arg-type]


@pytest.mark.parametrize("provider", PROVIDERS)
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_parsers_fuzz(provider: str, data: st.DataObject) -> None:
    """The parsers answer anything with a report or a report error, nothing else.

    With a secret configured (Fibo's code, FPT's key, SMSPAY's extra pair) random input never
    yields a report.
    """
    parser = create_provider(None, provider, _config(provider))  # type: ignore[arg-type]
    request = data.draw(requests(provider))
    inbound = InboundRequest(
        method=request["method"],
        query=request["query"],
        headers=request["headers"],
        body=request["body"],
    )
    try:
        report = parser.parse_report(inbound)
    except ReportError:
        return
    assert isinstance(report, DeliveryReport)
    assert provider == "esms", "a report without the secret was accepted"


@pytest.fixture
async def client(
    hass: HomeAssistant, hass_client_no_auth: Callable[[], Awaitable[Client]]
) -> Client:
    """Home Assistant's web server with the webhook component ready."""
    assert await async_setup_component(hass, "http", {})
    assert await async_setup_component(hass, "webhook", {})
    assert await async_setup_component(hass, "notify", {})
    return await hass_client_no_auth()


@pytest.mark.parametrize("provider", PROVIDERS)
@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_webhook_fuzz(
    hass: HomeAssistant, sandbox: Sandbox, client: Client, provider: str, data: st.DataObject
) -> None:
    """Random requests through Home Assistant's web server to each gateway's webhook.

    Never a 5xx; an event only for a report the parser accepts (for Fibo, FPT and SMSPAY, whose
    secret random input never has, none at all). One entry serves every example.
    """
    entries = hass.config_entries.async_entries("sms_bridge")
    if not entries:
        entry = make_entry(sandbox, provider, **report_extra(provider))
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        entries = [entry]
    entry = entries[0]
    events = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    request = data.draw(requests(provider))
    async with client.request(
        request["method"],
        f"/api/webhook/{entry.data['webhook_id']}",
        params=request["query"],
        headers=request["headers"],
        data=request["body"],
    ) as response:
        await response.read()
        assert response.status < 500
    await hass.async_block_till_done()
    inbound = InboundRequest(
        method=request["method"],
        query=request["query"],
        headers=request["headers"],
        body=request["body"],
    )
    try:
        entry.runtime_data.provider.parse_report(inbound)
    except ReportError:
        assert events == []
        return
    assert provider == "esms", "a report without the secret was accepted"
    assert len(events) <= 1  # none when the same report came in an earlier example
