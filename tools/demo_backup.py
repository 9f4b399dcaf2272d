"""scripts/demo's backup delivery: FiboSMS refuses a number, eSMS (its backup) sends it.

The sandbox refuses numbers ending in 3 on every gateway; the demo lets its eSMS account take
them, makes eSMS the Fibo account's backup through the options form (as a user would), and
sends one SMS through Fibo to such a number: the answer says eSMS sent it, and eSMS's delivery
report comes back over HTTP like any other.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Protocol

from sandbox import Sandbox

from .hass import HassProcess

DOMAIN = "sms_bridge"
NUMBER = "0901234563"  # Fibo refuses it (last digit 3); eSMS, told to, takes it
TIMEOUT = 30.0

type Queue = asyncio.Queue[dict[str, Any]]


class Steps(Protocol):
    """The demo's step printer (tools/demo.py)."""

    def ok(self, text: str) -> None:
        """A step that worked."""

    def fail(self, text: str) -> None:
        """A step that did not."""


async def run_backup(
    hass: HassProcess, sandbox: Sandbox, entries: dict[str, str], queue: Queue, steps: Steps
) -> list[tuple[str, ...]]:
    """The backup delivery; its row for the demo's message table."""
    sandbox.state.first_account("esms").refuses_3 = False
    options = {"backup_entry_id": entries["esms"], "secure_code": "fibo-secure"}
    data = {"config_entry_id": entries["fibo"], "target": NUMBER, "message": "SMS Bridge demo"}
    message = await configure_and_send(hass, "backup", (entries["fibo"], options), data, steps)
    if message is None:
        return []
    sent_at = time.monotonic()
    if not (message["via_backup"] and message["config_entry_id"] == entries["esms"]):
        steps.fail(f"backup: expected eSMS to send it, the answer was {message}")
        return []
    steps.ok(f"FiboSMS refused {NUMBER}; its backup eSMS sent it (via_backup: true)")
    status = await final_status(queue, message["message_id"])
    seconds = f"{time.monotonic() - sent_at:.1f}" if status != "no report" else "-"
    if status != "delivered":
        steps.fail(f"backup: expected delivered, got {status}")
    return [("FiboSMS -> eSMS (backup)", NUMBER, message["message_id"], status, seconds)]


async def configure_and_send(
    hass: HassProcess,
    step: str,
    options: tuple[str, dict[str, Any]],
    data: dict[str, Any],
    steps: Steps,
) -> dict[str, Any] | None:
    """Save an entry's options (as a user would), then send once; the send's one message."""
    entry_id, user_input = options
    result = await hass.options_flow(entry_id, user_input)
    if result.get("type") != "create_entry":
        steps.fail(f"{step}: the options form ended with {result.get('errors')}")
        return None
    await asyncio.sleep(1)  # the options reload the entry
    try:
        answer = await hass.call(DOMAIN, "send", data, response=True)
    except RuntimeError as err:
        steps.fail(f"{step}: the send failed: {err}")
        return None
    [message] = answer["service_response"]["messages"]
    return dict(message)


async def final_status(queue: Queue, message_id: str) -> str:
    """The final status of the message, as its event arrives."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            event = await asyncio.wait_for(queue.get(), deadline - time.monotonic())
        except TimeoutError:
            break
        data = event["data"]
        if data["message_id"] == message_id and data["final"]:
            return str(data["status"])
    return "no report"
