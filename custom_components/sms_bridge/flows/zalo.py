"""The Zalo parts of an eSMS account's forms: its Official Account, a recipient's channel.

Options: where eSMS's lookups answer, the field offers the account's OAs by name, and the form
lists the chosen OA's templates with their parameters (what `zalo_params` takes). While they do
not, the OA id can be typed; it is checked when a Zalo message is sent.

A recipient may be texted by Zalo: its notify message then goes into the template parameter it
names (and is the SMS when Zalo fails, for Zalo-then-SMS); its other parameters are fixed values,
one `name: value` per line.
"""

from __future__ import annotations

from collections.abc import Mapping
import re
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelectorConfig,
    SelectSelectorMode,
)

from ..compat import vol
from ..const import OPT_ZALO_OA
from ..providers.channels import DATE, Channel, ZaloTemplate
from ..providers.errors import ProviderError
from .forms import MULTILINE, TEXT, Choice, select

#: An OA id as eSMS lists it: digits.
_OA_ID = re.compile(r"\d{1,30}")
#: What the form shows where no template is known.
NONE_KNOWN = "\u2013"  # an en dash


def has_zalo(cls: Any) -> bool:
    """Whether the gateway sends Zalo messages."""
    return Channel.ZALO in cls.channels


def describe(template: ZaloTemplate) -> str:
    """A template as the form lists it: `id` name: its parameters (a date's format)."""
    params = ", ".join(
        f"{param.name} (dd/MM/yyyy)" if param.kind == DATE else param.name
        for param in template.params
    )
    return f"`{template.template_id}` {template.name}: {params}"


async def async_zalo_fields(
    entry: ConfigEntry[Any], options: Mapping[str, Any]
) -> tuple[dict[vol.Marker, Any], dict[str, str]]:
    """The OA field (a list where eSMS answers), and the chosen OA's templates as text."""
    templates = NONE_KNOWN
    field: Any = TEXT
    if entry.state is ConfigEntryState.LOADED:
        directory = entry.runtime_data.zalo
        try:
            accounts = await directory.async_accounts()
        except ProviderError:
            accounts = []
        if accounts:
            field = Choice(
                SelectSelectorConfig(
                    options=[
                        SelectOptionDict(value=a.oa_id, label=f"{a.name} ({a.oa_id})")
                        for a in accounts
                    ],
                    custom_value=True,
                    mode=SelectSelectorMode.DROPDOWN,
                )
            )
        if oa_id := options.get(OPT_ZALO_OA):
            try:
                listed = await directory.async_templates(str(oa_id))
            except ProviderError:
                listed = []
            templates = "; ".join(describe(t) for t in listed) or NONE_KNOWN
    return {vol.Optional(OPT_ZALO_OA): field}, {"zalo_templates": templates}


def zalo_oa_error(options: Mapping[str, Any]) -> dict[str, str]:
    """An OA id that cannot be one (eSMS's are digits)."""
    value = options.get(OPT_ZALO_OA)
    if value in (None, "") or (isinstance(value, str) and _OA_ID.fullmatch(value.strip())):
        return {}
    return {OPT_ZALO_OA: "invalid_zalo_oa"}


#: A recipient's channel, template, the parameter its notify message fills, the other values.
CONF_CHANNEL = "channel"
CONF_ZALO_TEMPLATE = "zalo_template"
CONF_ZALO_PARAM = "zalo_param"
CONF_ZALO_VALUES = "zalo_values"
CHANNELS = [Channel.SMS.value, Channel.ZALO.value, Channel.ZALO_SMS.value]


def recipient_zalo_fields() -> dict[vol.Marker, Any]:
    """A recipient's channel, and what a Zalo message to it is made of."""
    return {
        vol.Required(CONF_CHANNEL, default=Channel.SMS.value): select("channel", CHANNELS),
        vol.Optional(CONF_ZALO_TEMPLATE): TEXT,
        vol.Optional(CONF_ZALO_PARAM): TEXT,
        vol.Optional(CONF_ZALO_VALUES): MULTILINE,
    }


def parse_values(text: str) -> dict[str, str] | None:
    """`name: value` lines as a dict; None when a line is not one."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            return None
        values[name.strip()] = value.strip()
    return values


async def async_recipient_zalo(
    entry: ConfigEntry[Any], user_input: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """A recipient's Zalo settings as stored, or the fields' errors (checked against eSMS)."""
    channel = user_input.get(CONF_CHANNEL, Channel.SMS.value)
    if channel == Channel.SMS.value:
        return {}, {}
    template_id = str(user_input.get(CONF_ZALO_TEMPLATE) or "").strip()
    param = str(user_input.get(CONF_ZALO_PARAM) or "").strip()
    values = parse_values(str(user_input.get(CONF_ZALO_VALUES) or ""))
    errors: dict[str, str] = {}
    if not entry.options.get(OPT_ZALO_OA):
        errors[CONF_CHANNEL] = "zalo_oa_missing"
    if not template_id:
        errors[CONF_ZALO_TEMPLATE] = "zalo_template_required"
    if not param:
        errors[CONF_ZALO_PARAM] = "zalo_param_required"
    if values is None:
        errors[CONF_ZALO_VALUES] = "invalid_zalo_values"
    if errors or entry.state is not ConfigEntryState.LOADED:
        return {}, errors
    try:
        templates = await entry.runtime_data.zalo.async_templates(str(entry.options[OPT_ZALO_OA]))
    except ProviderError:
        templates = None  # checked when a message is sent
    if templates is not None:
        template = next((t for t in templates if t.template_id == template_id), None)
        names = {p.name for p in template.params} if template else set()
        if template is None:
            errors[CONF_ZALO_TEMPLATE] = "zalo_template_unknown"
        elif param not in names:
            errors[CONF_ZALO_PARAM] = "zalo_param_not_in_template"
        elif set(values or {}) - names:
            errors[CONF_ZALO_VALUES] = "zalo_param_not_in_template"
    if errors:
        return {}, errors
    return {
        CONF_CHANNEL: channel,
        CONF_ZALO_TEMPLATE: template_id,
        CONF_ZALO_PARAM: param,
        CONF_ZALO_VALUES: values or {},
    }, {}


def recipient_suggested(data: Mapping[str, Any]) -> dict[str, Any]:
    """A recipient's stored Zalo settings, as its form shows them."""
    if CONF_CHANNEL not in data:
        return {}
    values = data.get(CONF_ZALO_VALUES) or {}
    return {
        CONF_CHANNEL: data[CONF_CHANNEL],
        CONF_ZALO_TEMPLATE: data.get(CONF_ZALO_TEMPLATE, ""),
        CONF_ZALO_PARAM: data.get(CONF_ZALO_PARAM, ""),
        CONF_ZALO_VALUES: "\n".join(f"{k}: {v}" for k, v in values.items()),
    }
