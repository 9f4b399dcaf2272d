"""Config flow: pick a gateway, enter its account, check it live; reauth and reconfigure.

Each gateway's form comes from its client's declaration (`Provider.account_fields`); the options
are in flows/options.py, the recipients (config subentries) in flows/recipients.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
)
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import callback

from .const import CONF_BASE_URL, CONF_PROVIDER, DOMAIN, SUBENTRY_RECIPIENT
from .flows.account import account_unique_id, default_title, validate_account, webhook_placeholders
from .flows.forms import (
    LITERAL_PLACEHOLDERS,
    account_schema,
    normalize,
    reauth_schema,
    section_errors,
    suggested_secrets,
    with_sections,
)
from .flows.options import SmsBridgeOptionsFlow
from .flows.recipients import RecipientSubentryFlow
from .inbound.address import CONF_CLOUDHOOK_URL
from .migration import MINOR_VERSION, VERSION
from .providers import PROVIDER_CLASSES
from .runtime import SmsBridgeConfigEntry

STEP_PREFIX = "async_step_"
#: What reconfiguring keeps: the gateway, and the report address given to it.
KEPT_ON_RECONFIGURE = (CONF_PROVIDER, CONF_WEBHOOK_ID, CONF_CLOUDHOOK_URL)


class SmsBridgeConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add an SMS gateway account."""

    VERSION = VERSION
    MINOR_VERSION = MINOR_VERSION  # each step is in migration.py

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: SmsBridgeConfigEntry) -> SmsBridgeOptionsFlow:
        """The options of an account."""
        return SmsBridgeOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Recipients: named lists of numbers, each a notify entity."""
        return {SUBENTRY_RECIPIENT: RecipientSubentryFlow}

    def __getattr__(self, name: str) -> Callable[..., Awaitable[ConfigFlowResult]]:
        """One step per gateway (`async_step_fibo`, ...), from the gateways' declarations."""
        provider = name.removeprefix(STEP_PREFIX)
        if name.startswith(STEP_PREFIX) and provider in PROVIDER_CLASSES:
            return partial(self._async_step_account, provider)
        raise AttributeError(name)

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose the gateway."""
        return self.async_show_menu(step_id="user", menu_options=list(PROVIDER_CLASSES))

    async def _async_step_account(
        self, provider: str, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show a gateway's form; on submit check the account live and create the entry."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = normalize(provider, user_input)
            errors = section_errors(await validate_account(self.hass, data))
            if not errors:
                await self.async_set_unique_id(account_unique_id(data))
                self._abort_if_unique_id_configured()
                data[CONF_WEBHOOK_ID] = webhook.async_generate_id()
                return self.async_create_entry(
                    title=default_title(data),
                    data=data,
                    description=provider,
                    description_placeholders=webhook_placeholders(self.hass, data),
                )
        suggested = user_input if user_input is not None else suggested_secrets(provider)
        return self.async_show_form(
            step_id=provider,
            data_schema=self.add_suggested_values_to_schema(account_schema(provider), suggested),
            errors=errors,
            description_placeholders=LITERAL_PLACEHOLDERS,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The gateway refused the stored credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the credentials again and check them live."""
        entry = self._get_reauth_entry()
        provider = entry.data[CONF_PROVIDER]
        errors: dict[str, str] = {}
        if user_input is not None:
            updates = normalize(provider, user_input)
            data = {**entry.data, **updates}
            errors = await validate_account(self.hass, data)
            if not errors:
                await self.async_set_unique_id(account_unique_id(data))
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(entry, data_updates=updates)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=reauth_schema(provider),
            errors=errors,
            description_placeholders={"name": entry.title, **LITERAL_PLACEHOLDERS},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the account's settings; it must stay the same account (and webhook)."""
        entry = self._get_reconfigure_entry()
        provider = entry.data[CONF_PROVIDER]
        errors: dict[str, str] = {}
        if user_input is not None:
            # Optional fields left empty are removed, not kept from before.
            kept = {k: v for k, v in entry.data.items() if k in KEPT_ON_RECONFIGURE}
            data = kept | normalize(provider, user_input)
            errors = section_errors(await validate_account(self.hass, data))
            if not errors:
                await self.async_set_unique_id(account_unique_id(data))
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(entry, data=data)
        schema = account_schema(provider, address_open=CONF_BASE_URL in entry.data)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or with_sections(entry.data)
            ),
            errors=errors,
            description_placeholders={"name": entry.title, **LITERAL_PLACEHOLDERS},
        )
