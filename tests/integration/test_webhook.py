# Bulgarian report text is the point of one sample.
# ruff: noqa: RUF001
"""Delivery reports: the webhook's replies, the event and event entity, dedupe, end to end."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.core import Event, HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.util import dt as dt_util, slugify
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.sms_bridge.const import DOMAIN
from custom_components.sms_bridge.providers.models import SendResult
from sandbox import Sandbox

from .conftest import Client, EntryFactory, call_webhook as _call
from .helpers import SMSPAY_EXTRA, TEXT, report_extra, reports_delivered, send

FIXTURES = Path(__file__).parents[1] / "fixtures"
FIBO_OK = ("text/xml", "<Status>2</Status>")
FIBO_ERR = ("text/xml", "<Status>1</Status>")
FPT_OK = ("application/json", '{"status": 1}')
FPT_UNAUTH = ("application/json", '{"status": 0, "desc": "Unauthorized"}')
FPT_BAD = ("application/json", '{"status": 0, "desc": "Invalid data"}')
FPT_AUTH = {"Authorization": "Basic fpt-auth-key"}

# --- the seed documents' own samples, through Home Assistant's web server ---------------------


@pytest.mark.parametrize(
    ("fixture", "message_id", "status", "phone"),
    [
        ("esms/cskh.query", "dc712784-9c5f-4c69-b9a8-ea69d56adc9a87", "failed", "+84901888484"),
        # the finished advertising batch (both counts 0): sent, and final (DESIGN.md)
        ("esms/quang_cao.query", "82b0bb8aed914a0aab8deba567c9b8c2", "sent", None),
        ("esms/zalo.query", "f66545d2-c7e2-4603-984e-d2238c363c8292", "failed", "+84901888484"),
        ("esms/viber.query", "849fe08c19294b02857cf91687021a50250", "delivered", "+84901888484"),
        ("esms/zalo_tu_van.query", "7d11c87a22934df390f73ec59d8defd6205", "delivered", None),
        ("esms/zalo_giao_dich.query", "53dbbc6e816f4159a9035a14a787e08f172", "delivered", None),
        (
            "esms/zalo_yeu_cau_thong_tin.query",
            "53dbbc6e816f4159a9035a14a787e08f172",
            "delivered",
            None,
        ),
        ("esms/zalo_hanh_trinh.query", "7d11c87a22934df390f73ec59d8defd6205", "delivered", None),
    ],
)
async def test_esms_seed_samples(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    client: Client,
    events: list[Event],
    fixture: str,
    message_id: str,
    status: str,
    phone: str | None,
) -> None:
    """Each eSMS callback sample of the document is accepted with OK and fires its event."""
    entry = await setup_entry("esms")
    query = (FIXTURES / fixture).read_bytes().decode()
    assert await _call(client, entry, query=query) == (200, "text/plain", "OK")
    await hass.async_block_till_done()
    [event] = events
    assert (event.data["message_id"], event.data["status"], event.data["phone"]) == (
        message_id,
        status,
        phone,
    )
    assert event.data["tracked"] is False
    assert event.data["provider"] == "esms"
    assert event.data["final"] is True  # every sample is SendStatus 5: eSMS says no more


@pytest.mark.parametrize("fixture", ["fibo/report_link_href.txt", "fibo/report_link_text.txt"])
async def test_fibo_seed_sample(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    client: Client,
    events: list[Event],
    fixture: str,
) -> None:
    """Fibo's example link (also as printed, with "Status = 2") is processed: <Status>2</Status>."""
    entry = await setup_entry("fibo", secure_code="1")
    link = (FIXTURES / fixture).read_bytes().decode()
    query = link.split("?", 1)[1].replace(" ", "%20")
    assert await _call(client, entry, query=query) == (200, *FIBO_OK)
    await hass.async_block_till_done()
    [event] = events
    assert event.data["message_id"] == "1234-464-789-54646"
    assert (event.data["status"], event.data["final"], event.data["provider_status"]) == (
        "delivered",
        True,
        "2",
    )


async def test_fpt_sample(
    hass: HomeAssistant, setup_entry: EntryFactory, client: Client, events: list[Event]
) -> None:
    """FPT's report body, POSTed with its Authorization key, gets {"status": 1}."""
    entry = await setup_entry("fpt")
    body = (FIXTURES / "fpt/dlr_from_field_table.json").read_bytes()
    headers = {**FPT_AUTH, "Content-Type": "application/json"}
    assert await _call(client, entry, method="POST", body=body, headers=headers) == (200, *FPT_OK)
    await hass.async_block_till_done()
    [event] = events
    assert event.data["message_id"] == "451838640"
    assert (event.data["status"], event.data["telco"], event.data["segments"]) == (
        "delivered",
        "Viettel",
        1,
    )


@pytest.mark.parametrize(
    ("fixture", "method", "status", "answer"),
    [
        ("smspay/concrete_dlr_1_site.query", "GET", "delivered", "Delivered"),
        ("smspay/concrete_dlr_2_cyrillic_site.form", "POST", "failed", "Абонатът е недостъпен"),
    ],
)
async def test_smspay_samples(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    client: Client,
    events: list[Event],
    fixture: str,
    method: str,
    status: str,
    answer: str,
) -> None:
    """SMSPAY reports by GET or by POST form, with the extra pair, are accepted with OK."""
    entry = await setup_entry("smspay", **SMSPAY_EXTRA)
    raw = (FIXTURES / fixture).read_bytes()
    if method == "GET":
        result = await _call(client, entry, query=raw.decode())
    else:
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        result = await _call(client, entry, method="POST", body=raw, headers=form)
    assert result == (200, "text/plain", "OK")
    await hass.async_block_till_done()
    [event] = events
    assert (event.data["status"], event.data["answer"]) == (status, answer)


# --- every row of DESIGN.md's status table ----------------------------------------------------

STATUS_ROWS: list[tuple[str, str, str, bool]] = [
    ("fibo", "MSGUID=m1&Status=0&SecureCode=fibo-secure", "pending", False),
    ("fibo", "MSGUID=m1&Status=1&SecureCode=fibo-secure", "sent", False),
    ("fibo", "MSGUID=m1&Status=2&SecureCode=fibo-secure", "delivered", True),
    ("fibo", "MSGUID=m1&Status=200&SecureCode=fibo-secure", "delivered", True),
    ("fibo", "MSGUID=m1&Status=3&SecureCode=fibo-secure", "failed", True),
    ("fibo", "MSGUID=m1&Status=77&SecureCode=fibo-secure", "failed", True),
    ("esms", "SMSID=s1&SendStatus=0", "pending", False),
    ("esms", "SMSID=s1&SendStatus=1", "pending", False),
    ("esms", "SMSID=s1&SendStatus=2", "pending", False),
    ("esms", "SMSID=s1&SendStatus=7", "sent", False),
    ("esms", "SMSID=s1&SendStatus=5&SendSuccess=1&SendFailed=0", "delivered", True),
    ("esms", "SMSID=s1&SendStatus=5&SendSuccess=0&SendFailed=1", "failed", True),
    ("esms", "SMSID=s1&SendStatus=4", "failed", True),
    ("fpt", '{"smsid": 7, "Status": 2}', "pending", False),
    ("fpt", '{"smsid": 7, "Status": -11}', "pending", False),
    ("fpt", '{"smsid": 7, "Status": 1}', "delivered", True),
    ("fpt", '{"smsid": 7, "Status": 0, "Error": "53"}', "failed", True),
    ("smspay", "sms_id=9&dlr=4&answer=&site=abc", "pending", False),
    ("smspay", "sms_id=9&dlr=8&answer=&site=abc", "sent", False),
    ("smspay", "sms_id=9&dlr=1&answer=Delivered&site=abc", "delivered", True),
    ("smspay", "sms_id=9&dlr=2&answer=&site=abc", "failed", True),
    ("smspay", "sms_id=9&dlr=16&answer=&site=abc", "failed", True),
]


async def _report(
    client: Client, entry: MockConfigEntry, provider: str, payload: str
) -> tuple[int, str, str]:
    if provider == "fpt":
        return await _call(
            client,
            entry,
            method="POST",
            body=payload.encode(),
            headers={**FPT_AUTH, "Content-Type": "application/json"},
        )
    return await _call(client, entry, query=payload)


@pytest.mark.parametrize(("provider", "payload", "status", "final"), STATUS_ROWS)
async def test_status_table(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    client: Client,
    events: list[Event],
    provider: str,
    payload: str,
    status: str,
    final: bool,
) -> None:
    """Every status of every gateway becomes the normalized status of DESIGN.md, once."""
    entry = await setup_entry(provider, **report_extra(provider))
    code, _, _ = await _report(client, entry, provider, payload)
    assert code == 200
    await hass.async_block_till_done()
    [event] = events
    assert (event.data["status"], event.data["final"]) == (status, final)
    state = hass.states.get(f"event.{slugify(entry.title)}_delivery_report")
    assert state is not None
    assert state.attributes["event_type"] == status
    assert state.attributes["message_id"] == event.data["message_id"]


# --- refused reports: the gateway's own replies, and no event --------------------------------


@pytest.mark.parametrize(
    ("provider", "request_kwargs", "expected"),
    [
        ("fibo", {"query": "MSGUID=m&Status=2&SecureCode=wrong"}, (403, *FIBO_ERR)),
        ("fibo", {"query": "MSGUID=m&Status=2"}, (403, *FIBO_ERR)),
        ("fibo", {"query": "Status=2&SecureCode=fibo-secure"}, (400, *FIBO_ERR)),
        ("fibo", {"query": "MSGUID=m&Status=two&SecureCode=fibo-secure"}, (400, *FIBO_ERR)),
        ("fpt", {"method": "POST", "body": b'{"smsid": 1, "Status": 1}'}, (401, *FPT_UNAUTH)),
        (
            "fpt",
            {
                "method": "POST",
                "body": b'{"smsid": 1, "Status": 1}',
                "headers": {"Authorization": "Basic nope"},
            },
            (401, *FPT_UNAUTH),
        ),
        ("fpt", {"method": "POST", "body": b"{not json", "headers": FPT_AUTH}, (400, *FPT_BAD)),
        ("fpt", {"method": "POST", "body": b'{"Status": 1}', "headers": FPT_AUTH}, (400, *FPT_BAD)),
        ("esms", {"query": "SendStatus=5"}, (400, "text/plain", "Bad Request")),
        ("esms", {"query": "SMSID=x&SendStatus=abc"}, (400, "text/plain", "Bad Request")),
        ("smspay", {"query": "sms_id=1&dlr=1&site=xyz"}, (403, "text/plain", "Forbidden")),
        ("smspay", {"query": "sms_id=1&dlr=1"}, (403, "text/plain", "Forbidden")),
        ("smspay", {"query": "sms_id=x&dlr=1&site=abc"}, (400, "text/plain", "Bad Request")),
        (
            "esms",
            {"method": "POST", "body": b"x" * (65 * 1024)},
            (400, "text/plain", "Bad Request"),
        ),
    ],
)
async def test_refused_reports(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    client: Client,
    events: list[Event],
    provider: str,
    request_kwargs: dict[str, Any],
    expected: tuple[int, str, str],
) -> None:
    """Wrong or missing secrets and malformed reports get the gateway's documented reply."""
    entry = await setup_entry(provider, **report_extra(provider))
    assert await _call(client, entry, **request_kwargs) == expected
    await hass.async_block_till_done()
    assert events == []


# --- duplicates ---------------------------------------------------------------------------------


async def test_duplicate_fires_once(
    hass: HomeAssistant, setup_entry: EntryFactory, client: Client, events: list[Event]
) -> None:
    """A retried report is accepted again but fires nothing; a new status fires."""
    entry = await setup_entry("esms")
    for query in (
        "SMSID=d1&SendStatus=7",
        "SMSID=d1&SendStatus=7",
        "SMSID=d1&SendStatus=5&SendSuccess=1",
    ):
        assert await _call(client, entry, query=query) == (200, "text/plain", "OK")
    await hass.async_block_till_done()
    assert [e.data["status"] for e in events] == ["sent", "delivered"]


async def test_duplicate_across_restart(
    hass: HomeAssistant, setup_entry: EntryFactory, client: Client, events: list[Event]
) -> None:
    """The seen reports survive a restart of the entry: a retry after it fires nothing."""
    entry = await setup_entry("fibo")
    query = "MSGUID=r1&Status=2&SecureCode=fibo-secure"
    assert await _call(client, entry, query=query) == (200, *FIBO_OK)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert await _call(client, entry, query=query) == (200, *FIBO_OK)
    await hass.async_block_till_done()
    assert len(events) == 1


async def test_duplicate_expires_after_a_day(
    hass: HomeAssistant, setup_entry: EntryFactory, client: Client, events: list[Event]
) -> None:
    """After 24 hours the same report counts as new again."""
    from datetime import timedelta

    from homeassistant.util import dt as dt_util

    entry = await setup_entry("esms")
    assert await _call(client, entry, query="SMSID=e1&SendStatus=4") == (200, "text/plain", "OK")
    later = dt_util.utcnow() + timedelta(hours=25)
    with patch(
        "custom_components.sms_bridge.store.seen_reports.dt_util.utcnow", return_value=later
    ):
        assert await _call(client, entry, query="SMSID=e1&SendStatus=4") == (
            200,
            "text/plain",
            "OK",
        )
    await hass.async_block_till_done()
    assert len(events) == 2


async def test_flood_of_reports_for_messages_never_sent(
    hass: HomeAssistant, setup_entry: EntryFactory, client: Client, events: list[Event]
) -> None:
    """eSMS's reports carry no secret: a flood of made-up ones each fires once, untracked.

    What they leave is bounded apart from the entry's own messages: past the bound the oldest
    made-up keys go, while a real message's report, repeated after the flood, still fires nothing.
    """
    entry = await setup_entry("esms")
    sent = SendResult("esms", "mine-1", "+84901234567", 1)
    entry.runtime_data.ledger.async_record_sent(sent, TEXT)  # as a send records it
    real = "SMSID=mine-1&SendStatus=5&SendSuccess=1"
    ok = (200, "text/plain", "OK")
    assert await _call(client, entry, query=real) == ok
    with patch("custom_components.sms_bridge.store.seen_reports.MAX_KEYS", 50):
        for number in range(120):
            assert await _call(client, entry, query=f"SMSID=forged-{number}&SendStatus=4") == ok
        await hass.async_block_till_done()
        assert len(events) == 121
        assert [e.data["tracked"] for e in events] == [True] + [False] * 120
        assert await _call(client, entry, query=real) == ok  # the ledger remembers it
        assert await _call(client, entry, query="SMSID=forged-119&SendStatus=4") == ok
        await hass.async_block_till_done()
        assert len(events) == 121
        # Pushed out by the 50 after it: a made-up report that old counts as new again.
        assert await _call(client, entry, query="SMSID=forged-0&SendStatus=4") == ok
        await hass.async_block_till_done()
    assert [e.data["message_id"] for e in events[121:]] == ["forged-0"]


# --- the ledger: tracked messages, phone numbers, today's counts -------------------------------


async def test_tracked_message(
    hass: HomeAssistant,
    sandbox: Sandbox,
    setup_entry: EntryFactory,
    client: Client,
    events: list[Event],
) -> None:
    """A report for a message this entry sent carries its number and moves today's counts."""
    entry = await setup_entry("smspay", **SMSPAY_EXTRA)
    response = await send(hass, target="0888123456", message="hi")
    message_id = response["messages"][0]["message_id"]
    assert hass.states.get("sensor.smspay_smspay_user_127_0_0_1_pending_today").state == "1"  # type: ignore[union-attr]
    query = f"sms_id={message_id}&dlr=1&answer=Delivered&site=abc"
    assert await _call(client, entry, query=query) == (200, "text/plain", "OK")
    await hass.async_block_till_done()
    [event] = events
    assert (event.data["tracked"], event.data["phone"]) == (True, "+359888123456")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=1))  # counts: once a second
    await hass.async_block_till_done()
    assert hass.states.get("sensor.smspay_smspay_user_127_0_0_1_delivered_today").state == "1"  # type: ignore[union-attr]
    assert hass.states.get("sensor.smspay_smspay_user_127_0_0_1_pending_today").state == "0"  # type: ignore[union-attr]
    history = entry.runtime_data.ledger.get(message_id).history  # type: ignore[union-attr]
    assert [(report.status.value, report.raw) for report in history] == [("delivered", "1")]


async def test_fibo_keeps_gateway_totals(
    hass: HomeAssistant, setup_entry: EntryFactory, client: Client, events: list[Event]
) -> None:
    """Fibo's counts are the gateway's own: a report does not change them."""
    await setup_entry("fibo")
    before = hass.states.get("sensor.fibosms_cl1609110001_delivered_today").state  # type: ignore[union-attr]
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    await _call(client, entry, query="MSGUID=x&Status=2&SecureCode=fibo-secure")  # type: ignore[arg-type]
    await hass.async_block_till_done()
    assert len(events) == 1
    assert hass.states.get("sensor.fibosms_cl1609110001_delivered_today").state == before  # type: ignore[union-attr]


# --- Fibo's optional source-address check ------------------------------------------------------


async def test_fibo_source_check(
    hass: HomeAssistant, setup_entry: EntryFactory, proxied_client: Client, events: list[Event]
) -> None:
    """With the option on, only Fibo's two addresses are heard, through trusted proxies too."""
    entry = await setup_entry("fibo", options={"check_source_ip": True})
    query = "MSGUID=ip1&Status=2&SecureCode=fibo-secure"
    assert await _call(proxied_client, entry, query=query) == (403, *FIBO_ERR)
    fibo = {"X-Forwarded-For": "118.69.199.9"}
    assert await _call(proxied_client, entry, query=query, headers=fibo) == (200, *FIBO_OK)
    await hass.async_block_till_done()
    assert len(events) == 1


# --- end to end: the sandbox delivers its reports over real HTTP -------------------------------


@pytest.mark.parametrize(
    ("provider", "numbers"),
    [
        ("fibo", ["0901234567", "0901234564"]),
        ("esms", ["0901234567", "0901234564"]),
        ("fpt", ["0901234567", "0901234564"]),
        ("smspay", ["0888123456", "0888123454"]),
    ],
)
async def test_end_to_end(
    hass: HomeAssistant,
    sandbox: Sandbox,
    setup_entry: EntryFactory,
    client: Client,
    events: list[Event],
    provider: str,
    numbers: list[str],
) -> None:
    """Send through the sandbox; its reports arrive over HTTP as events with tracked: true."""
    base = str(client.make_url("")).rstrip("/")
    await async_process_ha_core_config(hass, {"external_url": base, "internal_url": base})
    extra = report_extra(provider)
    entry = await setup_entry(provider, **extra)
    account = sandbox.state.first_account(provider)
    account.callback.url = f"{base}/api/webhook/{entry.data['webhook_id']}"
    account.callback.extra = {"site": "abc"} if provider == "smspay" else {}
    response = await send(hass, target=numbers, message=TEXT)
    sent = {m["message_id"]: m["phone"] for m in response["messages"]}
    await reports_delivered(hass, sandbox)
    final = {e.data["message_id"]: e.data for e in events if e.data["final"]}
    assert set(final) == set(sent)
    for message_id, data in final.items():
        assert data["tracked"] is True
        assert data["phone"] == sent[message_id]
        assert data["status"] == ("failed" if sent[message_id].endswith("4") else "delivered")
    assert all(d.status == 200 for d in sandbox.state.deliveries)
