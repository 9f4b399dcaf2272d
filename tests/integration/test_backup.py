"""The backup account: what one gateway surely did not take goes once through the other."""

from __future__ import annotations

from typing import Any

from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.sms_bridge.providers.models import DeliveryStatus
from sandbox import Fault, Sandbox

from .conftest import Client, EntryFactory, Forwarder, point_reports_at, reached_at
from .helpers import gateway_messages, send_through


@pytest.fixture
async def pair(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> tuple[MockConfigEntry, MockConfigEntry]:
    """Fibo, with eSMS as its backup (eSMS takes numbers ending in 3, which Fibo refuses)."""
    sandbox.state.first_account("esms").refuses_3 = False
    backup = await setup_entry("esms")
    primary = await setup_entry("fibo", options={"backup_entry_id": backup.entry_id})
    return primary, backup


async def test_refused_number_goes_through_the_backup(
    hass: HomeAssistant, sandbox: Sandbox, pair: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """Fibo refuses a number (last digit 3): it goes once through eSMS, and the answer says so."""
    primary, backup = pair
    rows = await send_through(hass, primary, target=["0901234567", "0901234563"])
    by_target = {row["target"]: row for row in rows}
    assert by_target["0901234567"]["config_entry_id"] == primary.entry_id
    assert by_target["0901234567"]["via_backup"] is False
    assert by_target["0901234563"]["config_entry_id"] == backup.entry_id
    assert by_target["0901234563"]["via_backup"] is True
    [through_backup] = gateway_messages(sandbox, "esms")
    assert through_backup.phone == "0901234563"
    assert backup.runtime_data.ledger.get(by_target["0901234563"]["message_id"]) is not None


@pytest.mark.parametrize(
    "fault",
    [Fault("refuse", "fibo", 14), Fault("refuse", "fibo", 3)],
    ids=["no balance", "bad credentials"],
)
async def test_refusals_of_the_account_go_through_the_backup(
    hass: HomeAssistant,
    sandbox: Sandbox,
    pair: tuple[MockConfigEntry, MockConfigEntry],
    fault: Fault,
) -> None:
    """No balance, refused credentials: surely not taken, so the backup sends it."""
    primary, _ = pair
    sandbox.state.faults.append(Fault(fault.kind, fault.gateway, fault.value, path="SendMasked"))
    [row] = await send_through(hass, primary, target="0901234567")
    assert row["via_backup"] is True
    assert len(gateway_messages(sandbox, "esms")) == 1


@pytest.mark.usefixtures("no_retry_wait")
async def test_unreachable_gateway_goes_through_the_backup(
    hass: HomeAssistant, sandbox: Sandbox, forwarder: Forwarder, setup_entry: EntryFactory
) -> None:
    """The first gateway cannot be reached (twice): the backup sends it."""
    backup = await setup_entry("esms")
    primary = await setup_entry(
        "fpt",
        options={"backup_entry_id": backup.entry_id},
        **reached_at(sandbox, "fpt", forwarder.url),
    )
    await forwarder.open()  # FPT's token at setup
    await hass.config_entries.async_reload(primary.entry_id)
    await forwarder.close()
    [row] = await send_through(hass, primary, target="0901234567")
    assert (row["config_entry_id"], row["via_backup"]) == (backup.entry_id, True)
    assert gateway_messages(sandbox, "fpt") == []


@pytest.mark.parametrize("lost", [502, "disconnect", "after_headers", "mid_body"])
async def test_maybe_sent_never_goes_through_the_backup(
    hass: HomeAssistant,
    sandbox: Sandbox,
    pair: tuple[MockConfigEntry, MockConfigEntry],
    lost: Any,
) -> None:
    """Fibo's answer is lost after it took the message: no second SMS through eSMS.

    A proxy answers 502, or the connection drops before the status line, after the headers
    or halfway through the body.
    """
    primary, _ = pair
    sandbox.state.faults.append(Fault("answer_lost", "fibo", lost, path="SendMasked"))
    with pytest.raises(HomeAssistantError, match="may have been sent"):
        await send_through(hass, primary, target="0901234567")
    assert len(gateway_messages(sandbox, "fibo")) == 1
    assert gateway_messages(sandbox, "esms") == []


async def test_backup_off_for_one_call(
    hass: HomeAssistant, sandbox: Sandbox, pair: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """`backup: false`: the refused number is an error, the backup is not tried."""
    primary, _ = pair
    with pytest.raises(HomeAssistantError, match="0901234563"):
        await send_through(hass, primary, target="0901234563", backup=False)
    assert gateway_messages(sandbox, "esms") == []


async def test_no_loop_between_two_backups(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """A is B's backup and B is A's: a number both refuse is tried once on each, then fails."""
    first = await setup_entry("smspay")
    second = await setup_entry("esms", options={"backup_entry_id": first.entry_id})
    hass.config_entries.async_update_entry(first, options={"backup_entry_id": second.entry_id})
    await hass.async_block_till_done()
    before = len(sandbox.state.requests)
    with pytest.raises(HomeAssistantError) as caught:
        await send_through(hass, second, target="0901234563")
    text = str(caught.value)
    assert first.title in text
    assert second.title in text
    sends = [r for r in sandbox.state.requests[before:] if "Send" in r[2] or "smspay/send" in r[2]]
    assert len(sends) == 2


async def test_failed_message_is_resent_once(
    hass: HomeAssistant,
    sandbox: Sandbox,
    setup_entry: EntryFactory,
    client: Client,
    events: list[Event],
) -> None:
    """A final failed report (last digit 4) resends once through the backup; never again.

    The ledger links the two; both messages' reports fire their events.
    """
    backup = await setup_entry("esms")
    primary = await setup_entry(
        "fibo", options={"backup_entry_id": backup.entry_id, "resend_failed": True}
    )
    hass.config_entries.async_update_entry(
        backup, options={"backup_entry_id": primary.entry_id, "resend_failed": True}
    )
    await hass.async_block_till_done()
    await point_reports_at(hass, sandbox, client, primary)
    [row] = await send_through(hass, primary, target="0901234564")
    for _ in range(3):  # the resend's own reports come after the first's
        await sandbox.idle()
        await hass.async_block_till_done(wait_background_tasks=True)

    original = primary.runtime_data.ledger.get(row["message_id"])
    assert original is not None
    assert original.status is DeliveryStatus.FAILED
    assert original.resent_as is not None
    assert original.resent_as["config_entry_id"] == backup.entry_id
    resent = backup.runtime_data.ledger.get(original.resent_as["message_id"])
    assert resent is not None
    assert resent.resend_of == {
        "config_entry_id": primary.entry_id,
        "message_id": row["message_id"],
    }
    assert resent.status is DeliveryStatus.FAILED  # it failed too (the same number)...
    assert resent.resent_as is None  # ...and was not resent again
    assert len(gateway_messages(sandbox, "fibo")) == 1
    assert len(gateway_messages(sandbox, "esms")) == 1
    finals = {(e.data["entry_id"], e.data["message_id"]) for e in events if e.data["final"]}
    assert finals == {
        (primary.entry_id, row["message_id"]),
        (backup.entry_id, original.resent_as["message_id"]),
    }
