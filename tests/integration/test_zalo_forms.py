"""The Zalo parts of the forms: the OA offered in the options, a recipient texted by Zalo."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.sms_bridge.flows.forms import TEXT
from sandbox import Fault, Sandbox

from .conftest import EntryFactory
from .helpers import gateway_messages
from .test_zalo import OA, ZALO_OPTIONS


def _field(result: dict[str, Any], key: str) -> Any:
    """The selector of one field of a form."""
    return next(value for marker, value in result["data_schema"].schema.items() if marker == key)


async def test_options_offer_the_accounts_oas_and_list_its_templates(
    hass: HomeAssistant, setup_entry: EntryFactory
) -> None:
    """eSMS answers: the OA is a choice by name, and each template's parameters are shown."""
    entry = await setup_entry("esms", options=dict(ZALO_OPTIONS))
    result = await hass.config_entries.options.async_init(entry.entry_id)
    choices = _field(dict(result), "zalo_oa").config["options"]
    assert choices == [{"value": OA, "label": f"SMS Bridge Demo ({OA})"}]
    templates = result["description_placeholders"]["zalo_templates"]
    assert "`2056446` Verification code: otp" in templates
    assert "order_date (dd/MM/yyyy)" in templates

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"zalo_oa": "not digits"}
    )
    assert result["errors"] == {"zalo_oa": "invalid_zalo_oa"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"zalo_oa": f" {OA} "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["zalo_oa"] == OA


async def test_options_still_open_when_esms_does_not_answer(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """The lookups fail: the OA can be typed, and the templates are shown as unknown."""
    entry = await setup_entry("esms")
    sandbox.state.faults.append(Fault("status", "esms", 503, count=-1, path="GetListZOA"))
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert _field(dict(result), "zalo_oa") is TEXT  # typed: no list to choose from
    assert result["description_placeholders"]["zalo_templates"] == "\u2013"


async def test_other_gateways_have_no_zalo_fields(
    hass: HomeAssistant, setup_entry: EntryFactory
) -> None:
    """Fibo sends SMS only: neither its options nor its recipients mention Zalo."""
    entry = await setup_entry("fibo")
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert "zalo_oa" not in result["data_schema"].schema
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "recipient"), context={"source": SOURCE_USER}
    )
    assert "channel" not in result["data_schema"].schema


async def _recipient(hass: HomeAssistant, entry: MockConfigEntry, **data: Any) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "recipient"), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Night shift", "numbers": "0901234567", **data}
    )
    return dict(result)


async def test_recipient_by_zalo_is_checked_against_the_template(
    hass: HomeAssistant, setup_entry: EntryFactory
) -> None:
    """An unknown template, a parameter it lacks, lines that are not `name: value`: refused."""
    entry = await setup_entry("esms", options=dict(ZALO_OPTIONS))
    zalo = {"channel": "zalo", "zalo_template": "2056446", "zalo_param": "otp"}
    result = await _recipient(hass, entry, **zalo | {"zalo_template": "1"})
    assert result["errors"] == {"zalo_template": "zalo_template_unknown"}
    result = await _recipient(hass, entry, **zalo | {"zalo_param": "code"})
    assert result["errors"] == {"zalo_param": "zalo_param_not_in_template"}
    result = await _recipient(hass, entry, **zalo, zalo_values="just words")
    assert result["errors"] == {"zalo_values": "invalid_zalo_values"}


async def test_recipient_by_zalo_needs_the_accounts_oa(
    hass: HomeAssistant, setup_entry: EntryFactory
) -> None:
    """No OA in the options: the channel field says so."""
    entry = await setup_entry("esms")
    result = await _recipient(
        hass, entry, channel="zalo", zalo_template="2056446", zalo_param="otp"
    )
    assert result["errors"] == {"channel": "zalo_oa_missing"}


async def test_notify_a_recipient_by_zalo_then_sms(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """The notify message goes into the named parameter; the fixed values fill the rest."""
    entry = await setup_entry("esms", options=dict(ZALO_OPTIONS))
    result = await _recipient(
        hass,
        entry,
        channel="zalo_sms",
        zalo_template="200607",
        zalo_param="order_code",
        zalo_values="customer_name: Lan\norder_date: 07/12/2026",
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    await hass.services.async_call(
        "notify",
        "send_message",
        {"entity_id": "notify.night_shift", "message": "F2"},
        blocking=True,
    )
    [sent] = gateway_messages(sandbox, "esms")
    assert sent.details["channel"] == "zalo"
    assert sent.details["values"] == ["Lan", "F2", "07/12/2026"]
