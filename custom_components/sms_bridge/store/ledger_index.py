"""What the spending guard asks of the ledger, answered without walking it.

The guard asks two things before every send: "was this text sent to this number lately?" and
"how many messages went out since then?". Walking the ledger newest first answers both, but costs
as many steps as messages inside the window, and an automation stuck in a loop fills the window
fast. This index answers the first with a dictionary lookup per number and the second with a
binary search over the send times, so a send costs the same with 10 or 10,000 recent messages.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .sent_message import LedgerMessage

#: The longest window anyone counts over (the daily limit); older send times are let go.
KEEP = timedelta(days=1)


class RecentSends:
    """Send times in order, and the newest message per (text digest, phone)."""

    def __init__(self) -> None:
        self._times: list[datetime] = []
        self._head = 0  # self._times[:self._head] is let go, dropped in one slice now and then
        self._latest: dict[tuple[str, str], LedgerMessage] = {}

    def rebuild(self, messages: Iterable[LedgerMessage]) -> None:
        """Start again from the ledger's messages (after loading)."""
        self._times, self._head, self._latest = [], 0, {}
        for message in sorted(messages, key=lambda m: m.sent_at):
            self.add(message)

    def add(self, message: LedgerMessage) -> None:
        """A message was sent (in time order, but a clock step back is tolerated)."""
        self.add_time(message.sent_at)
        if message.digest:
            self._latest[(message.digest, message.phone)] = message

    def add_time(self, when: datetime) -> None:
        """A send that counts under the limits (a message, or one that may have gone out)."""
        if self._times and when < self._times[-1]:
            insort(self._times, when, lo=self._head)
        else:
            self._times.append(when)
        self._let_go(when - KEEP)

    def forget(self, message: LedgerMessage) -> None:
        """The ledger let the message go: it no longer stands for a later equal send."""
        key = (message.digest, message.phone)
        if self._latest.get(key) is message:
            del self._latest[key]

    def equal_since(self, digest: str, phone: str, since: datetime) -> LedgerMessage | None:
        """The newest message with this text to this number sent at or after `since`."""
        message = self._latest.get((digest, phone))
        return message if message is not None and message.sent_at >= since else None

    def count_since(self, since: datetime) -> tuple[int, datetime | None]:
        """How many messages went out at or after `since` (within KEEP), and the oldest time."""
        start = bisect_left(self._times, since, lo=self._head)
        count = len(self._times) - start
        return count, self._times[start] if count else None

    def _let_go(self, before: datetime) -> None:
        self._head = bisect_left(self._times, before, lo=self._head)
        if self._head > 1024 and self._head * 2 > len(self._times):
            del self._times[: self._head]
            self._head = 0
