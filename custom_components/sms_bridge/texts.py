"""Our own words in the server's language, where Home Assistant wants plain text, not keys.

The logbook's lines, and why a message failed in events, get_messages and diagnostics, are read
by automations, scripts and people after the fact: plain text in the server's language
(Settings > System > General), English where a text is missing, as entity names are.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.translation import (
    async_get_cached_translations,
    async_get_translations,
)

from .const import DOMAIN
from .providers.models import FailureReason

#: Where a failure reason's words are: the event entity's `reason_key` attribute's states.
REASON_KEY = "entity.event.delivery_report.state_attributes.reason_key.state"


async def async_load_texts(hass: HomeAssistant) -> None:
    """Have our texts at hand in the server's language and in English (cached by HA)."""
    for language in {hass.config.language, "en"}:
        for category in ("entity", "exceptions"):
            await async_get_translations(hass, language, category, [DOMAIN])


@callback
def words(hass: HomeAssistant, key: str, **placeholders: str) -> str:
    """One of our texts (`key` under component.sms_bridge), filled in; the key if none."""
    category = key.split(".", 1)[0]
    wanted = f"component.{DOMAIN}.{key}"
    for language in (hass.config.language, "en"):
        texts = async_get_cached_translations(hass, language, category, DOMAIN)
        if template := texts.get(wanted):
            return template.format(**placeholders)
    return key


#: Characters of an account's name a repair's title has room for (the dialog cuts it off).
SHORT_NAME = 18


def short_name(name: str) -> str:
    """An account's name cut to fit a repair's title; the description gives it whole."""
    return name if len(name) <= SHORT_NAME else f"{name[: SHORT_NAME - 1].rstrip()}…"


@callback
def reason_words(hass: HomeAssistant, reason: FailureReason | str | None) -> str | None:
    """Why a message failed, in words; None when nothing failed."""
    return words(hass, f"{REASON_KEY}.{reason}") if reason else None
