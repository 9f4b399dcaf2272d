"""The FPT client's advertising calls against the sandbox, and the seed document's samples."""

from __future__ import annotations

from datetime import datetime
import json
from typing import Any

import aiohttp
import pytest

from custom_components.sms_bridge.providers.errors import (
    AuthenticationError,
    InvalidRecipientError,
    ProviderError,
    RefusedError,
    TransientError,
    UnexpectedResponseError,
)
from custom_components.sms_bridge.providers.fpt.ads import (
    AdsNotAllowedError,
    AdsPushResult,
    CampaignAlreadySentError,
    CampaignError,
    CampaignNameTakenError,
    CampaignStatus,
    InvalidCampaignError,
    QuotaExceededError,
    ads_error,
    ads_message_id,
    campaign_quota,
    e164,
    parse_campaign_code,
    parse_campaign_detail,
    parse_push_answer,
)
from custom_components.sms_bridge.providers.fpt.hours import VIETNAM
from custom_components.sms_bridge.providers.fpt.provider import (
    CREATE_CAMPAIGN_PATH,
    DETAIL_ADS_PATH,
    DLR_ADS_PATH,
    OTP_SCOPE,
    PUSH_ADS_PATH,
    TOKEN_PATH,
    FptProvider,
)
from custom_components.sms_bridge.providers.http import RawResponse
from custom_components.sms_bridge.providers.models import DeliveryStatus
from sandbox import Fault, Sandbox
from sandbox.fpt import CALLS, FAILURE_TEXT, GRANTED_SCOPES
from sandbox.fpt_ads import BLOCKED

from .test_fpt import fixture, repaired

CLIENT_ID = "fpt-client-id"
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=VIETNAM)
SCHEDULE = datetime(2026, 11, 23, 13, 30, tzinfo=VIETNAM)
APPROVAL, RESULTS = 3 * 3600.0, 600.0
PHONES = ["+84901234567", "0901234564", "84901234565"]


@pytest.fixture
def provider(sandbox: Sandbox, session: aiohttp.ClientSession) -> FptProvider:
    """The FPT client on the sandbox, whose clock reads Monday 09:00 in Vietnam."""
    sandbox.state.ads.set_now(MONDAY_9)
    sandbox.state.ads.approval_delay = APPROVAL
    sandbox.state.ads.results_delay = RESULTS
    return FptProvider(
        session,
        client_id=CLIENT_ID,
        client_secret="fpt-client-secret",
        brandname="SMSBRIDGE",
        environment="sandbox",
        base_url=sandbox.url,
        timeout=5,
    )


def advance(sandbox: Sandbox, seconds: float) -> None:
    """Move the sandbox clock forward."""
    sandbox.state.ads.clock_offset += seconds


def bodies(sandbox: Sandbox, path: str) -> list[dict[str, Any]]:
    """The JSON bodies the sandbox received on `path`."""
    return [body for p, body in sandbox.app[CALLS] if p == path]


async def create(provider: FptProvider, name: str = "Khuyen mai 11/2026", **kw: Any) -> str:
    """A campaign for the three PHONES at SCHEDULE."""
    message = kw.pop("message", "Giam gia 50% cho hoa don tren 100tr dong")
    quota = kw.pop("quota", campaign_quota(len(PHONES), message))
    return await provider.create_campaign(name, message, kw.pop("schedule", SCHEDULE), quota, **kw)


# --- the whole flow ----------------------------------------------------------------------------


async def test_campaign_from_creation_to_results(provider: FptProvider, sandbox: Sandbox) -> None:
    """Created, pushed, approved after the delay, sent on schedule, results later."""
    code = await create(provider)
    pushed = await provider.push_ads(code, PHONES)
    assert (pushed.campaign_code, pushed.num_sent, pushed.remaining_quota) == (code, 3, 0)
    assert pushed.phones == ("+84901234567", "+84901234564", "+84901234565")
    assert pushed.batch_id.startswith("qc.2215.")
    detail = await provider.campaign_detail(code)
    assert (detail.status, detail.is_sent, detail.total, detail.quota) == (
        CampaignStatus.PENDING_APPROVAL,
        False,
        0,
        3,
    )
    assert (detail.code, detail.sending_time, detail.reason) == (code, SCHEDULE, None)
    advance(sandbox, APPROVAL)  # 12:00: approved, waiting for its 13:30 schedule
    assert (await provider.campaign_detail(code)).status is CampaignStatus.APPROVED
    assert await provider.campaign_results(code, pushed.batch_id) == []
    advance(sandbox, 5400)  # 13:30
    detail = await provider.campaign_detail(code)
    assert (detail.status, detail.is_sent, detail.total) == (CampaignStatus.SENT, True, 3)
    assert await provider.campaign_results(code, pushed.batch_id) == []  # not ready yet
    advance(sandbox, RESULTS)
    reports = await provider.campaign_results(code, pushed.batch_id)
    assert [(r.message_id, r.phone, r.status, r.error) for r in reports] == [
        (pushed.message_id("+84901234567"), "+84901234567", DeliveryStatus.DELIVERED, None),
        (pushed.message_id("+84901234564"), "+84901234564", DeliveryStatus.FAILED, FAILURE_TEXT),
        (pushed.message_id("+84901234565"), "+84901234565", DeliveryStatus.PENDING, None),
    ]
    assert {(r.provider, r.telco, r.segments) for r in reports} == {("fpt", "Mobifone", 1)}
    assert reports[0].message_id == f"{pushed.batch_id}84901234567"


async def test_rejected_campaign_says_why(provider: FptProvider, sandbox: Sandbox) -> None:
    """A message the carriers refuse: rejected with the reason, never sent, no results."""
    code = await create(provider, message="Casino khai truong, tang 100 van")
    pushed = await provider.push_ads(code, PHONES)
    advance(sandbox, APPROVAL)
    detail = await provider.campaign_detail(code)
    assert detail.status is CampaignStatus.REJECTED
    assert detail.reason is not None
    assert "casino" in detail.reason
    assert (detail.provider_status, detail.is_sent) == ("0", False)
    advance(sandbox, 86400)
    assert await provider.campaign_results(code, pushed.batch_id) == []


async def test_outside_the_windows_every_number_is_blocked(
    provider: FptProvider, sandbox: Sandbox
) -> None:
    """A campaign going out at 21:00 is blocked: every number fails, saying so."""
    code = await create(provider, schedule=datetime(2026, 11, 23, 21, 0, tzinfo=VIETNAM))
    pushed = await provider.push_ads(code, PHONES)
    advance(sandbox, 12 * 3600 + RESULTS)
    reports = await provider.campaign_results(code, pushed.batch_id)
    assert [(r.status, r.error) for r in reports] == [(DeliveryStatus.FAILED, BLOCKED)] * 3


async def test_windows_off_sends_at_any_hour(provider: FptProvider, sandbox: Sandbox) -> None:
    """With the sandbox's windows off, outcomes follow the last digit at any hour."""
    sandbox.state.ads.windows = False
    code = await create(provider, schedule=datetime(2026, 11, 23, 21, 0, tzinfo=VIETNAM))
    pushed = await provider.push_ads(code, PHONES)
    advance(sandbox, 12 * 3600 + RESULTS)
    reports = await provider.campaign_results(code, pushed.batch_id)
    assert [r.status for r in reports] == [
        DeliveryStatus.DELIVERED,
        DeliveryStatus.FAILED,
        DeliveryStatus.PENDING,
    ]


async def test_refused_number_in_a_push(provider: FptProvider, sandbox: Sandbox) -> None:
    """A number the gateway refuses (ending 3) is not counted, and fails in the results."""
    code = await create(provider)
    pushed = await provider.push_ads(code, ["+84901234567", "+84901234563"])
    assert (pushed.num_sent, pushed.remaining_quota) == (1, 2)
    advance(sandbox, APPROVAL + 5400 + RESULTS)
    reports = await provider.campaign_results(code, pushed.batch_id)
    assert [(r.phone, r.status) for r in reports] == [
        ("+84901234567", DeliveryStatus.DELIVERED),
        ("+84901234563", DeliveryStatus.FAILED),
    ]
    assert reports[1].message_id == pushed.message_id("+84901234563")


# --- what the client sends ------------------------------------------------------------------


async def test_request_bodies_match_the_seed(provider: FptProvider, sandbox: Sandbox) -> None:
    """create-campaign and push-brandname-ads send exactly the document's fields; Message plain."""
    schedule = datetime(2021, 6, 18, 9, 0, tzinfo=VIETNAM)
    name, message = (
        "Chuong trinh khuyen mai 06/2021",
        "Dong loat giam gia 50% cho hoa don tren 100tr dong",
    )
    code = await provider.create_campaign(name, message, schedule, 1000, brandname="FTI")
    await provider.push_ads(code, ["0987654321", "0987654127"])
    (created,) = bodies(sandbox, CREATE_CAMPAIGN_PATH)
    sample = repaired("create_campaign_request.json")
    assert set(created) == set(sample)
    fields = ("CampaignName", "BrandName", "Message", "ScheduleTime", "Quota")
    assert {k: created[k] for k in fields} == {k: sample[k] for k in fields}
    (pushed,) = bodies(sandbox, PUSH_ADS_PATH)
    assert set(pushed) == set(repaired("push_ads_request.json"))
    assert pushed["CampaignCode"] == code
    assert pushed["PhoneList"] == "84987654321,84987654127"
    assert all(0 < len(body["session_id"]) <= 32 for body in (created, pushed))


async def test_detail_and_results_bodies(provider: FptProvider, sandbox: Sandbox) -> None:
    """detail-ads takes CampaignCode, dlr-ads campaign_code; neither a session_id (section 4.2)."""
    code = await create(provider)
    await provider.campaign_detail(code)
    await provider.campaign_results(code, "qc.x")
    (detail,) = bodies(sandbox, DETAIL_ADS_PATH)
    (results,) = bodies(sandbox, DLR_ADS_PATH)
    assert set(detail) == {"access_token", "CampaignCode"}
    assert set(results) == {"access_token", "campaign_code"}
    assert detail["CampaignCode"] == results["campaign_code"] == code


async def test_schedule_sent_in_vietnam_time(provider: FptProvider, sandbox: Sandbox) -> None:
    """A UTC schedule is written as Vietnam time, to the minute."""
    await create(provider, schedule=datetime(2026, 11, 23, 6, 30, 45, tzinfo=VIETNAM).astimezone())
    (body,) = bodies(sandbox, CREATE_CAMPAIGN_PATH)
    assert body["ScheduleTime"] == "2026-11-23 06:30"


async def test_duplicate_numbers_pushed_once(provider: FptProvider, sandbox: Sandbox) -> None:
    """The same number written twice is pushed once."""
    code = await create(provider)
    pushed = await provider.push_ads(code, ["+84901234567", "0901234567", "84 901 234 567"])
    assert pushed.phones == ("+84901234567",)
    assert bodies(sandbox, PUSH_ADS_PATH)[0]["PhoneList"] == "84901234567"


# --- refused before asking ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message", "quota"),
    [
        ("", "text", 1),
        ("   ", "text", 1),
        ("x" * 33, "text", 1),
        ("ok", "", 1),
        ("ok", "  ", 1),
        ("ok", "text", 0),
        ("ok", "text", -5),
        ("ok", "text", True),
    ],
)
async def test_invalid_campaign_asks_nothing(
    provider: FptProvider, sandbox: Sandbox, name: str, message: str, quota: int
) -> None:
    """Name 1-32 characters, a message, a quota of at least 1: checked before any request."""
    with pytest.raises(InvalidCampaignError):
        await provider.create_campaign(name, message, SCHEDULE, quota)
    assert sandbox.state.requests == []


async def test_name_of_32_characters_is_fine(provider: FptProvider, sandbox: Sandbox) -> None:
    """The limit itself is allowed (Vietnamese letters count as one character each)."""
    await create(provider, name="Khuyến mãi tháng mười một 2026 ạ")
    assert len(bodies(sandbox, CREATE_CAMPAIGN_PATH)[0]["CampaignName"]) == 32


@pytest.mark.parametrize("phones", [[], ["+14155550100"], ["+84901234567", "not a number"]])
async def test_invalid_numbers_ask_nothing(
    provider: FptProvider, sandbox: Sandbox, phones: list[str]
) -> None:
    """Advertising goes to Vietnamese numbers only; a bad list is refused before any request."""
    with pytest.raises(InvalidRecipientError):
        await provider.push_ads("MjIxNQ==x", phones)
    assert sandbox.state.requests == []


# --- FPT's refusals ---------------------------------------------------------------------------


async def test_name_taken(provider: FptProvider) -> None:
    """Names are single use: 1014 "name exists" is CampaignNameTakenError."""
    await create(provider, name="Once")
    with pytest.raises(CampaignNameTakenError) as caught:
        await create(provider, name="Once")
    assert caught.value.code == "1014"


async def test_already_sent(provider: FptProvider) -> None:
    """A campaign is pushed once: 1014 "already sent" is CampaignAlreadySentError."""
    code = await create(provider)
    await provider.push_ads(code, PHONES)
    with pytest.raises(CampaignAlreadySentError) as caught:
        await provider.push_ads(code, PHONES)
    assert caught.value.code == "1014"


async def test_quota_exceeded(provider: FptProvider, sandbox: Sandbox) -> None:
    """More numbers x segments than the quota: 1016, QuotaExceededError; nothing charged."""
    balance = sandbox.state.first_account("fpt").balance
    code = await create(provider, quota=2)
    with pytest.raises(QuotaExceededError) as caught:
        await provider.push_ads(code, PHONES)
    assert caught.value.code == "1016"
    assert sandbox.state.first_account("fpt").balance == balance


async def test_quota_counts_segments(provider: FptProvider, sandbox: Sandbox) -> None:
    """A two-segment message to three numbers needs a quota of 6."""
    message = "x" * 200
    assert campaign_quota(3, message) == 6
    code = await create(provider, message=message, quota=6)
    pushed = await provider.push_ads(code, PHONES)
    assert (pushed.num_sent, pushed.remaining_quota) == (3, 0)
    code = await create(provider, name="Second", message=message, quota=5)
    with pytest.raises(QuotaExceededError):
        await provider.push_ads(code, PHONES)


async def test_unknown_campaign(provider: FptProvider) -> None:
    """Another code than one created: FPT's parameter error, a plain refusal."""
    for call in (
        lambda: provider.campaign_detail("MjIxNQ==nope"),
        lambda: provider.campaign_results("MjIxNQ==nope", "qc.x"),
        lambda: provider.push_ads("MjIxNQ==nope", PHONES),
    ):
        with pytest.raises(RefusedError) as caught:
            await call()
        assert type(caught.value) is RefusedError
        assert caught.value.code == "1014"


# --- scope and token --------------------------------------------------------------------------


async def test_account_without_the_ads_scope(provider: FptProvider, sandbox: Sandbox) -> None:
    """A customer-care-only application: AdsNotAllowedError, without asking for the campaign."""
    sandbox.app[GRANTED_SCOPES][CLIENT_ID] = frozenset({OTP_SCOPE})
    assert not await provider.ads_allowed()
    with pytest.raises(AdsNotAllowedError) as caught:
        await create(provider)
    assert caught.value.code == "1010"
    assert "send_brandname" in caught.value.reason
    assert isinstance(caught.value, CampaignError)
    assert {path for _, _, path in sandbox.state.requests} == {TOKEN_PATH}


async def test_ads_allowed_with_both_scopes(provider: FptProvider) -> None:
    """The sandbox's built-in application has both scopes."""
    assert await provider.ads_allowed()


async def test_scope_refused_on_an_ads_call(provider: FptProvider, sandbox: Sandbox) -> None:
    """FPT answering 1010 to an advertising call is AdsNotAllowedError too."""
    sandbox.state.faults.append(Fault("refuse", "fpt", 1010, path=CREATE_CAMPAIGN_PATH))
    with pytest.raises(AdsNotAllowedError):
        await create(provider)


async def test_expired_token_replaced_once(provider: FptProvider, sandbox: Sandbox) -> None:
    """An expired token on an advertising call is replaced and the call made once more."""
    code = await create(provider)
    sandbox.state.faults.append(Fault("expire_token", "fpt"))
    detail = await provider.campaign_detail(code)
    assert detail.code == code
    assert sandbox.state.requests.count(("fpt", "POST", TOKEN_PATH)) == 2
    assert len(bodies(sandbox, DETAIL_ADS_PATH)) == 2


async def test_transport_errors(provider: FptProvider, sandbox: Sandbox) -> None:
    """A 503 is transient; a timeout on create may have created the campaign."""
    sandbox.state.faults.append(Fault("status", "fpt", 503, path=DLR_ADS_PATH))
    with pytest.raises(TransientError):
        await provider.campaign_results("x", "qc.x")
    sandbox.state.faults.append(Fault("timeout", "fpt", 10, path=CREATE_CAMPAIGN_PATH))
    provider._timeout = aiohttp.ClientTimeout(total=0.2)
    with pytest.raises(TransientError) as caught:
        await create(provider)
    assert caught.value.maybe_sent


# --- the seed's samples and the answer parsers -------------------------------------------------


def answer(name: str, status: int = 200) -> RawResponse:
    """A seed answer sample as an HTTP answer."""
    return RawResponse(status, fixture(name), "application/json")


def test_seed_answer_samples() -> None:
    """The document's create and push answers parse; its message id rule holds."""
    assert parse_campaign_code(answer("create_campaign_response.json")) == "MjIxNQ==60cb06fa1d9bb"
    pushed = parse_push_answer(
        answer("push_ads_response.json"), campaign_code="MjIxNQ==60caff8b6f5a6", phones=()
    )
    assert pushed == AdsPushResult("MjIxNQ==60caff8b6f5a6", "qc.2215.1623984019.82989", 2, 8)
    assert pushed.message_id("0987654321") == "qc.2215.1623984019.8298984987654321"
    assert ads_message_id(pushed.batch_id, "+84987654123") == "qc.2215.1623984019.8298984987654123"


@pytest.mark.parametrize(
    ("name", "parse", "error"),
    [
        ("create_campaign_error.json", parse_campaign_code, CampaignNameTakenError),
        ("push_ads_error.json", parse_campaign_code, CampaignAlreadySentError),
    ],
)
def test_seed_error_samples(name: str, parse: Any, error: type[ProviderError]) -> None:
    """The document's two 1014 samples are told apart by their descriptions."""
    with pytest.raises(ProviderError) as caught:
        parse(answer(name, 400))
    assert type(caught.value) is error
    assert caught.value.code == "1014"
    assert "ồ" not in caught.value.reason  # English reasons, never FPT's free text


@pytest.mark.parametrize(
    ("code", "description", "error"),
    [
        (1014, "Ten campaign da ton tai", CampaignNameTakenError),
        (1014, "Campaign name already exists", CampaignNameTakenError),
        (1014, "Campaign không tồn tại", RefusedError),
        (1014, "Campaign was already sent", CampaignAlreadySentError),
        (1014, "CAMPAIGN ĐÃ ĐƯỢC GỬI ĐI RỒI", CampaignAlreadySentError),
        (1014, "Các tham số truyền vào bị lỗi", RefusedError),
        (1014, None, RefusedError),
        (1016, None, QuotaExceededError),
        (1010, "", AdsNotAllowedError),
        (1008, "Các thông tin client là không đúng.", AuthenticationError),
        (2502, None, RefusedError),
    ],
)
def test_ads_error(code: int, description: str | None, error: type[ProviderError]) -> None:
    """Advertising codes map to their errors; others as for any FPT call."""
    raised = ads_error(code, description)
    assert type(raised) is error
    assert raised.code == str(code)


def test_answers_without_their_field() -> None:
    """An answer without CampaignCode or BatchId is unreadable."""
    empty = RawResponse(200, b"{}", "application/json")
    with pytest.raises(UnexpectedResponseError):
        parse_campaign_code(empty)
    with pytest.raises(UnexpectedResponseError):
        parse_push_answer(empty, campaign_code="c", phones=())


PENDING, APPROVED = CampaignStatus.PENDING_APPROVAL, CampaignStatus.APPROVED
REJECTED, SENT = CampaignStatus.REJECTED, CampaignStatus.SENT
DETAILS: list[tuple[dict[str, Any], CampaignStatus, str | None]] = [
    ({"IsSent": "0", "StatusDetail": {"Status": "0", "Reason": ""}}, PENDING, None),
    ({"IsSent": "0", "StatusDetail": {"Status": "1"}}, APPROVED, None),
    ({"IsSent": 0, "StatusDetail": {"Status": 0, "Reason": "Sai mẫu"}}, REJECTED, "Sai mẫu"),
    ({"IsSent": "1", "StatusDetail": {"Status": "1", "Reason": ""}}, SENT, None),
    ({"IsSent": "1", "StatusDetail": {"Status": "0", "Reason": "?"}}, SENT, "?"),
    ({"StatusDetail[Status]": "0", "StatusDetail[Reason]": "Từ khóa cấm"}, REJECTED, "Từ khóa cấm"),
    ({"IsSent": "0", "statusdetail[status]": "1"}, APPROVED, None),
    ({"IsSent": "0", "StatusDetail": [{"status": "1", "reason": None}]}, APPROVED, None),
    ({"IsSent": "0"}, PENDING, None),
    ({"IsSent": "0", "StatusDetail": {"Status": "7"}}, PENDING, None),
    ({"StatusDetail": "approved"}, PENDING, None),
    ({"StatusDetail": []}, PENDING, None),
]


@pytest.mark.parametrize(("fields", "status", "reason"), DETAILS)
def test_detail_shapes(fields: dict[str, Any], status: CampaignStatus, reason: str | None) -> None:
    """StatusDetail nested, flat with brackets or in a list; IsSent wins; unknown waits."""
    raw = RawResponse(200, json.dumps(fields).encode(), "application/json")
    detail = parse_campaign_detail(raw, code="C1")
    assert (detail.status, detail.reason) == (status, reason)
    assert detail.code == "C1"


def test_detail_fields() -> None:
    """Numbers as strings, the schedule as a Vietnam time, the raw status kept."""
    fields = {
        "CampaignCode": "MjIxNQ==60cb06fa1d9bb",
        "Total": "1000",
        "Quota": "2000",
        "IsSent": "1",
        "SendingTime": "2021-06-18 09:00",
        "StatusDetail": {"Status": "1", "Reason": ""},
    }
    raw = RawResponse(200, json.dumps(fields).encode(), "application/json")
    detail = parse_campaign_detail(raw, code="other")
    assert detail.code == "MjIxNQ==60cb06fa1d9bb"
    assert (detail.total, detail.quota, detail.is_sent) == (1000, 2000, True)
    assert detail.sending_time == datetime(2021, 6, 18, 9, 0, tzinfo=VIETNAM)
    assert detail.provider_status == "1"
    fields["SendingTime"] = "18/06/2021"
    raw = RawResponse(200, json.dumps(fields).encode(), "application/json")
    assert parse_campaign_detail(raw, code="x").sending_time is None


def test_helpers() -> None:
    """E.164 of Vietnamese numbers; message ids use the 84 form."""
    assert e164("0901234567") == e164("84901234567") == "+84901234567"
    with pytest.raises(InvalidRecipientError):
        e164("+14155550100")
    assert ads_message_id("qc.1", "0901234567") == "qc.184901234567"
    assert campaign_quota(1000, "x" * 200) == 2000  # the document's example
