"""scripts/demo: SMS Bridge end to end, with a real Home Assistant and the gateway sandbox.

Starts the sandbox and Home Assistant on free loopback ports with a throwaway config, adds one
account per gateway through the real config flow (over HA's REST API, as the UI does), sends an
SMS through each to a number that is delivered and to one the sandbox fails, waits for every
delivery report to arrive over HTTP, runs one FPT advertising campaign (demo_campaign.py), and
prints what happened. Exit status 0 only if all worked.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import json
from pathlib import Path
import shutil
import sys
import tempfile
import time
from typing import Any

from sandbox import Sandbox

from .accounts import sandbox_forms
from .demo_backup import run_backup
from .demo_campaign import run_campaign
from .demo_zalo import run_zalo
from .hass import HassProcess, free_port

DOMAIN = "sms_bridge"
EVENT = "sms_bridge_delivery_report"
REPORT_TIMEOUT = 45.0


@dataclass
class Gateway:
    """One gateway of the demo: its config-flow input and the numbers it texts."""

    key: str
    label: str
    form: dict[str, Any]
    numbers: tuple[str, str]  # delivered, failed (the sandbox fails numbers ending in 4)
    extra: dict[str, str]


def gateways(sandbox_url: str) -> list[Gateway]:
    """The sandbox's built-in accounts, as a user would type them into the forms."""
    forms = sandbox_forms(sandbox_url)
    smspay_report = {"report_param": "site", "report_value": "demo"}
    return [
        Gateway("fibo", "FiboSMS", forms["fibo"], ("0901234567", "0901234564"), {}),
        Gateway("esms", "eSMS.vn", forms["esms"], ("0912345678", "0912345674"), {}),
        Gateway("fpt", "FPT", forms["fpt"], ("0987654321", "0987654324"), {}),
        Gateway(
            "smspay",
            "SMSPAY",
            forms["smspay"] | smspay_report,
            ("0888123456", "0888123454"),
            {"site": "demo"},
        ),
    ]


class Steps:
    """Prints each step as it finishes; remembers whether all of them worked."""

    def __init__(self) -> None:
        self.failed: list[str] = []
        self.started = time.monotonic()

    def ok(self, text: str) -> None:
        """A step that worked."""
        print(f"  ok    {text} ({time.monotonic() - self.started:.1f} s)", flush=True)

    def fail(self, text: str) -> None:
        """A step that did not."""
        self.failed.append(text)
        print(f"  FAIL  {text}", flush=True)


async def add_account(
    hass: HassProcess, sandbox: Sandbox, gateway: Gateway, steps: Steps
) -> str | None:
    """Add the gateway's account through the config flow and point the sandbox at its webhook."""
    result = await hass.config_flow(DOMAIN, [{"next_step_id": gateway.key}, gateway.form])
    if result.get("type") != "create_entry":
        ended = f"{result.get('type')}: {result.get('errors')}"
        steps.fail(f"{gateway.label}: the config flow ended with {ended}")
        return None
    webhook = result["description_placeholders"]["webhook_url"]
    for account in sandbox.state.accounts:
        if account.gateway == gateway.key:
            account.callback.url = webhook
            account.callback.extra = dict(gateway.extra)
    steps.ok(f'{gateway.label}: account added as "{result["title"]}"')
    return str(result["result"]["entry_id"])


async def send_all(
    hass: HassProcess, demo: list[Gateway], entries: dict[str, str], steps: Steps
) -> dict[str, tuple[Gateway, str, float]]:
    """One SMS per gateway to its two numbers; message id -> (gateway, number, when sent)."""
    sent: dict[str, tuple[Gateway, str, float]] = {}
    for gateway in demo:
        if gateway.key not in entries:
            continue
        data = {
            "config_entry_id": entries[gateway.key],
            "target": list(gateway.numbers),
            "message": f"SMS Bridge demo: xin chào từ {gateway.label}!",
        }
        try:
            answer = await hass.call(DOMAIN, "send", data, response=True)
        except RuntimeError as err:
            steps.fail(f"{gateway.label}: send failed: {err}")
            continue
        now = time.monotonic()
        for message in answer["service_response"]["messages"]:
            sent[message["message_id"]] = (gateway, message["target"], now)
        steps.ok(f"{gateway.label}: sent to {', '.join(gateway.numbers)}")
    return sent


async def final_reports(
    queue: asyncio.Queue[dict[str, Any]], sent: dict[str, tuple[Gateway, str, float]]
) -> dict[str, tuple[str, float]]:
    """The final status of every sent message as its event arrives: id -> (status, when)."""
    finals: dict[str, tuple[str, float]] = {}
    deadline = time.monotonic() + REPORT_TIMEOUT
    while len(finals) < len(sent) and time.monotonic() < deadline:
        try:
            event = await asyncio.wait_for(queue.get(), deadline - time.monotonic())
        except TimeoutError:
            break
        data = event["data"]
        if data["message_id"] in sent and data["final"] and data["tracked"]:
            finals[data["message_id"]] = (data["status"], time.monotonic())
    return finals


def report_rows(
    sent: dict[str, tuple[Gateway, str, float]], finals: dict[str, tuple[str, float]], steps: Steps
) -> list[tuple[str, ...]]:
    """The table of messages; a step fails for each message whose outcome is not the expected."""
    rows: list[tuple[str, ...]] = []
    for message_id, (gateway, number, at) in sent.items():
        expected = "failed" if number.endswith("4") else "delivered"
        status, when = finals.get(message_id, ("no report", at))
        seconds = f"{when - at:.1f}" if message_id in finals else "-"
        rows.append((gateway.label, number, message_id, status, seconds))
        if status != expected:
            steps.fail(f"{gateway.label} {number}: expected {expected}, got {status}")
    if sent and len(finals) == len(sent):
        steps.ok(f"all {len(sent)} delivery reports arrived over HTTP")
    return rows


async def with_channel_and_cost(
    hass: HassProcess, rows: list[tuple[str, ...]]
) -> list[tuple[str, ...]]:
    """Each message row with its channel and cost, as sms_bridge.get_messages tells them."""
    answer = await hass.call(DOMAIN, "get_messages", {"limit": 1000}, response=True)
    known = {m["message_id"]: m for m in answer["service_response"]["messages"]}

    def extra(message_id: str) -> tuple[str, str]:
        if (message := known.get(message_id)) is None:
            return ("-", "-")
        cost = message.get("cost")
        worth = "-" if cost is None else f"{cost:g} {message['currency']}"
        return (str(message["channel"]), worth)

    return [(*row, *extra(row[2])) for row in rows]


async def sensor_rows(hass: HassProcess, steps: Steps) -> list[tuple[str, ...]]:
    """SMS Bridge's sensors, once every account shows no message pending."""
    ours = json.loads(
        await hass.template("{{ integration_entities('sms_bridge') | list | to_json }}")
    )
    sensors = sorted(e for e in ours if e.startswith("sensor."))
    # Fibo's totals are the gateway's own: they follow once the (debounced) refresh that a
    # final report asks for has run. Every other gateway's counts move at once.
    pending = [e for e in sensors if e.endswith("_pending_today")]
    deadline = time.monotonic() + 20
    states: dict[str, dict[str, Any]] = {}
    while time.monotonic() < deadline:
        states = {s["entity_id"]: s for s in await hass.states()}
        if all(states[e]["state"] == "0" for e in pending if e in states):
            steps.ok("every account's totals show no message pending")
            break
        await asyncio.sleep(1)
    else:
        steps.fail(f"totals still pending after 20 s: {[states[e]['state'] for e in pending]}")
    return [
        (
            states[e]["attributes"].get("friendly_name", e),
            states[e]["state"],
            states[e]["attributes"].get("unit_of_measurement") or "",
        )
        for e in sensors
        if e in states
    ]


async def run() -> int:
    """The demo; returns the exit status."""
    steps = Steps()
    sandbox = Sandbox(dlr_delay=1.0)
    sandbox_url = await sandbox.start(port=free_port())
    steps.ok(f"gateway sandbox listening on {sandbox_url}")
    config_dir = Path(tempfile.mkdtemp(prefix="sms-bridge-demo-"))
    hass = HassProcess(config_dir, free_port())
    try:
        try:
            await hass.start()
            await hass.login("demo", "demo-password")
        except Exception as err:  # noqa: BLE001 - say what failed and show HA's own words
            steps.fail(f"Home Assistant did not start: {err}\n{hass.log_tail()}")
            return 1
        version = (await hass._json("GET", "/api/config"))["version"]
        steps.ok(f"Home Assistant {version} running on {hass.url} (config in {config_dir})")
        demo = gateways(sandbox_url)
        entries = {
            g.key: entry_id
            for g in demo
            if (entry_id := await add_account(hass, sandbox, g, steps)) is not None
        }
        async with hass.events(EVENT) as queue:
            sent = await send_all(hass, demo, entries, steps)
            finals = await final_reports(queue, sent)
            rows = report_rows(sent, finals, steps)
            if {"fibo", "esms"} <= entries.keys():
                rows += await run_backup(hass, sandbox, entries, queue, steps)
            if "esms" in entries:
                rows += await run_zalo(hass, sandbox, entries["esms"], queue, steps)
        if "fpt" in entries:
            rows += await run_campaign(hass, sandbox, entries["fpt"], steps)
        rows = await with_channel_and_cost(hass, rows)
        sensors = await sensor_rows(hass, steps)
        print()
        header = (
            "Gateway",
            "Number",
            "Message id",
            "Status",
            "Report after (s)",
            "Channel",
            "Cost",
        )
        print_table(header, rows)
        print()
        print_table(("Sensor", "State", "Unit"), sensors)
    finally:
        await hass.stop()
        await sandbox.close()
    print()
    if steps.failed:
        print(f"Demo FAILED: {len(steps.failed)} step(s) did not work (see FAIL above).")
        print(f"Home Assistant's log: {hass.log_path}")
        return 1
    shutil.rmtree(config_dir, ignore_errors=True)
    print(f"Demo passed in {time.monotonic() - steps.started:.0f} s.")
    return 0


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """A plain-text table."""
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=False)]
    for line in (header, tuple("-" * w for w in widths), *rows):
        print("  " + "  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)))


def main() -> None:
    """Entry point of scripts/demo."""
    sys.exit(asyncio.run(run()))


if __name__ == "__main__":
    main()
