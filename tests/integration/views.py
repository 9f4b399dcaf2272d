"""Version-stable views of our entities and diagnostics, for the syrupy snapshots.

One .ambr file serves both Home Assistant stacks, and HA's own snapshots of a RegistryEntry or a
State change shape between releases: these views hold only what this integration decides, as
plain JSON types, with what changes from run to run (ids, times, the sandbox's port) replaced.
"""

from __future__ import annotations

from collections.abc import Mapping
import json
import re
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.json import JSONEncoder
from pytest_homeassistant_custom_component.common import MockConfigEntry

from sandbox import Sandbox

#: An ISO 8601 time, as states, attributes and diagnostics show one.
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)?$")
#: A UUID, as some gateways number their requests.
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


def placeholders(entry: MockConfigEntry, sandbox: Sandbox) -> dict[str, str]:
    """What differs between runs inside an entry's strings, and what stands for it in a snapshot."""
    return {
        entry.entry_id: "<entry_id>",
        entry.data["webhook_id"]: "<webhook_id>",
        sandbox.url: "http://sandbox",
        **dict.fromkeys(entry.subentries, "<subentry_id>"),
    }


def normalized(
    value: Any, replace: Mapping[str, str], whole: Mapping[str, str] | None = None
) -> Any:
    """`value` as plain JSON types, with volatile values replaced.

    `replace` works inside strings (long ids, URLs); `whole` only on whole values (short ids
    such as a gateway's "1001", which also occur inside phone numbers). Times become "<time>"
    and UUIDs "<uuid>".
    """
    plain = json.loads(json.dumps(value, cls=JSONEncoder))
    return _replaced(plain, replace, whole or {})


def _replaced(value: Any, replace: Mapping[str, str], whole: Mapping[str, str]) -> Any:
    """Whole values first: a short id must not be found again inside a longer string."""
    if isinstance(value, dict):
        return {
            _replaced(k, replace, whole): _replaced(v, replace, whole) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_replaced(item, replace, whole) for item in value]
    if not isinstance(value, str):
        return value
    if value in whole:
        return whole[value]
    if ISO_TIME.match(value):
        return "<time>"
    if UUID.match(value):
        return "<uuid>"
    for old, new in replace.items():
        value = value.replace(old, new)
    return value


def entity_views(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    domain: str,
    replace: Mapping[str, str],
    whole: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Each of the entry's entities of `domain`, sorted by entity id: state and registry facts."""
    registry = er.async_get(hass)
    views = []
    for entity in sorted(
        er.async_entries_for_config_entry(registry, entry.entry_id), key=lambda e: e.entity_id
    ):
        if entity.domain != domain:
            continue
        state = hass.states.get(entity.entity_id)
        views.append(
            {
                "entity_id": entity.entity_id,
                "state": state.state if state else None,
                "attributes": dict(state.attributes) if state else None,
                "unique_id": entity.unique_id,
                "device_class": entity.device_class or entity.original_device_class,
                "translation_key": entity.translation_key,
                "has_entity_name": entity.has_entity_name,
                "original_name": entity.original_name,
                "entity_category": entity.entity_category,
                "disabled_by": entity.disabled_by,
            }
        )
    return list(normalized(views, replace, whole))


def device_views(
    hass: HomeAssistant, entry: MockConfigEntry, replace: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The entry's devices, sorted by name: what they say and which device they hang from."""
    registry = dr.async_get(hass)
    devices = dr.async_entries_for_config_entry(registry, entry.entry_id)
    views = [
        {
            "identifiers": sorted(device.identifiers),
            "name": device.name,
            "manufacturer": device.manufacturer,
            "model": device.model,
            "entry_type": device.entry_type,
            "configuration_url": device.configuration_url,
            "via_device": (
                sorted(parent.identifiers)
                if device.via_device_id and (parent := registry.async_get(device.via_device_id))
                else None
            ),
        }
        for device in sorted(devices, key=lambda d: d.name or "")
    ]
    return list(normalized(views, replace))
