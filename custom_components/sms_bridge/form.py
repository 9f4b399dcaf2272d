"""Forms built from what each gateway declares about its account (`Provider.account_fields`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
import secrets
from typing import Any

from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .const import CONF_BASE_URL, CONF_PROVIDER
from .providers import PROVIDER_CLASSES
from .providers.base import AccountField, FieldKind

TEXT = TextSelector()
PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
MULTILINE = TextSelector(TextSelectorConfig(multiline=True))

# The send-URL texts name these placeholders literally; the frontend would read them as its own.
LITERAL_PLACEHOLDERS = {"phone": "{phone}", "message": "{message}", "sender": "{sender}"}


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


def fields_schema(fields: Iterable[AccountField], *, advanced: bool = False) -> vol.Schema:
    """A form of these fields, with the proxy/sandbox address last when advanced."""
    schema: dict[vol.Marker, Any] = {_marker(field): _selector(field) for field in fields}
    if advanced:
        schema[vol.Optional(CONF_BASE_URL)] = URL
    return vol.Schema(schema)


def account_schema(provider: str, *, advanced: bool) -> vol.Schema:
    """The whole account form of `provider`."""
    return fields_schema(PROVIDER_CLASSES[provider].account_fields, advanced=advanced)


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
    for key, raw in user_input.items():
        value = raw.strip() if isinstance(raw, str) else raw
        if value not in ("", None):
            data[key] = int(value) if key in integers else value
    return data
