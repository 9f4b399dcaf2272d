"""Entries stored by older versions, brought up to date before they load (minor versions)."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.core import HomeAssistant

from .const import CONF_PROVIDER, OPT_BALANCE_UNIT, UNIT_VND_OPTION
from .flows.account import account_unique_id
from .runtime import SmsBridgeConfigEntry

#: The config entry's version; `MINOR_VERSION` is one past the last step below.
VERSION = 1


def _vnd_option(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> None:
    """1.2: Fibo's VND balance unit is stored as "vnd" (a valid translation key), not "VND"."""
    options = dict(entry.options)
    if options.get(OPT_BALANCE_UNIT) == "VND":
        options[OPT_BALANCE_UNIT] = UNIT_VND_OPTION
    hass.config_entries.async_update_entry(entry, options=options)


def _smspay_account_id(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> None:
    """1.3: an SMSPAY account is its host and user, no longer the whole send URL.

    With the password out of the id, reauthentication and reconfigure can correct it.
    """
    if entry.data.get(CONF_PROVIDER) == "smspay":
        hass.config_entries.async_update_entry(entry, unique_id=account_unique_id(entry.data))


#: Step n brings an entry from minor version n + 1 to n + 2.
STEPS: tuple[Callable[[HomeAssistant, SmsBridgeConfigEntry], None], ...] = (
    _vnd_option,
    _smspay_account_id,
)
MINOR_VERSION = len(STEPS) + 1


async def async_migrate_entry(hass: HomeAssistant, entry: SmsBridgeConfigEntry) -> bool:
    """Run the steps an entry has not had; refuse an entry from a newer major version."""
    if entry.version > VERSION:
        return False
    for minor in range(entry.minor_version, MINOR_VERSION):
        STEPS[minor - 1](hass, entry)
        hass.config_entries.async_update_entry(entry, minor_version=minor + 1)
    return True
