"""FPT advertising campaigns in Home Assistant: the action, the follow-up, the per-number results.

The clock is frozen on a Monday in Vietnam; the sandbox's campaign clock reads the same frozen
clock, so moving time moves both: approval, the schedule and the results come when the test says.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import persistent_notification
from homeassistant.const import Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import parse_yaml
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.sms_bridge.campaigns.follower import EVENT_CAMPAIGN
from custom_components.sms_bridge.const import DOMAIN
from custom_components.sms_bridge.providers.fpt.ads import ads_message_id
from custom_components.sms_bridge.providers.fpt.hours import VIETNAM
from custom_components.sms_bridge.store.campaigns import CampaignState, CampaignStore
from custom_components.sms_bridge.store.journal import EntryJournal
from sandbox import Fault, Sandbox
from sandbox.fpt import CALLS, FAILURE_TEXT, GRANTED_SCOPES
from sandbox.fpt_ads import CREATE_PATH, DETAIL_PATH, PUSH_PATH, RESULTS_PATH

from .conftest import EntryFactory

MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=VIETNAM)
#: The first slot a campaign ordered at 09:00 can have: approved by 12:00, sent from 13:30.
FIRST_SLOT = datetime(2026, 11, 23, 13, 30, tzinfo=VIETNAM)
#: Delivered, failed, pending (the sandbox decides by the last digit).
NUMBERS = ["0901234567", "0901234564", "0901234565"]
E164 = ["+84901234567", "+84901234564", "+84901234565"]
TEXT = "Giam gia 50% cho hoa don tren 100 nghin dong"
APPROVAL, RESULTS = 60.0, 600.0


@pytest.fixture
async def fpt(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory, freezer: FrozenDateTimeFactory
) -> MockConfigEntry:
    """The FPT sandbox account, on Monday 09:00 in Vietnam (Home Assistant's time zone too)."""
    await hass.config.async_set_time_zone("Asia/Ho_Chi_Minh")
    freezer.move_to(MONDAY_9)
    sandbox.state.ads.approval_delay = APPROVAL
    sandbox.state.ads.results_delay = RESULTS
    return await setup_entry("fpt")


@pytest.fixture
def campaign_events(hass: HomeAssistant) -> list[Event]:
    """Every sms_bridge_campaign fired."""
    return async_capture_events(hass, EVENT_CAMPAIGN)


async def send_campaign(hass: HomeAssistant, entry: MockConfigEntry, **data: Any) -> dict[str, Any]:
    """Call the action with its response."""
    data = {"config_entry_id": entry.entry_id, "target": NUMBERS, "message": TEXT} | data
    response = await hass.services.async_call(
        DOMAIN, "send_campaign", data, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


async def move_to(hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: datetime) -> None:
    """Let time reach `when` and every check due by then run to the end."""
    freezer.move_to(when)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def calls(sandbox: Sandbox, path: str) -> list[dict[str, Any]]:
    """The JSON bodies FPT received on `path`."""
    return [body for p, body in sandbox.app[CALLS] if p == path]


def statuses(events: list[Event]) -> list[str]:
    return [event.data["status"] for event in events]


def sensor(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    """A counting sensor's state."""
    registry = er.async_get(hass)
    entity_id = registry.async_get_entity_id(Platform.SENSOR, DOMAIN, f"{entry.entry_id}_{key}")
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def campaign_entity(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        Platform.EVENT, DOMAIN, f"{entry.entry_id}_campaign"
    )
    assert entity_id is not None
    return entity_id


# --- the whole flow ----------------------------------------------------------------------------


async def test_campaign_from_action_to_per_number_events(
    hass: HomeAssistant,
    sandbox: Sandbox,
    fpt: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    campaign_events: list[Event],
    events: list[Event],
) -> None:
    """Created at the first slot, approved, sent on schedule, then one report per number."""
    answer = await send_campaign(hass, fpt)
    code, batch = answer["campaign_code"], answer["batch_id"]
    assert answer["schedule"] == FIRST_SLOT.isoformat()
    assert (answer["numbers"], answer["quota"]) == (3, 3)
    assert answer["name"].startswith("HA 2026-11-23 13:30 ")
    assert len(answer["name"]) <= 32
    [create] = calls(sandbox, CREATE_PATH)
    assert (create["ScheduleTime"], create["Quota"], create["Message"]) == (
        "2026-11-23 13:30",
        3,
        TEXT,
    )
    [push] = calls(sandbox, PUSH_PATH)
    assert push["PhoneList"] == "84901234567,84901234564,84901234565"
    assert statuses(campaign_events) == ["created"]
    assert campaign_events[0].data == {
        "entry_id": fpt.entry_id,
        "campaign_code": code,
        "name": answer["name"],
        "status": "created",
        "reason": None,
        "total": None,
        "quota": 3,
    }
    ledger = fpt.runtime_data.ledger
    assert [ledger.get(ads_message_id(batch, p)) is not None for p in E164] == [True] * 3

    await move_to(hass, freezer, MONDAY_9 + timedelta(minutes=30))  # the first check
    assert statuses(campaign_events) == ["created", "approved"]
    await move_to(hass, freezer, FIRST_SLOT + timedelta(minutes=4))
    assert len(calls(sandbox, DETAIL_PATH)) == 1  # nothing to ask before the schedule
    await move_to(hass, freezer, FIRST_SLOT + timedelta(minutes=5))
    assert statuses(campaign_events) == ["created", "approved", "sent"]
    assert campaign_events[-1].data["total"] == 3
    assert events == []  # sent, results not ready yet

    await move_to(hass, freezer, FIRST_SLOT + timedelta(minutes=35))
    by_phone = {event.data["phone"]: event.data for event in events}
    assert sorted(by_phone) == sorted(E164)
    assert {p: d["status"] for p, d in by_phone.items()} == {
        "+84901234567": "delivered",
        "+84901234564": "failed",
        "+84901234565": "pending",
    }
    for phone, data in by_phone.items():
        assert data["message_id"] == ads_message_id(batch, phone)
        assert (data["tracked"], data["provider"], data["entry_id"]) == (True, "fpt", fpt.entry_id)
    assert by_phone["+84901234564"]["error"] == FAILURE_TEXT

    await move_to(hass, freezer, FIRST_SLOT + timedelta(minutes=36))  # the counts: once a second
    assert [sensor(hass, fpt, k) for k in ("delivered_today", "failed_today", "pending_today")] == [
        "1",
        "1",
        "1",
    ]
    state = hass.states.get(campaign_entity(hass, fpt))
    assert state is not None
    assert (state.attributes["event_type"], state.attributes["campaign_code"]) == ("sent", code)

    # The pending number keeps the campaign followed; a repeated row fires nothing again.
    await move_to(hass, freezer, FIRST_SLOT + timedelta(minutes=65))
    assert len(calls(sandbox, RESULTS_PATH)) == 3
    assert len(events) == 3


async def test_campaign_done_when_every_number_has_its_result(
    hass: HomeAssistant,
    sandbox: Sandbox,
    fpt: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Once every number's result is final, FPT is asked no more."""
    answer = await send_campaign(hass, fpt, target="0901234567, 0901234564")
    sandbox.state.ads.results_delay = 0
    await move_to(hass, freezer, FIRST_SLOT + timedelta(minutes=5))
    campaign = fpt.runtime_data.campaigns.store.get(answer["campaign_code"])  # type: ignore[union-attr]
    assert campaign is not None
    assert (campaign.state, campaign.done, campaign.ended, campaign.results) == (
        CampaignState.SENT,
        True,
        "results",
        2,
    )
    asked = len(sandbox.state.requests)
    await move_to(hass, freezer, FIRST_SLOT + timedelta(days=1))
    assert len(sandbox.state.requests) == asked


# --- refusals before anything is asked -----------------------------------------------------------


async def refused(
    hass: HomeAssistant, entry: MockConfigEntry, error: type[HomeAssistantError], **data: Any
) -> HomeAssistantError:
    """The error the action raises."""
    with pytest.raises(error) as caught:
        await send_campaign(hass, entry, **data)
    return caught.value


@pytest.mark.parametrize(
    ("schedule", "key", "slot"),
    [
        # Lunch break: outside the windows; the afternoon window opens at 13:30.
        ("2026-11-23 12:00:00", "campaign_outside_window", "2026-11-23 13:30 +07"),
        # An evening past 20:00: the next morning's window.
        ("2026-11-24 20:00:00", "campaign_outside_window", "2026-11-25 08:00 +07"),
        # Inside a window, but the carriers cannot approve it by then.
        ("2026-11-23 10:00:00", "campaign_too_soon", "2026-11-23 13:30 +07"),
        ("2026-11-20 09:00:00", "campaign_too_soon", "2026-11-23 13:30 +07"),
    ],
)
async def test_schedule_outside_the_rules_is_refused(
    hass: HomeAssistant,
    sandbox: Sandbox,
    fpt: MockConfigEntry,
    schedule: str,
    key: str,
    slot: str,
) -> None:
    """A schedule FPT would block or could not honour: refused, naming the first slot that works."""
    err = await refused(hass, fpt, ServiceValidationError, schedule=schedule)
    assert err.translation_key == key
    assert err.translation_placeholders == {"schedule": f"{schedule[:16]} +07", "slot": slot}
    assert f"time is {slot}. Nothing was sent" in str(err)  # the English text, filled in
    assert calls(sandbox, CREATE_PATH) == []


async def test_schedule_is_read_and_told_in_local_time(
    hass: HomeAssistant, sandbox: Sandbox, fpt: MockConfigEntry
) -> None:
    """A user in Sofia gives Sofia time; FPT gets Vietnam time; a refusal speaks Sofia time."""
    await hass.config.async_set_time_zone("Europe/Sofia")
    err = await refused(hass, fpt, ServiceValidationError, schedule="2026-11-23 05:00:00")
    assert err.translation_placeholders == {
        "schedule": "2026-11-23 05:00 EET",
        "slot": "2026-11-23 08:30 EET",
    }
    answer = await send_campaign(hass, fpt, schedule="2026-11-23 09:15:40")
    assert answer["schedule"] == "2026-11-23T09:15:00+02:00"
    assert calls(sandbox, CREATE_PATH)[0]["ScheduleTime"] == "2026-11-23 14:15"


@pytest.mark.parametrize(
    ("target", "key", "placeholders"),
    [
        (
            "0901234567, +359 888 123 456",
            "campaign_not_vietnamese",
            {"numbers": "+359 888 123 456"},
        ),
        ("0901234567, 12ab", "invalid_numbers", {"numbers": "12ab"}),
        ("", "no_target", None),
    ],
)
async def test_numbers_are_checked_first(
    hass: HomeAssistant,
    sandbox: Sandbox,
    fpt: MockConfigEntry,
    target: str,
    key: str,
    placeholders: dict[str, str] | None,
) -> None:
    """One number that cannot take an advertising SMS and nothing is created."""
    err = await refused(hass, fpt, ServiceValidationError, target=target)
    assert (err.translation_key, err.translation_placeholders) == (key, placeholders)
    assert calls(sandbox, CREATE_PATH) == []


async def test_too_many_numbers(
    hass: HomeAssistant, sandbox: Sandbox, fpt: MockConfigEntry
) -> None:
    """More numbers than a campaign may hold (each is a message in the ledger)."""
    numbers = [f"09{n:08d}" for n in range(1001)]
    err = await refused(hass, fpt, ServiceValidationError, target=numbers)
    assert (err.translation_key, err.translation_placeholders) == (
        "campaign_too_many_numbers",
        {"count": "1001", "max": "1000"},
    )


async def test_empty_message(hass: HomeAssistant, sandbox: Sandbox, fpt: MockConfigEntry) -> None:
    err = await refused(hass, fpt, ServiceValidationError, message="  ")
    assert err.translation_key == "empty_message"


@pytest.mark.parametrize(
    ("data", "key", "placeholders"),
    [
        (
            {"schedule": "9999-12-31 23:59:00"},
            "campaign_too_far",
            {"schedule": "9999-12-31 23:59", "days": "31", "latest": "2026-12-24 09:00 +07"},
        ),
        (
            {"schedule": "9999-12-31T23:59:00-12:00"},  # past the end of time in UTC
            "campaign_too_far",
            {"schedule": "9999-12-31 23:59", "days": "31", "latest": "2026-12-24 09:00 +07"},
        ),
        ({"message": "x" * 100_000}, "message_too_long", {"length": "100000", "max": "1000"}),
    ],
    ids=["year 9999", "year 9999 behind UTC", "100,000 characters"],
)
async def test_absurd_input_never_reaches_fpt(
    hass: HomeAssistant,
    sandbox: Sandbox,
    fpt: MockConfigEntry,
    data: dict[str, Any],
    key: str,
    placeholders: dict[str, str],
) -> None:
    """A schedule past FPT's horizon or a text no SMS could carry: refused, nothing created."""
    err = await refused(hass, fpt, ServiceValidationError, **data)
    assert (err.translation_key, err.translation_placeholders) == (key, placeholders)
    assert calls(sandbox, CREATE_PATH) == calls(sandbox, PUSH_PATH) == []
    assert len(fpt.runtime_data.campaigns.store) == 0  # type: ignore[union-attr]


async def test_other_gateways_have_no_campaigns(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """An eSMS account: a translated validation error naming it, and no campaign entity."""
    entry = await setup_entry("esms")
    err = await refused(hass, entry, ServiceValidationError)
    assert (err.translation_key, err.translation_placeholders) == (
        "campaigns_fpt_only",
        {"name": entry.title},
    )
    registry = er.async_get(hass)
    assert (
        registry.async_get_entity_id(Platform.EVENT, DOMAIN, f"{entry.entry_id}_campaign") is None
    )


async def test_names(hass: HomeAssistant, sandbox: Sandbox, fpt: MockConfigEntry) -> None:
    """A name is at most 32 characters and used once: here, and at FPT."""
    answer = await send_campaign(hass, fpt, name="  Khuyen mai 11/2026 ")
    assert answer["name"] == "Khuyen mai 11/2026"
    err = await refused(hass, fpt, ServiceValidationError, name="Khuyen mai 11/2026")
    assert (err.translation_key, err.translation_placeholders) == (
        "campaign_name_taken",
        {"name": "Khuyen mai 11/2026"},
    )
    err = await refused(hass, fpt, ServiceValidationError, name="x" * 33)
    assert err.translation_key == "campaign_name_too_long"
    assert len(calls(sandbox, CREATE_PATH)) == 1
    # A name another system used: FPT says so, and the user hears it the same way.
    await fpt.runtime_data.provider.create_campaign(  # type: ignore[attr-defined]
        "Used elsewhere", TEXT, FIRST_SLOT, 1
    )
    err = await refused(hass, fpt, ServiceValidationError, name="Used elsewhere")
    assert err.translation_key == "campaign_name_taken"
    made = {(await send_campaign(hass, fpt))["name"] for _ in range(3)}
    assert len(made) == 3


# --- refusals by FPT ---------------------------------------------------------------------------


async def test_quota_is_numbers_times_segments(
    hass: HomeAssistant, sandbox: Sandbox, fpt: MockConfigEntry
) -> None:
    """A two-segment text to three numbers needs a quota of six; FPT used all of it."""
    text = "Khuyen mai lon: " + "giam gia 50% toan bo cua hang, " * 6
    answer = await send_campaign(hass, fpt, message=text)
    assert answer["quota"] == 6
    assert calls(sandbox, CREATE_PATH)[0]["Quota"] == 6
    message = fpt.runtime_data.ledger.get(ads_message_id(answer["batch_id"], E164[0]))
    assert message is not None
    assert message.segments == 2


async def test_quota_refused_by_fpt(
    hass: HomeAssistant, sandbox: Sandbox, fpt: MockConfigEntry, campaign_events: list[Event]
) -> None:
    """FPT counts more than the quota: the push is refused, said so, and not followed.

    The campaign is kept, known as never pushed.
    """
    sandbox.state.faults.append(Fault("refuse", "fpt", 1016, path=PUSH_PATH))
    err = await refused(hass, fpt, HomeAssistantError)
    assert err.translation_key == "campaign_quota_exceeded"
    placeholders = err.translation_placeholders or {}
    assert placeholders["quota"] == "3"
    assert placeholders["code"] in sandbox.state.campaigns
    store = fpt.runtime_data.campaigns.store  # type: ignore[union-attr]
    campaign = store.get(placeholders["code"])
    assert campaign is not None
    assert (campaign.pushed, campaign.done, campaign.ended) == (False, True, "not_pushed")
    assert store.open() == []
    assert len(fpt.runtime_data.ledger) == 0
    assert campaign_events == []


async def test_push_is_never_tried_twice(
    hass: HomeAssistant, sandbox: Sandbox, fpt: MockConfigEntry, campaign_events: list[Event]
) -> None:
    """The connection drops before the push's answer: the numbers may be at FPT; never again."""
    sandbox.state.faults.append(Fault("disconnect", "fpt", count=5, path=PUSH_PATH))
    err = await refused(hass, fpt, HomeAssistantError)
    assert err.translation_key == "campaign_push_unknown"
    assert len([r for r in sandbox.state.requests if r[2] == PUSH_PATH]) == 1
    assert campaign_events == []
    # Maybe at FPT: kept and followed, so whatever FPT does with it is heard.
    [campaign] = fpt.runtime_data.campaigns.store.open()  # type: ignore[union-attr]
    assert campaign.pushed is None


async def test_push_refused(hass: HomeAssistant, sandbox: Sandbox, fpt: MockConfigEntry) -> None:
    """Every number refused (53): FPT created the campaign, which will not go out."""
    err = await refused(hass, fpt, HomeAssistantError, target="0901234563")
    assert err.translation_key == "campaign_push_failed"
    assert "53" in (err.translation_placeholders or {})["error"]


async def test_application_without_advertising(
    hass: HomeAssistant, sandbox: Sandbox, fpt: MockConfigEntry
) -> None:
    """An FPT application with customer care only: told, nothing created."""
    sandbox.app[GRANTED_SCOPES]["fpt-client-id"] = frozenset({"send_brandname_otp"})
    assert await hass.config_entries.async_reload(fpt.entry_id)  # a fresh token, without ads
    await hass.async_block_till_done()
    err = await refused(hass, fpt, HomeAssistantError)
    assert err.translation_key == "campaign_not_allowed"
    assert calls(sandbox, CREATE_PATH) == []


async def test_create_refused(hass: HomeAssistant, sandbox: Sandbox, fpt: MockConfigEntry) -> None:
    sandbox.state.faults.append(Fault("refuse", "fpt", 2504, path=CREATE_PATH))
    err = await refused(hass, fpt, HomeAssistantError)
    assert err.translation_key == "campaign_create_failed"
    assert calls(sandbox, PUSH_PATH) == []


@pytest.mark.parametrize(
    ("faults", "key"),
    [
        (
            [
                Fault("expire_token", "fpt", path=CREATE_PATH),
                Fault("refuse", "fpt", 1008, path="/oauth2/token"),
            ],
            "campaign_create_failed",
        ),
        (
            [
                Fault("expire_token", "fpt", path=PUSH_PATH),
                Fault("refuse", "fpt", 1008, path="/oauth2/token"),
            ],
            "campaign_push_failed",
        ),
    ],
)
async def test_refused_credentials_start_reauth(
    hass: HomeAssistant, sandbox: Sandbox, fpt: MockConfigEntry, faults: list[Fault], key: str
) -> None:
    """FPT no longer takes the credentials, before the campaign is created or after."""
    await fpt.runtime_data.provider.check_credentials()  # a token, so faults hit the calls
    sandbox.state.faults += faults
    err = await refused(hass, fpt, HomeAssistantError)
    assert err.translation_key == key
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


# --- rejection, restarts, bounds -----------------------------------------------------------------


async def test_rejected_campaign_says_why(
    hass: HomeAssistant,
    sandbox: Sandbox,
    fpt: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    campaign_events: list[Event],
) -> None:
    """The carriers refuse the text: an event with their reason, and FPT is asked no more."""
    await send_campaign(hass, fpt, message="Casino khai truong, tang 100 van")
    await move_to(hass, freezer, MONDAY_9 + timedelta(minutes=30))
    assert statuses(campaign_events) == ["created", "rejected"]
    assert campaign_events[-1].data["reason"] == "Nội dung chứa từ khóa bị cấm (casino)"
    state = hass.states.get(campaign_entity(hass, fpt))
    assert state is not None
    assert (state.attributes["event_type"], state.attributes["reason"]) == (
        "rejected",
        "Nội dung chứa từ khóa bị cấm (casino)",
    )
    asked = len(sandbox.state.requests)
    await move_to(hass, freezer, FIRST_SLOT + timedelta(hours=1))
    assert len(sandbox.state.requests) == asked


async def test_a_stored_campaign_continues_after_a_reload(
    hass: HomeAssistant,
    sandbox: Sandbox,
    fpt: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    campaign_events: list[Event],
    events: list[Event],
) -> None:
    """Home Assistant was stopped through the approval and the sending: at start, caught up."""
    answer = await send_campaign(hass, fpt)
    assert await hass.config_entries.async_unload(fpt.entry_id)
    freezer.move_to(FIRST_SLOT + timedelta(hours=1))  # approved, sent, results ready meanwhile
    assert await hass.config_entries.async_setup(fpt.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert statuses(campaign_events) == ["created", "sent"]
    assert sorted(e.data["message_id"] for e in events) == sorted(
        ads_message_id(answer["batch_id"], p) for p in E164
    )
    assert all(e.data["tracked"] for e in events)
    # The pending number: still followed, on the cadence of a campaign sent an hour ago.
    await move_to(hass, freezer, FIRST_SLOT + timedelta(minutes=89))
    assert len(calls(sandbox, RESULTS_PATH)) == 1
    await move_to(hass, freezer, FIRST_SLOT + timedelta(minutes=90))
    assert len(calls(sandbox, RESULTS_PATH)) == 2


async def test_campaigns_survive_a_crash(
    hass: HomeAssistant, fpt: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Within a second the campaign is on disk: a fresh open (after a kill -9) finds it."""
    answer = await send_campaign(hass, fpt)
    await move_to(hass, freezer, MONDAY_9 + timedelta(seconds=1))
    journal = EntryJournal(hass, fpt.entry_id)
    store = CampaignStore(journal)
    await journal.async_load()
    campaign = store.get(answer["campaign_code"])
    assert campaign is not None
    assert (campaign.name, campaign.batch_id, campaign.phones) == (
        answer["name"],
        answer["batch_id"],
        tuple(E164),
    )
    assert campaign.schedule == FIRST_SLOT


async def test_following_ends_after_its_bound(
    hass: HomeAssistant,
    sandbox: Sandbox,
    fpt: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A number whose result never comes: FPT is asked for two weeks, then no more."""
    answer = await send_campaign(hass, fpt, target="0901234565")
    await move_to(hass, freezer, FIRST_SLOT + timedelta(minutes=5))
    store = fpt.runtime_data.campaigns.store  # type: ignore[union-attr]
    campaign = store.get(answer["campaign_code"])
    assert campaign is not None
    assert (campaign.state, campaign.done) == (CampaignState.SENT, False)
    await move_to(hass, freezer, FIRST_SLOT + timedelta(days=15))
    assert (campaign.done, campaign.ended) == (True, "gave_up")
    asked = len(sandbox.state.requests)
    await move_to(hass, freezer, FIRST_SLOT + timedelta(days=16))
    assert len(sandbox.state.requests) == asked


async def test_a_failing_check_is_tried_again(
    hass: HomeAssistant,
    sandbox: Sandbox,
    fpt: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    campaign_events: list[Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """FPT down at a check: one warning, the next check on the cadence; no secret in the log."""
    sandbox.state.ads.approval_delay = 2 * 3600.0
    await send_campaign(hass, fpt)
    sandbox.state.faults.append(Fault("status", "fpt", 503, count=2, path=DETAIL_PATH))
    await move_to(hass, freezer, MONDAY_9 + timedelta(minutes=30))
    await move_to(hass, freezer, MONDAY_9 + timedelta(minutes=60))
    warnings = [r for r in caplog.records if "Could not check FPT campaign" in r.getMessage()]
    assert [r.levelname for r in warnings] == ["WARNING", "DEBUG"]
    await move_to(hass, freezer, MONDAY_9 + timedelta(minutes=90))  # answered: not approved yet
    assert "can be checked again" in caplog.text
    assert statuses(campaign_events) == ["created"]
    await move_to(hass, freezer, MONDAY_9 + timedelta(minutes=120))
    assert statuses(campaign_events) == ["created", "approved"]
    assert "fpt-client-secret" not in caplog.text


async def test_refused_credentials_at_a_check_start_reauth(
    hass: HomeAssistant,
    sandbox: Sandbox,
    fpt: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    campaign_events: list[Event],
) -> None:
    """FPT stops taking the credentials while a campaign is followed: reauth, and follow on."""
    await send_campaign(hass, fpt)
    sandbox.state.faults += [
        Fault("expire_token", "fpt", path=DETAIL_PATH),
        Fault("refuse", "fpt", 1008, path="/oauth2/token"),
    ]
    await move_to(hass, freezer, MONDAY_9 + timedelta(minutes=30))
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
    await move_to(hass, freezer, MONDAY_9 + timedelta(minutes=60))
    assert statuses(campaign_events) == ["created", "approved"]


# --- the README's example ----------------------------------------------------------------------


def readme_automations() -> list[dict[str, Any]]:
    """The campaign automations of README.md, as written there."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Advertising campaigns (FPT)", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    automations = parse_yaml(block)["automation"]
    assert isinstance(automations, list)
    return automations


@pytest.mark.parametrize("expected_lingering_timers", [True])  # the automation's time trigger
async def test_readme_example(
    hass: HomeAssistant,
    sandbox: Sandbox,
    fpt: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Thursday 09:00 orders Friday 08:00's campaign; a rejection becomes a notification."""
    freezer.move_to(datetime(2026, 11, 26, 8, 59, 59, tzinfo=VIETNAM))
    automations = readme_automations()
    automations[0]["actions"][0]["data"]["config_entry_id"] = fpt.entry_id
    assert await async_setup_component(hass, "notify", {})
    assert await async_setup_component(hass, "automation", {"automation": automations})
    await move_to(hass, freezer, datetime(2026, 11, 26, 9, 0, 0, tzinfo=VIETNAM))
    [create] = calls(sandbox, CREATE_PATH)
    assert create["ScheduleTime"] == "2026-11-27 08:00"
    notes = persistent_notification._async_get_or_create_notifications(hass)
    [note] = notes.values()
    assert "2 numbers, 2 SMS, at 2026-11-27T08:00:00+07:00" in note["message"]

    sandbox.state.ads.reject_word = "giam gia"  # in TEXT
    await send_campaign(hass, fpt, schedule="2026-11-27 09:00:00")
    await move_to(hass, freezer, datetime(2026, 11, 26, 9, 30, tzinfo=VIETNAM))
    messages = [n["message"] for n in notes.values()]
    assert any(
        m.startswith("Campaign HA 2026-11-27 09:00 ") and "rejected: " in m for m in messages
    )


async def test_removing_the_account_deletes_its_campaigns(
    hass: HomeAssistant,
    fpt: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """The campaign store goes with the account, with the ledger and the seen reports."""
    await send_campaign(hass, fpt)
    store = f"sms_bridge.{fpt.entry_id}.campaigns"
    for file in fpt.runtime_data.journal._files:
        await fpt.runtime_data.journal._async_compact(file)
    assert store in hass_storage
    await hass.config_entries.async_remove(fpt.entry_id)
    await hass.async_block_till_done()
    assert store not in hass_storage
