"""FPT advertising (QC) campaigns: typed results and errors, and the parsers of their answers.

Seed 004 sections 3.4 and 4.2 (PROVIDERS.md section 3 is a digest). The calls themselves are
FptProvider methods. What the document does not show, and is therefore guessed here:

- detail-ads: `StatusDetail[Status]` / `StatusDetail[Reason]` are read from a nested object
  (`{"StatusDetail": {"Status": "1", "Reason": ""}}`), a one-item list of it, or flat keys
  spelled with brackets. `IsSent` 1 means sent; else Status 1 approved; Status 0 with a reason
  rejected; anything else (0 without a reason, absent, unknown) still waiting for approval.
- dlr-ads: its CSV's columns; see results.py.
- 1014 has two meanings in the document's samples, "campaign name exists" and "campaign
  already sent"; they are told apart by those samples' error_description texts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, Protocol

from ..errors import InvalidRecipientError, ProviderError, RefusedError, UnexpectedResponseError
from ..http import RawResponse
from ..parsing import lower_keys
from ..text import segment_count, strip_diacritics
from .hours import format_schedule, parse_schedule

if TYPE_CHECKING:
    from ..models import DeliveryReport

from .wire import (
    CODE_REASONS,
    error_for,
    identifier,
    json_object,
    number,
    raise_for_error,
    text_value,
    wire_phone,
)

PROVIDER: Final = "fpt"
#: CampaignName: unique, single use, at most 32 characters.
MAX_NAME_LENGTH: Final = 32
NO_ADS_SCOPE: Final = "this FPT application has no advertising scope (send_brandname)"


class CampaignStatus(StrEnum):
    """A campaign's state, normalized from detail-ads."""

    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    SENT = "sent"


@dataclass(frozen=True, slots=True)
class AdsPushResult:
    """What push-brandname-ads said. `phones` are E.164, in the order they were pushed."""

    campaign_code: str
    batch_id: str
    num_sent: int | None
    remaining_quota: int | None
    phones: tuple[str, ...] = ()

    def message_id(self, phone: str) -> str:
        """The id FPT gives the message to `phone`: BatchId + the number in 84 form."""
        return ads_message_id(self.batch_id, phone)


@dataclass(frozen=True, slots=True)
class CampaignDetail:
    """What detail-ads said; `provider_status` is the raw StatusDetail[Status]."""

    code: str
    total: int | None
    quota: int | None
    is_sent: bool
    sending_time: datetime | None
    status: CampaignStatus
    reason: str | None
    provider_status: str | None = None


# --- errors -------------------------------------------------------------------------------------


class CampaignError(RefusedError):
    """Base of the advertising errors: FPT (or the client, before asking) refused the campaign."""


class AdsNotAllowedError(CampaignError):
    """The FPT application lacks the advertising scope `send_brandname` (1010 on an ads call)."""


class InvalidCampaignError(CampaignError):
    """The campaign's own fields cannot be sent (name, message, quota); nothing was asked."""


class CampaignNameTakenError(CampaignError):
    """1014 on create-campaign: the name exists (names are single use)."""


class CampaignAlreadySentError(CampaignError):
    """1014 on push-brandname-ads: the campaign was already sent (a campaign is pushed once)."""


class QuotaExceededError(CampaignError):
    """1016: more messages than the campaign's quota."""


#: The document's error_description samples for 1014, folded (see `fold`).
NAME_TAKEN_WORDS: Final = ("da ton tai", "already exist")
ALREADY_SENT_WORDS: Final = ("da duoc gui", "gui di roi", "already sent")


def fold(text: str) -> str:
    """Lower case, no Vietnamese diacritics, single spaces: for matching FPT's free text."""
    return " ".join(strip_diacritics(text).lower().split())


def ads_error(code: int, description: str | None) -> ProviderError:
    """The error for an FPT code on an advertising call (description only tells 1014 apart)."""
    reason = CODE_REASONS.get(code)
    if code == 1010:
        return AdsNotAllowedError(NO_ADS_SCOPE, code=str(code))
    if code == 1016:
        return QuotaExceededError(reason or "", code=str(code))
    folded = fold(description or "")
    if code == 1014 and any(word in folded for word in NAME_TAKEN_WORDS):
        return CampaignNameTakenError("the campaign name is already used", code=str(code))
    if code == 1014 and any(word in folded for word in ALREADY_SENT_WORDS):
        return CampaignAlreadySentError("the campaign was already sent", code=str(code))
    return error_for(code)


def ads_fields(raw: RawResponse) -> dict[str, Any]:
    """An advertising answer's JSON fields (keys lower-cased), or the error it carries."""
    fields = json_object(raw)
    code = number(fields.get("error")) if fields is not None else None
    if fields is not None and code is not None:
        raise ads_error(code, text_value(fields.get("error_description")))
    return raise_for_error(raw, fields)


# --- requests -------------------------------------------------------------------------------------


def ads_phone(phone: str) -> str:
    """A Vietnamese number in FPT's 84 form; InvalidRecipientError for others (ads are domestic)."""
    digits, domestic = wire_phone(phone)
    if not domestic:
        raise InvalidRecipientError("advertising SMS go to Vietnamese numbers only")
    return digits


def ads_message_id(batch_id: str, phone: str) -> str:
    """BatchId + the number in 84 form: the id of one advertising message (seed 004 3.4.4.2)."""
    return f"{batch_id}{ads_phone(phone)}"


def e164(phone: str) -> str:
    """A Vietnamese number as E.164."""
    return f"+{ads_phone(phone)}"


def campaign_quota(numbers: int, message: str) -> int:
    """The quota a campaign needs: numbers x segments (the document's 1000 x 2 = 2000)."""
    return numbers * segment_count(message)


def campaign_fields(
    name: str, message: str, schedule: datetime, quota: int, brandname: str
) -> dict[str, Any]:
    """create-campaign's fields, checked first: nothing is asked of FPT for a bad campaign."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise InvalidCampaignError(f"the campaign name must be 1 to {MAX_NAME_LENGTH} characters")
    if not message.strip():
        raise InvalidCampaignError("the campaign message is empty")
    if isinstance(quota, bool) or quota < 1:
        raise InvalidCampaignError("the campaign quota must be at least 1")
    return {
        "CampaignName": name,
        "BrandName": brandname,
        "Message": message,
        "ScheduleTime": format_schedule(schedule),
        "Quota": quota,
    }


def phone_list(phones: Iterable[str]) -> tuple[str, ...]:
    """The pushed numbers as E.164, duplicates dropped; InvalidRecipientError if one is bad."""
    unique = tuple(dict.fromkeys(e164(phone) for phone in phones))
    if not unique:
        raise InvalidRecipientError("no phone number to push")
    return unique


# --- answers --------------------------------------------------------------------------------------


def parse_campaign_code(raw: RawResponse) -> str:
    """The CampaignCode of a create-campaign answer."""
    code = identifier(ads_fields(raw).get("campaigncode"))
    if code is None:
        raise UnexpectedResponseError("FPT's create-campaign answer has no CampaignCode")
    return code


def parse_push_answer(
    raw: RawResponse, *, campaign_code: str, phones: tuple[str, ...]
) -> AdsPushResult:
    """The AdsPushResult of a push-brandname-ads answer."""
    fields = ads_fields(raw)
    batch_id = identifier(fields.get("batchid"))
    if batch_id is None:
        raise UnexpectedResponseError("FPT's push-brandname-ads answer has no BatchId")
    return AdsPushResult(
        campaign_code=campaign_code,
        batch_id=batch_id,
        num_sent=number(fields.get("nummessagesent")),
        remaining_quota=number(fields.get("numremainquota")),
        phones=phones,
    )


def _status_detail(fields: Mapping[str, Any]) -> dict[str, Any]:
    """StatusDetail's fields (lower-cased), however the JSON spells the document's brackets."""
    detail = fields.get("statusdetail")
    if isinstance(detail, list) and detail:
        detail = detail[0]
    if isinstance(detail, dict):
        return lower_keys(detail)
    flat = {
        "status": fields.get("statusdetail[status]"),
        "reason": fields.get("statusdetail[reason]"),
    }
    return {key: value for key, value in flat.items() if value is not None}


def campaign_status(is_sent: bool, status: int | None, reason: str | None) -> CampaignStatus:
    """The normalized state: sent wins, then approved (1), rejected (0 with a reason)."""
    if is_sent:
        return CampaignStatus.SENT
    if status == 1:
        return CampaignStatus.APPROVED
    if status == 0 and reason:
        return CampaignStatus.REJECTED
    return CampaignStatus.PENDING_APPROVAL


def parse_campaign_detail(raw: RawResponse, *, code: str) -> CampaignDetail:
    """The CampaignDetail of a detail-ads answer for campaign `code`."""
    fields = ads_fields(raw)
    detail = _status_detail(fields)
    raw_status = text_value(detail.get("status"))
    reason = text_value(detail.get("reason"))
    is_sent = number(fields.get("issent")) == 1
    sending_time: datetime | None = None
    if (when := text_value(fields.get("sendingtime"))) is not None:
        try:
            sending_time = parse_schedule(when)
        except ValueError:
            sending_time = None
    return CampaignDetail(
        code=identifier(fields.get("campaigncode")) or code,
        total=number(fields.get("total")),
        quota=number(fields.get("quota")),
        is_sent=is_sent,
        sending_time=sending_time,
        status=campaign_status(is_sent, number(raw_status), reason),
        reason=reason,
        provider_status=raw_status,
    )


class Advertiser(Protocol):
    """A gateway that sends advertising campaigns (FPT): what the campaign action and follower use.

    `Provider.advertising()` gives it where the gateway has campaigns, None elsewhere.
    """

    @property
    def name(self) -> str:
        """The gateway's key ("fpt")."""

    @property
    def region(self) -> str:
        """The country whose numbers it sends to."""

    async def create_campaign(
        self,
        name: str,
        message: str,
        schedule: datetime,
        quota: int,
        brandname: str | None = None,
    ) -> str:
        """Create the campaign; its code."""

    async def push_ads(self, campaign_code: str, phones: Iterable[str]) -> AdsPushResult:
        """Give the campaign its numbers, once."""

    async def campaign_detail(self, campaign_code: str) -> CampaignDetail:
        """Where the campaign stands."""

    async def campaign_results(self, campaign_code: str, batch_id: str) -> list[DeliveryReport]:
        """Each number's result, once the gateway has them."""
