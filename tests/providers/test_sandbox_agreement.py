"""The client's text and time rules against the sandbox's, which were written apart from them.

sandbox/rules.py writes the rules again from 3GPP and seed 004, so where the client and the
sandbox disagree, one of them is wrong. A disagreement found to be the client's is a strict
xfail naming it: once the client is fixed, the xfail fails and asks for its marker to go.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import aiohttp
import pytest

from custom_components.sms_bridge.providers.fpt.ads import campaign_quota
from custom_components.sms_bridge.providers.fpt.hours import (
    approved_by,
    in_sending_window,
    next_allowed_slot,
)
from custom_components.sms_bridge.providers.fpt.provider import FptProvider
from custom_components.sms_bridge.providers.models import OutgoingMessage
from custom_components.sms_bridge.providers.text import is_gsm7, segment_count
from sandbox import Sandbox, rules
from sandbox.fpt_ads import BLOCKED, sends_at


def test_the_alphabet_agrees_on_every_character() -> None:
    """Every character of the Basic Multilingual Plane, and an emoji: GSM-7 or not, alike."""
    for code in [*range(0xD800), *range(0xE000, 0x10000), 0x1F600]:
        char = chr(code)
        assert is_gsm7(char) == (rules.gsm7_septets(char) is not None), hex(code)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a" * 160,
        "a" * 161,
        "a" * 306,
        "a" * 307,
        "€" * 80,
        "€" * 80 + "a",
        "a" * 151 + "€" + "a" * 153,  # € ends the first part exactly
        "ả" * 70,
        "ả" * 71,
        "ả" * 134,
        "ả" * 135,
        "😀" * 35,
        "😀" * 35 + "a",
        "Cảnh báo: tủ đông số 2 đã lên -5°C, kiểm tra ngay!" * 3,
        pytest.param("a" * 152 + "€" + "a" * 152, id="euro-across-153"),
        pytest.param("a" * 152 + "[" * 77, id="brackets-across-153"),
        pytest.param("ả" * 66 + "😀" + "ả" * 66, id="emoji-across-67"),
    ],
)
def test_segment_counts_agree(text: str) -> None:
    """The client's count is the number of parts the sandbox cuts the text into."""
    assert segment_count(text) == rules.segments(text)


def sandbox_first_slot(now: datetime) -> datetime:
    """The first whole minute the sandbox honours for a campaign ordered at `now`."""
    approved = rules.approved_at(now)
    slot = approved.replace(second=0, microsecond=0)
    if slot < approved:
        slot += timedelta(minutes=1)
    while not rules.ads_may_go_out(slot):
        slot += timedelta(minutes=1)
    return slot


def test_fpt_hours_agree() -> None:
    """Two weeks, every 7 minutes at odd seconds: windows, approval and the first slot alike."""
    start = datetime(2026, 11, 20, tzinfo=rules.VIETNAM)  # a Friday
    for step in range(0, 14 * 24 * 60, 7):
        now = start + timedelta(minutes=step, seconds=step % 60)
        assert in_sending_window(now) == rules.ads_may_go_out(now), now
        assert approved_by(now) == rules.approved_at(now), now
        assert next_allowed_slot(now) == sandbox_first_slot(now), now


# --- over HTTP -----------------------------------------------------------------------------------


@pytest.fixture
def provider(sandbox: Sandbox, session: aiohttp.ClientSession) -> FptProvider:
    """The FPT client on the sandbox's built-in account."""
    return FptProvider(
        session,
        client_id="fpt-client-id",
        client_secret="fpt-client-secret",
        brandname="SMSBRIDGE",
        environment="sandbox",
        base_url=sandbox.url,
        timeout=5,
    )


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 23, 11, 0, 20),  # Monday: approved 14:00:20, sent from 14:01
        datetime(2026, 11, 23, 16, 29),  # approved Tuesday 11:29, inside the morning window
        datetime(2026, 11, 27, 16, 0),  # Friday: approved Monday 11:00
        datetime(2026, 11, 28, 10, 0),  # Saturday: approved Monday 11:30, sent from 13:30
    ],
)
async def test_the_clients_first_slot_goes_out_on_time(
    provider: FptProvider, sandbox: Sandbox, now: datetime
) -> None:
    """Approving by the document's hours, the sandbox sends the client's first slot on time."""
    ads = sandbox.state.ads
    ads.order_hours = True
    ads.set_now(now.replace(tzinfo=rules.VIETNAM))
    slot = next_allowed_slot(ads.now())
    message = "Giam gia 50% cho hoa don tren 100tr dong"
    code = await provider.create_campaign("First slot", message, slot, campaign_quota(1, message))
    pushed = await provider.push_ads(code, ["+84901234567"])
    sent = sends_at(sandbox.state.campaigns[code], ads)
    assert sent is not None
    assert slot <= sent < slot + timedelta(minutes=1)
    ads.set_now(sent + timedelta(seconds=ads.results_delay + 1))
    (report,) = await provider.campaign_results(code, pushed.batch_id)
    assert report.error != BLOCKED


async def test_campaign_quota_for_a_euro_across_a_part(
    provider: FptProvider, sandbox: Sandbox
) -> None:
    """306 septets with € on the 153rd: three SMS a number, so the client's quota is too small."""
    sandbox.state.ads.set_now(datetime(2026, 11, 23, 9, 0, tzinfo=rules.VIETNAM))
    message = "a" * 152 + "€" + "a" * 152
    schedule = datetime(2026, 11, 23, 13, 30, tzinfo=rules.VIETNAM)
    code = await provider.create_campaign("Euro", message, schedule, campaign_quota(2, message))
    await provider.push_ads(code, ["+84901234567", "+84901234568"])  # 1016 from the sandbox


async def test_customer_care_segments_for_an_emoji_across_a_part(
    provider: FptProvider, sandbox: Sandbox
) -> None:
    """The SMS count the client reports for a send is what FPT charges (and sends as mt_count)."""
    text = "ả" * 66 + "😀" + "ả" * 66
    result = await provider.send(OutgoingMessage("+84901234567", text, unicode=True))
    assert result.segments == sandbox.state.messages[("fpt", result.message_id)].segments
