"""The advertising campaigns an FPT entry follows, kept in the entry's journal (crash-safe).

A campaign is followed for days (approval, its schedule, results 3-5 working days later), so it
must outlive restarts and a kill -9: every change is a journal record, on disk within a second.
Finished campaigns are kept a while for reference, then dropped (bounded in age and count).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from .journal import EntryJournal

PART = "campaigns"
#: A finished campaign is forgotten this long after it was created, or when there are too many.
KEEP_FINISHED = timedelta(days=60)
MAX_CAMPAIGNS = 200


class CampaignState(StrEnum):
    """A campaign's state as the `sms_bridge_campaign` event names it."""

    CREATED = "created"
    APPROVED = "approved"
    REJECTED = "rejected"
    SENT = "sent"


@dataclass(slots=True)
class Campaign:
    """One pushed campaign: what was asked of FPT and what FPT has said since."""

    code: str
    name: str
    batch_id: str
    #: The pushed numbers, E.164; message ids are BatchId + the number in 84 form.
    phones: tuple[str, ...]
    quota: int
    #: When it goes out (aware; FPT reads it in Vietnam time).
    schedule: datetime
    created_at: datetime
    state: CampaignState = CampaignState.CREATED
    reason: str | None = None
    total: int | None = None
    #: When FPT said it went out (its SendingTime, else when that was first seen).
    sent_at: datetime | None = None
    #: Nothing more to ask: rejected, every number has its final result, or followed long enough.
    done: bool = False
    #: Why following ended: "rejected", "results" or "gave_up"; None while followed.
    ended: str | None = None
    #: Distinct numbers with a final result so far.
    results: int = field(default=0)
    #: Whether FPT has its numbers: True (pushed), None (the push was under way when Home
    #: Assistant stopped, or its answer was lost: maybe), False (surely never pushed).
    pushed: bool | None = True

    def as_stored(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "code": self.code,
            "name": self.name,
            "batch": self.batch_id,
            "phones": list(self.phones),
            "quota": self.quota,
            "schedule": self.schedule.isoformat(),
            "created": self.created_at.isoformat(),
            "state": self.state.value,
            "reason": self.reason,
            "total": self.total,
            "sent": self.sent_at.isoformat() if self.sent_at else None,
            "done": self.done,
            "ended": self.ended,
            "results": self.results,
            "pushed": self.pushed,
        }

    @classmethod
    def from_stored(cls, data: dict[str, Any]) -> Campaign:
        """Back from the JSON form."""
        sent = data.get("sent")
        return cls(
            code=data["code"],
            name=data["name"],
            batch_id=data["batch"],
            phones=tuple(data["phones"]),
            quota=int(data["quota"]),
            schedule=datetime.fromisoformat(data["schedule"]),
            created_at=datetime.fromisoformat(data["created"]),
            state=CampaignState(data["state"]),
            reason=data.get("reason"),
            total=data.get("total"),
            sent_at=datetime.fromisoformat(sent) if sent else None,
            done=bool(data.get("done", False)),
            ended=data.get("ended"),
            results=int(data.get("results", 0)),
            pushed=data.get("pushed", True),
        )


class CampaignStore:
    """One entry's campaigns by CampaignCode, oldest first (a `JournalPart`)."""

    def __init__(self, journal: EntryJournal) -> None:
        self._journal = journal
        self._campaigns: OrderedDict[str, Campaign] = OrderedDict()
        journal.add_part(PART, self)

    def __len__(self) -> int:
        """How many campaigns are remembered."""
        return len(self._campaigns)

    # -- storage (JournalPart) --

    def snapshot(self) -> dict[str, Any]:
        """Every campaign in its JSON form."""
        return {"campaigns": [c.as_stored() for c in self._campaigns.values()]}

    def restore(self, data: dict[str, Any]) -> None:
        """Take back the stored campaigns."""
        for item in data.get("campaigns", []):
            campaign = Campaign.from_stored(item)
            self._campaigns[campaign.code] = campaign

    def replay(self, record: dict[str, Any]) -> None:
        """A campaign as it was after a change (journal record)."""
        campaign = Campaign.from_stored(record["c"])
        self._campaigns[campaign.code] = campaign

    def loaded(self) -> None:
        """Everything is back: forget what is old enough."""
        self._prune()

    # -- use --

    def get(self, code: str) -> Campaign | None:
        """A campaign by its CampaignCode."""
        return self._campaigns.get(code)

    def open(self) -> list[Campaign]:
        """The campaigns still followed."""
        return [c for c in self._campaigns.values() if not c.done]

    def has_name(self, name: str) -> bool:
        """Whether this entry already used the name (FPT takes each name once)."""
        return any(c.name == name for c in self._campaigns.values())

    @callback
    def async_save(self, campaign: Campaign) -> None:
        """Remember a new campaign, or a change of one; on disk within a second."""
        self._campaigns[campaign.code] = campaign
        self._journal.async_record(PART, {"c": campaign.as_stored()})
        self._prune()

    async def async_save_now(self, campaign: Campaign) -> None:
        """Remember a campaign and wait until it is on disk (before anything acts on it)."""
        self.async_save(campaign)
        await self._journal.async_flush()

    def _prune(self) -> None:
        """Drop finished campaigns that are old, and the oldest finished ones over the bound."""
        cutoff = dt_util.utcnow() - KEEP_FINISHED
        finished = [c for c in self._campaigns.values() if c.done]
        excess = len(self._campaigns) - MAX_CAMPAIGNS
        for campaign in finished:
            if campaign.created_at < cutoff or excess > 0:
                del self._campaigns[campaign.code]
                excess -= 1
