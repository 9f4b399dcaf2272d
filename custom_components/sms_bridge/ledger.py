"""The ledger: every message this entry sent, with its delivery history, kept across restarts.

It answers "which number was message X sent to" for delivery reports and counts today's
messages for gateways that keep no daily totals of their own. Bounded to 30 days or 10,000
messages, whichever is smaller. Every operation costs the same however full it is: today's
counts are kept as messages change, and the oldest messages are dropped from the front.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import hashlib
from typing import Any, NotRequired, TypedDict

from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from .journal import EntryJournal
from .providers.base import (
    DailyTotals,
    DeliveryReport,
    DeliveryStatus,
    FailureReason,
    SendResult,
)
from .recent import RecentSends
from .signals import Topic

PART = "ledger"
MAX_AGE = timedelta(days=30)
MAX_MESSAGES = 10_000
PREVIEW_LENGTH = 40
#: Reports kept per message, the latest (a real message has three or four; a flood, many).
MAX_HISTORY = 16


class StoredMessage(TypedDict):
    """One message as stored on disk."""

    id: str
    phone: str
    text: str
    segments: int
    sent: str
    status: str
    history: list[list[str | None]]
    final: NotRequired[bool]
    digest: NotRequired[str]
    body: NotRequired[str]
    resent_as: NotRequired[MessageLink]
    resend_of: NotRequired[MessageLink]
    resend: NotRequired[Resend]


class MessageLink(TypedDict):
    """A message of some entry: a resend and what it resends point at each other."""

    config_entry_id: str
    message_id: str


class Resend(TypedDict):
    """The decision to resend a failed message through the backup, and how far it got.

    `state`: "decided" (no request out yet: carried out, after a restart too), "sending" (a
    request may be out), "done", "maybe_sent" (a request went out and its answer was lost:
    never again), "refused" (the backup's guard or gateway refused it). `request_id` is the
    resend's own, the same on every attempt.
    """

    to: str
    state: str
    request_id: str


def text_digest(text: str) -> str:
    """A short digest of a text: the same text to the same number is a duplicate."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Report:
    """One delivery report of a message, as its history keeps it."""

    time: datetime
    status: DeliveryStatus
    #: The gateway's own status code.
    raw: str
    #: Why it failed (a failure only).
    reason: FailureReason | None = None

    def as_stored(self) -> list[str | None]:
        """The JSON form: [time, status, raw] and the reason when there is one."""
        stored: list[str | None] = [self.time.isoformat(), self.status.value, self.raw]
        return [*stored, self.reason.value] if self.reason else stored

    @classmethod
    def from_stored(cls, data: list[Any]) -> Report:
        """Back from the JSON form (files before reasons have three items)."""
        reason = FailureReason(data[3]) if len(data) > 3 and data[3] else None
        return cls(datetime.fromisoformat(data[0]), DeliveryStatus(data[1]), data[2], reason)


@dataclass(slots=True)
class LedgerMessage:
    """A message this entry sent, with each of its delivery reports (`history`)."""

    message_id: str
    phone: str
    preview: str
    segments: int
    sent_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    history: list[Report] = field(default_factory=list)
    #: Whether the gateway has said its last word (a finished eSMS batch is final while `sent`).
    final: bool = False
    #: Digest of the whole text (duplicate sends inside the entry's window are not sent again).
    digest: str = ""
    #: The whole text, kept only while a resend through the backup may still be needed.
    body: str | None = None
    #: The backup's message that resent this one after it failed, and the other way round.
    resent_as: MessageLink | None = None
    resend_of: MessageLink | None = None
    #: The resend through the backup, once decided (durable before its request goes out).
    resend: Resend | None = None
    #: The JSON form, kept until the message changes (`changed`): a snapshot of a large ledger
    #: then costs little, and a form handed out is never modified afterwards.
    stored: StoredMessage | None = field(default=None, repr=False, compare=False)

    def changed(self) -> None:
        """The message changed: its JSON form is made anew when next asked for."""
        self.stored = None

    def has_report(self, provider_status: str) -> bool:
        """Whether a report with this raw status was already recorded."""
        return any(report.raw == provider_status for report in self.history)

    @property
    def last_reason(self) -> FailureReason | None:
        """Why the message failed, when its latest status is a failure."""
        if self.status is DeliveryStatus.FAILED and self.history:
            return self.history[-1].reason
        return None

    def as_stored(self) -> StoredMessage:
        """The JSON form (made once per change)."""
        if self.stored is not None:
            return self.stored
        stored: StoredMessage = {
            "id": self.message_id,
            "phone": self.phone,
            "text": self.preview,
            "segments": self.segments,
            "sent": self.sent_at.isoformat(),
            "status": self.status.value,
            "history": [report.as_stored() for report in self.history],
            "final": self.final,
            "digest": self.digest,
        }
        if self.body is not None:
            stored["body"] = self.body
        if self.resent_as:
            stored["resent_as"] = self.resent_as
        if self.resend_of:
            stored["resend_of"] = self.resend_of
        if self.resend:
            stored["resend"] = self.resend
        self.stored = stored
        return stored

    @classmethod
    def from_stored(cls, data: StoredMessage) -> LedgerMessage:
        """Back from the JSON form (files before "final" derive it from the status)."""
        status = DeliveryStatus(data["status"])
        return cls(
            message_id=data["id"],
            phone=data["phone"],
            preview=data["text"],
            segments=data["segments"],
            sent_at=datetime.fromisoformat(data["sent"]),
            status=status,
            history=[Report.from_stored(item) for item in data["history"]],
            final=data.get("final", status.final),
            digest=data.get("digest", ""),
            body=data.get("body"),
            resent_as=data.get("resent_as"),
            resend_of=data.get("resend_of"),
            resend=data.get("resend"),
        )


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
            report = Report.from_stored([record["t"], record["s"], record["raw"], record.get("w")])
            self._apply(known, report, record["f"])

    def loaded(self) -> None:
        """Everything is back: apply the bounds, count today's messages, index the recent ones."""
        self._prune()
        self.async_new_day()
        self.recent.rebuild(self._messages.values())

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

    @callback
    def async_record_sent(
        self,
        result: SendResult,
        text: str,
        *,
        keep_body: bool = False,
        resend_of: MessageLink | None = None,
    ) -> LedgerMessage:
        """Remember a message the gateway accepted (`keep_body`: until its last report)."""
        self._follow_the_day()
        message = LedgerMessage(
            message_id=result.message_id,
            phone=result.phone,
            preview=text[:PREVIEW_LENGTH],
            segments=result.segments,
            sent_at=dt_util.utcnow(),
            digest=text_digest(text),
            body=text if keep_body else None,
            resend_of=resend_of,
        )
        if (reused := self._messages.pop(message.message_id, None)) is not None:
            self.recent.forget(reused)  # a reused id starts anew, newest last
        self._messages[message.message_id] = message
        self.recent.add(message)
        if message.sent_at >= self._day_start:
            self._today[DeliveryStatus.PENDING] += 1
        self._prune()
        self._changed(message)
        return message

    @callback
    def async_record_report(self, report: DeliveryReport) -> LedgerMessage | None:
        """Add a delivery report to its message's history; None when not ours."""
        message = self._messages.get(report.message_id)
        if message is None:
            return None
        self._follow_the_day()
        entry = Report(dt_util.utcnow(), report.status, report.provider_status, report.reason)
        self._apply(message, entry, report.final)
        # Only what changed goes to the journal: the cost does not grow with the history.
        record: dict[str, Any] = {
            "r": message.message_id,
            "t": entry.time.isoformat(),
            "s": report.status.value,
            "raw": report.provider_status,
            "f": report.final,
        }
        if report.reason:
            record["w"] = report.reason.value
        self._journal.async_record(PART, record)
        self._notify()
        return message

    def _apply(self, message: LedgerMessage, report: Report, final: bool) -> None:
        """One report on a message: its history (the latest MAX_HISTORY), status and counts."""
        message.changed()
        message.history.append(report)
        del message.history[:-MAX_HISTORY]
        status = report.status
        # A late non-final report never undoes a final status.
        if not message.final or final:
            if message.sent_at >= self._day_start:
                self._today[_bucket(message.status)] -= 1
                self._today[_bucket(status)] += 1
            message.status = status
            message.final = final
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
            self.recent.forget(self._messages.popitem(last=False)[1])

    def _changed(self, message: LedgerMessage, *, urgent: bool = False) -> None:
        self._journal.async_record(PART, {"m": message.as_stored()}, urgent=urgent)
        self._notify()

    def _notify(self) -> None:
        if self._changed_topic is not None:
            self._changed_topic.publish(None)
