"""The event entities: what the delivery-report one shows of the latest report, per gateway."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from syrupy.assertion import SnapshotAssertion

from custom_components.sms_bridge.const import DOMAIN
from sandbox import Sandbox

from .conftest import PROVIDERS, EntryFactory
from .helpers import NUMBERS, TEXT, reports_delivered, send
from .views import entity_views, placeholders


async def test_attributes_are_the_report(
    hass: HomeAssistant,
    sandbox: Sandbox,
    reporting_entry: EntryFactory,
    events: list[Event],
) -> None:
    """Phone, status, error and the rest of the event's data; the entry id only in the event."""
    entry = await reporting_entry("smspay")
    await send(hass, target="0888123454", message="Склад 3")
    await reports_delivered(hass, sandbox)
    last = events[-1].data
    assert (last["status"], last["phone"]) == ("failed", "+359888123454")
    assert last["error"]

    entity_id = er.async_get(hass).async_get_entity_id(
        "event", DOMAIN, f"{entry.entry_id}_delivery_report"
    )
    state = hass.states.get(entity_id or "")
    assert state is not None
    attributes = dict(state.attributes)
    assert attributes.pop("event_type") == "failed"
    shown = {key: attributes[key] for key in last if key in attributes}
    assert shown == {k: v for k, v in last.items() if k not in ("entry_id", "device_id")}
    assert "entry_id" not in attributes


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_event_snapshot(
    hass: HomeAssistant,
    sandbox: Sandbox,
    reporting_entry: EntryFactory,
    snapshot: SnapshotAssertion,
    provider: str,
) -> None:
    """Each gateway's event entities once a message was reported delivered over HTTP."""
    entry = await reporting_entry(provider)
    response = await send(hass, target=NUMBERS[provider], message=TEXT)
    await reports_delivered(hass, sandbox)
    whole = {response["messages"][0]["message_id"]: "<message_id>"}
    views = entity_views(hass, entry, Platform.EVENT, placeholders(entry, sandbox), whole)
    assert views == snapshot
