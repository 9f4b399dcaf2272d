"""Delivers delivery reports to the partner's URL the way each gateway does, with its retries."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

from .state import DeliveryAttempt, SandboxState, SentMessage


def retry_on_no_answer(status: int | None, body: str) -> bool:
    """eSMS-style: try again only when the partner did not answer (timeout, refused)."""
    return status is None


def retry_unless_2xx(status: int | None, body: str) -> bool:
    """FPT/SMSPAY-style: try again until the partner answers 2xx."""
    return status is None or not 200 <= status < 300


@dataclass
class Report:
    """One delivery-report request, sent up to `attempts` times while `retry_when` says so."""

    method: str
    url: str
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    attempts: int = 5
    retry_when: Callable[[int | None, str], bool] = retry_on_no_answer
    timeout: float = 5.0
    #: The message this report is about, when not the plan's own (the SMS leg of a Zalo-then-SMS
    #: message, reported after its Zalo leg in the same plan).
    message: SentMessage | None = None


class Courier:
    """Runs report plans in the background; `idle()` waits until every plan is done."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.retry_delay = 0.05

    async def close(self) -> None:
        """Cancel what is still under way and close the HTTP session."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    def dispatch(self, message: SentMessage, reports: list[Report]) -> None:
        """Deliver `reports` in order, each `dlr_delay` seconds after the previous one."""
        task = asyncio.get_running_loop().create_task(self._run(message, reports))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait until every report plan has finished."""
        async with asyncio.timeout(timeout):
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _run(self, message: SentMessage, reports: list[Report]) -> None:
        owners = [report.message or message for report in reports]
        for index, (report, owner) in enumerate(zip(reports, owners, strict=True)):
            await asyncio.sleep(self._state.dlr_delay)
            if not any(later is owner for later in owners[index + 1 :]):
                self._state.settle(owner)  # its last report
            await self._deliver(owner, report)

    async def _deliver(self, message: SentMessage, report: Report) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        for attempt in range(1, report.attempts + 1):
            status: int | None = None
            body = ""
            error: str | None = None
            try:
                async with self._session.request(
                    report.method,
                    report.url,
                    params=report.params or None,
                    headers=report.headers,
                    data=report.body,
                    timeout=aiohttp.ClientTimeout(total=report.timeout),
                ) as response:
                    status = response.status
                    body = await response.text(errors="replace")
            except Exception as err:  # noqa: BLE001 - a partner that fails is recorded, like a gateway would
                error = type(err).__name__
            self._state.deliveries.append(
                DeliveryAttempt(message.gateway, message.message_id, attempt, status, body, error)
            )
            if not report.retry_when(status, body):
                return
            await asyncio.sleep(self.retry_delay)
