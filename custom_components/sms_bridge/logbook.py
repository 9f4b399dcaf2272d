"""The logbook: each delivery report in words, "SMS to +84 912 345 678 delivered".

The logbook asks for plain text, not translation keys, so the words come from our own
translations in the server's language (texts.py). The line names the account and links its
event entity; the event carries the account's device, so the line is on the device's page too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.components.logbook.models import LazyEventPartialState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from .const import DOMAIN
from .event import report_entity_unique_id
from .inbound.router import EVENT_DELIVERY_REPORT
from .phone import for_reading
from .providers.models import DeliveryStatus
from .texts import reason_words, words

type Describe = Callable[[LazyEventPartialState], dict[str, str | None]]


@callback
def async_describe_events(
    hass: HomeAssistant, async_describe_event: Callable[[str, str, Describe], None]
) -> None:
    """Tell the logbook how to word a delivery report."""

    @callback
    def async_describe_report(event: LazyEventPartialState) -> dict[str, str | None]:
        return describe_report(hass, event.data)

    async_describe_event(DOMAIN, EVENT_DELIVERY_REPORT, async_describe_report)


@callback
def describe_report(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, str | None]:
    """The logbook line of one report: the account's name, the words, its event entity."""
    entry_id = str(data.get("entry_id"))
    entry = hass.config_entries.async_get_entry(entry_id)
    return {
        LOGBOOK_ENTRY_NAME: entry.title if entry else "SMS Bridge",
        LOGBOOK_ENTRY_MESSAGE: report_words(hass, data),
        LOGBOOK_ENTRY_ENTITY_ID: er.async_get(hass).async_get_entity_id(
            Platform.EVENT, DOMAIN, report_entity_unique_id(entry_id)
        ),
    }


@callback
def report_words(hass: HomeAssistant, data: Mapping[str, Any]) -> str:
    """The words of a report: a failure with the gateway's reason, or at least its code."""
    phone = data.get("phone")
    # Grouped for reading, and kept on one line (no-break spaces) in the logbook's narrow card.
    number = (
        for_reading(phone).replace(" ", "\u00a0")
        if phone
        else _text(hass, "logbook_unknown_number")
    )
    status = data.get("status")
    if status == DeliveryStatus.FAILED:
        reason = reason_words(hass, data.get("reason_key")) or data.get("error")
        code = data.get("provider_status")
        if reason and code:
            return _text(hass, "logbook_failed_code", phone=number, reason=reason, code=code)
        if reason:
            return _text(hass, "logbook_failed", phone=number, reason=reason)
        return _text(hass, "logbook_failed_status", phone=number, code=str(code))
    if status in (DeliveryStatus.DELIVERED, DeliveryStatus.SENT):
        return _text(hass, f"logbook_{status}", phone=number)
    return _text(hass, "logbook_pending", phone=number)


def _text(hass: HomeAssistant, key: str, **placeholders: str) -> str:
    """One of the logbook's texts in the server's language."""
    return words(hass, f"exceptions.{key}.message", **placeholders)
