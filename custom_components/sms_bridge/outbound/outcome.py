"""What became of each number of a send.

Sent (and by which account), covered by an earlier equal message, or failed with each account's
reason: the backup account takes what no account may have sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..providers.errors import ProviderError
from ..providers.models import SendResult
from ..runtime import SmsBridgeConfigEntry
from ..store.ledger import LedgerMessage


@dataclass(frozen=True, slots=True)
class Number:
    """A phone number as the caller wrote it (`target`) and in E.164 (`phone`)."""

    target: str
    phone: str


@dataclass(slots=True)
class Outcome:
    """What became of one number.

    Sent (and by which account), covered by an earlier equal message, or failed (with the
    reason of each account tried).
    """

    number: Number
    entry: SmsBridgeConfigEntry
    result: SendResult | None = None
    earlier: LedgerMessage | None = None
    errors: list[tuple[SmsBridgeConfigEntry, ProviderError]] = field(default_factory=list)
    via_backup: bool = False
    #: What the message costs as far as known now (its estimate, until a report states it).
    cost: tuple[Decimal, str] | None = None

    @property
    def surely_not_sent(self) -> bool:
        """Whether no account may have sent it (the one case the backup may try)."""
        return (
            self.result is None
            and self.earlier is None
            and not any(err.maybe_sent for _, err in self.errors)
        )

    def row(self) -> dict[str, Any]:
        """The action's response for this number."""
        row: dict[str, Any] = {"target": self.number.target, "phone": self.number.phone}
        if self.result is not None:
            row |= {
                "message_id": self.result.message_id,
                "segments": self.result.segments,
                "channel": self.result.channel.value,
            }
        elif self.earlier is not None:
            row |= {
                "message_id": self.earlier.message_id,
                "segments": self.earlier.segments,
                "channel": self.earlier.channel,
                "duplicate": True,
            }
        if self.cost is not None:
            row |= {"cost": float(self.cost[0]), "currency": self.cost[1]}
        return row | {"config_entry_id": self.entry.entry_id, "via_backup": self.via_backup}
