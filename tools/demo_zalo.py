"""scripts/demo's Zalo-then-SMS message: Zalo cannot reach the number, eSMS sends the SMS.

The demo picks the sandbox eSMS account's Zalo Official Account in the options form (as a user
would), then sends one `zalo_sms` message with the one-time-code template to a number the
sandbox has no Zalo user for (last digit 6). Zalo's failed report names the reason, eSMS falls
back to SMS at once, and the SMS leg's delivery makes the message delivered.
"""

from __future__ import annotations

import time
from typing import Any

from sandbox import Sandbox

from .demo_backup import Queue, Steps, configure_and_send, final_status
from .hass import HassProcess

NUMBER = "0912345676"  # the sandbox's Zalo has no user for numbers ending in 6
TEMPLATE = {"zalo_template": "2056446", "zalo_params": {"otp": "123456"}}


async def run_zalo(
    hass: HassProcess, sandbox: Sandbox, entry_id: str, queue: Queue, steps: Steps
) -> list[tuple[str, ...]]:
    """The Zalo-then-SMS message; its row for the demo's message table."""
    [oa] = sandbox.state.first_account("esms").zalo_oas
    data: dict[str, Any] = {
        "config_entry_id": entry_id,
        "target": NUMBER,
        "channel": "zalo_sms",
        "message": "SMS Bridge demo: ma xac minh 123456",
        **TEMPLATE,
    }
    message = await configure_and_send(hass, "zalo", (entry_id, {"zalo_oa": oa}), data, steps)
    if message is None:
        return []
    sent_at = time.monotonic()
    status = await final_status(queue, message["message_id"])
    seconds = f"{time.monotonic() - sent_at:.1f}" if status != "no report" else "-"
    if status != "delivered":
        steps.fail(f"zalo: expected delivered by the SMS leg, got {status}")
    else:
        steps.ok(f"eSMS: Zalo could not reach {NUMBER}; its SMS leg delivered it")
    return [("eSMS.vn (Zalo, then SMS)", NUMBER, message["message_id"], status, seconds)]
