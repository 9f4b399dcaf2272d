"""The options of an account: only those that fit its gateway, in its own words.

One form per gateway (step id = the gateway's name), so each names the sender as its gateway
does and offers only what applies: polling and the low-balance threshold where there is a
balance, Fibo's balance unit and source check, and the delivery-report secret (kept in the
entry's data, where the webhook reads it). Every gateway has the backup account (a picker of
the other accounts) and the spending guard.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from math import isfinite
import re
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelectorConfig,
    SelectSelectorMode,
)

from ..compat import ReloadingOptionsFlow, vol
from ..const import (
    DEFAULT_CONCURRENCY,
    DEFAULT_DUPLICATE_WINDOW,
    DEFAULT_ENCODING,
    DEFAULT_POLL_MINUTES,
    DEFAULT_REPORTS_WINDOW,
    DOMAIN,
    ENCODINGS,
    OPT_BACKUP,
    OPT_BALANCE_UNIT,
    OPT_CHECK_SOURCE,
    OPT_CONCURRENCY,
    OPT_CURRENCY,
    OPT_DUPLICATE_WINDOW,
    OPT_ENCODING,
    OPT_LOW_BALANCE,
    OPT_MAX_COST_PER_MONTH,
    OPT_MAX_PER_DAY,
    OPT_MAX_PER_HOUR,
    OPT_POLL_MINUTES,
    OPT_PRICE_PER_SEGMENT,
    OPT_REPORTS_WINDOW,
    OPT_RESEND_FAILED,
    OPT_SENDER,
    OPT_ZALO_OA,
    UNIT_CREDITS,
    UNIT_VND,
    UNIT_VND_OPTION,
)
from ..providers import Provider
from ..store.costs import currency_of
from .account import form_errors, gateway, webhook_placeholders
from .forms import LITERAL_PLACEHOLDERS, TEXT, Choice, NumberBox, Switch, select
from .zalo import async_zalo_fields, has_zalo, zalo_oa_error


@dataclass(frozen=True, slots=True)
class Number:
    """A numeric option: its range, whether it is a count (whole), its unit."""

    low: float
    high: float
    whole: bool = True
    unit: str | None = None

    def box(self, unit: str | None = None) -> NumberBox:
        """The field: a box with the range and the unit shown once, beside it."""
        config = NumberSelectorConfig(
            min=self.low,
            max=self.high,
            step=1 if self.whole else "any",
            mode=NumberSelectorMode.BOX,
        )
        if unit or self.unit:
            config["unit_of_measurement"] = unit or self.unit or ""
        return NumberBox(config)

    def error(self, value: Any) -> str | None:
        """Why `value` cannot be this option (a translation key), or None."""
        if isinstance(value, bool) or not isinstance(value, int | float) or not isfinite(value):
            return "not_a_number"
        if self.whole and value != int(value):
            return "whole_number"
        if not self.low <= value <= self.high:
            return "out_of_range"
        return None


NUMBERS: dict[str, Number] = {
    OPT_CONCURRENCY: Number(1, 20),
    OPT_POLL_MINUTES: Number(1, 1440, unit="min"),
    OPT_LOW_BALANCE: Number(0, 1_000_000_000, whole=False),
    OPT_REPORTS_WINDOW: Number(0, 10080, unit="min"),
    OPT_MAX_PER_HOUR: Number(0, 100_000),
    OPT_MAX_PER_DAY: Number(0, 1_000_000),
    OPT_DUPLICATE_WINDOW: Number(0, 1440, unit="min"),
    OPT_PRICE_PER_SEGMENT: Number(0, 1_000_000_000, whole=False),
    OPT_MAX_COST_PER_MONTH: Number(0, 1_000_000_000_000, whole=False),
}
#: Currencies offered (any other ISO 4217 code can be typed): the gateways' and the usual ones.
CURRENCIES = ("VND", "BGN", "EUR", "USD")
_CURRENCY = re.compile(r"[A-Z]{3}")
SWITCHES = (OPT_CHECK_SOURCE, OPT_RESEND_FAILED)


def _number(key: str, unit: str | None = None) -> NumberBox:
    return NUMBERS[key].box(unit)


def backup_choices(hass: HomeAssistant, entry: ConfigEntry[Any]) -> list[SelectOptionDict]:
    """The accounts that can stand in for this one: the others that reach the same country."""
    region = gateway(entry.data).region
    return [
        SelectOptionDict(value=other.entry_id, label=other.title)
        for other in hass.config_entries.async_entries(DOMAIN)
        if other.entry_id != entry.entry_id and gateway(other.data).region == region
    ]


def guard_fields(hass: HomeAssistant, entry: ConfigEntry[Any]) -> dict[vol.Marker, Any]:
    """The backup account and the spending guard (every gateway)."""
    fields: dict[vol.Marker, Any] = {}
    if choices := backup_choices(hass, entry):
        fields[vol.Optional(OPT_BACKUP)] = Choice(
            SelectSelectorConfig(options=choices, mode=SelectSelectorMode.DROPDOWN)
        )
        fields[vol.Required(OPT_RESEND_FAILED, default=False)] = Switch()
    fields[vol.Required(OPT_MAX_PER_HOUR, default=0)] = _number(OPT_MAX_PER_HOUR)
    fields[vol.Required(OPT_MAX_PER_DAY, default=0)] = _number(OPT_MAX_PER_DAY)
    fields[vol.Required(OPT_DUPLICATE_WINDOW, default=DEFAULT_DUPLICATE_WINDOW)] = _number(
        OPT_DUPLICATE_WINDOW
    )
    return fields


def cost_fields(cls: type[Provider], options: Mapping[str, Any]) -> dict[vol.Marker, Any]:
    """What a segment costs where reports state no price, the currency, the monthly budget."""
    currency = currency_of(cls, options)
    return {
        vol.Optional(OPT_PRICE_PER_SEGMENT): _number(OPT_PRICE_PER_SEGMENT, currency),
        vol.Required(OPT_CURRENCY, default=currency): Choice(
            SelectSelectorConfig(
                options=list(CURRENCIES), custom_value=True, mode=SelectSelectorMode.DROPDOWN
            )
        ),
        vol.Required(OPT_MAX_COST_PER_MONTH, default=0): _number(OPT_MAX_COST_PER_MONTH, currency),
    }


def balance_unit(cls: type[Provider], options: Mapping[str, Any]) -> str:
    """The unit the balance is counted in: VND, or SMS credits for a Fibo credit package."""
    if cls.balance_unit_choice and options.get(OPT_BALANCE_UNIT, UNIT_CREDITS) == UNIT_CREDITS:
        return "SMS"
    return UNIT_VND


def options_schema(cls: type[Provider], options: Mapping[str, Any]) -> vol.Schema:
    """The options that apply to accounts of this gateway."""
    fields: dict[vol.Marker, Any] = {
        vol.Optional(OPT_SENDER): TEXT,
        vol.Required(OPT_ENCODING, default=DEFAULT_ENCODING): select(OPT_ENCODING, list(ENCODINGS)),
        vol.Required(OPT_CONCURRENCY, default=DEFAULT_CONCURRENCY): _number(OPT_CONCURRENCY),
    }
    if cls.has_balance or cls.has_daily_totals:
        fields[vol.Required(OPT_POLL_MINUTES, default=DEFAULT_POLL_MINUTES)] = _number(
            OPT_POLL_MINUTES
        )
    if cls.has_balance:
        fields[vol.Optional(OPT_LOW_BALANCE)] = _number(OPT_LOW_BALANCE, balance_unit(cls, options))
    if cls.balance_unit_choice:
        fields[vol.Required(OPT_BALANCE_UNIT, default=UNIT_CREDITS)] = select(
            OPT_BALANCE_UNIT, [UNIT_CREDITS, UNIT_VND_OPTION]
        )
    if cls.report_sources:
        fields[vol.Required(OPT_CHECK_SOURCE, default=False)] = Switch()
    fields[vol.Required(OPT_REPORTS_WINDOW, default=DEFAULT_REPORTS_WINDOW)] = _number(
        OPT_REPORTS_WINDOW
    )
    for field in cls.account_fields:
        if field.report_secret:
            fields[vol.Optional(field.key)] = TEXT
    return vol.Schema(fields)


def option_errors(
    hass: HomeAssistant, entry: ConfigEntry[Any], options: Mapping[str, Any]
) -> dict[str, str]:
    """Every field error of the options, at once (field -> translation key)."""
    errors = {
        # Out of range: each field's own error names its range ("range_<field>").
        key: f"range_{key}" if error == "out_of_range" else error
        for key, number in NUMBERS.items()
        if key in options and (error := number.error(options[key])) is not None
    }
    errors |= {
        key: "not_a_switch"
        for key in SWITCHES
        if key in options and not isinstance(options[key], bool)
    }
    currency = options.get(OPT_CURRENCY)
    if currency is not None and not (
        isinstance(currency, str) and _CURRENCY.fullmatch(currency.strip().upper())
    ):
        errors[OPT_CURRENCY] = "invalid_currency"
    backup = options.get(OPT_BACKUP)
    if backup and backup not in {choice["value"] for choice in backup_choices(hass, entry)}:
        errors[OPT_BACKUP] = "unknown_backup"
    if options.get(OPT_RESEND_FAILED) is True and not backup:
        errors[OPT_RESEND_FAILED] = "resend_needs_backup"
    return errors


class SmsBridgeOptionsFlow(ReloadingOptionsFlow):
    """Sending defaults, polling, repairs and report secrets; the report address shown again.

    Home Assistant reloads the entry when its options change; a new report secret alone (kept in
    the entry's data) reloads it here.
    """

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The form of the entry's gateway."""
        return await self._async_step_gateway(user_input)

    def __getattr__(self, name: str) -> Any:
        """The gateway's own step (`async_step_fibo`, ...) is the same form, submitted."""
        if name.startswith("async_step_") and name != "async_step_init":
            try:
                own = f"async_step_{gateway(self.config_entry.data).name}"
            except ValueError:  # no entry yet (the flow is being made)
                own = ""
            if name == own:
                return self._async_step_gateway
        raise AttributeError(name)

    async def _async_step_gateway(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        entry = self.config_entry
        cls = gateway(entry.data)
        secrets = {f.key for f in cls.account_fields if f.report_secret}
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {k: v for k, v in entry.data.items() if k not in secrets}
            data |= {k: v.strip() for k, v in user_input.items() if k in secrets and v.strip()}
            chosen = {k: v for k, v in user_input.items() if k not in secrets}
            errors = form_errors(data) | option_errors(self.hass, entry, chosen)
            errors |= zalo_oa_error(chosen)
            if not errors:
                options = normalize_options(chosen)
                if data != dict(entry.data):
                    self.hass.config_entries.async_update_entry(entry, data=data)
                    if options == dict(entry.options):
                        self.hass.config_entries.async_schedule_reload(entry.entry_id)
                return self.async_create_entry(data=options)
        suggested = user_input or {**entry.options, **{k: entry.data.get(k) for k in secrets}}
        schema = (
            options_schema(cls, entry.options)
            .extend(guard_fields(self.hass, entry))
            .extend(cost_fields(cls, entry.options))
        )
        placeholders = {
            "name": entry.title,
            **LITERAL_PLACEHOLDERS,
            **webhook_placeholders(self.hass, entry.data),
        }
        if has_zalo(cls):
            zalo_fields, zalo_placeholders = await async_zalo_fields(entry, suggested)
            schema, placeholders = schema.extend(zalo_fields), placeholders | zalo_placeholders
        return self.async_show_form(
            step_id=cls.name,
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
            description_placeholders=placeholders,
        )


def normalize_options(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Options as stored (checked already): counts as ints, an empty sender dropped."""
    options = {key: value for key, value in user_input.items() if value not in ("", None)}
    for key, number in NUMBERS.items():
        if key in options and number.whole:
            options[key] = int(options[key])
    if OPT_CURRENCY in options:
        options[OPT_CURRENCY] = str(options[OPT_CURRENCY]).strip().upper()
    if OPT_ZALO_OA in options:
        options[OPT_ZALO_OA] = str(options[OPT_ZALO_OA]).strip()
    if OPT_SENDER in options:
        options[OPT_SENDER] = str(options[OPT_SENDER]).strip() or None
        if options[OPT_SENDER] is None:
            del options[OPT_SENDER]
    return options
