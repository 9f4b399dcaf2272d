"""What an accepted delivery report does: ledger, counts, the event, once per status.

A gateway can call back before its own answer to the send has arrived. Such a report is held
(bounded in time and count) until the sends that were under way when it came have returned; if
one of them was its message, it is applied as that message's, `tracked` with the phone. When the
hold is full, a newcomer is applied at once, untracked: a flood of made-up reports during a send
cannot push out a real report that came before it.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass
from functools import partial
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from ..providers.models import DeliveryReport
from ..signals import AppliedReport, EntrySignals, SendUnderWay
from ..store.ledger import Ledger, LedgerMessage
from ..store.seen_reports import SeenReports, report_key
from ..texts import reason_words

EVENT_DELIVERY_REPORT = "sms_bridge_delivery_report"
OPTIONAL_FIELDS = ("telco", "segments", "price", "request_id", "answer")
#: A held report is applied untracked after this long at the latest (a send takes at most two
#: 30-second attempts and the pause between them).
HOLD_SECONDS = 90.0
#: At most this many reports are held; beyond, a new one is applied untracked without waiting.
MAX_HELD = 1000


def event_data(
    hass: HomeAssistant,
    account: tuple[str, str, str],
    report: DeliveryReport,
    message: LedgerMessage | None,
) -> dict[str, Any]:
    """The event's data as DESIGN.md defines it; optional fields where the gateway gave them.

    `account`: the entry's id, its gateway and its device's id (the logbook line of the report
    is then on the device's page too). A failure says why in words (`reason`, the server's
    language) and as a key automations can test (`reason_key`).
    """
    entry_id, provider, device_id = account
    phone = report.phone or (message.phone if message else None)
    data: dict[str, Any] = {
        "entry_id": entry_id,
        "device_id": device_id,
        "provider": provider,
        # A leg's report (eSMS's fallback SMS has its own id) names the message the send answered.
        "message_id": message.message_id if message is not None else report.message_id,
        "status": report.status.value,
        # A leg's last word is the message's only when nothing else is to come (eSMS sends the
        # SMS after a failed Zalo leg): an automation alerting on final failures waits for it.
        "final": report.final and (message is None or message.final),
        "provider_status": report.provider_status,
        "phone": phone,
        "error": report.error,
        "reason_key": report.reason.value if report.reason else None,
        "reason": reason_words(hass, report.reason),
        "tracked": message is not None,
        "channel": report.channel.value,
    }
    if message is not None and message.message_id != report.message_id:
        data["leg_message_id"] = report.message_id
    if message is not None and message.cost is not None:
        data |= {"cost": float(message.cost), "currency": message.currency}
    for name in OPTIONAL_FIELDS:
        value = getattr(report, name)
        if value is not None:
            data[name] = str(value) if name == "price" else value
    return data


def _keys(report: DeliveryReport) -> tuple[str, ...]:
    """What a held report waits under: its message id, and its leg's request id if it has one."""
    return (report.message_id, report.request_id) if report.request_id else (report.message_id,)


@dataclass(slots=True)
class _Held:
    report: DeliveryReport
    #: The newest send that had started when the report came.
    horizon: int
    #: Loop time after which it is applied untracked.
    deadline: float
    done: bool = False


class ReportRouter:
    """Applies one entry's delivery reports: dedupe, hold for a send under way, ledger, event.

    It hears sends start and end (signals.py) and tells each applied report to whoever listens.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        account: tuple[str, str, str],
        stores: tuple[Ledger, SeenReports],
        signals: EntrySignals,
    ) -> None:
        self._hass = hass
        #: The entry's id, its gateway's name and its device's id, as the event names them.
        self._account = account
        self._ledger, self._seen = stores
        self._signals = signals
        self._last_send = 0
        #: Sends under way, each with its place in the order sends started.
        self._sending: OrderedDict[SendUnderWay, int] = OrderedDict()
        self._held: deque[_Held] = deque()
        self._held_by_id: dict[str, list[_Held]] = {}
        self._timer: CALLBACK_TYPE | None = None

    @callback
    def async_start(self) -> list[CALLBACK_TYPE]:
        """Hear sends start and end; returns what stops listening."""
        return [
            self._signals.send_started.listen(self._async_send_started),
            self._signals.send_finished.listen(self._async_send_finished),
        ]

    # -- sends under way --

    @callback
    def _async_send_started(self, send: SendUnderWay) -> None:
        """A send is going out: a report that comes meanwhile may be its own."""
        self._last_send += 1
        self._sending[send] = self._last_send

    @callback
    def _async_send_finished(self, send: SendUnderWay) -> None:
        """The send returned (recorded, or failed): apply what waited for it."""
        self._sending.pop(send, None)
        if (message := send.message) is not None:
            for key in (message.message_id, *message.request_ids):
                for held in self._held_by_id.pop(key, []):
                    if not held.done:
                        held.done = True
                        self._apply(held.report, message)
        self._release()

    # -- reports --

    @callback
    def async_report(self, report: DeliveryReport) -> bool:
        """Act on an accepted report; False when this status of the message was already seen.

        A message of the ledger remembers its reports itself; the dedupe memory is for the rest.
        """
        message = self._ledger.claim(report)
        if message is not None:
            if message.has_report(report.provider_status, (report.leg or report.channel).value):
                return False
            self._apply(report, message)
            return True
        if not self._seen.async_first_time(report_key(report.message_id, report.provider_status)):
            return False
        if self._sending:
            self._hold(report)
        else:
            self._apply(report, None)
        return True

    @callback
    def async_release_all(self) -> None:
        """Apply every held report now (the entry is unloading)."""
        self._sending.clear()
        self._release()

    # -- internals --

    def _hold(self, report: DeliveryReport) -> None:
        if len(self._held) >= MAX_HELD:
            self._apply(report, None)
            return
        held = _Held(report, self._last_send, self._hass.loop.time() + HOLD_SECONDS)
        self._held.append(held)
        for key in _keys(report):
            self._held_by_id.setdefault(key, []).append(held)
        if self._timer is None:
            self._arm(held.deadline)

    def _arm(self, deadline: float) -> None:
        delay = max(deadline - self._hass.loop.time(), 0.0)
        self._timer = async_call_later(self._hass, delay, partial(self._async_timeout, deadline))

    @callback
    def _async_timeout(self, deadline: float, _now: Any) -> None:
        self._timer = None
        self._release(expired=deadline)

    def _release(self, expired: float | None = None) -> None:
        """Apply, untracked, the held reports no send under way can claim any more.

        `expired`: held reports with a deadline up to this loop time are let go too.
        """
        oldest_sending = next(iter(self._sending.values()), None)
        expired = self._hass.loop.time() if expired is None else expired
        while self._held:
            held = self._held[0]
            claimable = oldest_sending is not None and oldest_sending <= held.horizon
            if not held.done and claimable and held.deadline > expired:
                break
            self._held.popleft()
            self._apply_held(held)
        if self._held and self._timer is None:
            self._arm(self._held[0].deadline)
        elif not self._held and self._timer is not None:
            self._timer()
            self._timer = None

    def _apply_held(self, held: _Held) -> None:
        if held.done:
            return
        held.done = True
        for key in _keys(held.report):
            waiting = self._held_by_id.get(key, [])
            if held in waiting:
                waiting.remove(held)
            if not waiting:
                self._held_by_id.pop(key, None)
        self._apply(held.report, self._ledger.claim(held.report))

    def _apply(self, report: DeliveryReport, message: LedgerMessage | None) -> None:
        """Record the report and fire its event."""
        if message is not None:
            self._ledger.async_record_report(report)
        data = event_data(self._hass, self._account, report, message)
        self._hass.bus.async_fire(EVENT_DELIVERY_REPORT, data)
        self._signals.report.publish(AppliedReport(report, message, data))
