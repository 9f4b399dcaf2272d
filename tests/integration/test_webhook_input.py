"""The webhook against hostile input: split bodies, undecodable text, bad headers, big bodies.

Requests go over a raw TCP socket where the HTTP client would tidy them up.
"""

from __future__ import annotations

import asyncio
from typing import Any
from unittest.mock import patch

from homeassistant.core import Event, HomeAssistant
import pytest

from .conftest import Client, EntryFactory, call_webhook
from .helpers import report_extra

FORM = "application/x-www-form-urlencoded"
FPT_AUTH = b"Authorization: Basic fpt-auth-key\r\n"

# A report of each gateway that accepts POST, as one body; the answer each expects.
POST_REPORTS: dict[str, tuple[str, bytes, bytes, tuple[int, str]]] = {
    "fibo": (
        FORM,
        b"MSGUID=split-1&Status=2&SecureCode=fibo-secure",
        b"",
        (200, "<Status>2</Status>"),
    ),
    "esms": (FORM, b"SMSID=split-1&SendStatus=5&SendSuccess=1&SendFailed=0", b"", (200, "OK")),
    "fpt": (
        "application/json",
        b'{"smsid": 4242, "Status": 0, "Error": "Thu\\u00ea bao kh\\u00f4ng li\\u00ean l\\u1ea1c"}',
        FPT_AUTH,
        (200, '{"status": 1}'),
    ),
    "smspay": (FORM, b"sms_id=4243&dlr=2&answer=Absent+subscriber&site=abc", b"", (200, "OK")),
}


async def raw_request(
    client: Client,
    path: str,
    head: bytes,
    parts: list[bytes],
    *,
    pause: float = 0.05,
) -> tuple[int, bytes]:
    """Send the head and then each body part in its own TCP write; (status, body) back."""
    host, port = client.server.host, client.server.port
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(head.replace(b"{path}", path.encode()) + b"Connection: close\r\n\r\n")
    await writer.drain()
    for part in parts:
        await asyncio.sleep(pause)
        writer.write(part)
        await writer.drain()
    answer = await reader.read()
    writer.close()
    status_line, _, rest = answer.partition(b"\r\n")
    _, _, body = rest.partition(b"\r\n\r\n")
    return int(status_line.split()[1]), body


def _hook(entry: Any) -> str:
    return f"/api/webhook/{entry.data['webhook_id']}"


@pytest.mark.parametrize("provider", list(POST_REPORTS))
async def test_body_in_two_writes(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    client: Client,
    events: list[Event],
    provider: str,
) -> None:
    """A body that arrives in two TCP writes is read whole: accepted, every field intact."""
    entry = await setup_entry(provider, **report_extra(provider))
    content_type, body, extra_headers, (status, reply) = POST_REPORTS[provider]
    middle = len(body) // 2
    head = (
        f"POST {{path}} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n"
    ).encode() + extra_headers
    answer = await raw_request(client, _hook(entry), head, [body[:middle], body[middle:]])
    assert answer == (status, reply.encode())
    await hass.async_block_till_done()
    [event] = events
    if provider == "smspay":
        assert event.data["answer"] == "Absent subscriber"
    if provider == "fpt":
        assert event.data["error"] == "Thuê bao không liên lạc"


async def test_chunked_body_in_pieces(
    hass: HomeAssistant, setup_entry: EntryFactory, client: Client, events: list[Event]
) -> None:
    """A chunked body in several writes is read whole too."""
    entry = await setup_entry("esms")
    head = (
        b"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + FORM.encode() + b"\r\n"
        b"Transfer-Encoding: chunked\r\n"
    )
    pieces = [b"SMSID=ch", b"unk-1&Send", b"Status=7"]
    parts = [f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in pieces] + [b"0\r\n\r\n"]
    assert await raw_request(client, _hook(entry), head, parts) == (200, b"OK")
    await hass.async_block_till_done()
    assert [e.data["message_id"] for e in events] == ["chunk-1"]


@pytest.mark.parametrize(
    ("provider", "request_kwargs", "expected"),
    [
        # A lone surrogate in JSON: valid JSON, text no event or file could carry.
        (
            "fpt",
            {
                "method": "POST",
                "body": b'{"smsid": 1, "Status": 0, "Error": "bad \\ud800 text"}',
                "headers": {"Authorization": "Basic fpt-auth-key"},
            },
            (400, "application/json", '{"status": 0, "desc": "Invalid data"}'),
        ),
        (
            "fpt",
            {
                "method": "POST",
                "body": b'{"smsid": "\\udfff", "Status": 1}',
                "headers": {"Authorization": "Basic fpt-auth-key"},
            },
            (400, "application/json", '{"status": 0, "desc": "Invalid data"}'),
        ),
        # Undecodable bytes, percent-encoded and raw.
        ("esms", {"query": "SMSID=%ED%A0%80&SendStatus=7"}, (400, "text/plain", "Bad Request")),
        (
            "esms",
            {"query": "SMSID=ok&SendStatus=4&error_info=%FF%FE"},
            (400, "text/plain", "Bad Request"),
        ),
        (
            "fibo",
            {"query": "MSGUID=%C3%28&Status=2&SecureCode=fibo-secure"},
            (400, "text/xml", "<Status>1</Status>"),
        ),
        (
            "fpt",
            {
                "method": "POST",
                "body": b'{"smsid": 1, "Status": 0, "Error": "\xff\xfe"}',
                "headers": {"Authorization": "Basic fpt-auth-key"},
            },
            (400, "application/json", '{"status": 0, "desc": "Invalid data"}'),
        ),
    ],
)
async def test_undecodable_text_is_malformed(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    client: Client,
    events: list[Event],
    provider: str,
    request_kwargs: dict[str, Any],
    expected: tuple[int, str, str],
) -> None:
    """Lone surrogates and bytes that are not text get the malformed reply; nothing is kept."""
    entry = await setup_entry(provider)
    assert await call_webhook(client, entry, **request_kwargs) == expected
    await hass.async_block_till_done()
    assert events == []
    assert entry.runtime_data.journal.pending == 0  # nothing stored either


async def test_smspay_windows_1251_text_is_read(
    hass: HomeAssistant, setup_entry: EntryFactory, client: Client, events: list[Event]
) -> None:
    """SMSPAY may encode its Bulgarian answer as Windows-1251: read, not refused."""
    entry = await setup_entry("smspay")
    answer = "Няма връзка".encode("cp1251")
    query = "sms_id=77&dlr=2&answer=" + "".join(f"%{byte:02X}" for byte in answer)
    assert await call_webhook(client, entry, query=query) == (200, "text/plain", "OK")
    await hass.async_block_till_done()
    [event] = events
    assert event.data["answer"] == "Няма връзка"


async def test_undecodable_authorization_header(
    hass: HomeAssistant, setup_entry: EntryFactory, client: Client, events: list[Event]
) -> None:
    """Bytes that are not UTF-8 in FPT's Authorization header: the bad-secret reply, no crash."""
    entry = await setup_entry("fpt")
    body = b'{"smsid": 1, "Status": 1}'
    head = (
        b"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Authorization: Basic fpt-\xff\xfe-key\r\n" + f"Content-Length: {len(body)}\r\n".encode()
    )
    assert await raw_request(client, _hook(entry), head, [body]) == (
        401,
        b'{"status": 0, "desc": "Unauthorized"}',
    )
    assert events == []


@pytest.mark.parametrize(
    "shape",
    ["declared", "chunked", "report_first"],
)
async def test_body_limit_whatever_its_shape(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    client: Client,
    events: list[Event],
    shape: str,
) -> None:
    """Over 64 KiB is malformed: declared up front, chunked, or a valid report then 1.1 MB."""
    entry = await setup_entry("esms")
    report = b"SMSID=big-1&SendStatus=7&"
    filler = b"x" * (1100 * 1024)
    head = b"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + FORM.encode() + b"\r\n"
    if shape == "chunked":
        head += b"Transfer-Encoding: chunked\r\n"
        chunk = b"y" * 8192
        parts = [report] + [chunk] * 10
        parts = [f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in parts] + [b"0\r\n\r\n"]
    else:
        body = report + (filler if shape == "report_first" else b"z" * (65 * 1024))
        head += f"Content-Length: {len(body)}\r\n".encode()
        # Declared: the head alone must be enough to refuse; the rest may never be read.
        parts = [body[:4096], body[4096:]]
    status, reply = await raw_request(client, _hook(entry), head, parts, pause=0.01)
    assert (status, reply) == (400, b"Bad Request")
    await hass.async_block_till_done()
    assert events == []


async def test_unexpected_error_is_never_a_500(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    client: Client,
    events: list[Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bug of ours gets the gateway's retry reply (Fibo tries again), not a 500 or a 200."""
    entry = await setup_entry("fibo")
    with patch.object(
        entry.runtime_data.reports, "async_report", side_effect=RuntimeError("secret fibo-secure")
    ):
        answer = await call_webhook(
            client, entry, query="MSGUID=b1&Status=2&SecureCode=fibo-secure"
        )
    assert answer == (400, "text/xml", "<Status>1</Status>")
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("custom_components")]
    assert "Unexpected RuntimeError while handling a fibo delivery report" in ours
    assert not [line for line in ours if "fibo-secure" in line]
