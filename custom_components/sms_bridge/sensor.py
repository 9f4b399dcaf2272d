"""Sensors: the balance, today's sent/delivered/failed/pending, and today's and the month's cost."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.util import dt as dt_util

from .const import (
    OPT_BALANCE_UNIT,
    UNIT_CREDITS,
    UNIT_VND,
    UNIT_VND_OPTION,
)
from .coordinator import AccountState, SmsBridgeCoordinator
from .entity import SmsBridgeEntity
from .runtime import SmsBridgeConfigEntry
from .store.costs import currency_of

PARALLEL_UPDATES = 0  # the coordinator does the fetching


@dataclass(frozen=True, kw_only=True)
class SmsBridgeSensorDescription(SensorEntityDescription):
    """A sensor and where its value comes from."""

    value_fn: Callable[[AccountState], int | Decimal | None]
    #: A count of today's messages: from the ledger for gateways without totals of their own,
    #: and then available whether or not the gateway answers.
    todays_count: bool = False
    #: Counted here from the ledger, whatever the gateway does: available while loaded.
    local: bool = False
    #: When what the sensor totals started (for a total that starts again).
    last_reset_fn: Callable[[datetime], datetime] | None = None


BALANCE_VND = SmsBridgeSensorDescription(
    key="balance",
    translation_key="balance",
    device_class=SensorDeviceClass.MONETARY,
    state_class=SensorStateClass.TOTAL,
    native_unit_of_measurement=UNIT_VND,
    suggested_display_precision=0,
    value_fn=lambda state: state.balance.amount if state.balance else None,
)
BALANCE_CREDITS = SmsBridgeSensorDescription(
    key="balance",
    translation_key="balance_credits",
    state_class=SensorStateClass.MEASUREMENT,
    suggested_display_precision=0,
    value_fn=BALANCE_VND.value_fn,
)
DAILY: tuple[SmsBridgeSensorDescription, ...] = (
    SmsBridgeSensorDescription(
        key="sent_today",
        translation_key="sent_today",
        state_class=SensorStateClass.TOTAL_INCREASING,
        todays_count=True,
        value_fn=lambda state: state.totals.sent,
    ),
    SmsBridgeSensorDescription(
        key="delivered_today",
        translation_key="delivered_today",
        state_class=SensorStateClass.TOTAL_INCREASING,
        todays_count=True,
        value_fn=lambda state: state.totals.delivered,
    ),
    SmsBridgeSensorDescription(
        key="failed_today",
        translation_key="failed_today",
        state_class=SensorStateClass.TOTAL_INCREASING,
        todays_count=True,
        value_fn=lambda state: state.totals.failed,
    ),
    SmsBridgeSensorDescription(
        key="pending_today",
        translation_key="pending_today",
        state_class=SensorStateClass.MEASUREMENT,
        todays_count=True,
        value_fn=lambda state: state.totals.pending,
    ),
)


def _midnight(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _month_start(now: datetime) -> datetime:
    return _midnight(now).replace(day=1)


def cost_descriptions(currency: str) -> tuple[SmsBridgeSensorDescription, ...]:
    """Today's and this month's cost in the account's currency (local midnight, the 1st)."""

    def cost(
        key: str,
        value_fn: Callable[[AccountState], Decimal],
        last_reset_fn: Callable[[datetime], datetime],
    ) -> SmsBridgeSensorDescription:
        return SmsBridgeSensorDescription(
            key=key,
            translation_key=key,
            device_class=SensorDeviceClass.MONETARY,
            state_class=SensorStateClass.TOTAL,
            native_unit_of_measurement=currency,
            suggested_display_precision=0 if currency == UNIT_VND else 2,
            local=True,
            value_fn=value_fn,
            last_reset_fn=last_reset_fn,
        )

    return (
        cost("cost_today", lambda state: _plain(state.costs.today), _midnight),
        cost("cost_month", lambda state: _plain(state.costs.month), _month_start),
    )


def _plain(amount: Decimal) -> Decimal:
    """2400, not 2400.0000 (a gateway's price with its decimals), nor 2.4E+3."""
    return amount.quantize(Decimal(1)) if amount == amount.to_integral() else amount.normalize()


def balance_description(entry: SmsBridgeConfigEntry) -> SmsBridgeSensorDescription:
    """VND as money; Fibo's SMS-credit packages as a plain count (an option says which)."""
    balance = entry.runtime_data.coordinator.data.balance
    if entry.runtime_data.provider.balance_unit_choice:
        vnd = entry.options.get(OPT_BALANCE_UNIT) == UNIT_VND_OPTION
        unit = UNIT_VND if vnd else UNIT_CREDITS
    else:
        unit = (balance.unit if balance else None) or UNIT_VND
    return BALANCE_VND if unit == UNIT_VND else BALANCE_CREDITS


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmsBridgeConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    """Add the account's sensors."""
    coordinator = entry.runtime_data.coordinator
    descriptions = list(DAILY)
    if coordinator.provider.has_balance:
        descriptions.insert(0, balance_description(entry))
    descriptions += cost_descriptions(currency_of(coordinator.provider, entry.options))
    async_add_entities(SmsBridgeSensor(coordinator, d) for d in descriptions)


class SmsBridgeSensor(SmsBridgeEntity, SensorEntity):
    """One number about the account."""

    entity_description: SmsBridgeSensorDescription

    def __init__(
        self, coordinator: SmsBridgeCoordinator, description: SmsBridgeSensorDescription
    ) -> None:
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def available(self) -> bool:
        """Ledger counts never depend on the gateway answering; the rest does."""
        description = self.entity_description
        if description.local or (description.todays_count and self.coordinator.counts_from_ledger):
            return self.coordinator.data is not None
        return super().available

    @property
    def last_reset(self) -> datetime | None:
        """When a total that starts again last started (local midnight, the month's 1st)."""
        if (reset := self.entity_description.last_reset_fn) is None:
            return None
        return reset(dt_util.now())

    @property
    def native_value(self) -> int | Decimal | None:
        """The value from the latest account state."""
        return self.entity_description.value_fn(self.coordinator.data)
