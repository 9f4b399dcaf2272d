"""Where a gateway sends an entry's delivery reports, and whether it can get there.

With Home Assistant Cloud (logged in, active subscription) each entry has a cloudhook, made at
setup and deleted with the entry; without it the external URL, else the internal one. A loopback,
private or local-only address cannot be reached from a gateway on the internet.
"""

from __future__ import annotations

from collections.abc import Mapping
import ipaddress
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers.network import NoURLAvailableError

from ..const import LOGGER

CONF_CLOUDHOOK_URL = "cloudhook_url"
#: Host name endings that only resolve inside a home network.
LOCAL_SUFFIXES = (".local", ".lan", ".home", ".internal", ".localdomain", ".home.arpa")


def cloud_module(hass: HomeAssistant) -> ModuleType | None:
    """Home Assistant Cloud's component, when it is set up (its requirements are there then)."""
    if "cloud" not in hass.config.components:
        return None
    from homeassistant.components import cloud  # noqa: PLC0415 - only with Cloud set up

    return cloud


def cloud_active(hass: HomeAssistant) -> bool:
    """Whether Cloud is logged in with an active subscription."""
    cloud = cloud_module(hass)
    return cloud is not None and bool(cloud.async_active_subscription(hass))


async def async_ensure_cloudhook(hass: HomeAssistant, data: Mapping[str, Any]) -> str | None:
    """The entry's cloudhook URL, made now if Cloud is active and there is none yet.

    None without an active subscription, or while Cloud cannot make one (not connected).
    """
    cloud = cloud_module(hass)
    if cloud is None or not cloud.async_active_subscription(hass):
        return None
    if url := data.get(CONF_CLOUDHOOK_URL):
        return str(url)
    try:
        return str(await cloud.async_create_cloudhook(hass, data[CONF_WEBHOOK_ID]))
    except cloud.CloudNotAvailable:  # not connected yet: tried again when it connects
        LOGGER.debug("Home Assistant Cloud cannot make a webhook address yet")
        return None


async def async_delete_cloudhook(hass: HomeAssistant, data: Mapping[str, Any]) -> None:
    """Delete the entry's cloudhook, if it has one (the entry was removed)."""
    cloud = cloud_module(hass)
    if CONF_CLOUDHOOK_URL not in data or cloud is None:
        return
    try:
        await cloud.async_delete_cloudhook(hass, data[CONF_WEBHOOK_ID])
    except cloud.CloudNotAvailable:
        LOGGER.debug("Home Assistant Cloud is not available to delete the webhook address")


def report_url(hass: HomeAssistant, data: Mapping[str, Any]) -> str | None:
    """The address to give the gateway: the cloudhook, else HA's own URL (external first)."""
    if data.get(CONF_CLOUDHOOK_URL) and cloud_active(hass):
        return str(data[CONF_CLOUDHOOK_URL])
    try:
        return webhook.async_generate_url(hass, data[CONF_WEBHOOK_ID])
    except NoURLAvailableError:
        return None


def shown_url(hass: HomeAssistant, data: Mapping[str, Any]) -> str:
    """The address to show: in full, or its path after a placeholder host."""
    return report_url(hass, data) or (
        f"https://<your-home-assistant>{webhook.async_generate_path(data[CONF_WEBHOOK_ID])}"
    )


def reachable(url: str | None) -> bool:
    """Whether a gateway on the internet could reach `url` (a public name or address)."""
    host = (urlsplit(url).hostname or "") if url else ""
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." in host and host != "localhost" and not host.endswith(LOCAL_SUFFIXES)
    return address.is_global
