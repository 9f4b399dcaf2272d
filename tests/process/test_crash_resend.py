"""kill -9 at each point where a decision is made and a request follows it (issue 18).

A resend through the backup and an advertising campaign are decided, then asked of a gateway.
Killed between the two, or while the gateway's answer is on its way, Home Assistant must after a
restart know what it decided and never do it twice: a resend whose request may have gone out is
not repeated, one interrupted before its request is made once, a campaign is followed. Black-box:
what a user and the gateways can do, and what the gateways received.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from typing import Any

import aiohttp
import pytest

from sandbox import Fault, Sandbox
from sandbox.fpt import CALLS
from sandbox.fpt_ads import DETAIL_PATH, PUSH_PATH
from sandbox.state import Account as SandboxAccount
from tools.demo import gateways
from tools.hass import HassProcess

from .harness import (
    DOMAIN,
    WAIT_TIMEOUT,
    Account,
    ReportRecorder,
    Sent,
    add_accounts,
    deliver,
    restart,
    wait_loaded,
)

#: What a repeated report, or a wrong resume after the restart, would need to go out.
SETTLE = 3.0
FIBO_FAILS = "0901234564"  # the sandbox fails numbers ending in 4 after taking them
SMSPAY_FAILS = "0888123454"


def requests_to(sandbox: Sandbox, gateway: str, path: str) -> int:
    """How many requests for `path` reached the gateway."""
    return sum(1 for g, _, p in sandbox.state.requests if g == gateway and path in p)


async def until(condition: Callable[[], bool], what: str) -> None:
    """Wait for something the gateways will see; fail after the usual timeout."""
    async with asyncio.timeout(WAIT_TIMEOUT):
        while not condition():  # noqa: ASYNC110 - the sandbox has no event to await
            await asyncio.sleep(0.05)
    assert condition(), what


async def send(hass: HassProcess, account: Account, number: str, text: str) -> Sent:
    answer = await hass.call(
        DOMAIN,
        "send",
        {"config_entry_id": account.entry_id, "target": number, "message": text},
        response=True,
    )
    [message] = answer["service_response"]["messages"]
    return Sent(account.gateway, account.entry_id, message["message_id"], message["phone"], 0.0)


async def replay_failure(
    session: aiohttp.ClientSession, recorder: ReportRecorder, sent: Sent
) -> None:
    """The gateway repeats its failed report (as after an answer it did not get)."""
    for _, report in recorder.reports_of(sent):
        assert await deliver(session, report) == 200


def detail_asks(sandbox: Sandbox, code: str) -> int:
    """How many times FPT was asked about a campaign."""
    return sum(
        1 for path, body in sandbox.app[CALLS] if path == DETAIL_PATH and code in body.values()
    )


async def campaign(hass: HassProcess, account: Account, number: str) -> str:
    """send_campaign for one number; its campaign code."""
    data = {"config_entry_id": account.entry_id, "target": [number], "message": "Giam gia 20%"}
    answer = await hass.call(DOMAIN, "send_campaign", data, response=True)
    return str(answer["service_response"]["campaign_code"])


async def kill_with_requests_in_flight(
    hass: HassProcess,
    sandbox: Sandbox,
    session: aiohttp.ClientSession,
    accounts: dict[str, Account],
    recorder: ReportRecorder,
) -> None:
    """One kill -9 at three dangerous moments at once.

    - A resend through eSMS whose answer is on its way: after the restart, no second SMS, also
      when the failed report comes again.
    - A campaign whose numbers FPT is taking: followed after the restart.
    - A campaign whose action answered 0.2 s before the kill: followed after the restart.
    """
    resend_path = "SendMultiple"
    sandbox.state.faults.append(Fault("latency", "esms", 20, path=resend_path))
    sandbox.state.faults.append(Fault("latency", "fpt", 20, path=PUSH_PATH))
    sent = await send(hass, accounts["fibo"], FIBO_FAILS, "Kho 1: mat dien")
    campaigns = set(sandbox.state.campaigns)
    pushing = asyncio.create_task(campaign(hass, accounts["fpt"], "0987654322"))
    await until(lambda: requests_to(sandbox, "esms", resend_path) == 1, "the resend went out")
    await until(lambda: requests_to(sandbox, "fpt", PUSH_PATH) == 1, "the push went out")
    returned = await campaign(hass, accounts["fpt"], "0987654321")
    await asyncio.sleep(0.2)
    await hass.kill()
    with contextlib.suppress(aiohttp.ClientError, RuntimeError):
        await pushing
    [half_pushed] = set(sandbox.state.campaigns) - campaigns - {returned}
    asked = {code: detail_asks(sandbox, code) for code in (half_pushed, returned)}
    await restart(hass, accounts)

    await replay_failure(session, recorder, sent)
    for code, before in asked.items():
        await until(lambda code=code, before=before: detail_asks(sandbox, code) > before, code)
    await asyncio.sleep(SETTLE)  # deliberate: time for a second resend that must not come
    assert requests_to(sandbox, "esms", resend_path) == 1


async def add_second_smspay(hass: HassProcess, sandbox: Sandbox) -> Account:
    """A second SMSPAY account: a backup must reach the same numbers (the same country)."""
    sandbox.state.accounts.append(
        SandboxAccount("smspay", {"user": "smspay-2", "pass": "smspay-pass-2"}, balance=1000)
    )
    [smspay] = [gateway for gateway in gateways(sandbox.url) if gateway.key == "smspay"]
    form = dict(smspay.form)
    form["send_url"] = form["send_url"].replace("=smspay-user&", "=smspay-2&")
    form["send_url"] = form["send_url"].replace("=smspay-pass&", "=smspay-pass-2&")
    result = await hass.config_flow(DOMAIN, [{"next_step_id": "smspay"}, form])
    assert result.get("type") == "create_entry", result
    return Account("smspay", result["result"]["entry_id"])


async def kill_in_the_pause_before_the_retry(
    hass: HassProcess,
    sandbox: Sandbox,
    session: aiohttp.ClientSession,
    accounts: dict[str, Account],
    recorder: ReportRecorder,
) -> None:
    """Killed in the pause before the one safe retry: the resend is made after the restart, once.

    SMSPAY's 429 ("try later") is the one answer that surely sent nothing; both accounts use the
    same path, so the fault is armed after the first account took its message and before its
    (delayed) failed report starts the resend.
    """
    path = "/smspay/send"
    sandbox.state.dlr_delay = 1.0
    sent = await send(hass, accounts["smspay"], SMSPAY_FAILS, "Kho 2: cua mo")
    sandbox.state.faults.append(Fault("status", "smspay", 429, path=path))  # "try later"
    await until(lambda: requests_to(sandbox, "smspay", path) == 2, "the resend was tried")
    await asyncio.sleep(0.5)  # inside the 2 s pause
    await hass.kill()
    await restart(hass, accounts)
    await until(lambda: requests_to(sandbox, "smspay", path) == 3, "the resend resumed")
    await replay_failure(session, recorder, sent)
    await asyncio.sleep(SETTLE)
    assert requests_to(sandbox, "smspay", path) == 3
    assert len([m for m in sandbox.state.messages.values() if m.gateway == "smspay"]) == 2


async def test_kill_9_between_a_decision_and_its_request(
    home_assistant: HassProcess, sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """Resends and campaigns, each killed at its dangerous moment: done once, or followed."""
    hass = home_assistant
    recorder = ReportRecorder(sandbox)
    accounts = await add_accounts(hass, sandbox)
    accounts["smspay-2"] = await add_second_smspay(hass, sandbox)
    for primary, backup in (("fibo", "esms"), ("smspay", "smspay-2")):
        options: dict[str, Any] = {
            "backup_entry_id": accounts[backup].entry_id,
            "resend_failed": True,
        }
        result = await hass.options_flow(accounts[primary].entry_id, options)
        assert result["type"] == "create_entry", result
    await wait_loaded(hass, accounts)  # reloaded with the new options
    await asyncio.sleep(SETTLE)  # deliberate: Home Assistant's own files (the entries) written

    await kill_with_requests_in_flight(hass, sandbox, session, accounts, recorder)
    await kill_in_the_pause_before_the_retry(hass, sandbox, session, accounts, recorder)


pytestmark = pytest.mark.timeout(600)
