"""What a loaded entry runs on (`entry.runtime_data`), and the typed config entry."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .campaigns.follower import CampaignFollower
    from .coordinator import SmsBridgeCoordinator
    from .inbound.repairs import EntryIssues
    from .inbound.router import ReportRouter
    from .outbound.guard import SpendingGuard
    from .outbound.zalo import ZaloDirectory
    from .providers import Provider
    from .signals import EntrySignals
    from .store.journal import EntryJournal
    from .store.ledger import Ledger


@dataclass(slots=True)
class SmsBridgeRuntime:
    """The account's client, storage, poller, report router, repairs and send slots."""

    provider: Provider
    journal: EntryJournal
    ledger: Ledger
    coordinator: SmsBridgeCoordinator
    #: What happens to the account, told to whoever listens (sends, reports, campaigns).
    signals: EntrySignals
    #: Applies delivery reports (once each) and knows the sends under way.
    reports: ReportRouter
    #: How many sends may be under way at once, across every call (the concurrency option).
    send_slots: asyncio.Semaphore
    #: The repairs that watch the report address and the reports.
    issues: EntryIssues
    #: The limits per hour, day and month's cost, and the duplicate window.
    guard: SpendingGuard
    #: The account's Zalo Official Accounts and templates, as the gateway last listed them.
    zalo: ZaloDirectory
    #: The device registry id of the account's device (its recipients' devices hang under it).
    device_id: str = ""
    #: The options the entry was loaded with (HA before 2025.8 reloads when they change).
    loaded_options: dict[str, Any] = field(default_factory=dict)
    #: Advertising campaigns (FPT only): pushed, followed until their results are in.
    campaigns: CampaignFollower | None = None


type SmsBridgeConfigEntry = ConfigEntry[SmsBridgeRuntime]
