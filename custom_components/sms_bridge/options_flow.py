"""The options of an account: sending defaults, polling, and the report address shown again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)
import voluptuous as vol

from .account import gateway, webhook_placeholders
from .const import (
    DEFAULT_CONCURRENCY,
    DEFAULT_ENCODING,
    DEFAULT_POLL_MINUTES,
    ENCODINGS,
    OPT_BALANCE_UNIT,
    OPT_CHECK_SOURCE,
    OPT_CONCURRENCY,
    OPT_ENCODING,
    OPT_POLL_MINUTES,
    OPT_SENDER,
    UNIT_CREDITS,
    UNIT_VND_OPTION,
)
from .form import TEXT, select


class SmsBridgeOptionsFlow(OptionsFlow):
    """Defaults for sending and polling; shows the delivery-report webhook again."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """One form of options."""
        if user_input is not None:
            return self.async_create_entry(data=normalize_options(user_input))
        entry = self.config_entry
        cls = gateway(entry.data)
        fields: dict[vol.Marker, Any] = {
            vol.Optional(OPT_SENDER): TEXT,
            vol.Required(OPT_ENCODING, default=DEFAULT_ENCODING): select(
                OPT_ENCODING, list(ENCODINGS)
            ),
            vol.Required(OPT_POLL_MINUTES, default=DEFAULT_POLL_MINUTES): NumberSelector(
                NumberSelectorConfig(
                    min=1, max=1440, step=1, mode=NumberSelectorMode.BOX, unit_of_measurement="min"
                )
            ),
            vol.Required(OPT_CONCURRENCY, default=DEFAULT_CONCURRENCY): NumberSelector(
                NumberSelectorConfig(min=1, max=20, step=1, mode=NumberSelectorMode.BOX)
            ),
        }
        if cls.balance_unit_choice:
            fields[vol.Required(OPT_BALANCE_UNIT, default=UNIT_CREDITS)] = select(
                OPT_BALANCE_UNIT, [UNIT_CREDITS, UNIT_VND_OPTION]
            )
        if cls.report_sources:
            fields[vol.Required(OPT_CHECK_SOURCE, default=False)] = BooleanSelector()
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(vol.Schema(fields), entry.options),
            description_placeholders=webhook_placeholders(self.hass, entry.data),
        )


def normalize_options(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Options as stored: numbers as ints, an empty sender dropped."""
    options = {key: value for key, value in user_input.items() if value not in ("", None)}
    for key in (OPT_POLL_MINUTES, OPT_CONCURRENCY):
        if key in options:
            options[key] = int(options[key])
    if OPT_SENDER in options:
        options[OPT_SENDER] = str(options[OPT_SENDER]).strip() or None
        if options[OPT_SENDER] is None:
            del options[OPT_SENDER]
    return options
