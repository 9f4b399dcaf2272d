"""Failures speak up: the report address, refused and missing reports, and loading checks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest.mock import AsyncMock, patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.cloud import (
    SIGNAL_CLOUD_CONNECTION_STATE,
    CloudConnectionState,
    CloudNotAvailable,
)
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.sms_bridge.const import DOMAIN
from sandbox import Sandbox

from .conftest import Client, EntryFactory, Forwarder, call_webhook, reached_at
from .helpers import gateway_messages, send

CLOUDHOOK = "https://hooks.nabu.casa/ABCDEF"
FIBO_REPORT = "MSGUID={id}&Status=2&SecureCode={code}"


def issue(hass: HomeAssistant, kind: str, entry_id: str) -> ir.IssueEntry | None:
    """The entry's repair of this kind, if raised."""
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{kind}_{entry_id}")


@pytest.fixture
def cloud(hass: HomeAssistant) -> Any:
    """Home Assistant Cloud logged in with an active subscription, as core's tests mock it."""
    hass.config.components.add("cloud")
    with (
        patch("homeassistant.components.cloud.async_active_subscription", return_value=True),
        patch(
            "homeassistant.components.cloud.async_create_cloudhook",
            AsyncMock(return_value=CLOUDHOOK),
        ) as create,
        patch("homeassistant.components.cloud.async_delete_cloudhook", AsyncMock()) as delete,
    ):
        yield create, delete


# --- the report address ------------------------------------------------------------------------


async def test_loopback_address_raises_a_repair_until_it_is_public(
    hass: HomeAssistant, setup_entry: EntryFactory
) -> None:
    """Only an internal loopback URL: the repair names it; a public external URL clears it."""
    await hass.config.async_update(internal_url="http://127.0.0.1:8123", external_url=None)
    entry = await setup_entry("fibo")
    raised = issue(hass, "webhook_unreachable", entry.entry_id)
    assert raised is not None
    assert raised.translation_key == "webhook_unreachable"
    assert raised.translation_placeholders is not None
    assert raised.translation_placeholders["url"].startswith("http://127.0.0.1:8123/api/webhook/")

    await hass.config.async_update(external_url="https://ha.example.com")
    await hass.async_block_till_done()
    assert issue(hass, "webhook_unreachable", entry.entry_id) is None


@pytest.mark.parametrize(
    "url",
    ["http://192.168.1.10:8123", "http://homeassistant.local:8123", "http://[::1]:8123"],
)
async def test_private_addresses_are_unreachable(
    hass: HomeAssistant, setup_entry: EntryFactory, url: str
) -> None:
    """A LAN address or name is no address for a gateway on the internet."""
    await hass.config.async_update(internal_url=url, external_url=None)
    entry = await setup_entry("esms")
    assert issue(hass, "webhook_unreachable", entry.entry_id) is not None


async def test_cloudhook_made_shown_given_and_deleted(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory, cloud: Any
) -> None:
    """With Cloud, the entry gets a cloudhook, and no unreachable-address repair.

    The cloudhook is shown in the options, sent to eSMS and removed with the entry.
    """
    create, delete = cloud
    await hass.config.async_update(internal_url="http://127.0.0.1:8123", external_url=None)
    entry = await setup_entry("esms")
    create.assert_awaited_once_with(hass, entry.data["webhook_id"])
    assert entry.data["cloudhook_url"] == CLOUDHOOK
    assert issue(hass, "webhook_unreachable", entry.entry_id) is None

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["description_placeholders"]["webhook_url"] == CLOUDHOOK
    hass.config_entries.options.async_abort(result["flow_id"])

    await send(hass, target="0901234567", message="hi")
    [message] = gateway_messages(sandbox, "esms")
    assert message.callback_url == CLOUDHOOK

    await hass.config_entries.async_remove(entry.entry_id)
    delete.assert_awaited_once_with(hass, "hook-esms")


async def test_cloudhook_made_when_cloud_connects(
    hass: HomeAssistant, setup_entry: EntryFactory, cloud: Any
) -> None:
    """Cloud not connected at setup: the cloudhook comes when it connects."""
    create, _ = cloud
    create.side_effect = CloudNotAvailable
    entry = await setup_entry("fpt")
    assert "cloudhook_url" not in entry.data
    create.side_effect = None

    async_dispatcher_send(hass, SIGNAL_CLOUD_CONNECTION_STATE, CloudConnectionState.CLOUD_CONNECTED)
    await hass.async_block_till_done()
    assert entry.data["cloudhook_url"] == CLOUDHOOK
    assert entry.state is ConfigEntryState.LOADED


async def test_reconfigure_keeps_the_cloudhook(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory, cloud: Any
) -> None:
    """Reconfiguring keeps the address the gateway was given."""
    entry = await setup_entry("smspay")
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"send_url": entry.data["send_url"]}
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["cloudhook_url"] == CLOUDHOOK
    await hass.async_block_till_done()


# --- refused and missing reports -----------------------------------------------------------------


async def test_three_refused_reports_raise_a_repair(
    hass: HomeAssistant, setup_entry: EntryFactory, client: Client
) -> None:
    """A wrong secure code, three reports in a row: the repair says what to check where.

    The next accepted report clears it.
    """
    entry = await setup_entry("fibo")
    for number in range(3):
        assert issue(hass, "reports_refused", entry.entry_id) is None
        query = FIBO_REPORT.format(id=f"r{number}", code="wrong")
        assert (await call_webhook(client, entry, query=query))[0] == 403
    raised = issue(hass, "reports_refused", entry.entry_id)
    assert raised is not None
    assert raised.translation_key == "reports_refused_fibo"
    assert raised.translation_placeholders is not None
    assert raised.translation_placeholders["admin_page"] == "https://admin.fibosms.com"

    query = FIBO_REPORT.format(id="ok", code="fibo-secure")
    assert (await call_webhook(client, entry, query=query))[0] == 200
    assert issue(hass, "reports_refused", entry.entry_id) is None


async def test_refused_count_restarts_after_an_accepted_report(
    hass: HomeAssistant, setup_entry: EntryFactory, client: Client
) -> None:
    """Two refused, one accepted, two refused: never three in a row, no repair."""
    entry = await setup_entry("fibo")
    for number, code in enumerate(["x", "x", "fibo-secure", "x", "x"]):
        await call_webhook(client, entry, query=FIBO_REPORT.format(id=f"m{number}", code=code))
    assert issue(hass, "reports_refused", entry.entry_id) is None


async def test_missing_reports_raise_a_repair_after_the_window(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry: EntryFactory, client: Client
) -> None:
    """Messages out, no report for the window: the repair; the next report of one clears it.

    A report that no message claims does not (eSMS reports carry no secret: a made-up one
    must not hide the repair).
    """
    entry = await setup_entry("esms", options={"reports_window": 30})
    [row] = (await send(hass, target="0901234567", message="hi"))["messages"]
    for _ in range(4):  # 20 minutes, checked every 5
        freezer.tick(timedelta(minutes=5))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    assert issue(hass, "reports_missing", entry.entry_id) is None

    for _ in range(3):
        freezer.tick(timedelta(minutes=5))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    raised = issue(hass, "reports_missing", entry.entry_id)
    assert raised is not None
    assert raised.translation_key == "reports_missing_esms"
    assert raised.translation_placeholders is not None
    assert raised.translation_placeholders["minutes"] == "30"

    assert (await call_webhook(client, entry, query="SMSID=made-up&SendStatus=7"))[0] == 200
    assert issue(hass, "reports_missing", entry.entry_id) is not None
    query = f"SMSID={row['message_id']}&SendStatus=7"
    assert (await call_webhook(client, entry, query=query))[0] == 200
    assert issue(hass, "reports_missing", entry.entry_id) is None


async def test_missing_reports_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, setup_entry: EntryFactory
) -> None:
    """A window of 0 turns the repair off."""
    entry = await setup_entry("esms", options={"reports_window": 0})
    await send(hass, target="0901234567", message="hi")
    freezer.tick(timedelta(days=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert issue(hass, "reports_missing", entry.entry_id) is None


async def test_removed_entry_takes_its_repairs(
    hass: HomeAssistant, setup_entry: EntryFactory
) -> None:
    """Deleting the account deletes its repairs."""
    await hass.config.async_update(internal_url="http://127.0.0.1:8123", external_url=None)
    entry = await setup_entry("fibo")
    assert issue(hass, "webhook_unreachable", entry.entry_id) is not None
    await hass.config_entries.async_remove(entry.entry_id)
    assert issue(hass, "webhook_unreachable", entry.entry_id) is None


# --- loading checks the account ----------------------------------------------------------------


async def test_fpt_revoked_credentials_start_reauth(
    hass: HomeAssistant, setup_entry: EntryFactory
) -> None:
    """FPT has no poll that proves the account: setup asks for a token, refused -> reauth."""
    entry = await setup_entry("fpt", client_secret="revoked")
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


@pytest.mark.parametrize("provider", ["fpt", "smspay"])
async def test_unreachable_gateway_retries_setup(
    hass: HomeAssistant,
    sandbox: Sandbox,
    forwarder: Forwarder,
    setup_entry: EntryFactory,
    provider: str,
) -> None:
    """A gateway that cannot be reached at setup: Home Assistant tries again later."""
    entry = await setup_entry(provider, **reached_at(sandbox, provider, forwarder.url))
    assert entry.state is ConfigEntryState.SETUP_RETRY
