"""Following FPT campaigns: detail-ads until approved, rejected or sent, then dlr-ads until results.

Approval takes hours and results 3-5 working days, so checks are spread out: every 30 minutes
in the first hours of a phase, hourly for two days, then every 3 hours, and never past a bound.
The cadence is computed from the campaign's own times, not from a timer's history: after a
restart every followed campaign is checked once at once, then on the same cadence as before.
Each per-number result goes through the entry's report path like a pushed delivery report.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER
from ..inbound.router import ReportRouter
from ..providers.errors import AuthenticationError, ProviderError
from ..providers.fpt.ads import AdsPushResult, Advertiser, CampaignDetail, CampaignStatus
from ..providers.models import DeliveryReport, SendResult
from ..providers.text import segment_count
from ..signals import EntrySignals
from ..store.campaigns import Campaign, CampaignState, CampaignStore
from ..store.ledger import Ledger

EVENT_CAMPAIGN = "sms_bridge_campaign"
#: (age of the phase below which, time between checks); older phases: SLOW.
CADENCE = ((timedelta(hours=6), timedelta(minutes=30)), (timedelta(days=2), timedelta(hours=1)))
SLOW = timedelta(hours=3)
#: An approved campaign is next checked this long after its schedule (nothing changes before).
SETTLE = timedelta(minutes=5)
#: Approval or sending still unknown this long after the schedule: FPT is asked no more.
GIVE_UP_SENDING = timedelta(days=2)
#: Results still incomplete this long after sending (3-5 working days, holidays, a weekend).
GIVE_UP_RESULTS = timedelta(days=14)

STATES = {
    CampaignStatus.PENDING_APPROVAL: CampaignState.CREATED,
    CampaignStatus.APPROVED: CampaignState.APPROVED,
    CampaignStatus.REJECTED: CampaignState.REJECTED,
    CampaignStatus.SENT: CampaignState.SENT,
}
#: A campaign only moves forward: an answer that would take it back is not a change.
PROGRESS = {
    CampaignState.CREATED: 0,
    CampaignState.APPROVED: 1,
    CampaignState.REJECTED: 2,
    CampaignState.SENT: 2,
}


def campaign_event_data(entry_id: str, campaign: Campaign) -> dict[str, Any]:
    """The `sms_bridge_campaign` event's data as DESIGN.md defines it."""
    return {
        "entry_id": entry_id,
        "campaign_code": campaign.code,
        "name": campaign.name,
        "status": campaign.state.value,
        "reason": campaign.reason,
        "total": campaign.total,
        "quota": campaign.quota,
    }


def deadline(campaign: Campaign) -> datetime:
    """When FPT is asked no more about the campaign."""
    if campaign.state is CampaignState.SENT:
        return (campaign.sent_at or campaign.schedule) + GIVE_UP_RESULTS
    return max(campaign.schedule, campaign.created_at) + GIVE_UP_SENDING


def next_check(campaign: Campaign, now: datetime) -> datetime:
    """When to ask FPT next: the cadence of the campaign's current phase, within its bound."""
    if campaign.state is CampaignState.APPROVED and now < campaign.schedule + SETTLE:
        return campaign.schedule + SETTLE
    if campaign.state is CampaignState.SENT:
        start = campaign.sent_at or campaign.schedule
    elif campaign.state is CampaignState.APPROVED:
        start = campaign.schedule
    else:
        start = campaign.created_at
    age = now - start
    step = next((every for limit, every in CADENCE if age < limit), SLOW)
    return min(now + step, deadline(campaign))


def sent_time(detail: CampaignDetail, now: datetime) -> datetime:
    """When the campaign went out: FPT's SendingTime, unless it is missing or still ahead."""
    if detail.sending_time is None or detail.sending_time > now:
        return now
    return dt_util.as_utc(detail.sending_time)


class CampaignFollower:
    """Records an entry's pushed campaigns and follows them until FPT has said everything."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        provider: Advertiser,
        store: CampaignStore,
        *,
        ledger: Ledger,
        reports: ReportRouter,
        signals: EntrySignals,
    ) -> None:
        self._hass = hass
        self._entry = entry
        self.provider = provider
        self.store = store
        self._ledger = ledger
        self._reports = reports
        self._signals = signals
        self._timers: dict[str, CALLBACK_TYPE] = {}
        self._checking: set[str] = set()
        self._failing: set[str] = set()

    # -- life --

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Check every followed campaign now (it may have moved while stopped); returns stop."""
        for campaign in self.store.open():
            if campaign.pushed is None:
                LOGGER.warning(
                    "FPT campaign %s: Home Assistant stopped while its numbers were being given"
                    " to FPT, so they may or may not have arrived; it is followed",
                    campaign.code,
                )
            self._async_check_now(campaign.code)
        return self._async_stop

    @callback
    def _async_stop(self) -> None:
        for cancel in self._timers.values():
            cancel()
        self._timers.clear()

    # -- a new campaign --

    async def async_add(self, campaign: Campaign, pushed: AdsPushResult, text: str) -> None:
        """FPT took the numbers: each into the ledger, the campaign on disk, then follow it."""
        campaign.batch_id, campaign.phones, campaign.pushed = pushed.batch_id, pushed.phones, True
        segments = segment_count(text)
        for phone in pushed.phones:
            result = SendResult(self.provider.name, pushed.message_id(phone), phone, segments)
            self._ledger.async_record_sent(result, text)
        await self.store.async_save_now(campaign)
        self._fire(campaign)
        self._schedule(campaign, dt_util.utcnow())

    async def async_push_failed(self, campaign: Campaign, *, surely: bool) -> None:
        """The push failed: surely nothing went to FPT (the campaign is over), or maybe."""
        if surely:
            campaign.pushed, campaign.done, campaign.ended = False, True, "not_pushed"
        await self.store.async_save_now(campaign)
        self._schedule(campaign, dt_util.utcnow())

    # -- checks --

    @callback
    def _async_check_now(self, code: str, _now: datetime | None = None) -> None:
        if (cancel := self._timers.pop(code, None)) is not None:
            cancel()  # (a no-op when the timer itself is calling)
        self._entry.async_create_background_task(
            self._hass, self._async_check(code), f"{DOMAIN} campaign check"
        )

    def _schedule(self, campaign: Campaign, now: datetime) -> None:
        if not campaign.done:
            self._timers[campaign.code] = async_track_point_in_utc_time(
                self._hass, partial(self._async_check_now, campaign.code), next_check(campaign, now)
            )

    async def _async_check(self, code: str) -> None:
        """Ask FPT what is new about one campaign, act on it, and plan the next check."""
        campaign = self.store.get(code)
        if campaign is None or campaign.done or code in self._checking:
            return
        self._checking.add(code)
        try:
            await self._async_ask(campaign)
        finally:
            self._checking.discard(code)
        now = dt_util.utcnow()
        if not campaign.done and now >= deadline(campaign):
            LOGGER.info("FPT campaign %s: no more answers expected, no longer followed", code)
            campaign.done, campaign.ended = True, "gave_up"
            self.store.async_save(campaign)
        self._schedule(campaign, now)

    async def _async_ask(self, campaign: Campaign) -> None:
        """detail-ads while it has not gone out, dlr-ads once it has; errors wait for next time."""
        try:
            if campaign.state in (CampaignState.CREATED, CampaignState.APPROVED):
                self._apply_detail(campaign, await self.provider.campaign_detail(campaign.code))
            if campaign.state is CampaignState.SENT:
                results = await self.provider.campaign_results(
                    campaign.code, campaign.batch_id or campaign.code
                )
                self._apply_results(campaign, results)
        except AuthenticationError:
            self._entry.async_start_reauth(self._hass)
            self._failed(campaign, "the credentials were refused")
        except ProviderError as err:  # its text never holds a secret
            self._failed(campaign, str(err))
        else:
            if campaign.code in self._failing:
                self._failing.discard(campaign.code)
                LOGGER.info("FPT campaign %s can be checked again", campaign.code)

    def _failed(self, campaign: Campaign, why: str) -> None:
        """Log a failing check once (warning), then quietly until it works again."""
        log = LOGGER.debug if campaign.code in self._failing else LOGGER.warning
        log("Could not check FPT campaign %s: %s; trying again later", campaign.code, why)
        self._failing.add(campaign.code)

    def _apply_detail(self, campaign: Campaign, detail: CampaignDetail) -> None:
        """Take what detail-ads says; an event when the campaign moved forward."""
        state = STATES[detail.status]
        if PROGRESS[state] <= PROGRESS[campaign.state]:
            return
        campaign.state, campaign.reason = state, detail.reason
        campaign.total = detail.total if detail.total is not None else campaign.total
        if state is CampaignState.SENT:
            campaign.sent_at = sent_time(detail, dt_util.utcnow())
        elif state is CampaignState.REJECTED:
            campaign.done, campaign.ended = True, "rejected"
        self.store.async_save(campaign)
        self._fire(campaign)

    def _apply_results(self, campaign: Campaign, results: Iterable[DeliveryReport]) -> None:
        """Every result row into the report path (once each); done when every number is final."""
        finished: set[str] = set()
        for report in results:
            self._reports.async_report(report)
            if report.final and report.phone is not None:
                finished.add(report.phone)
        count = len(finished.intersection(campaign.phones))
        complete = count == len(set(campaign.phones))
        if count != campaign.results or complete:
            campaign.results = count
            if complete:
                campaign.done, campaign.ended = True, "results"
            self.store.async_save(campaign)

    def _fire(self, campaign: Campaign) -> None:
        data = campaign_event_data(self._entry.entry_id, campaign)
        self._hass.bus.async_fire(EVENT_CAMPAIGN, data)
        self._signals.campaign.publish(data)
