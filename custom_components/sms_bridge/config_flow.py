"""Config flow: pick a gateway, enter its account, check it live; reauth, reconfigure, options.

The recipients (a name and its numbers) are config subentries; see `RecipientSubentryFlow`.
"""

from __future__ import annotations

from collections.abc import Mapping
import secrets
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_NAME, CONF_WEBHOOK_ID
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .account import account_unique_id, default_title, validate_account, webhook_placeholders
from .const import (
    CONF_API_KEY,
    CONF_AUTH_KEY,
    CONF_BASE_URL,
    CONF_BRANDNAME,
    CONF_CLIENT_ID,
    CONF_CLIENT_NO,
    CONF_CLIENT_PASS,
    CONF_CLIENT_SECRET,
    CONF_ENVIRONMENT,
    CONF_NUMBERS,
    CONF_PROVIDER,
    CONF_REPORT_PARAM,
    CONF_REPORT_VALUE,
    CONF_SECRET_KEY,
    CONF_SECURE_CODE,
    CONF_SEND_URL,
    CONF_SENDER,
    CONF_SMS_TYPE,
    DEFAULT_CONCURRENCY,
    DEFAULT_ENCODING,
    DEFAULT_POLL_MINUTES,
    DEFAULT_SMS_TYPE,
    DOMAIN,
    ENCODINGS,
    ENVIRONMENT_PRODUCTION,
    ENVIRONMENT_SANDBOX,
    OPT_BALANCE_UNIT,
    OPT_CHECK_SOURCE,
    OPT_CONCURRENCY,
    OPT_ENCODING,
    OPT_POLL_MINUTES,
    OPT_SENDER,
    PROVIDER_ESMS,
    PROVIDER_FIBO,
    PROVIDER_FPT,
    PROVIDER_SMSPAY,
    PROVIDERS,
    REGIONS,
    SUBENTRY_RECIPIENT,
    UNIT_CREDITS,
    UNIT_VND_OPTION,
)
from .coordinator import SmsBridgeConfigEntry
from .phone import InvalidNumberError, split_numbers, to_e164

TEXT = TextSelector()
PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
MULTILINE = TextSelector(TextSelectorConfig(multiline=True))


def _select(key: str, options: list[str]) -> SelectSelector:
    """A dropdown whose labels come from translations (`selector.<key>.options`)."""
    return SelectSelector(
        SelectSelectorConfig(options=options, translation_key=key, mode=SelectSelectorMode.DROPDOWN)
    )


# Each gateway's account form, keys exactly as the config entry stores them.
ACCOUNT_FIELDS: dict[str, dict[vol.Marker, Any]] = {
    PROVIDER_FIBO: {
        vol.Required(CONF_CLIENT_NO): TEXT,
        vol.Required(CONF_CLIENT_PASS): PASSWORD,
        vol.Optional(CONF_SENDER): TEXT,
        vol.Optional(CONF_SECURE_CODE): TEXT,
    },
    PROVIDER_ESMS: {
        vol.Required(CONF_API_KEY): PASSWORD,
        vol.Required(CONF_SECRET_KEY): PASSWORD,
        vol.Required(CONF_BRANDNAME): TEXT,
        vol.Required(CONF_SMS_TYPE, default=str(DEFAULT_SMS_TYPE)): _select(
            CONF_SMS_TYPE, ["2", "1"]
        ),
    },
    PROVIDER_FPT: {
        vol.Required(CONF_CLIENT_ID): TEXT,
        vol.Required(CONF_CLIENT_SECRET): PASSWORD,
        vol.Required(CONF_BRANDNAME): TEXT,
        vol.Required(CONF_ENVIRONMENT, default=ENVIRONMENT_PRODUCTION): _select(
            CONF_ENVIRONMENT, [ENVIRONMENT_PRODUCTION, ENVIRONMENT_SANDBOX]
        ),
        vol.Optional(CONF_AUTH_KEY): TEXT,
    },
    PROVIDER_SMSPAY: {
        vol.Required(CONF_SEND_URL): URL,
        vol.Optional(CONF_REPORT_PARAM): TEXT,
        vol.Optional(CONF_REPORT_VALUE): TEXT,
    },
}

# What reauthentication asks for again: the secrets.
REAUTH_FIELDS: dict[str, dict[vol.Marker, Any]] = {
    PROVIDER_FIBO: {vol.Required(CONF_CLIENT_PASS): PASSWORD},
    PROVIDER_ESMS: {vol.Required(CONF_API_KEY): PASSWORD, vol.Required(CONF_SECRET_KEY): PASSWORD},
    PROVIDER_FPT: {vol.Required(CONF_CLIENT_SECRET): PASSWORD},
    PROVIDER_SMSPAY: {vol.Required(CONF_SEND_URL): URL},
}

# The send-URL texts name these placeholders literally; the frontend would read them as its own.
LITERAL_PLACEHOLDERS = {"phone": "{phone}", "message": "{message}", "sender": "{sender}"}

# Secrets the user copies to the gateway's admin page: suggested fresh, editable.
GENERATED_SECRETS = {PROVIDER_FIBO: CONF_SECURE_CODE, PROVIDER_FPT: CONF_AUTH_KEY}


def account_schema(provider: str, *, advanced: bool) -> vol.Schema:
    """The account form of `provider`, with the proxy/sandbox URL when advanced."""
    fields = dict(ACCOUNT_FIELDS[provider])
    if advanced:
        fields[vol.Optional(CONF_BASE_URL)] = URL
    return vol.Schema(fields)


def normalize(provider: str, user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Entry data from a form: blanks dropped, sms_type an int, the provider recorded."""
    data: dict[str, Any] = {CONF_PROVIDER: provider}
    for key, raw in user_input.items():
        value = raw.strip() if isinstance(raw, str) else raw
        if value not in ("", None):
            data[key] = value
    if CONF_SMS_TYPE in data:
        data[CONF_SMS_TYPE] = int(data[CONF_SMS_TYPE])
    return data


class SmsBridgeConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add an SMS gateway account."""

    VERSION = 1
    MINOR_VERSION = 2  # 1.2: Fibo's VND balance unit stored as "vnd" (async_migrate_entry)

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

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose the gateway."""
        return self.async_show_menu(step_id="user", menu_options=list(PROVIDERS))

    async def async_step_fibo(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """FiboSMS account."""
        return await self._async_step_account(PROVIDER_FIBO, user_input)

    async def async_step_esms(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """eSMS.vn account."""
        return await self._async_step_account(PROVIDER_ESMS, user_input)

    async def async_step_fpt(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """FPT SMS Brandname account."""
        return await self._async_step_account(PROVIDER_FPT, user_input)

    async def async_step_smspay(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """SMSPAY account."""
        return await self._async_step_account(PROVIDER_SMSPAY, user_input)

    async def _async_step_account(
        self, provider: str, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        """Show a gateway's form; on submit check the account live and create the entry."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = normalize(provider, user_input)
            errors = await validate_account(self.hass, data)
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
        suggested: Mapping[str, Any] = user_input or {}
        if user_input is None and provider in GENERATED_SECRETS:
            suggested = {GENERATED_SECRETS[provider]: secrets.token_urlsafe(12)}
        schema = account_schema(provider, advanced=self.show_advanced_options)
        return self.async_show_form(
            step_id=provider,
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
            description_placeholders=LITERAL_PLACEHOLDERS,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The gateway refused the stored credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the secrets again and check them live."""
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
            data_schema=vol.Schema(REAUTH_FIELDS[provider]),
            errors=errors,
            description_placeholders={"name": entry.title, **LITERAL_PLACEHOLDERS},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the account's settings; it must stay the same account."""
        entry = self._get_reconfigure_entry()
        provider = entry.data[CONF_PROVIDER]
        errors: dict[str, str] = {}
        if user_input is not None:
            updates = normalize(provider, user_input)
            # Optional fields left empty are removed, not kept from before.
            data = {
                key: value
                for key, value in entry.data.items()
                if key in (CONF_PROVIDER, CONF_WEBHOOK_ID)
            } | updates
            errors = await validate_account(self.hass, data)
            if not errors:
                await self.async_set_unique_id(account_unique_id(data))
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(entry, data=data)
        schema = account_schema(
            provider, advanced=self.show_advanced_options or CONF_BASE_URL in entry.data
        )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or entry.data),
            errors=errors,
            description_placeholders={"name": entry.title, **LITERAL_PLACEHOLDERS},
        )


class SmsBridgeOptionsFlow(OptionsFlow):
    """Defaults for sending and polling; shows the delivery-report webhook again."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """One form of options."""
        if user_input is not None:
            return self.async_create_entry(data=normalize_options(user_input))
        entry = self.config_entry
        fields: dict[vol.Marker, Any] = {
            vol.Optional(OPT_SENDER): TEXT,
            vol.Required(OPT_ENCODING, default=DEFAULT_ENCODING): _select(
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
        if entry.data[CONF_PROVIDER] == PROVIDER_FIBO:
            fields[vol.Required(OPT_BALANCE_UNIT, default=UNIT_CREDITS)] = _select(
                OPT_BALANCE_UNIT, [UNIT_CREDITS, UNIT_VND_OPTION]
            )
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
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {"number": ""}
        if user_input is not None:
            region = REGIONS[self._get_entry().data[CONF_PROVIDER]]
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
                else:
                    name = user_input[CONF_NAME].strip()
                    data = {CONF_NUMBERS: numbers}
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
            }
        schema = vol.Schema({vol.Required(CONF_NAME): TEXT, vol.Required(CONF_NUMBERS): MULTILINE})
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
            description_placeholders=placeholders,
        )
