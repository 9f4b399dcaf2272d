"""Imitation of FPT's advertising (QC) campaigns: create, push, approval, per-number CSV results.

Paths, fields (case-sensitive) and codes follow seed 004 sections 3.4, 4.2 and 5 (PROVIDERS.md
section 3). What the document leaves open, the sandbox decides (sandbox/README.md lists it):
approval comes `state.ads.approval_delay` seconds after create-campaign (with `order_hours`:
3 hours of order-taking time after it, sandbox/rules.py), or a rejection when the message holds
`state.ads.reject_word`; a campaign goes out once approved, pushed and its schedule reached,
blocked (every number failed) outside the sending windows (rules.py); dlr-ads serves a CSV of
every pushed number `state.ads.results_delay` seconds later, a header alone before. All of it
runs on the sandbox clock (`state.ads.now()`), which tests may set.
"""

from __future__ import annotations

import base64
import csv
from datetime import datetime, timedelta
import io
import secrets
from typing import Any

from aiohttp import web

from . import rules
from .context import STATE
from .fpt import DOMESTIC_PHONE, FAILURE_TEXT, PARTNER_ID, authorize, error, telco_of
from .state import AdsSettings, Campaign, Outcome, SandboxState, outcome_for, refused_number

GATEWAY = "fpt"
PREFIXES = ("/api/",)
ADS_SCOPE = "send_brandname"
CREATE_PATH = "/api/create-campaign"
PUSH_PATH = "/api/push-brandname-ads"
DETAIL_PATH = "/api/detail-ads"
RESULTS_PATH = "/api/dlr-ads"
CONTROL_PATH = "/_sandbox/fpt/ads"

NAME_TAKEN = "Tên campaign đã tồn tại."
ALREADY_SENT = "Campaign đã được gửi đi rồi."
NOT_APPROVED = "Campaign không được duyệt."
UNKNOWN_CAMPAIGN = "Campaign không tồn tại."
REJECTION = "Nội dung chứa từ khóa bị cấm ({word})"
BLOCKED = "Tin QC bị chặn: ngoài khung giờ được phép gửi"
BAD_NUMBER = "Sai số điện thoại"
RESULT_HEADER = ("BatchId", "Phone", "Telco", "Status", "Error", "mt_count", "SentTime")
RESULT_STATUS = {Outcome.DELIVERED: "1", Outcome.FAILED: "0", Outcome.PENDING: "2"}


# --- a campaign's life, read from the clock ---------------------------------------------------


def decided_at(campaign: Campaign, ads: AdsSettings) -> datetime:
    """When the carriers approve or reject the campaign: after the delay, or the documented time."""
    if ads.order_hours:
        return rules.approved_at(campaign.created_at)
    return campaign.created_at + timedelta(seconds=ads.approval_delay)


def sends_at(campaign: Campaign, ads: AdsSettings) -> datetime | None:
    """When the campaign goes out: approved, pushed and scheduled; None if it never will."""
    if campaign.rejection is not None or campaign.pushed_at is None:
        return None
    return max(campaign.schedule, decided_at(campaign, ads), campaign.pushed_at)


def phase(campaign: Campaign, ads: AdsSettings, now: datetime) -> str:
    """pending_approval, rejected, approved or sent, at `now`."""
    if now < decided_at(campaign, ads):
        return "pending_approval"
    if campaign.rejection is not None:
        return "rejected"
    moment = sends_at(campaign, ads)
    return "sent" if moment is not None and now >= moment else "approved"


def results_ready(campaign: Campaign, ads: AdsSettings, now: datetime) -> bool:
    """Whether dlr-ads has the campaign's CSV at `now`."""
    moment = sends_at(campaign, ads)
    return moment is not None and now >= moment + timedelta(seconds=ads.results_delay)


def wire_number(phone: str) -> str | None:
    """A PhoneList entry in 84 form, None when it is not a Vietnamese number."""
    value = phone.strip()
    if not DOMESTIC_PHONE.fullmatch(value):
        return None
    return value if value.startswith("84") else f"84{value[1:]}"


# --- create-campaign ------------------------------------------------------------------------


def checked_schedule(
    state: SandboxState, brandnames: set[str], body: dict[str, Any]
) -> datetime | web.Response:
    """The campaign's ScheduleTime once its fields pass, or FPT's refusal in the sandbox's order."""
    name, quota = body.get("CampaignName"), body.get("Quota")
    if not isinstance(name, str) or not name.strip() or len(name) > 32:
        return error(1014)
    if any(c.name == name for c in state.campaigns.values()):
        return error(1014, NAME_TAKEN)
    if body.get("BrandName") not in brandnames:
        return error(2504)
    message, schedule = body.get("Message"), body.get("ScheduleTime")
    if not isinstance(message, str) or not message.strip():
        return error(1014)
    when = rules.read_schedule_time(schedule)
    if when is None:
        return error(1014)
    if not isinstance(quota, int) or isinstance(quota, bool) or quota < 1:
        return error(1014)
    return when


async def create_campaign(request: web.Request) -> web.Response:
    """POST /api/create-campaign: a campaign waiting for approval; answers its CampaignCode."""
    authorized = await authorize(request, ADS_SCOPE)
    if isinstance(authorized, web.Response):
        return authorized
    account, body = authorized
    state = request.app[STATE]
    schedule = checked_schedule(state, account.brandnames, body)
    if isinstance(schedule, web.Response):
        return schedule
    word = state.ads.reject_word
    message = body["Message"]
    rejected = bool(word) and rules.fold(word) in rules.fold(message)
    campaign = Campaign(
        code=base64.b64encode(PARTNER_ID.encode()).decode() + secrets.token_hex(7)[:13],
        name=body["CampaignName"],
        brandname=body["BrandName"],
        message=message,
        schedule=schedule,
        quota=body["Quota"],
        account=account,
        created_at=state.ads.now(),
        rejection=REJECTION.format(word=word) if rejected else None,
    )
    state.campaigns[campaign.code] = campaign
    return web.json_response({"CampaignCode": campaign.code})


# --- push-brandname-ads -----------------------------------------------------------------------


def campaign_of(state: SandboxState, body: dict[str, Any], key: str) -> Campaign | None:
    """The campaign a body names under `key`."""
    code = body.get(key)
    return state.campaigns.get(code) if isinstance(code, str) else None


def split_numbers(value: Any) -> tuple[list[str], list[str]] | None:
    """PhoneList as (accepted, refused) numbers, duplicates dropped; None when unreadable."""
    if not isinstance(value, str):
        return None
    entries = list(dict.fromkeys(p.strip() for p in value.split(",") if p.strip()))
    accepted: list[str] = []
    refused: list[str] = []
    for entry in entries:
        number = wire_number(entry)
        if number is None or refused_number(number):
            refused.append(number or entry)
        elif number not in accepted:
            accepted.append(number)
    return (accepted, refused) if entries else None


def check_push(
    state: SandboxState, campaign: Campaign | None, numbers: tuple[list[str], list[str]] | None
) -> tuple[Campaign, list[str], list[str]] | web.Response:
    """The campaign and its (accepted, refused) numbers, or FPT's refusal in the sandbox's order."""
    if campaign is None:
        return error(1014, UNKNOWN_CAMPAIGN)
    if campaign.pushed_at is not None:
        return error(1014, ALREADY_SENT)
    if phase(campaign, state.ads, state.ads.now()) == "rejected":
        return error(1014, NOT_APPROVED)
    if numbers is None:
        return error(1014)
    accepted, refused = numbers
    if not accepted:
        return error(53)
    needed = len(accepted) * rules.segments(campaign.message)
    if needed > campaign.quota:
        return error(1016)
    if campaign.account.balance < needed * campaign.account.price:
        return error(2502)
    return campaign, accepted, refused


def accept_push(
    state: SandboxState, campaign: Campaign, accepted: list[str], refused: list[str]
) -> dict[str, Any]:
    """Charge the accepted numbers and give the campaign its BatchId; the answer's fields."""
    now = state.ads.now()
    used = len(accepted) * rules.segments(campaign.message)
    campaign.account.balance -= used * campaign.account.price
    campaign.phones, campaign.refused, campaign.pushed_at = accepted, refused, now
    campaign.batch_id = f"qc.{PARTNER_ID}.{int(now.timestamp())}.{state.next_id() % 100000:05d}"
    return {
        "NumMessageSent": len(accepted),
        "NumRemainQuota": campaign.quota - used,
        "BatchId": campaign.batch_id,
    }


async def push_ads(request: web.Request) -> web.Response:
    """POST /api/push-brandname-ads: the campaign's numbers, charged against its quota, once."""
    authorized = await authorize(request, ADS_SCOPE)
    if isinstance(authorized, web.Response):
        return authorized
    account, body = authorized
    state = request.app[STATE]
    campaign = campaign_of(state, body, "CampaignCode")
    if campaign is not None and campaign.account is not account:
        campaign = None
    checked = check_push(state, campaign, split_numbers(body.get("PhoneList")))
    if isinstance(checked, web.Response):
        return checked
    return web.json_response(accept_push(state, *checked))


# --- detail-ads and dlr-ads -----------------------------------------------------------------------


async def asked_campaign(request: web.Request, key: str) -> Campaign | web.Response:
    """The caller's own campaign named under `key`; the error reply when there is none."""
    authorized = await authorize(request, ADS_SCOPE, session=False)
    if isinstance(authorized, web.Response):
        return authorized
    account, body = authorized
    campaign = campaign_of(request.app[STATE], body, key)
    if campaign is None or campaign.account is not account:
        return error(1014, UNKNOWN_CAMPAIGN)
    return campaign


async def detail_ads(request: web.Request) -> web.Response:
    """POST /api/detail-ads: approval status (and why not), schedule, whether it went out."""
    campaign = await asked_campaign(request, "CampaignCode")
    if isinstance(campaign, web.Response):
        return campaign
    state = request.app[STATE]
    now_phase = phase(campaign, state.ads, state.ads.now())
    sent = now_phase == "sent"
    return web.json_response(
        {
            "CampaignCode": campaign.code,
            "Total": str(len(campaign.phones) if sent else 0),
            "Quota": str(campaign.quota),
            "IsSent": "1" if sent else "0",
            "SendingTime": rules.schedule_time(campaign.schedule),
            "StatusDetail": {
                "Reason": campaign.rejection if now_phase == "rejected" else "",
                "Status": "1" if now_phase in ("approved", "sent") else "0",
            },
        }
    )


def result_rows(campaign: Campaign, moment: datetime, blocked: bool) -> list[tuple[str, ...]]:
    """One CSV row per pushed number: outcome by last digit, all failed when blocked."""
    sent_time = moment.strftime("%Y-%m-%d %H:%M:%S")
    segments = str(rules.segments(campaign.message))
    rows: list[tuple[str, ...]] = []
    for phone in campaign.phones:
        outcome = Outcome.FAILED if blocked else outcome_for(phone)
        reason = BLOCKED if blocked else FAILURE_TEXT if outcome is Outcome.FAILED else ""
        telco = telco_of(phone, domestic=True)
        status = RESULT_STATUS[outcome]
        rows.append((str(campaign.batch_id), phone, telco, status, reason, segments, sent_time))
    refused = f"53 - {BAD_NUMBER}"
    rows.extend(
        (str(campaign.batch_id), phone, "", "0", refused, "0", sent_time)
        for phone in campaign.refused
    )
    return rows


def results_csv(rows: list[tuple[str, ...]]) -> bytes:
    """The CSV as the sandbox serves it: UTF-8 with a BOM, every field quoted, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(RESULT_HEADER)
    writer.writerows(rows)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


async def dlr_ads(request: web.Request) -> web.Response:
    """POST /api/dlr-ads: the per-number CSV once results are ready, the header alone before."""
    campaign = await asked_campaign(request, "campaign_code")
    if isinstance(campaign, web.Response):
        return campaign
    state = request.app[STATE]
    ads, moment = state.ads, sends_at(campaign, state.ads)
    rows: list[tuple[str, ...]] = []
    if moment is not None and results_ready(campaign, ads, ads.now()):
        rows = result_rows(campaign, moment, ads.windows and not rules.ads_may_go_out(moment))
    return web.Response(
        body=results_csv(rows),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{campaign.code}.csv"'},
    )


# --- control ----------------------------------------------------------------------------------


def campaign_view(campaign: Campaign, ads: AdsSettings, now: datetime) -> dict[str, Any]:
    """A campaign as the control API shows it."""
    return {
        "code": campaign.code,
        "name": campaign.name,
        "phase": phase(campaign, ads, now),
        "schedule": campaign.schedule.isoformat(),
        "quota": campaign.quota,
        "rejection": campaign.rejection,
        "batch_id": campaign.batch_id,
        "phones": campaign.phones,
        "refused": campaign.refused,
        "results_ready": results_ready(campaign, ads, now),
    }


async def get_ads(request: web.Request) -> web.Response:
    """GET /_sandbox/fpt/ads: the settings, the sandbox clock and every campaign's phase."""
    state = request.app[STATE]
    ads, now = state.ads, state.ads.now()
    return web.json_response(
        {
            "now": now.isoformat(),
            "approval_delay": ads.approval_delay,
            "results_delay": ads.results_delay,
            "windows": ads.windows,
            "order_hours": ads.order_hours,
            "reject_word": ads.reject_word,
            "campaigns": [campaign_view(c, ads, now) for c in state.campaigns.values()],
        }
    )


def apply_settings(ads: AdsSettings, data: dict[str, Any]) -> None:
    """Change the settings a control request names; ValueError/TypeError for a bad value."""
    for key in ("approval_delay", "results_delay"):
        if key in data:
            setattr(ads, key, float(data[key]))
    for key in ("windows", "order_hours"):
        if key in data:
            if not isinstance(data[key], bool):
                raise TypeError(f"{key} must be true or false")
            setattr(ads, key, data[key])
    if "reject_word" in data:
        ads.reject_word = str(data["reject_word"])
    if "now" in data:
        when = datetime.fromisoformat(str(data["now"]))
        ads.set_now(rules.in_vietnam(when))
    if "advance" in data:
        ads.clock_offset += float(data["advance"])


async def post_ads(request: web.Request) -> web.Response:
    """POST /_sandbox/fpt/ads: change the delays, the hours, the rejection word or the clock."""
    data = await request.json()
    if not isinstance(data, dict):
        return web.json_response({"error": "a JSON object is needed"}, status=400)
    state = request.app[STATE]
    try:
        apply_settings(state.ads, data)
    except (TypeError, ValueError) as err:
        return web.json_response({"error": str(err)}, status=400)
    return web.json_response({"ok": True, "now": state.ads.now().isoformat()})


def setup(app: web.Application) -> None:
    """Add FPT's four advertising routes and the sandbox's control of them."""
    app.router.add_post(CREATE_PATH, create_campaign)
    app.router.add_post(PUSH_PATH, push_ads)
    app.router.add_post(DETAIL_PATH, detail_ads)
    app.router.add_post(RESULTS_PATH, dlr_ads)
    app.router.add_get(CONTROL_PATH, get_ads)
    app.router.add_post(CONTROL_PATH, post_ads)
