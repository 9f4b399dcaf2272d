"""FPT's advertising imitation spoken to directly: checks, codes, approval, windows, the CSV."""

from __future__ import annotations

from datetime import datetime, timedelta
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from sandbox import Fault, Sandbox
from sandbox.__main__ import parse_args
from sandbox.fpt import FAILURE_TEXT, GRANTED_SCOPES, TOKEN_PATH
from sandbox.fpt_ads import (
    ALREADY_SENT,
    BLOCKED,
    CONTROL_PATH,
    CREATE_PATH,
    DETAIL_PATH,
    NAME_TAKEN,
    NOT_APPROVED,
    PUSH_PATH,
    RESULT_HEADER,
    RESULTS_PATH,
    phase,
    sends_at,
)
from sandbox.rules import VIETNAM
from sandbox.state import Account, Campaign

from .test_fpt import SESSION_ID, new_token, post as call

FIXTURES = Path(__file__).parent.parent / "fixtures" / "fpt"
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=VIETNAM)
APPROVAL, RESULTS = 600.0, 300.0


@pytest.fixture
def clock(sandbox: Sandbox) -> Sandbox:
    """The sandbox on Monday 09:00, approval after 10 minutes, results 5 minutes after sending."""
    sandbox.state.ads.set_now(MONDAY_9)
    sandbox.state.ads.approval_delay = APPROVAL
    sandbox.state.ads.results_delay = RESULTS
    return sandbox


async def token(
    session: aiohttp.ClientSession, sandbox: Sandbox, scope: str = "send_brandname"
) -> str:
    """A token of the built-in account with `scope`."""
    return await new_token(session, sandbox, scope=scope)


def campaign_body(token_: str, **changes: Any) -> dict[str, Any]:
    """The document's create-campaign sample (today's schedule), some fields changed."""
    body: dict[str, Any] = {
        "access_token": token_,
        "session_id": SESSION_ID,
        "CampaignName": "Chuong trinh khuyen mai 06/2021",
        "BrandName": "FTI",
        "Message": "Dong loat giam gia 50% cho hoa don tren 100tr dong",
        "ScheduleTime": "2026-11-23 09:30",
        "Quota": 10,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


async def new_campaign(
    session: aiohttp.ClientSession, sandbox: Sandbox, access_token: str, **changes: Any
) -> str:
    """A created campaign's code."""
    status, answer = await call(
        session, sandbox, CREATE_PATH, campaign_body(access_token, **changes)
    )
    assert status == 200, answer
    return str(answer["CampaignCode"])


def push_body(
    access_token: str, code: str, phones: Any = "0987654321,0987654127"
) -> dict[str, Any]:
    """A push-brandname-ads request."""
    return {
        "access_token": access_token,
        "session_id": SESSION_ID,
        "CampaignCode": code,
        "PhoneList": phones,
    }


async def results(
    session: aiohttp.ClientSession, sandbox: Sandbox, access_token: str, code: str
) -> tuple[bytes, str]:
    """dlr-ads' body and content type."""
    body = {"access_token": access_token, "campaign_code": code}
    async with session.post(f"{sandbox.url}{RESULTS_PATH}", json=body) as response:
        assert response.status == 200
        return await response.read(), response.content_type


def advance(sandbox: Sandbox, seconds: float) -> None:
    """Move the sandbox clock forward."""
    sandbox.state.ads.clock_offset += seconds


# --- answers in the document's shapes ------------------------------------------------------


async def test_answers_have_the_seed_shapes(session: aiohttp.ClientSession, clock: Sandbox) -> None:
    """create, push and their 1014 errors answer as the document's samples do."""
    access_token = await token(session, clock)
    status, created = await call(session, clock, CREATE_PATH, campaign_body(access_token))
    assert status == 200
    sample = json.loads((FIXTURES / "create_campaign_response.json").read_bytes())
    assert set(created) == set(sample)
    assert created["CampaignCode"].startswith("MjIxNQ==")  # Base64 of the partner id, as there
    assert len(created["CampaignCode"]) == len(sample["CampaignCode"])
    status, taken = await call(session, clock, CREATE_PATH, campaign_body(access_token))
    assert (status, taken) == (
        400,
        json.loads((FIXTURES / "create_campaign_error.json").read_bytes()),
    )
    status, pushed = await call(
        session, clock, PUSH_PATH, push_body(access_token, created["CampaignCode"])
    )
    assert status == 200
    assert pushed == {"NumMessageSent": 2, "NumRemainQuota": 8, "BatchId": pushed["BatchId"]}
    assert set(pushed) == set(json.loads((FIXTURES / "push_ads_response.json").read_bytes()))
    assert pushed["BatchId"].startswith("qc.2215.")
    status, again = await call(
        session, clock, PUSH_PATH, push_body(access_token, created["CampaignCode"])
    )
    assert (status, again) == (400, json.loads((FIXTURES / "push_ads_error.json").read_bytes()))
    assert again["error_description"] == ALREADY_SENT
    assert taken["error_description"] == NAME_TAKEN


async def test_detail_answer(session: aiohttp.ClientSession, clock: Sandbox) -> None:
    """detail-ads: every field a string, StatusDetail nested; no session_id needed."""
    access_token = await token(session, clock)
    code = await new_campaign(session, clock, access_token)
    status, detail = await call(
        session, clock, DETAIL_PATH, {"access_token": access_token, "CampaignCode": code}
    )
    assert status == 200
    assert detail == {
        "CampaignCode": code,
        "Total": "0",
        "Quota": "10",
        "IsSent": "0",
        "SendingTime": "2026-11-23 09:30",
        "StatusDetail": {"Reason": "", "Status": "0"},
    }


# --- refusals ------------------------------------------------------------------------------


CREATE_REFUSALS = [
    ({"session_id": None}, 1014),
    ({"session_id": "x" * 33}, 1014),
    ({"CampaignName": None}, 1014),
    ({"CampaignName": ""}, 1014),
    ({"CampaignName": "x" * 33}, 1014),
    ({"CampaignName": 7}, 1014),
    ({"BrandName": "NOPE"}, 2504),
    ({"Message": ""}, 1014),
    ({"Message": None}, 1014),
    ({"ScheduleTime": "18/06/2021 09:00"}, 1014),
    ({"ScheduleTime": "2021-06-18 09:00:00"}, 1014),
    ({"ScheduleTime": "2021-6-18 9:00"}, 1014),  # not zero-padded: not "yyyy-mm-dd HH:ii"
    ({"ScheduleTime": "2021-06-18 24:00"}, 1014),
    ({"ScheduleTime": None}, 1014),
    ({"Quota": 0}, 1014),
    ({"Quota": "10"}, 1014),
    ({"Quota": True}, 1014),
    ({"access_token": "bad"}, 1011),
]


@pytest.mark.parametrize(("changes", "code"), CREATE_REFUSALS)
async def test_create_refusals(
    session: aiohttp.ClientSession, clock: Sandbox, changes: dict[str, Any], code: int
) -> None:
    """Each unusable field gets FPT's code; nothing is created."""
    access_token = await token(session, clock)
    status, answer = await call(session, clock, CREATE_PATH, campaign_body(access_token, **changes))
    assert answer["error"] == code
    assert status == (401 if code == 1011 else 400)
    assert clock.state.campaigns == {}


async def test_customer_care_token_cannot_advertise(
    session: aiohttp.ClientSession, clock: Sandbox
) -> None:
    """The four calls need the send_brandname scope: 1010 otherwise."""
    access_token = await token(session, clock, scope="send_brandname_otp")
    for path, body in (
        (CREATE_PATH, campaign_body(access_token)),
        (PUSH_PATH, push_body(access_token, "c")),
        (DETAIL_PATH, {"access_token": access_token, "CampaignCode": "c"}),
        (RESULTS_PATH, {"access_token": access_token, "campaign_code": "c"}),
    ):
        status, answer = await call(session, clock, path, body)
        assert (status, answer["error"]) == (400, 1010)


async def test_application_without_the_ads_scope(
    session: aiohttp.ClientSession, clock: Sandbox
) -> None:
    """An application created with customer care only cannot even ask for the scope."""
    clock.app[GRANTED_SCOPES]["fpt-client-id"] = frozenset({"send_brandname_otp"})
    body = {
        "grant_type": "client_credentials",
        "client_id": "fpt-client-id",
        "client_secret": "fpt-client-secret",
        "scope": "send_brandname",
        "session_id": SESSION_ID,
    }
    status, answer = await call(session, clock, TOKEN_PATH, body)
    assert (status, answer["error"]) == (400, 1010)


PUSH_REFUSALS = [
    (12345, 1014),
    ("", 1014),
    (" , ", 1014),
    ("0987654323", 53),  # ending 3: refused
    ("+14155550100", 53),  # not Vietnamese
    ("0987654321,0987654322,0987654324,0987654325,0987654326,0987654327,0987654328,"
     "0987654329,0987654320,0987654311,0987654312", 1016),  # 11 numbers, quota 10
]  # fmt: skip


@pytest.mark.parametrize(("phones", "code"), PUSH_REFUSALS)
async def test_push_refusals(
    session: aiohttp.ClientSession, clock: Sandbox, phones: Any, code: int
) -> None:
    """A bad PhoneList, no number accepted, or more than the quota."""
    access_token = await token(session, clock)
    campaign = await new_campaign(session, clock, access_token)
    status, answer = await call(
        session, clock, PUSH_PATH, push_body(access_token, campaign, phones)
    )
    assert (status, answer["error"]) == (400, code)
    assert clock.state.campaigns[campaign].batch_id is None


async def test_push_unknown_campaign_and_low_balance(
    session: aiohttp.ClientSession, clock: Sandbox
) -> None:
    """An unknown code is 1014; an account without the money is 2502."""
    access_token = await token(session, clock)
    status, answer = await call(session, clock, PUSH_PATH, push_body(access_token, "MjIxNQ==x"))
    assert (status, answer["error"]) == (400, 1014)
    campaign = await new_campaign(session, clock, access_token)
    clock.state.first_account("fpt").balance = 1
    status, answer = await call(session, clock, PUSH_PATH, push_body(access_token, campaign))
    assert (status, answer["error"]) == (400, 2502)


async def test_refuse_fault_on_an_ads_path(session: aiohttp.ClientSession, clock: Sandbox) -> None:
    """The shared refuse fault works on the advertising calls too."""
    access_token = await token(session, clock)
    clock.state.faults.append(Fault("refuse", "fpt", 1007, path=CREATE_PATH))
    status, answer = await call(session, clock, CREATE_PATH, campaign_body(access_token))
    assert (status, answer["error"]) == (400, 1007)


async def test_push_is_charged_and_counts_only_accepted_numbers(
    session: aiohttp.ClientSession, clock: Sandbox
) -> None:
    """Duplicates once, refused numbers not counted; balance charged numbers x segments."""
    access_token = await token(session, clock)
    campaign = await new_campaign(session, clock, access_token, Message="x" * 200)
    account = clock.state.first_account("fpt")
    before = account.balance
    phones = "0987654321, 84987654321,0987654323,abc,0987654127"
    status, answer = await call(
        session, clock, PUSH_PATH, push_body(access_token, campaign, phones)
    )
    assert status == 200
    assert (answer["NumMessageSent"], answer["NumRemainQuota"]) == (2, 6)
    assert before - account.balance == 4
    stored = clock.state.campaigns[campaign]
    assert stored.phones == ["84987654321", "84987654127"]
    assert stored.refused == ["84987654323", "abc"]


# --- approval, sending, results -------------------------------------------------------------


async def test_approval_after_the_delay(session: aiohttp.ClientSession, clock: Sandbox) -> None:
    """Waiting for approval until approval_delay has passed on the sandbox clock."""
    access_token = await token(session, clock)
    code = await new_campaign(session, clock, access_token)
    body = {"access_token": access_token, "CampaignCode": code}
    advance(clock, APPROVAL - 60)
    assert (await call(session, clock, DETAIL_PATH, body))[1]["StatusDetail"]["Status"] == "0"
    advance(clock, 60)
    assert (await call(session, clock, DETAIL_PATH, body))[1]["StatusDetail"] == {
        "Reason": "",
        "Status": "1",
    }


async def test_rejection_with_a_reason(session: aiohttp.ClientSession, clock: Sandbox) -> None:
    """A message holding the marker word is rejected with a reason; a push is then refused."""
    access_token = await token(session, clock)
    code = await new_campaign(session, clock, access_token, Message="Sòng bạc CASINO mở cửa")
    body = {"access_token": access_token, "CampaignCode": code}
    assert (await call(session, clock, DETAIL_PATH, body))[1]["StatusDetail"]["Reason"] == ""
    advance(clock, APPROVAL)
    detail = (await call(session, clock, DETAIL_PATH, body))[1]
    assert detail["StatusDetail"]["Status"] == "0"
    assert "casino" in detail["StatusDetail"]["Reason"]
    status, answer = await call(session, clock, PUSH_PATH, push_body(access_token, code))
    assert (status, answer["error"], answer["error_description"]) == (400, 1014, NOT_APPROVED)


async def test_results_csv_comes_later(session: aiohttp.ClientSession, clock: Sandbox) -> None:
    """dlr-ads: the header alone until results_delay after sending, then one row per number."""
    access_token = await token(session, clock)
    code = await new_campaign(session, clock, access_token, ScheduleTime="2026-11-23 09:15")
    phones = "0987654321,0987654124,0987654125,0987654123"
    status, pushed = await call(session, clock, PUSH_PATH, push_body(access_token, code, phones))
    assert status == 200
    header = b'\xef\xbb\xbf"' + '","'.join(RESULT_HEADER).encode() + b'"\r\n'
    assert await results(session, clock, access_token, code) == (header, "text/csv")
    advance(clock, 1140)  # 09:19: sent at 09:15, results at 09:20
    assert (await results(session, clock, access_token, code))[0] == header
    advance(clock, 60)
    body, _ = await results(session, clock, access_token, code)
    lines = body.decode("utf-8-sig").split("\r\n")
    batch = pushed["BatchId"]
    assert lines == [
        header.decode("utf-8-sig").rstrip("\r\n"),
        f'"{batch}","84987654321","viettel","1","","1","2026-11-23 09:15:00"',
        f'"{batch}","84987654124","viettel","0","{FAILURE_TEXT}","1","2026-11-23 09:15:00"',
        f'"{batch}","84987654125","viettel","2","","1","2026-11-23 09:15:00"',
        f'"{batch}","84987654123","","0","53 - Sai số điện thoại","0","2026-11-23 09:15:00"',
        "",
    ]


def test_the_latest_of_schedule_approval_and_push_sends(clock: Sandbox) -> None:
    """A campaign goes out at the latest of its schedule, its approval and its push."""
    ads = clock.state.ads
    account = clock.state.first_account("fpt")
    campaign = Campaign("c", "n", "FTI", "m", MONDAY_9, 5, account, created_at=MONDAY_9)
    assert sends_at(campaign, ads) is None  # not pushed
    campaign.pushed_at = MONDAY_9 + timedelta(hours=2)
    assert sends_at(campaign, ads) == campaign.pushed_at
    assert phase(campaign, ads, MONDAY_9 + timedelta(hours=1)) == "approved"
    assert phase(campaign, ads, MONDAY_9 + timedelta(hours=2)) == "sent"
    campaign.pushed_at = MONDAY_9
    assert sends_at(campaign, ads) == MONDAY_9 + timedelta(seconds=APPROVAL)
    campaign.rejection = "no"
    assert sends_at(campaign, ads) is None
    assert phase(campaign, ads, MONDAY_9 + timedelta(hours=1)) == "rejected"


async def test_blocked_outside_the_windows(session: aiohttp.ClientSession, clock: Sandbox) -> None:
    """Scheduled at 20:00 (a window's end): every number fails, blocked."""
    access_token = await token(session, clock)
    code = await new_campaign(session, clock, access_token, ScheduleTime="2026-11-23 20:00")
    await call(session, clock, PUSH_PATH, push_body(access_token, code))
    advance(clock, 11 * 3600 + RESULTS)
    body, _ = await results(session, clock, access_token, code)
    rows = body.decode("utf-8-sig").split("\r\n")[1:-1]
    assert len(rows) == 2
    assert all(f'"0","{BLOCKED}"' in row for row in rows)


@pytest.mark.parametrize(
    ("schedule", "blocked"),
    [
        ("2026-11-23 07:59", True),
        ("2026-11-23 08:00", False),
        ("2026-11-23 11:29", False),
        ("2026-11-23 11:30", True),  # a window's end is outside it (the sandbox's strict reading)
        ("2026-11-23 13:29", True),
        ("2026-11-23 13:30", False),
        ("2026-11-23 19:59", False),
        ("2026-11-23 20:00", True),
        ("2026-11-28 09:00", False),  # Saturday: advertising may go out every day of the week
        ("2026-11-29 19:00", False),  # Sunday
    ],
)
async def test_sending_windows_at_their_edges(
    session: aiohttp.ClientSession, clock: Sandbox, schedule: str, blocked: bool
) -> None:
    """Seed 004 3.4.1: 08:00-11:30 and 13:30-20:00 Vietnam time, every day; outside, blocked."""
    clock.state.ads.set_now(datetime(2026, 11, 23, 7, 0, tzinfo=VIETNAM))
    clock.state.ads.approval_delay = 60
    access_token = await token(session, clock)
    code = await new_campaign(session, clock, access_token, ScheduleTime=schedule)
    await call(session, clock, PUSH_PATH, push_body(access_token, code, "0987654321"))
    clock.state.ads.set_now(datetime(2026, 11, 30, 0, 0, tzinfo=VIETNAM))
    body, _ = await results(session, clock, access_token, code)
    (row,) = body.decode("utf-8-sig").split("\r\n")[1:-1]
    assert (BLOCKED in row) is blocked
    assert row.endswith(f'"{schedule}:00"')


@pytest.mark.parametrize(
    ("ordered", "approved"),
    [
        # Monday 09:00: three hours later, the same morning.
        (datetime(2026, 11, 23, 9, 0), datetime(2026, 11, 23, 12, 0)),
        # Before the carriers open (08:30): counted from the opening.
        (datetime(2026, 11, 23, 8, 29), datetime(2026, 11, 23, 11, 30)),
        # 15:00: 1.5 h on Monday, 1.5 h from Tuesday 08:30.
        (datetime(2026, 11, 23, 15, 0), datetime(2026, 11, 24, 10, 0)),
        # 16:30 is closed already (strict reading): Tuesday 08:30 + 3 h.
        (datetime(2026, 11, 23, 16, 30), datetime(2026, 11, 24, 11, 30)),
        # Friday 16:00: half an hour on Friday, the rest on Monday.
        (datetime(2026, 11, 27, 16, 0), datetime(2026, 11, 30, 11, 0)),
        # Saturday: no orders at the weekend.
        (datetime(2026, 11, 28, 10, 0), datetime(2026, 11, 30, 11, 30)),
    ],
)
async def test_order_hours_approval(
    session: aiohttp.ClientSession, clock: Sandbox, ordered: datetime, approved: datetime
) -> None:
    """With order_hours, approval comes 3 hours of order-taking time after create-campaign."""
    ads = clock.state.ads
    ads.order_hours = True
    ads.set_now(ordered.replace(tzinfo=VIETNAM))
    access_token = await token(session, clock)
    code = await new_campaign(session, clock, access_token, ScheduleTime="2026-12-01 09:00")
    body = {"access_token": access_token, "CampaignCode": code}
    ads.set_now(approved.replace(tzinfo=VIETNAM) - timedelta(seconds=1))
    assert (await call(session, clock, DETAIL_PATH, body))[1]["StatusDetail"]["Status"] == "0"
    ads.set_now(approved.replace(tzinfo=VIETNAM) + timedelta(seconds=1))  # the clock runs on
    assert (await call(session, clock, DETAIL_PATH, body))[1]["StatusDetail"]["Status"] == "1"


async def test_unknown_campaign_details_and_results(
    session: aiohttp.ClientSession, clock: Sandbox
) -> None:
    """detail-ads and dlr-ads for a code never created: 1014."""
    access_token = await token(session, clock)
    for path, key in ((DETAIL_PATH, "CampaignCode"), (RESULTS_PATH, "campaign_code")):
        status, answer = await call(session, clock, path, {"access_token": access_token, key: "x"})
        assert (status, answer["error"]) == (400, 1014)


async def test_another_accounts_campaign_is_unknown(
    session: aiohttp.ClientSession, clock: Sandbox
) -> None:
    """A campaign belongs to the account that created it: others get 1014 for it."""
    clock.state.accounts.append(
        Account("fpt", {"client_id": "other", "client_secret": "other-secret"}, balance=100)
    )
    code = await new_campaign(session, clock, await token(session, clock))
    body = {
        "grant_type": "client_credentials",
        "client_id": "other",
        "client_secret": "other-secret",
        "scope": "send_brandname",
        "session_id": SESSION_ID,
    }
    other = (await call(session, clock, TOKEN_PATH, body))[1]["access_token"]
    for path, request in (
        (PUSH_PATH, push_body(other, code)),
        (DETAIL_PATH, {"access_token": other, "CampaignCode": code}),
        (RESULTS_PATH, {"access_token": other, "campaign_code": code}),
    ):
        status, answer = await call(session, clock, path, request)
        assert (status, answer["error"]) == (400, 1014)


# --- control ----------------------------------------------------------------------------------


async def test_control_api(session: aiohttp.ClientSession, clock: Sandbox) -> None:
    """Delays, windows, the marker word and the clock are set over HTTP and shown back."""
    access_token = await token(session, clock)
    code = await new_campaign(session, clock, access_token)
    changes = {
        "approval_delay": 5,
        "results_delay": 7,
        "windows": False,
        "order_hours": True,
        "reject_word": "lottery",
        "now": "2026-11-24T10:00:00",
    }
    async with session.post(f"{clock.url}{CONTROL_PATH}", json=changes) as response:
        assert response.status == 200
        assert (await response.json())["now"].startswith("2026-11-24T10:00")
    async with session.post(f"{clock.url}{CONTROL_PATH}", json={"advance": 3600}) as response:
        assert (await response.json())["now"].startswith("2026-11-24T11:00")
    async with session.get(f"{clock.url}{CONTROL_PATH}") as response:
        shown = await response.json()
    assert (shown["approval_delay"], shown["results_delay"], shown["windows"]) == (5, 7, False)
    assert (shown["order_hours"], shown["reject_word"]) == (True, "lottery")
    (campaign,) = shown["campaigns"]
    assert (campaign["code"], campaign["phase"], campaign["results_ready"]) == (
        code,
        "approved",  # ordered Monday 09:00: approved at 12:00
        False,
    )
    assert campaign["schedule"] == "2026-11-23T09:30:00+07:00"


@pytest.mark.parametrize(
    "body",
    [{"windows": "yes"}, {"order_hours": 1}, {"approval_delay": "soon"}, {"now": "tomorrow"}, [1]],
)
async def test_control_api_refuses_bad_values(
    session: aiohttp.ClientSession, clock: Sandbox, body: Any
) -> None:
    """A value the sandbox cannot use is a 400, nothing changed."""
    async with session.post(f"{clock.url}{CONTROL_PATH}", json=body) as response:
        assert response.status == 400
    assert clock.state.ads.windows
    assert not clock.state.ads.order_hours
    assert clock.state.ads.approval_delay == APPROVAL


async def test_reset_keeps_settings_and_drops_campaigns(
    session: aiohttp.ClientSession, clock: Sandbox
) -> None:
    """/_sandbox/reset forgets campaigns but keeps the advertising settings and clock."""
    access_token = await token(session, clock)
    await new_campaign(session, clock, access_token)
    async with session.post(f"{clock.url}/_sandbox/reset") as response:
        assert response.status == 200
    assert clock.state.campaigns == {}
    assert clock.state.ads.approval_delay == APPROVAL
    assert clock.state.ads.now() - MONDAY_9 < timedelta(minutes=5)


def test_cli_flags() -> None:
    """`python -m sandbox` takes the advertising delays, the windows and order-hours switches."""
    args = parse_args([])
    assert (
        args.ads_approval_delay,
        args.ads_results_delay,
        args.no_ads_windows,
        args.ads_order_hours,
    ) == (2.0, 2.0, False, False)
    args = parse_args(
        [
            "--ads-approval-delay",
            "0.5",
            "--ads-results-delay",
            "1",
            "--no-ads-windows",
            "--ads-order-hours",
        ]
    )
    assert (
        args.ads_approval_delay,
        args.ads_results_delay,
        args.no_ads_windows,
        args.ads_order_hours,
    ) == (0.5, 1, True, True)
