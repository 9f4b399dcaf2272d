"""What an accepted delivery report does: ledger, counts, the event (once per status)."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .const import CONF_PROVIDER, DOMAIN
from .coordinator import SmsBridgeConfigEntry
from .providers.base import DeliveryReport

EVENT_DELIVERY_REPORT = "sms_bridge_delivery_report"
OPTIONAL_FIELDS = ("telco", "segments", "price", "request_id", "answer")


def report_signal(entry_id: str) -> str:
    """The dispatcher signal the entry's event entity listens to."""
    return f"{DOMAIN}_{entry_id}_delivery_report"


def event_data(
    entry: SmsBridgeConfigEntry, report: DeliveryReport, phone: str | None, tracked: bool
) -> dict[str, Any]:
    """The event's data as DESIGN.md defines it; optional fields where the gateway gave them."""
    data: dict[str, Any] = {
        "entry_id": entry.entry_id,
        "provider": entry.data[CONF_PROVIDER],
        "message_id": report.message_id,
        "status": report.status.value,
        "final": report.final,
        "provider_status": report.provider_status,
        "phone": phone,
        "error": report.error,
        "tracked": tracked,
    }
    for name in OPTIONAL_FIELDS:
        value = getattr(report, name)
        if value is not None:
            data[name] = str(value) if name == "price" else value
    return data


@callback
def async_process_report(
    hass: HomeAssistant, entry: SmsBridgeConfigEntry, report: DeliveryReport
) -> bool:
    """Record the report and fire the event; False when this status was already reported."""
    runtime = entry.runtime_data
    if not runtime.seen_reports.async_first_time(report.message_id, report.provider_status):
        return False
    message = runtime.ledger.async_record_report(report)
    if report.final and runtime.provider.has_daily_totals:
        runtime.coordinator.async_gateway_changed()  # the gateway's own totals moved
    phone = report.phone or (message.phone if message else None)
    data = event_data(entry, report, phone, tracked=message is not None)
    hass.bus.async_fire(EVENT_DELIVERY_REPORT, data)
    async_dispatcher_send(hass, report_signal(entry.entry_id), data)
    return True
