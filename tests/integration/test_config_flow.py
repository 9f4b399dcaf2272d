"""The config flow, reauthentication, reconfiguration, options and recipient subentries."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigSubentry,
)
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.sms_bridge.const import DOMAIN
from sandbox import Fault, Sandbox

from .conftest import PROVIDERS, EntryFactory, account_data, make_entry

SMSPAY_PAIR = {"report_param": "site", "report_value": "abc"}


@pytest.fixture(autouse=True)
async def external_url(hass: HomeAssistant) -> None:
    """Home Assistant knows its public address, so webhook URLs are complete."""
    await async_process_ha_core_config(hass, {"external_url": "https://ha.example.com"})


def form_input(sandbox: Sandbox, provider: str) -> dict[str, Any]:
    """What a user types in the gateway's form (sms_type comes from a dropdown, as text).

    The gateway's address (the sandbox's) goes in the form's collapsed "advanced" section.
    """
    data = account_data(sandbox, provider)
    data.pop("provider")
    if "sms_type" in data:
        data["sms_type"] = str(data["sms_type"])
    if "base_url" in data:
        data["advanced"] = {"base_url": data.pop("base_url")}
    return data


def address_section(result: Any) -> tuple[bool, Any]:
    """Whether the form's address section is collapsed, and the address it suggests."""
    schema = result["data_schema"].schema
    [(marker, section)] = [(m, v) for m, v in schema.items() if m == "advanced"]
    assert marker.schema == "advanced"
    [address] = [m for m in section.schema.schema if m == "base_url"]
    return section.options["collapsed"], (address.description or {}).get("suggested_value")


async def _start(hass: HomeAssistant, provider: str) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == list(PROVIDERS)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": provider}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == provider
    return str(result["flow_id"])


@pytest.mark.parametrize(
    ("provider", "title", "description"),
    [
        ("fibo", "FiboSMS CL1609110001", "fibo"),
        ("esms", "eSMS SMSBRIDGE", "esms"),
        ("fpt", "FPT SMS SMSBRIDGE", "fpt"),
        ("smspay", "SMSPAY smspay-user@127.0.0.1", "smspay"),
    ],
)
async def test_create_entry(
    hass: HomeAssistant, sandbox: Sandbox, provider: str, title: str, description: str
) -> None:
    """Each gateway's account is checked live, stored with its keys, and shows its webhook."""
    flow_id = await _start(hass, provider)
    result = await hass.config_entries.flow.async_configure(flow_id, form_input(sandbox, provider))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == title
    data = dict(result["data"])
    webhook_id = data.pop("webhook_id")
    assert len(webhook_id) >= 32
    assert data == account_data(sandbox, provider)
    assert result["description"] == description
    placeholders = result["description_placeholders"] or {}
    assert placeholders["webhook_url"] == f"https://ha.example.com/api/webhook/{webhook_id}"
    entry = result["result"]
    assert entry.unique_id
    for secret in ("fibo-pass", "ESMS-API-KEY", "fpt-client-id", "smspay-pass"):
        assert secret not in entry.unique_id
    await hass.async_block_till_done()


async def test_generated_secrets_are_suggested(hass: HomeAssistant, sandbox: Sandbox) -> None:
    """Fibo's secure code and FPT's key come pre-filled with a fresh random value."""
    for provider, key in (("fibo", "secure_code"), ("fpt", "auth_key")):
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": provider}
        )
        schema = result["data_schema"].schema
        suggested = next(m.description["suggested_value"] for m in schema if m == key)
        assert len(suggested) >= 16
        # The gateway's address is there for everyone, folded away and empty.
        assert address_section(result) == (True, None)


async def test_blank_optional_fields_are_not_stored(hass: HomeAssistant, sandbox: Sandbox) -> None:
    """Empty optional fields (no brandname, no secure code) are left out of the entry."""
    flow_id = await _start(hass, "fibo")
    user_input = form_input(sandbox, "fibo") | {"sender": " ", "secure_code": ""}
    result = await hass.config_entries.flow.async_configure(flow_id, user_input)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert "sender" not in result["data"]
    assert "secure_code" not in result["data"]
    assert result["description_placeholders"]["secure_code"] == "-"
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("provider", "changes", "fault", "error"),
    [
        ("fibo", {"client_pass": "wrong"}, None, {"base": "invalid_auth"}),
        ("esms", {"secret_key": "wrong"}, None, {"base": "invalid_auth"}),
        ("fpt", {"client_secret": "wrong"}, None, {"base": "invalid_auth"}),
        ("fibo", {}, Fault("refuse", "fibo", 4), {"base": "ip_not_allowed"}),
        ("esms", {}, Fault("refuse", "esms", 140), {"base": "ip_not_allowed"}),
        ("fibo", {}, Fault("status", "fibo", 503, count=-1), {"base": "cannot_connect"}),
        ("fpt", {}, Fault("status", "fpt", 503, count=-1), {"base": "cannot_connect"}),
        ("esms", {}, Fault("refuse", "esms", 143), {"base": "refused"}),
        ("fibo", {"advanced": {"base_url": "ftp://x"}}, None, {"advanced": "invalid_url"}),
        ("smspay", {"send_url": "http://127.0.0.1:9/send"}, None, {"send_url": "invalid_send_url"}),
        ("smspay", {"send_url": "not a url"}, None, {"send_url": "invalid_send_url"}),
        (
            "smspay",
            {"send_url": "http://127.0.0.1:9/s?p={phone}&m={message}"},
            None,
            {"base": "cannot_connect"},
        ),
    ],
)
async def test_errors_then_recover(
    hass: HomeAssistant,
    sandbox: Sandbox,
    provider: str,
    changes: dict[str, Any],
    fault: Fault | None,
    error: dict[str, str],
) -> None:
    """Each failure shows its translated error and keeps the form; fixing it creates the entry."""
    if fault is not None:
        sandbox.state.faults.append(fault)
    flow_id = await _start(hass, provider)
    result = await hass.config_entries.flow.async_configure(
        flow_id, form_input(sandbox, provider) | changes
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == error
    sandbox.state.faults.clear()
    result = await hass.config_entries.flow.async_configure(flow_id, form_input(sandbox, provider))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_unexpected_error(
    hass: HomeAssistant, sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug in a client shows "unknown" and is logged by type only, never a broken flow."""
    flow_id = await _start(hass, "esms")
    with patch(
        "custom_components.sms_bridge.providers.esms.EsmsProvider.check_credentials",
        side_effect=RuntimeError("http://gw/?SecretKey=ESMS-SECRET-KEY"),
    ):
        result = await hass.config_entries.flow.async_configure(
            flow_id, form_input(sandbox, "esms")
        )
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected RuntimeError while checking the esms account" in caplog.text
    assert "SecretKey" not in caplog.text


async def test_already_configured(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """The same account cannot be added twice."""
    await setup_entry("fibo")
    flow_id = await _start(hass, "fibo")
    result = await hass.config_entries.flow.async_configure(flow_id, form_input(sandbox, "fibo"))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


@pytest.mark.parametrize(
    ("provider", "secrets"),
    [
        ("fibo", {"client_pass": "fibo-pass"}),
        ("esms", {"api_key": "ESMS-API-KEY", "secret_key": "ESMS-SECRET-KEY"}),
        ("fpt", {"client_secret": "fpt-client-secret"}),
    ],
)
async def test_reauth(
    hass: HomeAssistant, sandbox: Sandbox, provider: str, secrets: dict[str, str]
) -> None:
    """Reauthentication asks only for the secrets, refuses wrong ones, then updates and reloads."""
    # The API key is the eSMS account's identity: only its secret key went stale.
    broken = {key: value if key == "api_key" else "old" for key, value in secrets.items()}
    entry = make_entry(sandbox, provider, **broken)
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert set(result["data_schema"].schema) == set(secrets)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], broken)
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], secrets)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert {key: entry.data[key] for key in secrets} == secrets
    await hass.async_block_till_done()


async def test_reauth_other_account(hass: HomeAssistant, sandbox: Sandbox) -> None:
    """Keys of another eSMS account are refused: it must stay the same account."""
    sandbox.state.accounts.append(
        type(sandbox.state.first_account("esms"))(
            "esms", {"ApiKey": "OTHER", "SecretKey": "OTHER-S"}, balance=5, brandnames={"SMSBRIDGE"}
        )
    )
    entry = make_entry(sandbox, "esms")
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_key": "OTHER", "secret_key": "OTHER-S"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"


@pytest.mark.parametrize("source", [SOURCE_REAUTH, SOURCE_RECONFIGURE])
async def test_smspay_password_fixed_in_place(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory, source: str
) -> None:
    """A mistyped SMSPAY password is corrected in place: same account, same webhook address."""
    good = account_data(sandbox, "smspay")["send_url"]
    entry = await setup_entry("smspay", send_url=good.replace("pass=smspay-pass", "pass=typo"))
    webhook_id = entry.data["webhook_id"]
    if source == SOURCE_REAUTH:
        result = await entry.start_reauth_flow(hass)
    else:
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
        )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"send_url": good})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == f"{source}_successful"
    assert (entry.data["send_url"], entry.data["webhook_id"]) == (good, webhook_id)
    await hass.async_block_till_done()


async def test_smspay_other_user_is_another_account(hass: HomeAssistant, sandbox: Sandbox) -> None:
    """Another user on the same SMSPAY host is another account: refused in reauthentication."""
    entry = make_entry(sandbox, "smspay")
    entry.add_to_hass(hass)
    other = account_data(sandbox, "smspay")["send_url"].replace("user=smspay-user", "user=bob")
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"send_url": other})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"


async def test_reconfigure(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """Reconfigure shows the current settings, checks the new ones and keeps the webhook."""
    entry = await setup_entry("fibo")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    assert result["step_id"] == "reconfigure"
    assert address_section(result) == (False, sandbox.url)  # the entry uses one: shown open
    user_input = form_input(sandbox, "fibo") | {"sender": "FIBO", "secure_code": ""}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input | {"client_pass": "bad"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["sender"] == "FIBO"
    assert "secure_code" not in entry.data
    assert entry.data["webhook_id"] == "hook-fibo"
    await hass.async_block_till_done()


async def test_reconfigure_other_account(
    hass: HomeAssistant, sandbox: Sandbox, setup_entry: EntryFactory
) -> None:
    """Reconfigure cannot turn the entry into another Fibo account."""
    sandbox.state.accounts.append(
        type(sandbox.state.first_account("fibo"))(
            "fibo", {"clientNo": "CL0000000002", "clientPass": "p2"}, balance=1
        )
    )
    entry = await setup_entry("fibo")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    user_input = form_input(sandbox, "fibo") | {"client_no": "CL0000000002", "client_pass": "p2"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"


async def test_options(hass: HomeAssistant, setup_entry: EntryFactory) -> None:
    """Options show the webhook URL; saving them stores typed values and reloads the entry."""
    entry = await setup_entry("fibo")
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "fibo"
    assert result["description_placeholders"]["name"] == entry.title
    assert result["description_placeholders"]["webhook_url"].endswith("/api/webhook/hook-fibo")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "sender": " ",
            "encoding": "unicode",
            "poll_minutes": 5.0,
            "concurrency": 3.0,
            "balance_unit": "vnd",
            "check_source_ip": True,
            "reports_window": 30.0,
            "low_balance": 50000.0,
            "secure_code": "fibo-secure",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        "encoding": "unicode",
        "poll_minutes": 5,
        "concurrency": 3,
        "balance_unit": "vnd",
        "check_source_ip": True,
        "reports_window": 30,
        "low_balance": 50000.0,
        "max_per_hour": 0,
        "max_per_day": 0,
        "duplicate_window": 5,
        "currency": "VND",
        "max_cost_per_month": 0,
    }
    assert entry.data["secure_code"] == "fibo-secure"
    await hass.async_block_till_done()
    coordinator = entry.runtime_data.coordinator
    assert coordinator.update_interval.total_seconds() == 300


@pytest.mark.parametrize(
    ("provider", "present", "absent"),
    [
        (
            "fibo",
            {"poll_minutes", "low_balance", "balance_unit", "check_source_ip", "secure_code"},
            {"auth_key", "report_param"},
        ),
        (
            "esms",
            {"poll_minutes", "low_balance"},
            {"balance_unit", "check_source_ip", "secure_code", "auth_key", "report_param"},
        ),
        ("fpt", {"auth_key"}, {"poll_minutes", "low_balance", "balance_unit", "secure_code"}),
        (
            "smspay",
            {"report_param", "report_value"},
            {"poll_minutes", "low_balance", "balance_unit", "check_source_ip", "auth_key"},
        ),
    ],
)
async def test_options_fit_the_gateway(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    provider: str,
    present: set[str],
    absent: set[str],
) -> None:
    """Each gateway's options form has what applies to it and nothing else, in its own step."""
    entry = await setup_entry(provider, **(SMSPAY_PAIR if provider == "smspay" else {}))
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == provider
    keys = {str(key) for key in result["data_schema"].schema}
    common = {"sender", "encoding", "concurrency", "reports_window"}
    assert common | present <= keys
    assert not keys & absent


async def test_report_secret_changed_in_options(
    hass: HomeAssistant, setup_entry: EntryFactory
) -> None:
    """The report pair is edited in the options; a half pair is refused with every field kept."""
    entry = await setup_entry("smspay", **SMSPAY_PAIR)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    form = {"encoding": "auto", "concurrency": 5, "reports_window": 60}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form | {"report_param": "site", "report_value": ""}
    )
    assert result["errors"] == {"base": "report_pair"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form | {"report_param": "site", "report_value": "xyz"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert (entry.data["report_param"], entry.data["report_value"]) == ("site", "xyz")
    assert "report_value" not in entry.options


OPTIONS_FORM = {"encoding": "auto", "concurrency": 5, "reports_window": 60}


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"duplicate_window": "NaN"}, {"duplicate_window": "not_a_number"}),
        ({"duplicate_window": float("nan")}, {"duplicate_window": "not_a_number"}),
        ({"max_per_hour": 2.5}, {"max_per_hour": "whole_number"}),
        ({"max_per_hour": -1}, {"max_per_hour": "range_max_per_hour"}),
        (
            {"concurrency": 0, "max_per_day": 10**7},
            {"concurrency": "range_concurrency", "max_per_day": "range_max_per_day"},
        ),
        ({"resend_failed": "yes please"}, {"resend_failed": "not_a_switch"}),
        ({"resend_failed": True}, {"resend_failed": "resend_needs_backup"}),
        ({"backup_entry_id": "no-such-entry"}, {"backup_entry_id": "unknown_backup"}),
        ({"currency": "dong"}, {"currency": "invalid_currency"}),
        ({"price_per_segment": -850}, {"price_per_segment": "range_price_per_segment"}),
    ],
)
async def test_options_refuse_what_cannot_work(
    hass: HomeAssistant,
    setup_entry: EntryFactory,
    changes: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Every wrong value gets its translated field error at once; nothing is stored."""
    entry = await setup_entry("fibo")
    await setup_entry("esms")  # another Vietnamese account: the backup field is there
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], OPTIONS_FORM | changes
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert entry.options == {}


async def test_options_errors_over_http_are_never_a_500(
    hass: HomeAssistant, setup_entry: EntryFactory, hass_client: Any
) -> None:
    """What the frontend (or a script) posts: a field error in a 200, never a traceback."""
    entry = await setup_entry("fibo")
    assert await async_setup_component(hass, "config", {})
    client = await hass_client()
    answer = await client.post(
        "/api/config/config_entries/options/flow", json={"handler": entry.entry_id}
    )
    flow = await answer.json()
    answer = await client.post(
        f"/api/config/config_entries/options/flow/{flow['flow_id']}",
        json=OPTIONS_FORM | {"duplicate_window": "NaN", "max_per_hour": 2.5},
    )
    assert answer.status == 200
    result = await answer.json()
    assert result["errors"] == {"duplicate_window": "not_a_number", "max_per_hour": "whole_number"}


async def test_backup_is_chosen_among_accounts_of_the_same_country(
    hass: HomeAssistant, setup_entry: EntryFactory
) -> None:
    """A Bulgarian SMSPAY account is not offered as the backup of a Vietnamese Fibo account."""
    fibo = await setup_entry("fibo")
    esms = await setup_entry("esms")
    await setup_entry("smspay")
    result = await hass.config_entries.options.async_init(fibo.entry_id)
    picker = next(v for k, v in result["data_schema"].schema.items() if k == "backup_entry_id")
    assert [option["value"] for option in picker.config["options"]] == [esms.entry_id]
    result = await hass.config_entries.options.async_init(
        next(
            e.entry_id
            for e in hass.config_entries.async_entries(DOMAIN)
            if e.domain == DOMAIN and e.data["provider"] == "smspay"
        )
    )
    assert "backup_entry_id" not in result["data_schema"].schema  # no other Bulgarian account


async def test_low_balance_shows_the_balance_unit(
    hass: HomeAssistant, setup_entry: EntryFactory
) -> None:
    """The threshold's unit is the balance's: VND for eSMS, SMS credits or VND for Fibo."""
    for provider, options, unit in (
        ("esms", {}, "VND"),
        ("fibo", {}, "SMS"),
        ("fibo", {"balance_unit": "vnd"}, "VND"),
    ):
        entry = await setup_entry(provider, options=options)
        result = await hass.config_entries.options.async_init(entry.entry_id)
        box = next(v for k, v in result["data_schema"].schema.items() if k == "low_balance")
        assert box.config["unit_of_measurement"] == unit
        await hass.config_entries.async_remove(entry.entry_id)


async def _recipient_flow(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "recipient"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    return dict(result)


async def test_recipient_subentry(hass: HomeAssistant, setup_entry: EntryFactory) -> None:
    """Numbers are checked, read in the gateway's country, stored in E.164 without repeats."""
    entry = await setup_entry("fibo")
    result = await _recipient_flow(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Night shift", "numbers": "0901 234 567, 12345"}
    )
    assert result["errors"] == {"numbers": "invalid_number"}
    assert result["description_placeholders"]["number"] == "12345"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Night shift", "numbers": " , ;"}
    )
    assert result["errors"] == {"numbers": "no_numbers"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": " Night shift ", "numbers": "0901 234 567\n+84901234567; +359 88 812 3456"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    subentry = next(iter(entry.subentries.values()))
    assert subentry.title == "Night shift"
    assert subentry.data["numbers"] == ["+84901234567", "+359888123456"]


async def test_recipient_reconfigure(hass: HomeAssistant, setup_entry: EntryFactory) -> None:
    """A recipient's name and numbers can be changed; the form shows the current ones."""
    entry = await setup_entry("smspay")
    subentry = ConfigSubentry(
        data={"numbers": ["+359888123456"]},
        subentry_type="recipient",
        title="Owner",
        unique_id=None,
    )
    hass.config_entries.async_add_subentry(entry, subentry)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "recipient"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry.subentry_id},
    )
    schema = result["data_schema"].schema
    assert (
        next(m.description["suggested_value"] for m in schema if m == "numbers") == "+359888123456"
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Owner BG", "numbers": "0888 123 457"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.subentries[subentry.subentry_id].data["numbers"] == ["+359888123457"]
    assert entry.subentries[subentry.subentry_id].title == "Owner BG"
    await hass.async_block_till_done()
