"""Which reports no message claims were already acted on: gateways retry, an event must fire once.

A report of a message in the ledger is deduplicated by the ledger (`LedgerMessage.has_report`);
this remembers the others: reports of messages the entry never sent or no longer keeps, and
reports held while a send was under way. eSMS's reports carry no secret, so whoever has the
address can make up any number of them. Each is kept as an 8-byte digest of (message id, provider
status), at most MAX_KEYS of them, for 24 hours, across restarts; added in time order, the oldest
go first. A flood then costs what MAX_KEYS digests cost, in memory and on disk, and never touches
the dedupe of the entry's own messages.
"""

from __future__ import annotations

from collections import OrderedDict
import hashlib
from typing import Any

from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from .journal import EntryJournal

PART = "reports"
KEEP_SECONDS = 24 * 3600
#: A gateway's retries come within minutes; without a flood this many last the whole day.
MAX_KEYS = 4096
DIGEST_BYTES = 8


def report_key(message_id: str, provider_status: str) -> int:
    """The key of one report: a fixed-size digest, however long the id someone made up."""
    return _digest(f"{message_id}\x1f{provider_status}")


def _digest(text: str) -> int:
    raw = hashlib.blake2b(text.encode(errors="surrogatepass"), digest_size=DIGEST_BYTES).digest()
    return int.from_bytes(raw)


def _hex(key: int) -> str:
    return f"{key:0{2 * DIGEST_BYTES}x}"


class SeenReports:
    """Digests of the reports no message claimed, seen in the last 24 hours; persisted."""

    def __init__(self, journal: EntryJournal) -> None:
        self._journal = journal
        # OrderedDict: taking from the front stays O(1) after many deletions (a dict's does not).
        # Digest -> when it was first seen, in whole seconds.
        self._seen: OrderedDict[int, int] = OrderedDict()
        journal.add_part(PART, self, own_file=True)

    def __len__(self) -> int:
        """How many report keys are remembered."""
        return len(self._seen)

    # -- storage (JournalPart) --

    def snapshot(self) -> dict[str, Any]:
        """Every digest (hex) with the time it was first seen, oldest first."""
        return {"digests": {_hex(key): when for key, when in self._seen.items()}}

    def restore(self, data: dict[str, Any]) -> None:
        """Take back the stored digests; earlier files kept whole keys (ISO times under "seen")."""
        for key, when in data.get("seen", {}).items():
            stamp = dt_util.parse_datetime(when).timestamp()  # type: ignore[union-attr]
            self._seen[_digest(key)] = int(stamp)
        for key, stamp in data.get("keys", {}).items():
            self._seen[_digest(key)] = int(stamp)
        for digest, stamp in data.get("digests", {}).items():
            self._seen[int(digest, 16)] = int(stamp)

    def replay(self, record: dict[str, Any]) -> None:
        """A key first seen at a time (journal record; earlier versions wrote the whole key)."""
        key = int(record["d"], 16) if "d" in record else _digest(record["k"])
        self._seen[key] = int(record["t"])

    def loaded(self) -> None:
        """Drop what expired while Home Assistant was down, and what is over the bound."""
        self._expire(int(dt_util.utcnow().timestamp()))

    # -- use --

    @callback
    def async_first_time(self, key: int) -> bool:
        """Remember the key; True when it was not seen in the last 24 hours."""
        now = int(dt_util.utcnow().timestamp())
        self._expire(now)
        if key in self._seen:
            return False
        if len(self._seen) >= MAX_KEYS:
            self._seen.popitem(last=False)  # the oldest makes room
        self._seen[key] = now
        self._journal.async_record(PART, {"d": _hex(key), "t": now})
        return True

    def _expire(self, now: int) -> None:
        """Drop keys from the front while they are too old or too many."""
        cutoff = now - KEEP_SECONDS
        seen = self._seen
        while seen:
            when = next(iter(seen.values()))
            if when >= cutoff and len(seen) <= MAX_KEYS:
                break
            seen.popitem(last=False)
