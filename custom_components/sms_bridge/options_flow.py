"""The options of an account: only those that fit its gateway, in its own words.

One form per gateway (step id = the gateway's name), so each names the sender as its gateway
does and offers only what applies: polling and the low-balance threshold where there is a
balance, Fibo's balance unit and source check, and the delivery-report secret (kept in the
entry's data, where the webhook reads it). Every gateway has the backup account (a picker of
the other accounts) and the spending guard.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)

from .account import form_errors, gateway, webhook_placeholders
from .compat import ReloadingOptionsFlow, vol
from .const import (
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
    OPT_DUPLICATE_WINDOW,
    OPT_ENCODING,
    OPT_LOW_BALANCE,
    OPT_MAX_PER_DAY,
    OPT_MAX_PER_HOUR,
    OPT_POLL_MINUTES,
    OPT_REPORTS_WINDOW,
    OPT_RESEND_FAILED,
    OPT_SENDER,
    UNIT_CREDITS,
    UNIT_VND_OPTION,
)
from .form import LITERAL_PLACEHOLDERS, TEXT, select
from .providers import Provider

#: Options stored as whole numbers.
INTEGER_OPTIONS = (
    OPT_POLL_MINUTES,
    OPT_CONCURRENCY,
    OPT_REPORTS_WINDOW,
    OPT_MAX_PER_HOUR,
    OPT_MAX_PER_DAY,
    OPT_DUPLICATE_WINDOW,
)


def _box(low: float, high: float, unit: str | None = None, step: float = 1) -> NumberSelector:
    config = NumberSelectorConfig(min=low, max=high, step=step, mode=NumberSelectorMode.BOX)
    if unit:
        config["unit_of_measurement"] = unit
    return NumberSelector(config)


def _backup_picker(hass: HomeAssistant, entry: ConfigEntry[Any]) -> SelectSelector | None:
    """The other SMS Bridge accounts, by name; None when there is no other."""
    others = [
        SelectOptionDict(value=other.entry_id, label=other.title)
        for other in hass.config_entries.async_entries(DOMAIN)
        if other.entry_id != entry.entry_id
    ]
    if not others:
        return None
    return SelectSelector(SelectSelectorConfig(options=others, mode=SelectSelectorMode.DROPDOWN))


def guard_fields(hass: HomeAssistant, entry: ConfigEntry[Any]) -> dict[vol.Marker, Any]:
    """The backup account and the spending guard (every gateway)."""
    fields: dict[vol.Marker, Any] = {}
    if (picker := _backup_picker(hass, entry)) is not None:
        fields[vol.Optional(OPT_BACKUP)] = picker
        fields[vol.Required(OPT_RESEND_FAILED, default=False)] = BooleanSelector()
    fields[vol.Required(OPT_MAX_PER_HOUR, default=0)] = _box(0, 100_000)
    fields[vol.Required(OPT_MAX_PER_DAY, default=0)] = _box(0, 1_000_000)
    fields[vol.Required(OPT_DUPLICATE_WINDOW, default=DEFAULT_DUPLICATE_WINDOW)] = _box(
        0, 1440, "min"
    )
    return fields


def options_schema(cls: type[Provider]) -> vol.Schema:
    """The options that apply to accounts of this gateway."""
    fields: dict[vol.Marker, Any] = {
        vol.Optional(OPT_SENDER): TEXT,
        vol.Required(OPT_ENCODING, default=DEFAULT_ENCODING): select(OPT_ENCODING, list(ENCODINGS)),
        vol.Required(OPT_CONCURRENCY, default=DEFAULT_CONCURRENCY): _box(1, 20),
    }
    if cls.has_balance or cls.has_daily_totals:
        fields[vol.Required(OPT_POLL_MINUTES, default=DEFAULT_POLL_MINUTES)] = _box(1, 1440, "min")
    if cls.has_balance:
        fields[vol.Optional(OPT_LOW_BALANCE)] = _box(0, 1_000_000_000, step=0.01)
    if cls.balance_unit_choice:
        fields[vol.Required(OPT_BALANCE_UNIT, default=UNIT_CREDITS)] = select(
            OPT_BALANCE_UNIT, [UNIT_CREDITS, UNIT_VND_OPTION]
        )
    if cls.report_sources:
        fields[vol.Required(OPT_CHECK_SOURCE, default=False)] = BooleanSelector()
    fields[vol.Required(OPT_REPORTS_WINDOW, default=DEFAULT_REPORTS_WINDOW)] = _box(0, 10080, "min")
    for field in cls.account_fields:
        if field.report_secret:
            fields[vol.Optional(field.key)] = TEXT
    return vol.Schema(fields)


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
            errors = form_errors(data)
            if not errors:
                options = normalize_options(
                    {k: v for k, v in user_input.items() if k not in secrets}
                )
                if data != dict(entry.data):
                    self.hass.config_entries.async_update_entry(entry, data=data)
                    if options == dict(entry.options):
                        self.hass.config_entries.async_schedule_reload(entry.entry_id)
                return self.async_create_entry(data=options)
        suggested = user_input or {**entry.options, **{k: entry.data.get(k) for k in secrets}}
        return self.async_show_form(
            step_id=cls.name,
            data_schema=self.add_suggested_values_to_schema(
                options_schema(cls).extend(guard_fields(self.hass, entry)), suggested
            ),
            errors=errors,
            description_placeholders={
                "name": entry.title,
                **LITERAL_PLACEHOLDERS,
                **webhook_placeholders(self.hass, entry.data),
            },
        )


def normalize_options(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Options as stored: whole numbers as ints, an empty sender dropped."""
    options = {key: value for key, value in user_input.items() if value not in ("", None)}
    for key in INTEGER_OPTIONS:
        if key in options:
            options[key] = int(options[key])
    if OPT_SENDER in options:
        options[OPT_SENDER] = str(options[OPT_SENDER]).strip() or None
        if options[OPT_SENDER] is None:
            del options[OPT_SENDER]
    return options
