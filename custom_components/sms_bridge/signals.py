"""What happens to an account, told once to whoever listens: one typed topic per kind of news.

The send path says when a send starts and ends, the report path when a report is applied, the
ledger when it changed, the campaign follower when a campaign moves. Each listener subscribes
itself where it starts (the event entities when added, the coordinator, the repairs, the
resend), so nothing is wired by hand, and no path calls into another: the report router holds a
report for a send under way because it heard the send start, not because the send path told it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, callback

from .providers.models import DeliveryReport

if TYPE_CHECKING:
    from .store.sent_message import LedgerMessage


class Topic[T]:
    """Listeners of one kind of news, called in the order they subscribed, in the event loop."""

    __slots__ = ("_listeners",)

    def __init__(self) -> None:
        self._listeners: list[Callable[[T], None]] = []

    @callback
    def listen(self, listener: Callable[[T], None]) -> CALLBACK_TYPE:
        """Call `listener` with each piece of news; returns the function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def publish(self, news: T) -> None:
        """Tell every listener."""
        for listener in self._listeners:
            listener(news)


@dataclass(eq=False, slots=True)
class SendUnderWay:
    """One message on its way to the gateway; `message` once the gateway took it."""

    message: LedgerMessage | None = None


@dataclass(frozen=True, slots=True)
class AppliedReport:
    """A delivery report acted on: its message (None: no message claims it) and event data."""

    report: DeliveryReport
    message: LedgerMessage | None
    data: dict[str, Any]


@dataclass(slots=True)
class EntrySignals:
    """The topics of one account."""

    #: The ledger changed (a message recorded, a report applied): today's counts may have moved.
    ledger_changed: Topic[None] = field(default_factory=Topic)
    send_started: Topic[SendUnderWay] = field(default_factory=Topic)
    send_finished: Topic[SendUnderWay] = field(default_factory=Topic)
    report: Topic[AppliedReport] = field(default_factory=Topic)
    #: A campaign moved: the `sms_bridge_campaign` event's data.
    campaign: Topic[dict[str, Any]] = field(default_factory=Topic)
