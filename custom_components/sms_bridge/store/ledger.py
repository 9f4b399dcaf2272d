"""The ledger: every message this entry sent, with its delivery history, kept across restarts.

It answers "which number was message X sent to" for delivery reports and counts today's
messages for gateways that keep no daily totals of their own. Bounded to 30 days or 10,000
messages, whichever is smaller. Every operation costs the same however full it is: today's
counts are kept as messages change, and the oldest messages are dropped from the front.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from ..providers.models import DailyTotals, DeliveryReport, DeliveryStatus, SendResult
from ..signals import Topic
from .costs import CostBook
from .journal import EntryJournal
from .ledger_index import RecentSends
from .sent_message import (
    LedgerMessage,
    MessageLink,
    Report,
    Resend,
    StoredMessage,
    text_digest,
)

__all__ = [
    "MAX_HISTORY",
    "Ledger",
    "LedgerMessage",
    "MessageLink",
    "Report",
    "Resend",
    "StoredMessage",
    "text_digest",
]

PART = "ledger"
MAX_AGE = timedelta(days=30)
MAX_MESSAGES = 10_000
PREVIEW_LENGTH = 40
#: Reports kept per message, the latest (a real message has three or four; a flood, many).
MAX_HISTORY = 16


def _bucket(status: DeliveryStatus) -> DeliveryStatus:
    """The daily total a status counts in: sent but unconfirmed is still pending."""
    return DeliveryStatus.PENDING if status is DeliveryStatus.SENT else status


class Ledger:
    """The sent messages of one config entry, oldest first."""

    def __init__(self, journal: EntryJournal, changed: Topic[None] | None = None) -> None:
        self._journal = journal
        #: Told after every change (today's counts follow it).
        self._changed_topic = changed
        # OrderedDict: dropping the oldest stays O(1) after many deletions (a dict's does not).
        self._messages: OrderedDict[str, LedgerMessage] = OrderedDict()
        self._day_start = self._next_day = dt_util.start_of_local_day()
        self._today: Counter[DeliveryStatus] = Counter()
        #: Recent sends indexed for the spending guard (its checks cost the same however many).
        self.recent = RecentSends()
        #: A leg's request id -> its message (a leg's report may name it by another id).
        self._by_request: dict[str, str] = {}
        #: Today's and this month's costs, moved by each change of a message's cost.
        self.costs = CostBook(journal)
        journal.add_part(PART, self)

    def __len__(self) -> int:
        """How many messages are remembered."""
        return len(self._messages)

    # -- storage (JournalPart) --

    def snapshot(self) -> dict[str, Any]:
        """Every message in its JSON form."""
        return {"messages": [m.as_stored() for m in self._messages.values()]}

    def restore(self, data: dict[str, Any]) -> None:
        """Take back the stored messages."""
        for item in data.get("messages", []):
            message = LedgerMessage.from_stored(item)
            self._messages[message.message_id] = message

    def replay(self, record: dict[str, Any]) -> None:
        """A journal record: a message as it was after a change, or one report of a message."""
        if "m" in record:
            message = LedgerMessage.from_stored(record["m"])
            self._messages[message.message_id] = message
        elif (known := self._messages.get(record["r"])) is not None:
            if "h" in record:
                report = Report.from_stored(record["h"])
            else:  # journals before legs
                report = Report.from_stored(
                    [record["t"], record["s"], record["raw"], record.get("w"), None, record["f"]]
                )
            self._apply(known, report)
            if "price" in record:  # ("p" and "q" are the journal's own keys)
                known.state_cost(report.channel, Decimal(record["price"]), record.get("currency"))

    def loaded(self) -> None:
        """Everything is back: apply the bounds, count today's messages, index the recent ones."""
        self._prune()
        self.async_new_day()
        self.recent.rebuild(self._messages.values())
        self._by_request = {
            request_id: message.message_id
            for message in self._messages.values()
            for request_id in message.request_ids
        }

    # -- changes --

    def messages(self) -> Iterator[LedgerMessage]:
        """Every remembered message, oldest first."""
        return iter(self._messages.values())

    def newest_first(self) -> Iterator[LedgerMessage]:
        """The messages from the latest sent back, lazily: a query stops when it has enough."""
        return reversed(self._messages.values())

    def get(self, message_id: str) -> LedgerMessage | None:
        """A remembered message by its gateway id."""
        return self._messages.get(message_id)

    def claim(self, report: DeliveryReport) -> LedgerMessage | None:
        """The message a report is about: by its id, else by the request id of one of its legs."""
        message = self._messages.get(report.message_id)
        if message is None and report.request_id:
            message_id = self._by_request.get(report.request_id)
            message = self._messages.get(message_id) if message_id else None
        return message

    @callback
    def async_record_sent(
        self,
        result: SendResult,
        text: str,
        *,
        keep_body: bool = False,
        resend_of: MessageLink | None = None,
        estimate: tuple[Decimal, str] | None = None,
        compared: str | None = None,
    ) -> LedgerMessage:
        """Remember a message the gateway accepted (`keep_body`: until its last report).

        `compared`: what the duplicate window compares, when not the text (a Zalo message's
        template and values); `estimate`: what it should cost and in which currency, until a
        report says.
        """
        self._follow_the_day()
        message = LedgerMessage(
            message_id=result.message_id,
            phone=result.phone,
            preview=text[:PREVIEW_LENGTH],
            segments=result.segments,
            sent_at=dt_util.utcnow(),
            digest=text_digest(text if compared is None else compared),
            body=text if keep_body else None,
            resend_of=resend_of,
            channel=result.channel.value,
            request_ids=tuple(result.request_ids) if len(result.request_ids) > 1 else (),
        )
        if estimate is not None:
            message.cost, message.currency = estimate
            self.costs.async_add(message.cost, message.sent_at)
        if (reused := self._messages.pop(message.message_id, None)) is not None:
            self.recent.forget(reused)  # a reused id starts anew, newest last
        self._messages[message.message_id] = message
        self._by_request.update(dict.fromkeys(message.request_ids, message.message_id))
        self.recent.add(message)
        if message.sent_at >= self._day_start:
            self._today[DeliveryStatus.PENDING] += 1
        self._prune()
        self._changed(message)
        return message

    @callback
    def async_record_report(self, report: DeliveryReport) -> LedgerMessage | None:
        """Add a delivery report to its message's history; None when not ours."""
        message = self.claim(report)
        if message is None:
            return None
        self._follow_the_day()
        leg = (report.leg or report.channel).value
        entry = Report(
            dt_util.utcnow(),
            report.status,
            report.provider_status,
            report.reason,
            leg if leg != "sms" else None,
            report.final,
        )
        self._apply(message, entry)
        # Only what changed goes to the journal: the cost does not grow with the history.
        record: dict[str, Any] = {"r": message.message_id, "h": entry.as_stored()}
        if report.price is not None:
            old = message.cost or Decimal(0)
            new = message.state_cost(leg, report.price, report.currency)
            self.costs.async_add(new - old, message.sent_at)
            record |= {"price": str(report.price), "currency": report.currency}
        self._journal.async_record(PART, record)
        self._notify()
        return message

    def _apply(self, message: LedgerMessage, report: Report) -> None:
        """One report on a message: its history (the latest MAX_HISTORY), status and counts.

        A late non-final report never undoes a final status.
        """
        message.changed()
        message.history.append(report)
        del message.history[:-MAX_HISTORY]
        status, final = message.settled()
        if message.final and not final:
            return
        if message.sent_at >= self._day_start:
            self._today[_bucket(message.status)] -= 1
            self._today[_bucket(status)] += 1
        message.status, message.final = status, final
        if final and status is not DeliveryStatus.FAILED:
            message.body = None  # kept only for a resend after a failure

    @callback
    def async_update(self, message: LedgerMessage, *, urgent: bool = False) -> None:
        """Record a change made to a message (its resend, its body let go).

        `urgent`: a decision that must be on disk before anything acts on it (the journal's
        next `async_flush_urgent` writes it).
        """
        message.changed()
        self._changed(message, urgent=urgent)

    # -- today's totals --

    def totals_today(self) -> DailyTotals:
        """Today's (local time) messages by their latest status; sent-but-unconfirmed is pending.

        Every message sent today counts, also one the ledger has already had to let go.
        """
        self._follow_the_day()
        return DailyTotals(
            delivered=self._today[DeliveryStatus.DELIVERED],
            failed=self._today[DeliveryStatus.FAILED],
            pending=self._today[DeliveryStatus.PENDING],
        )

    @callback
    def async_new_day(self) -> None:
        """Count today's messages afresh (at local midnight, and after loading)."""
        self._day_start = dt_util.start_of_local_day()
        self._next_day = dt_util.start_of_local_day(self._day_start.date() + timedelta(days=1))
        self._today = Counter(
            _bucket(m.status) for m in self._messages.values() if m.sent_at >= self._day_start
        )

    def _follow_the_day(self) -> None:
        """Start a new count if midnight passed unnoticed (a clock jump, a suspended host)."""
        if dt_util.utcnow() >= self._next_day:
            self.async_new_day()

    # -- internals --

    def _prune(self) -> None:
        """Drop the oldest messages: over the count bound, or older than MAX_AGE."""
        cutoff = dt_util.utcnow() - MAX_AGE
        while self._messages:
            oldest = next(iter(self._messages.values()))
            if len(self._messages) <= MAX_MESSAGES and oldest.sent_at >= cutoff:
                break
            dropped = self._messages.popitem(last=False)[1]
            self.recent.forget(dropped)
            for request_id in dropped.request_ids:
                self._by_request.pop(request_id, None)

    def _changed(self, message: LedgerMessage, *, urgent: bool = False) -> None:
        self._journal.async_record(PART, {"m": message.as_stored()}, urgent=urgent)
        self._notify()

    def _notify(self) -> None:
        if self._changed_topic is not None:
            self._changed_topic.publish(None)
