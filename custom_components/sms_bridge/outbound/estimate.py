"""What a message will cost, before it goes out: for the monthly budget and the cost sensors.

In order: the gateway's own estimate where it gives one (eSMS), else the option "price of one
SMS" times the segments, else the account's recent average per segment (from costs its reports
stated), else unknown. The estimate stands as the message's cost until a report states it.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import islice

from homeassistant.core import HomeAssistant

from ..const import OPT_PRICE_PER_SEGMENT
from ..providers.errors import ProviderError
from ..runtime import SmsBridgeConfigEntry
from ..store.costs import currency_of
from .guard import budget
from .one_message import Prepared, outgoing

#: Messages with a stated cost the recent average is taken over.
AVERAGE_OVER = 50


def _recent_average(entry: SmsBridgeConfigEntry) -> Decimal | None:
    """What one segment cost lately, from the messages whose reports stated a price."""
    stated = [
        message
        for message in islice(entry.runtime_data.ledger.newest_first(), 1000)
        if message.stated and message.segments
    ][:AVERAGE_OVER]
    if not stated:
        return None
    total = sum((message.cost or Decimal(0) for message in stated), Decimal(0))
    return total / sum(message.segments for message in stated)


async def async_estimate(
    hass: HomeAssistant, entry: SmsBridgeConfigEntry, phone: str, prepared: Prepared
) -> tuple[Decimal, str] | None:
    """What sending `prepared` to `phone` should cost, with the currency; None when unknown.

    The gateway is asked only when the account has a budget to keep (it is a request).
    """
    currency = currency_of(entry.runtime_data.provider, entry.options)
    provider = entry.runtime_data.provider
    if provider.has_estimate and budget(entry.options) is not None:
        try:
            price = await provider.estimate(outgoing(hass, entry, phone, prepared))
        except ProviderError:
            price = None
        if price is not None:
            return price, currency
    if (per := entry.options.get(OPT_PRICE_PER_SEGMENT)) is not None:
        return Decimal(str(per)) * prepared.segments, currency
    if budget(entry.options) is not None and (average := _recent_average(entry)) is not None:
        return average * prepared.segments, currency
    return None
