"""scripts/demo's FPT advertising campaign, with approval in seconds on the sandbox's clock.

Real carriers approve a campaign in hours and FPT reports per number days after it went out. The
sandbox approves in seconds and its campaign clock can be moved, so the demo moves it past the
approval, then past the schedule, and reloads the FPT entry after each move: an entry checks the
campaigns it follows as soon as it starts (as after a restart), and only every 30 minutes or more
after that, which is too slow to watch.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import time
from typing import Any, Protocol

from custom_components.sms_bridge.providers.fpt.ads import ads_message_id
from sandbox import Sandbox

from .hass import HassProcess

DOMAIN = "sms_bridge"
CAMPAIGN_EVENT = "sms_bridge_campaign"
REPORT_EVENT = "sms_bridge_delivery_report"
#: Delivered, failed (the sandbox fails numbers ending in 4).
NUMBERS = ("0987654321", "0987654324")
TEXT = "SMS Bridge demo: giam gia 20% cuoi tuan nay"
APPROVAL = 2.0
TIMEOUT = 30.0

type Queue = asyncio.Queue[dict[str, Any]]


class Steps(Protocol):
    """The demo's step printer (tools/demo.py)."""

    def ok(self, text: str) -> None:
        """A step that worked."""

    def fail(self, text: str) -> None:
        """A step that did not."""


async def next_event(queue: Queue, match: dict[str, Any]) -> dict[str, Any] | None:
    """The next event (its data) whose data has every key of `match`; None after TIMEOUT."""
    deadline = time.monotonic() + TIMEOUT
    while (left := deadline - time.monotonic()) > 0:
        try:
            event = await asyncio.wait_for(queue.get(), left)
        except TimeoutError:
            break
        data: dict[str, Any] = event["data"]
        if all(data.get(key) == value for key, value in match.items()):
            return data | {"time_fired": event["time_fired"]}
    return None


async def reload(hass: HassProcess, entry_id: str) -> None:
    """Reload the entry, as Settings > Devices & services > ... > Reload does."""
    await hass.call("homeassistant", "reload_config_entry", {"entry_id": entry_id})


async def create(hass: HassProcess, entry_id: str, steps: Steps) -> dict[str, Any] | None:
    """Call sms_bridge.send_campaign; its response."""
    data = {"config_entry_id": entry_id, "target": list(NUMBERS), "message": TEXT}
    try:
        answer = await hass.call(DOMAIN, "send_campaign", data, response=True)
    except RuntimeError as err:
        steps.fail(f"FPT campaign: send_campaign failed: {err}")
        return None
    campaign: dict[str, Any] = answer["service_response"]
    steps.ok(
        f'FPT campaign "{campaign["name"]}" created: {campaign["numbers"]} numbers, '
        f"quota {campaign['quota']}, to go out {campaign['schedule']}"
    )
    return campaign


async def follow(
    hass: HassProcess,
    sandbox: Sandbox,
    entry_id: str,
    campaign: dict[str, Any],
    queue: Queue,
) -> list[str]:
    """Move the sandbox clock to approval, then past the schedule; the campaign's states seen."""
    code = campaign["campaign_code"]
    seen: list[str] = []
    sandbox.state.ads.clock_offset += APPROVAL  # the carriers have decided
    schedule = datetime.fromisoformat(campaign["schedule"])
    moves = (None, schedule + timedelta(minutes=1))  # then: sent, and its results are ready
    for status, move in zip(("approved", "sent"), moves, strict=True):
        if move is not None:
            sandbox.state.ads.set_now(move)
        await reload(hass, entry_id)
        if await next_event(queue, {"campaign_code": code, "status": status}) is None:
            break
        seen.append(status)
    return seen


async def results(
    queue: Queue, campaign: dict[str, Any], started: datetime
) -> dict[str, tuple[str, float]]:
    """Each number's final status from its delivery-report event: id -> (status, seconds)."""
    wanted = {ads_message_id(campaign["batch_id"], number) for number in NUMBERS}
    finals: dict[str, tuple[str, float]] = {}
    while len(finals) < len(wanted):
        data = await next_event(queue, {"final": True, "tracked": True})
        if data is None:
            break
        if data["message_id"] in wanted:
            fired = datetime.fromisoformat(data["time_fired"])
            finals[data["message_id"]] = (data["status"], (fired - started).total_seconds())
    return finals


async def run_campaign(
    hass: HassProcess, sandbox: Sandbox, entry_id: str, steps: Steps
) -> list[tuple[str, ...]]:
    """One campaign from the action to its per-number results; rows for the demo's table."""
    sandbox.state.ads.approval_delay = APPROVAL
    sandbox.state.ads.results_delay = APPROVAL
    async with hass.events(CAMPAIGN_EVENT) as campaigns, hass.events(REPORT_EVENT) as reports:
        started = datetime.now(UTC)
        campaign = await create(hass, entry_id, steps)
        if campaign is None:
            return []
        if await next_event(campaigns, {"status": "created"}) is None:
            steps.fail("FPT campaign: no sms_bridge_campaign event for its creation")
            return []
        seen = await follow(hass, sandbox, entry_id, campaign, campaigns)
        if seen != ["approved", "sent"]:
            steps.fail(f"FPT campaign: expected approved then sent, saw {seen or 'nothing'}")
            return []
        steps.ok("FPT campaign: created, approved, sent (sandbox clock moved, entry reloaded)")
        finals = await results(reports, campaign, started)
    rows: list[tuple[str, ...]] = []
    for number in NUMBERS:
        message_id = ads_message_id(campaign["batch_id"], number)
        expected = "failed" if number.endswith("4") else "delivered"
        status, after = finals.get(message_id, ("no report", 0.0))
        seconds = f"{after:.1f}" if message_id in finals else "-"
        rows.append(("FPT campaign", number, message_id, status, seconds))
        if status != expected:
            steps.fail(f"FPT campaign {number}: expected {expected}, got {status}")
    if len(finals) == len(NUMBERS):
        steps.ok("FPT campaign: every number's result arrived as a delivery-report event")
    return rows
