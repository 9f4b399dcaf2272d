"""What the process tests need to act as a user and as the gateways of a real Home Assistant.

Accounts made through the config flow; the gateways' report plans, recorded from the sandbox's
courier so a test can replay the very same requests; delivery-report events as they are fired.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest

from sandbox import Sandbox
from sandbox.courier import Report
from sandbox.state import SentMessage
from tools.demo import gateways
from tools.hass import ROOT, HassProcess

DOMAIN = "sms_bridge"
EVENT = "sms_bridge_delivery_report"
USERNAME = "crash"
PASSWORD = "crash-password"
START_TIMEOUT = 120.0  # Home Assistant's start: about 8 s here, more on a busy machine
WAIT_TIMEOUT = 60.0  # any one wait for a condition (entries loaded, events arrived)
ARTIFACTS = ROOT / "artifacts" / "process"

#: An event's identity, as the dedupe contract counts it: (entry id, message id, provider status).
type Key = tuple[str, str, str]


@dataclass(frozen=True)
class Wire:
    """Where a gateway's report carries its status, and a fresh status for a message.

    Fresh: one the sandbox never reports for a message that is delivered or fails (eSMS 7, 5;
    Fibo 2, 3; FPT 1, 0; SMSPAY 4, 8, 1, 2), so a report with it must fire an event.
    """

    phone_prefix: str  # 8 digits; two more make a number the gateway accepts
    status_field: str
    fresh_status: str


WIRES = {
    "fibo": Wire("09012345", "Status", "1"),  # sent
    "esms": Wire("09123456", "SendStatus", "0"),  # pending
    "fpt": Wire("09876543", "Status", "2"),  # pending
    "smspay": Wire("08881234", "dlr", "16"),  # failed
}


@dataclass(frozen=True)
class Sent:
    """A message `sms_bridge.send` returned, and when it returned (wall clock, like time_fired)."""

    gateway: str
    entry_id: str
    message_id: str
    phone: str
    returned: float


@dataclass(frozen=True)
class Account:
    """One SMS Bridge entry made through the config flow."""

    gateway: str
    entry_id: str


class ReportRecorder:
    """Every report plan the sandbox's courier is given, by (gateway, message id).

    The courier delivers them as the gateway would; a test replays the very same requests.
    """

    def __init__(self, sandbox: Sandbox) -> None:
        self.plans: dict[tuple[str, str], list[Report]] = {}
        courier = sandbox.courier
        self._dispatch = courier.dispatch
        courier.dispatch = self._record  # type: ignore[method-assign]

    def _record(self, message: SentMessage, reports: list[Report]) -> None:
        self.plans[(message.gateway, message.message_id)] = list(reports)
        self._dispatch(message, reports)

    def reports_of(self, sent: Sent) -> list[tuple[Key, Report]]:
        """The reports the gateway sends for a message, each with the key of its event."""
        field = WIRES[sent.gateway].status_field
        return [
            ((sent.entry_id, sent.message_id, report_fields(report)[field]), report)
            for report in self.plans.get((sent.gateway, sent.message_id), [])
        ]

    def fresh_report(self, sent: Sent) -> tuple[Key, Report]:
        """A report for the message with a status it never had: it must fire an event."""
        (_, report), *_ = self.reports_of(sent)
        wire = WIRES[sent.gateway]
        return (sent.entry_id, sent.message_id, wire.fresh_status), with_field(
            report, wire.status_field, wire.fresh_status
        )


def report_fields(report: Report) -> dict[str, str]:
    """A report's fields, from its query, its JSON body or its form body, as text."""
    if report.body is None:
        return dict(report.params)
    if report.headers.get("Content-Type") == "application/json":
        return {key: str(value) for key, value in json.loads(report.body).items()}
    return dict(parse_qsl(report.body.decode()))


def with_field(report: Report, name: str, value: str) -> Report:
    """The same request with one field changed, in the same wire format."""
    if report.body is None:
        return replace(report, params={**report.params, name: value})
    if report.headers.get("Content-Type") == "application/json":
        payload = json.loads(report.body)
        payload[name] = type(payload[name])(value)
        return replace(report, body=json.dumps(payload).encode())
    form = {**dict(parse_qsl(report.body.decode())), name: value}
    return replace(report, body=urlencode(form).encode())


async def deliver(session: aiohttp.ClientSession, report: Report) -> int:
    """Send a report as the gateway does; the HTTP status of the answer."""
    async with session.request(
        report.method,
        report.url,
        params=report.params or None,
        headers=report.headers,
        data=report.body,
        timeout=aiohttp.ClientTimeout(total=30),
    ) as response:
        await response.read()
        return response.status


class EventLog:
    """Delivery-report events by key, each with the time Home Assistant fired it."""

    def __init__(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._queue = queue
        self.fired: dict[Key, list[tuple[float, dict[str, Any]]]] = defaultdict(list)

    def _take(self, event: dict[str, Any]) -> None:
        data = event["data"]
        key = (data["entry_id"], data["message_id"], data["provider_status"])
        self.fired[key].append((datetime.fromisoformat(event["time_fired"]).timestamp(), data))

    def drain(self) -> None:
        """Take every event that has arrived."""
        while not self._queue.empty():
            self._take(self._queue.get_nowait())

    async def wait_for(self, keys: set[Key]) -> set[Key]:
        """Wait until each key has an event; the keys still without one when time ran out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_TIMEOUT
        self.drain()
        while missing := keys - self.fired.keys():
            try:
                event = await asyncio.wait_for(self._queue.get(), deadline - loop.time())
            except TimeoutError:
                return missing
            self._take(event)
        return set()


async def add_accounts(hass: HassProcess, sandbox: Sandbox) -> dict[str, Account]:
    """One entry per gateway through the real config flow; the sandbox reports to its webhook."""
    accounts: dict[str, Account] = {}
    for gateway in gateways(sandbox.url):
        result = await hass.config_flow(DOMAIN, [{"next_step_id": gateway.key}, gateway.form])
        assert result.get("type") == "create_entry", f"{gateway.label}: {result}"
        callback = sandbox.state.first_account(gateway.key).callback
        callback.url = result["description_placeholders"]["webhook_url"]
        callback.extra = dict(gateway.extra)
        accounts[gateway.key] = Account(gateway.key, result["result"]["entry_id"])
    return accounts


async def wait_loaded(hass: HassProcess, accounts: dict[str, Account]) -> None:
    """Wait until every account's entry is loaded again, so its webhook answers."""
    wanted = {account.entry_id for account in accounts.values()}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_TIMEOUT
    while loop.time() < deadline:
        states = {e["entry_id"]: e["state"] for e in await hass.entries(DOMAIN)}
        if all(states.get(entry_id) == "loaded" for entry_id in wanted):
            return
        await asyncio.sleep(0.2)
    pytest.fail(f"entries not loaded after restart: {states}\n{hass.log_tail()}")


async def restart(hass: HassProcess, accounts: dict[str, Account]) -> None:
    """Start Home Assistant again on the same config, log in, wait for our entries."""
    await hass.start(timeout=START_TIMEOUT)
    await hass.login(USERNAME, PASSWORD)
    await wait_loaded(hass, accounts)
