"""Recipients: a name, the numbers its notify entity texts, and how (config subentries)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.const import CONF_NAME

from ..compat import vol
from ..const import CONF_NUMBERS
from ..phone import InvalidNumberError, split_numbers, to_e164
from .account import gateway
from .forms import MULTILINE, TEXT
from .zalo import async_recipient_zalo, has_zalo, recipient_suggested, recipient_zalo_fields


class RecipientSubentryFlow(ConfigSubentryFlow):
    """A recipient: a name and the numbers its notify entity texts."""

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Add a recipient."""
        return await self._async_step_recipient("user", user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a recipient's name or numbers."""
        return await self._async_step_recipient("reconfigure", user_input)

    async def _async_step_recipient(
        self, step_id: str, user_input: dict[str, Any] | None
    ) -> SubentryFlowResult:
        entry = self._get_entry()
        zalo = has_zalo(gateway(entry.data))
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {"number": ""}
        if user_input is not None:
            channel, errors = await async_recipient_zalo(entry, user_input)
            region = gateway(self._get_entry().data).region
            try:
                numbers = list(
                    dict.fromkeys(
                        to_e164(n, region) for n in split_numbers(user_input[CONF_NUMBERS])
                    )
                )
            except InvalidNumberError as err:
                errors[CONF_NUMBERS] = "invalid_number"
                placeholders["number"] = err.number
            else:
                if not numbers:
                    errors[CONF_NUMBERS] = "no_numbers"
                elif not errors:
                    name = user_input[CONF_NAME].strip()
                    data = {CONF_NUMBERS: numbers, **channel}
                    if step_id == "reconfigure":
                        return self.async_update_and_abort(
                            self._get_entry(),
                            self._get_reconfigure_subentry(),
                            title=name,
                            data=data,
                        )
                    return self.async_create_entry(title=name, data=data)
        suggested: Mapping[str, Any] = user_input or {}
        if user_input is None and step_id == "reconfigure":
            subentry = self._get_reconfigure_subentry()
            suggested = {
                CONF_NAME: subentry.title,
                CONF_NUMBERS: "\n".join(subentry.data[CONF_NUMBERS]),
                **recipient_suggested(subentry.data),
            }
        schema = vol.Schema({vol.Required(CONF_NAME): TEXT, vol.Required(CONF_NUMBERS): MULTILINE})
        if zalo:
            schema = schema.extend(recipient_zalo_fields())
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
            description_placeholders=placeholders,
        )
