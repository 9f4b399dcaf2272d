"""Setting up, unloading, reloading and removing an account."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.util.ssl import get_default_context
import pytest

from custom_components.sms_bridge.const import DOMAIN
from sandbox import Fault, Sandbox

from .conftest import PROVIDERS, EntryFactory, make_entry
from .helpers import NUMBERS, send, send_through


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_setup_and_unload(
    hass: HomeAssistant, setup_entry: EntryFactory, provider: str
) -> None:
    """Each gateway's entry loads, registers its webhook, and leaves nothing behind on unload."""
    entry = await setup_entry(provider)
    assert entry.state is ConfigEntryState.LOADED
    assert entry.data["webhook_id"] in hass.data["webhook"]
    states = hass.states.async_entity_ids("sensor")
    # The four daily totals and the two costs; a balance where the gateway has one.
    assert len(states) == (7 if provider in ("fibo", "esms") else 6)

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert entry.data["webhook_id"] not in hass.data["webhook"]
    assert all(
        hass.states.get(entity_id).state == "unavailable"
        for entity_id in states  # type: ignore[union-attr]
    )


async def test_reload_keeps_ledger(hass: HomeAssistant, setup_entry: EntryFactory) -> None:
    """A reload unloads cleanly and comes back with the same webhook."""
    entry = await setup_entry("esms")
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.data["webhook_id"] in hass.data["webhook"]


async def test_wrong_credentials_start_reauth(hass: HomeAssistant, sandbox: Sandbox) -> None:
    """Credentials the gateway refuses at setup start reauthentication."""
    entry = make_entry(sandbox, "fibo", client_pass="wrong")
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_gateway_down_retries_setup(hass: HomeAssistant, sandbox: Sandbox) -> None:
    """A gateway that does not answer makes setup retry later, not fail."""
    sandbox.state.faults.append(Fault("status", "esms", 503, count=-1))
    entry = make_entry(sandbox, "esms")
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_invalid_config_is_an_error(hass: HomeAssistant, sandbox: Sandbox) -> None:
    """An entry whose send URL lost its placeholders fails with a translated error."""
    entry = make_entry(sandbox, "smspay", send_url="http://127.0.0.1:9/send")
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert "Reconfigure the entry" in (entry.reason or "")


def stored_files(hass_storage: dict[str, Any], config_dir: Path, entry_id: str) -> list[str]:
    """What the entry keeps: its snapshots (Stores) and its journal files."""
    prefix = f"sms_bridge.{entry_id}."
    snapshots = [key for key in hass_storage if key.startswith(prefix)]
    journals = [path.name for path in (config_dir / ".storage").glob(f"{prefix}*")]
    return sorted(snapshots + journals)


async def test_remove_deletes_stores(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    hass_storage: dict[str, Any],
    config_dir: Path,
) -> None:
    """Removing the account deletes every file it kept (found from its id alone)."""
    entry = await setup_entry("smspay")
    await send_through(hass, entry, "0888123456")
    await entry.runtime_data.journal.async_flush()
    journal = entry.runtime_data.journal
    assert stored_files(hass_storage, config_dir, entry.entry_id)  # the journal at least
    for file in journal._files:  # and every part's snapshot
        await journal._async_compact(file)
    assert len(stored_files(hass_storage, config_dir, entry.entry_id)) >= 4
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert stored_files(hass_storage, config_dir, entry.entry_id) == []
    assert webhook.async_generate_path(entry.data["webhook_id"]).endswith(entry.data["webhook_id"])


async def test_unload_closes_the_send_session(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """The client's send session uses Home Assistant's TLS context and closes with the entry."""
    entry = await setup_entry("smspay")
    provider = entry.runtime_data.provider
    assert provider._ssl is get_default_context()
    await send(hass, target=NUMBERS["smspay"], message="hi")
    session = provider._send_session
    assert session is not None
    assert not session.closed
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert session.closed
