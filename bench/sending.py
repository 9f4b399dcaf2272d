"""Sending through `sms_bridge.send` over REST: filling ledgers, send rate, fan-out, FPT tokens."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import time

from sandbox.state import Fault

from .rig import Account, Rig

TOKEN_PATH = "/oauth2/token"  # noqa: S105 - FPT's token endpoint, not a secret
#: The path of each gateway's send request, for the fan-out's latency fault.
SEND_PATHS = {
    "fibo": "/SendMT/",
    "esms": "SendMultipleMessage",
    "fpt": "/api/push-brandname",
    "smspay": "/smspay/send",
}


@dataclass
class Rate:
    """Sends and the seconds they took."""

    sends: int = 0
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        """Sends per second."""
        return self.sends / self.seconds if self.seconds else 0.0


@dataclass
class SendRates:
    """The send-rate series as the ledger grew, and the interleaved full/empty comparison."""

    series: list[tuple[int, Rate]] = field(default_factory=list)
    full: Rate = field(default_factory=Rate)
    empty: Rate = field(default_factory=Rate)
    full_ledger: int = 0
    empty_ledger: int = 0


async def send_window(rig: Rig, account: Account, count: int, batch: int) -> Rate:
    """`count` sends in calls of `batch` numbers, one call at a time."""
    start = time.perf_counter()
    done = 0
    while done < count:
        size = min(batch, count - done)
        await rig.send(account, size)
        done += size
    return Rate(count, time.perf_counter() - start)


async def fill(rig: Rig, accounts: list[Account], target: int, batch: int) -> None:
    """Send until every account's ledger holds `target` messages; the accounts in parallel."""

    async def one(account: Account) -> None:
        if len(account.sent) < target:
            await send_window(rig, account, target - len(account.sent), batch)

    await asyncio.gather(*(one(account) for account in accounts))


async def grow(
    rig: Rig, account: Account, *, target: int, window: int, batch: int, rates: SendRates
) -> None:
    """Fill `account` to `target` alone, one window at a time, each window's rate in the series."""
    while len(account.sent) < target:
        ledger = len(account.sent)
        rate = await send_window(rig, account, min(window, target - ledger), batch)
        rates.series.append((ledger, rate))


async def compare(
    rig: Rig,
    full: Account,
    empty: Account,
    *,
    rates: SendRates,
    window: int,
    rounds: int,
    batch: int,
) -> None:
    """Windows on the full and the nearly empty entry by turns, so drift hits both alike."""
    rates.full_ledger = len(full.sent)
    for turn in range(rounds):
        pair = (full, empty) if turn % 2 == 0 else (empty, full)
        for account in pair:
            rate = await send_window(rig, account, window, batch)
            total = rates.full if account is full else rates.empty
            total.sends += rate.sends
            total.seconds += rate.seconds
    rates.empty_ledger = len(empty.sent)


async def fan_out(
    rig: Rig, account: Account, numbers: int, latency: float, runs: int
) -> list[float]:
    """Seconds for one call to `numbers` numbers while each send takes `latency` s; per run."""
    fault = Fault("latency", account.gateway, latency, count=-1, path=SEND_PATHS[account.gateway])
    rig.sandbox.state.faults.append(fault)
    try:
        seconds = []
        for _ in range(runs):
            start = time.perf_counter()
            await rig.send(account, numbers)
            seconds.append(time.perf_counter() - start)
    finally:
        rig.sandbox.state.faults.remove(fault)
    return seconds


def token_requests(rig: Rig) -> int:
    """How many token requests FPT's sandbox has received so far."""
    return sum(1 for _, _, path in rig.sandbox.state.requests if path == TOKEN_PATH)


async def burst(rig: Rig, account: Account, calls: int, numbers: int) -> None:
    """`calls` concurrent sends of `numbers` numbers each."""
    await asyncio.gather(*(rig.send(account, numbers) for _ in range(calls)))


async def token_bursts(rig: Rig, account: Account, calls: int, numbers: int) -> tuple[int, int]:
    """FPT token requests: for a burst after a reload, then for one whose token just expired."""
    before = token_requests(rig)
    await rig.hass.reload_entry(account.entry_id)
    await burst(rig, account, calls, numbers)
    cold = token_requests(rig) - before
    before = token_requests(rig)
    rig.sandbox.state.faults.append(Fault("expire_token", "fpt"))
    await burst(rig, account, calls, numbers)
    return cold, token_requests(rig) - before
