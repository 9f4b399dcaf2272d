"""The sms_bridge.send_campaign action: an FPT advertising campaign, checked, created, pushed once.

Everything FPT would refuse, or block later, is refused here first, before FPT is asked: numbers
that are not Vietnamese, a schedule outside the sending windows or sooner than the carriers can
approve it (seed 004 section 3.4.1; providers/fpt/hours.py). A push is never tried again: a
second one could send the campaign twice, and FPT answers the same name or the same campaign
only once anyway.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
import secrets
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from ..compat import vol
from ..const import DEFAULT_ENCODING, DOMAIN, OPT_ENCODING
from ..outbound.pipeline import check_message, prepare_text, resolve_targets
from ..providers.errors import AuthenticationError, InvalidRecipientError, ProviderError
from ..providers.fpt.ads import (
    MAX_NAME_LENGTH,
    AdsNotAllowedError,
    AdsPushResult,
    CampaignNameTakenError,
    QuotaExceededError,
    ads_phone,
    campaign_quota,
)
from ..providers.fpt.hours import (
    approved_by,
    is_allowed_schedule,
    next_allowed_slot,
    next_sending_moment,
)
from ..runtime import SmsBridgeConfigEntry
from ..store.campaigns import Campaign, CampaignStore
from .follower import CampaignFollower

SERVICE_SEND_CAMPAIGN = "send_campaign"
ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_TARGET = "target"
ATTR_MESSAGE = "message"
ATTR_SCHEDULE = "schedule"
ATTR_NAME = "name"
#: Numbers per campaign: each is a message in the ledger, which keeps 10,000.
MAX_NUMBERS = 1000
#: How far ahead a campaign may be scheduled. FPT's document (seed 004) states no booking
#: horizon; a month covers any campaign planned ahead, and refuses a mistyped year.
MAX_AHEAD = timedelta(days=31)

SEND_CAMPAIGN_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_TARGET): vol.Any(cv.string, [cv.string]),
        vol.Required(ATTR_MESSAGE): cv.string,
        vol.Optional(ATTR_SCHEDULE): cv.datetime,
        vol.Optional(ATTR_NAME): cv.string,
    }
)


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _failed(key: str, **placeholders: str) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def local_time(when: datetime) -> str:
    """A moment as the user reads it: Home Assistant's time zone, to the minute, zone named."""
    local = dt_util.as_local(when)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def follower_of(entry: SmsBridgeConfigEntry) -> CampaignFollower:
    """The entry's campaign follower; a validation error for gateways without campaigns."""
    follower = entry.runtime_data.campaigns
    if follower is None:
        raise _invalid("campaigns_fpt_only", name=entry.title)
    return follower


def campaign_numbers(targets: str | Iterable[str], region: str) -> list[str]:
    """The numbers as E.164, each checked: valid, Vietnamese, not too many."""
    recipients = resolve_targets(targets, region)
    foreign = []
    for recipient in recipients:
        try:
            ads_phone(recipient.phone)
        except InvalidRecipientError:
            foreign.append(recipient.target)
    if foreign:
        raise _invalid("campaign_not_vietnamese", numbers=", ".join(foreign))
    if len(recipients) > MAX_NUMBERS:
        raise _invalid(
            "campaign_too_many_numbers", count=str(len(recipients)), max=str(MAX_NUMBERS)
        )
    return [recipient.phone for recipient in recipients]


def campaign_schedule(requested: datetime | None, now: datetime) -> datetime:
    """The schedule (UTC, whole minute): the one asked for if FPT can honour it, else the first.

    A naive time is Home Assistant's local time. A refusal names the first slot that works.
    """
    earliest = next_allowed_slot(now)
    if requested is None:
        return dt_util.as_utc(earliest)
    try:
        when = dt_util.as_utc(requested).replace(second=0, microsecond=0)  # FPT reads minutes
    except OverflowError:  # the last minutes of year 9999, in a zone behind UTC
        when = datetime.max.replace(tzinfo=UTC)
    if when > now + MAX_AHEAD:
        raise _invalid(
            "campaign_too_far",
            schedule=f"{requested:%Y-%m-%d %H:%M}",
            days=str(MAX_AHEAD.days),
            latest=local_time(now + MAX_AHEAD),
        )
    if is_allowed_schedule(when, now):
        return when
    shown, slot = local_time(when), local_time(next_sending_moment(max(when, earliest)))
    if when < approved_by(now):
        raise _invalid("campaign_too_soon", schedule=shown, slot=slot)
    raise _invalid("campaign_outside_window", schedule=shown, slot=slot)


def campaign_name(store: CampaignStore, requested: str | None, schedule: datetime) -> str:
    """The name asked for, checked; else a new one from the schedule (FPT takes a name once)."""
    if requested is not None and requested.strip():
        name = requested.strip()
        if len(name) > MAX_NAME_LENGTH:
            raise _invalid("campaign_name_too_long", name=name, max=str(MAX_NAME_LENGTH))
        if store.has_name(name):
            raise _invalid("campaign_name_taken", name=name)
        return name
    while True:
        name = f"HA {dt_util.as_local(schedule):%Y-%m-%d %H:%M} {secrets.token_hex(3)}"
        if not store.has_name(name):
            return name


def create_error(err: ProviderError, name: str) -> HomeAssistantError:
    """What the user is told when FPT did not create the campaign (nothing was sent)."""
    if isinstance(err, AdsNotAllowedError):
        return _failed("campaign_not_allowed")
    if isinstance(err, CampaignNameTakenError):
        return _invalid("campaign_name_taken", name=name)
    return _failed("campaign_create_failed", error=str(err))


def push_error(err: ProviderError, name: str, code: str, quota: int) -> HomeAssistantError:
    """What the user is told when the campaign exists but its numbers may not have gone to FPT."""
    if err.maybe_sent:
        return _failed("campaign_push_unknown", name=name, code=code, error=str(err))
    if isinstance(err, QuotaExceededError):
        return _failed("campaign_quota_exceeded", name=name, code=code, quota=str(quota))
    return _failed("campaign_push_failed", name=name, code=code, error=str(err))


def campaign_response(campaign: Campaign, pushed: AdsPushResult) -> dict[str, Any]:
    """The action's answer (DESIGN.md): numbers is how many FPT took."""
    return {
        "campaign_code": campaign.code,
        "batch_id": campaign.batch_id,
        "name": campaign.name,
        "numbers": pushed.num_sent if pushed.num_sent is not None else len(pushed.phones),
        "quota": campaign.quota,
        "schedule": dt_util.as_local(campaign.schedule).isoformat(),
    }


async def async_send_campaign(
    hass: HomeAssistant, entry: SmsBridgeConfigEntry, data: Mapping[str, Any]
) -> dict[str, Any]:
    """Check everything, create the campaign, push its numbers once, follow it; its summary.

    The campaign is on disk before its numbers go to FPT and again before the action returns:
    after a crash at any point it is followed, or known as never pushed.
    """
    follower = follower_of(entry)
    message = data[ATTR_MESSAGE]
    check_message(message)
    phones = campaign_numbers(data[ATTR_TARGET], follower.provider.region)
    text, _ = prepare_text(message, None, entry.options.get(OPT_ENCODING, DEFAULT_ENCODING))
    now = dt_util.utcnow()
    schedule = campaign_schedule(data.get(ATTR_SCHEDULE), now)
    name = campaign_name(follower.store, data.get(ATTR_NAME), schedule)
    quota = campaign_quota(len(phones), text)
    try:
        code = await follower.provider.create_campaign(name, text, schedule, quota)
    except ProviderError as err:
        if isinstance(err, AuthenticationError):
            entry.async_start_reauth(hass)
        raise create_error(err, name) from err
    campaign = Campaign(code, name, "", tuple(phones), quota, schedule, now, pushed=None)
    await follower.store.async_save_now(campaign)  # before its numbers go out
    try:
        pushed = await follower.provider.push_ads(code, phones)
    except ProviderError as err:
        if isinstance(err, AuthenticationError):
            entry.async_start_reauth(hass)
        await follower.async_push_failed(campaign, surely=not err.maybe_sent)
        raise push_error(err, name, code, quota) from err
    await follower.async_add(campaign, pushed, text)
    return campaign_response(campaign, pushed)
