"""Forms built from what each gateway declares about its account (`Provider.account_fields`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
import secrets
from typing import Any

from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from ..compat import vol
from ..const import CONF_BASE_URL, CONF_PROVIDER
from ..providers import PROVIDER_CLASSES
from ..providers.models import AccountField, FieldKind

TEXT = TextSelector()
PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
MULTILINE = TextSelector(TextSelectorConfig(multiline=True))

#: The collapsed section holding the gateway's address (a proxy's, or the sandbox's).
SECTION_ADDRESS = "advanced"

# The send-URL texts name these placeholders literally; the frontend would read them as its own.
LITERAL_PLACEHOLDERS = {"phone": "{phone}", "message": "{message}", "sender": "{sender}"}


class CheckedByTheFlow:
    """A selector whose value the flow checks itself, so a wrong one gets a translated error.

    Home Assistant's own check of a number or a switch answers in English ("Value -1.0 is too
    small"), or takes "yes please" for true; the form still shows the field the same way.
    """

    def __call__(self, data: Any) -> Any:
        """The value as given."""
        return data


class NumberBox(CheckedByTheFlow, NumberSelector):
    """A number field the flow checks (see CheckedByTheFlow)."""


class Switch(CheckedByTheFlow, BooleanSelector):
    """An on/off field the flow checks (see CheckedByTheFlow)."""


class Choice(CheckedByTheFlow, SelectSelector):
    """A dropdown the flow checks (see CheckedByTheFlow): its choices can change meanwhile."""


def select(key: str, options: list[str]) -> SelectSelector:
    """A dropdown whose labels come from translations (`selector.<key>.options`)."""
    return SelectSelector(
        SelectSelectorConfig(options=options, translation_key=key, mode=SelectSelectorMode.DROPDOWN)
    )


def _selector(field: AccountField) -> Any:
    if field.kind is FieldKind.CHOICE:
        return select(field.key, list(field.choices))
    return {FieldKind.SECRET: PASSWORD, FieldKind.URL: URL}.get(field.kind, TEXT)


def _marker(field: AccountField) -> vol.Marker:
    if field.kind is FieldKind.CHOICE:
        return vol.Required(field.key, default=field.default or field.choices[0])
    return vol.Required(field.key) if field.required else vol.Optional(field.key)


def fields_schema(fields: Iterable[AccountField]) -> vol.Schema:
    """A form of these fields."""
    return vol.Schema({_marker(field): _selector(field) for field in fields})


def account_schema(provider: str, *, address_open: bool = False) -> vol.Schema:
    """The whole account form of `provider`, the gateway's address last in its own section.

    The section is collapsed unless `address_open` (the account already uses another address).
    """
    address = section(
        vol.Schema({vol.Optional(CONF_BASE_URL): URL}), {"collapsed": not address_open}
    )
    return fields_schema(PROVIDER_CLASSES[provider].account_fields).extend(
        {vol.Optional(SECTION_ADDRESS): address}
    )


def section_errors(errors: dict[str, str]) -> dict[str, str]:
    """Form errors as the form shows them: the address's under its section."""
    if CONF_BASE_URL in errors:
        errors[SECTION_ADDRESS] = errors.pop(CONF_BASE_URL)
    return errors


def with_sections(data: Mapping[str, Any]) -> dict[str, Any]:
    """Entry data as the account form shows it (the address inside its section)."""
    shown = {key: value for key, value in data.items() if key != CONF_BASE_URL}
    shown[SECTION_ADDRESS] = {CONF_BASE_URL: data[CONF_BASE_URL]} if CONF_BASE_URL in data else {}
    return shown


def reauth_schema(provider: str) -> vol.Schema:
    """What reauthentication asks for again: the credentials."""
    return fields_schema(f for f in PROVIDER_CLASSES[provider].account_fields if f.reauth)


def suggested_secrets(provider: str) -> dict[str, str]:
    """Fresh values for the secrets the user copies to the gateway (editable suggestions)."""
    return {
        field.key: secrets.token_urlsafe(12)
        for field in PROVIDER_CLASSES[provider].account_fields
        if field.generated
    }


def normalize(provider: str, user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Entry data from a form: blanks dropped, numbers as ints, the provider recorded."""
    integers = {f.key for f in PROVIDER_CLASSES[provider].account_fields if f.integer}
    data: dict[str, Any] = {CONF_PROVIDER: provider}
    flat = {k: v for k, v in user_input.items() if k != SECTION_ADDRESS}
    flat |= user_input.get(SECTION_ADDRESS) or {}
    for key, raw in flat.items():
        value = raw.strip() if isinstance(raw, str) else raw
        if value not in ("", None):
            data[key] = int(value) if key in integers else value
    return data
