"""Which delivery reports were already acted on: gateways retry, an event must fire once.

One key per (message id, provider status), kept 24 hours and across restarts. Keys are added in
time order, so the oldest are first and expire from the front; a size bound keeps a flood of
made-up reports (eSMS's carry no secret) from growing memory or the files without end.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from .journal import EntryJournal

PART = "reports"
KEEP_SECONDS = 24 * 3600
MAX_KEYS = 20_000


def report_key(message_id: str, provider_status: str) -> str:
    """The key of one report."""
    return f"{message_id}\x1f{provider_status}"


class SeenReports:
    """Report keys seen in the last 24 hours (at most MAX_KEYS), persisted."""

    def __init__(self, journal: EntryJournal) -> None:
        self._journal = journal
        # OrderedDict: taking from the front stays O(1) after many deletions (a dict's does not).
        self._seen: OrderedDict[str, float] = OrderedDict()
        journal.add_part(PART, self)

    def __len__(self) -> int:
        """How many report keys are remembered."""
        return len(self._seen)

    # -- storage (JournalPart) --

    def snapshot(self) -> dict[str, Any]:
        """Every key with the time it was first seen."""
        return {"keys": dict(self._seen)}

    def restore(self, data: dict[str, Any]) -> None:
        """Take back the stored keys (files before the journal kept ISO times under "seen")."""
        for key, when in data.get("seen", {}).items():
            self._seen[key] = dt_util.parse_datetime(when).timestamp()  # type: ignore[union-attr]
        self._seen.update(data.get("keys", {}))

    def replay(self, record: dict[str, Any]) -> None:
        """A key first seen at a time (journal record)."""
        self._seen[record["k"]] = record["t"]

    def loaded(self) -> None:
        """Drop what expired while Home Assistant was down."""
        self._expire(dt_util.utcnow().timestamp())

    # -- use --

    @callback
    def async_first_time(self, key: str) -> bool:
        """Remember the key; True when it was not seen in the last 24 hours."""
        now = dt_util.utcnow().timestamp()
        self._expire(now)
        if key in self._seen:
            return False
        self._seen[key] = now
        self._journal.async_record(PART, {"k": key, "t": now})
        return True

    def _expire(self, now: float) -> None:
        """Drop keys from the front while they are too old or too many."""
        cutoff = now - KEEP_SECONDS
        seen = self._seen
        while seen:
            when = next(iter(seen.values()))
            if when >= cutoff and len(seen) < MAX_KEYS:
                break
            seen.popitem(last=False)
