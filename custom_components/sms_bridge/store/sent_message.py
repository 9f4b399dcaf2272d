"""A message the account sent, as the ledger keeps it: its reports, its channel, its cost.

A message goes by one channel (SMS, Zalo) or by two (Zalo first, SMS when Zalo fails). Each
report is about one leg; the message is delivered once any leg delivered it, and has failed for
good only when its last leg has. Its cost is what the reports state, summed over its legs, or
until they do, the estimate made when it was sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
import hashlib
from typing import Any, NotRequired, TypedDict

from ..providers.channels import Channel
from ..providers.models import DeliveryStatus, FailureReason

SMS, ZALO = Channel.SMS.value, Channel.ZALO.value


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
    channel: NotRequired[str]
    requests: NotRequired[list[str]]
    cost: NotRequired[str]
    stated: NotRequired[dict[str, str]]
    currency: NotRequired[str]


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
    #: The leg it is about: "sms" or "zalo" (None in files before channels: SMS).
    leg: str | None = None
    #: Whether the gateway says no more about this leg after it.
    final: bool = False

    @property
    def channel(self) -> str:
        """The leg, SMS where none was recorded."""
        return self.leg or SMS

    def as_stored(self) -> list[str | None]:
        """The JSON form: [time, status, raw, reason, leg, final], trailing blanks left out."""
        stored: list[str | None] = [
            self.time.isoformat(),
            self.status.value,
            self.raw,
            self.reason.value if self.reason else None,
            self.leg,
            "f" if self.final else None,
        ]
        while stored[-1] is None:
            stored.pop()
        return stored

    @classmethod
    def from_stored(cls, data: list[Any]) -> Report:
        """Back from the JSON form (files before reasons have three items, before legs four)."""
        extra = [*data[3:], None, None, None]
        return cls(
            time=datetime.fromisoformat(data[0]),
            status=DeliveryStatus(data[1]),
            raw=data[2],
            reason=FailureReason(extra[0]) if extra[0] else None,
            leg=extra[1],
            final=bool(extra[2]),
        )


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
    #: sms, zalo or zalo_sms (Zalo first, SMS when Zalo fails).
    channel: str = SMS
    #: Every request id the send used (one per leg): a leg's report may name the message by it.
    request_ids: tuple[str, ...] = ()
    #: What it cost: stated by the gateway's reports (summed over the legs), else estimated.
    cost: Decimal | None = None
    #: The price each leg's reports stated, by leg.
    stated: dict[str, Decimal] = field(default_factory=dict)
    currency: str | None = None
    #: The JSON form, kept until the message changes (`changed`): a snapshot of a large ledger
    #: then costs little, and a form handed out is never modified afterwards.
    stored: StoredMessage | None = field(default=None, repr=False, compare=False)

    def changed(self) -> None:
        """The message changed: its JSON form is made anew when next asked for."""
        self.stored = None

    def has_report(self, provider_status: str, leg: str | None = None) -> bool:
        """Whether a report of this leg with this raw status was already recorded."""
        channel = leg or SMS
        return any(r.raw == provider_status and r.channel == channel for r in self.history)

    @property
    def last_reason(self) -> FailureReason | None:
        """Why the message failed, when its latest status is a failure."""
        if self.status is DeliveryStatus.FAILED and self.history:
            return self.history[-1].reason
        return None

    def settled(self) -> tuple[DeliveryStatus, bool]:
        """The message's status and whether it is final, from the latest report of each leg.

        A late non-final report never undoes a leg's final status. A Zalo-then-SMS message is
        delivered when either leg delivered it, failed for good when its SMS leg failed for good,
        and otherwise pending or sent as its latest leg says.
        """
        legs: dict[str, Report] = {}
        for report in self.history:
            latest = legs.get(report.channel)
            if latest is None or not latest.final or report.final:
                legs[report.channel] = report
        if not legs:
            return self.status, self.final
        if self.channel != Channel.ZALO_SMS:
            latest = max(legs.values(), key=lambda report: report.time)
            return latest.status, latest.final
        if any(report.status is DeliveryStatus.DELIVERED for report in legs.values()):
            return DeliveryStatus.DELIVERED, True
        if (sms := legs.get(SMS)) is not None:
            return sms.status, sms.final
        zalo = legs[ZALO]
        if zalo.status is DeliveryStatus.FAILED:  # eSMS sends the SMS leg now
            return DeliveryStatus.PENDING, False
        return zalo.status, False

    @property
    def known_cost(self) -> tuple[Decimal, str] | None:
        """Its cost and currency, when both are known."""
        if self.cost is None or self.currency is None:
            return None
        return self.cost, self.currency

    def state_cost(self, leg: str, price: Decimal, currency: str | None) -> Decimal:
        """A report stated a leg's price: the message's cost now (summed over its legs)."""
        self.stated[leg] = price
        self.cost = sum(self.stated.values(), Decimal(0))
        self.currency = currency or self.currency
        return self.cost

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
        optional: dict[str, Any] = {
            "body": self.body,
            "resent_as": self.resent_as,
            "resend_of": self.resend_of,
            "resend": self.resend,
            "channel": self.channel if self.channel != SMS else None,
            "requests": list(self.request_ids) or None,
            "cost": str(self.cost) if self.cost is not None else None,
            "stated": {leg: str(price) for leg, price in self.stated.items()} or None,
            "currency": self.currency,
        }
        stored.update({key: value for key, value in optional.items() if value is not None})  # type: ignore[typeddict-item]
        self.stored = stored
        return stored

    @classmethod
    def from_stored(cls, data: StoredMessage) -> LedgerMessage:
        """Back from the JSON form (files before "final" derive it from the status)."""
        status = DeliveryStatus(data["status"])
        cost = data.get("cost")
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
            channel=data.get("channel", SMS),
            request_ids=tuple(data.get("requests", ())),
            cost=Decimal(cost) if cost is not None else None,
            stated={leg: Decimal(p) for leg, p in data.get("stated", {}).items()},
            currency=data.get("currency"),
        )
