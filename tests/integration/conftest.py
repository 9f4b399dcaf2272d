"""Fixtures: entries for each gateway pointed at the sandbox, HA's web client, snapshots."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
import contextlib
from pathlib import Path
import socket
from typing import Any
from unittest.mock import patch

from aiohttp.test_utils import TestClient
from homeassistant.core import Event, HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    get_test_config_dir,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.sms_bridge.config_flow import SmsBridgeConfigFlow
from custom_components.sms_bridge.const import DOMAIN
from custom_components.sms_bridge.flows.account import account_unique_id, default_title
from custom_components.sms_bridge.inbound.router import EVENT_DELIVERY_REPORT
from sandbox import Sandbox

from .helpers import report_extra

PROVIDERS = ("fibo", "esms", "fpt", "smspay")

type EntryFactory = Callable[..., Awaitable[MockConfigEntry]]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/sms_bridge."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Syrupy with Home Assistant's extension, files in snapshots/ as in core.

    The harness defines this fixture too, but which plugin's `snapshot` wins differs between
    the two stacks: defined here, both write and read the same files.
    """
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture(autouse=True)
def config_dir(hass: HomeAssistant, tmp_path: Path) -> Iterator[Path]:
    """A config directory of the test's own: the journal is a real file (the Stores are mocked).

    The test fails if it wrote anything into the harness's own config folder (inside the
    installed package), where files outlive the run and a later test would read them.
    """
    harness = Path(get_test_config_dir())
    before = set(harness.rglob("*"))
    hass.config.config_dir = str(tmp_path)
    yield tmp_path
    left = sorted(str(path) for path in set(harness.rglob("*")) - before)
    assert left == [], f"files written outside the test's own config folder: {left}"


def account_data(sandbox: Sandbox, provider: str, url: str | None = None) -> dict[str, Any]:
    """The sandbox's built-in account of `provider`, as the config flow would store it.

    `url` reaches the sandbox another way (a forwarder in front of it).
    """
    url = url or sandbox.url
    return {
        "fibo": {
            "provider": "fibo",
            "client_no": "CL1609110001",
            "client_pass": "fibo-pass",
            "sender": "SMSBRIDGE",
            "secure_code": "fibo-secure",
            "base_url": url,
        },
        "esms": {
            "provider": "esms",
            "api_key": "ESMS-API-KEY",
            "secret_key": "ESMS-SECRET-KEY",
            "brandname": "SMSBRIDGE",
            "sms_type": 2,
            "base_url": url,
        },
        "fpt": {
            "provider": "fpt",
            "client_id": "fpt-client-id",
            "client_secret": "fpt-client-secret",
            "brandname": "SMSBRIDGE",
            "environment": "sandbox",
            "auth_key": "fpt-auth-key",
            "base_url": url,
        },
        "smspay": {
            "provider": "smspay",
            "send_url": (
                f"{url}/smspay/send?user=smspay-user&pass=smspay-pass"
                "&phone={phone}&message={message}&from={sender}&ext=1"
            ),
        },
    }[provider]


def reached_at(sandbox: Sandbox, provider: str, url: str) -> dict[str, Any]:
    """The entry data that makes `provider`'s account reach the sandbox through `url`."""
    data = account_data(sandbox, provider, url)
    return {key: data[key] for key in ("base_url", "send_url") if key in data}


def make_entry(
    sandbox: Sandbox,
    provider: str,
    *,
    options: dict[str, Any] | None = None,
    entry_id: str | None = None,
    **changes: Any,
) -> MockConfigEntry:
    """A config entry for the sandbox account of `provider` (not yet added to hass)."""
    data = account_data(sandbox, provider) | {"webhook_id": f"hook-{provider}"} | changes
    return MockConfigEntry(
        entry_id=entry_id,
        domain=DOMAIN,
        title=default_title(data),
        unique_id=account_unique_id(data),
        data=data,
        options=options or {},
        version=SmsBridgeConfigFlow.VERSION,
        minor_version=SmsBridgeConfigFlow.MINOR_VERSION,
    )


@pytest.fixture
def setup_entry(hass: HomeAssistant, sandbox: Sandbox) -> EntryFactory:
    """Add and set up an entry for a gateway; returns it."""

    async def _setup(provider: str, **kwargs: Any) -> MockConfigEntry:
        entry = make_entry(sandbox, provider, **kwargs)
        entry.add_to_hass(hass)
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        return entry

    return _setup


class Forwarder:
    """A loopback port in front of the sandbox that refuses connections until it is opened.

    A refused connection is the one failure where nothing reached the gateway for sure.
    """

    def __init__(self, target_port: int) -> None:
        self._target_port = target_port
        with socket.socket() as probe:  # a port nobody listens on: connections are refused
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        """The forwarder's base URL."""
        return f"http://127.0.0.1:{self.port}"

    async def open(self) -> None:
        """Start accepting and forwarding connections."""
        if self._server is None:
            self._server = await asyncio.start_server(self._forward, "127.0.0.1", self.port)

    async def close(self) -> None:
        """Stop listening again, and drop the connections kept alive."""
        for writer in self._writers:
            writer.close()
        self._writers.clear()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(
            "127.0.0.1", self._target_port
        )
        self._writers.update((writer, upstream_writer))

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))


@pytest.fixture
async def forwarder(sandbox: Sandbox) -> AsyncIterator[Forwarder]:
    """A closed port in front of the sandbox; `await forwarder.open()` lets connections through."""
    front = Forwarder(int(sandbox.url.rsplit(":", 1)[1]))
    try:
        yield front
    finally:
        await front.close()


type Client = TestClient  # type: ignore[type-arg]
type ClientFactory = Callable[[], Awaitable[Client]]


async def _web_client(
    hass: HomeAssistant, hass_client_no_auth: ClientFactory, http: dict[str, Any]
) -> Client:
    """An HTTP client for Home Assistant's own web server, set up with this `http` config."""
    assert await async_setup_component(hass, "http", {"http": http} if http else {})
    # Routes must exist before the server starts: its router is frozen from then on.
    assert await async_setup_component(hass, "webhook", {})
    assert await async_setup_component(hass, "notify", {})
    return await hass_client_no_auth()


@pytest.fixture
async def client(hass: HomeAssistant, hass_client_no_auth: ClientFactory) -> Client:
    """An HTTP client for Home Assistant's own web server, as a default install has it.

    No YAML: HA 2026.10 treats YAML HTTP settings as a trial that reverts (and restarts Home
    Assistant) unless confirmed within 5 minutes, which tests that move the clock would reach.
    """
    return await _web_client(hass, hass_client_no_auth, {})


@pytest.fixture
async def proxied_client(hass: HomeAssistant, hass_client_no_auth: ClientFactory) -> Client:
    """An HTTP client for Home Assistant's web server behind a trusted reverse proxy (loopback)."""
    http = {"use_x_forwarded_for": True, "trusted_proxies": ["127.0.0.1"]}
    return await _web_client(hass, hass_client_no_auth, http)


@pytest.fixture
def events(hass: HomeAssistant) -> list[Event]:
    """Every sms_bridge_delivery_report fired."""
    return async_capture_events(hass, EVENT_DELIVERY_REPORT)


async def call_webhook(
    client: Client,
    entry: MockConfigEntry,
    *,
    method: str = "GET",
    query: str = "",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str, str]:
    """One request to the entry's webhook: (status, content type, body)."""
    url = f"/api/webhook/{entry.data['webhook_id']}" + (f"?{query}" if query else "")
    async with client.request(method, url, data=body, headers=headers or {}) as response:
        return response.status, response.content_type, await response.text()


async def point_reports_at(
    hass: HomeAssistant, sandbox: Sandbox, client: Client, entry: MockConfigEntry
) -> None:
    """Make the sandbox deliver the entry's reports to Home Assistant's webhook over HTTP."""
    base = str(client.make_url("")).rstrip("/")
    await async_process_ha_core_config(hass, {"external_url": base, "internal_url": base})
    provider = entry.data["provider"]
    account = sandbox.state.first_account(provider)
    account.callback.url = f"{base}/api/webhook/{entry.data['webhook_id']}"
    account.callback.extra = {"site": "abc"} if entry.data.get("report_param") else {}


@pytest.fixture
def reporting_entry(
    hass: HomeAssistant, setup_entry: EntryFactory, sandbox: Sandbox, client: Client
) -> EntryFactory:
    """Set up an entry whose sandbox account delivers its reports to the webhook over HTTP."""

    async def _setup(provider: str, **kwargs: Any) -> MockConfigEntry:
        entry = await setup_entry(provider, **report_extra(provider), **kwargs)
        await point_reports_at(hass, sandbox, client, entry)
        return entry

    return _setup


@pytest.fixture
def no_retry_wait() -> Iterator[None]:
    """Retry a transient failure at once instead of after two seconds."""
    with patch("custom_components.sms_bridge.outbound.one_message.RETRY_DELAY", 0):
        yield
