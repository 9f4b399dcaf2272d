"""hassfest's translation and services rules, mirrored for machines without its validators.

scripts/test runs the real hassfest when ../shared/validators exists; these checks keep the
rules that matter to SMS Bridge on every machine: translation keys (selector options, entity and
service names) match [a-z0-9-_], data_description keys name a field of their step, texts have
no HTML or stray spaces, and every action in services.yaml and each of its fields has a name and
a description in strings.json and an icon (core's rules, stricter than custom integrations').
Source: script/hassfest/translations.py and services.py of home-assistant/core.
"""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.selector import SelectSelector
from homeassistant.util.yaml import load_yaml_dict
import pytest
import voluptuous as vol

from custom_components.sms_bridge import config_flow
from custom_components.sms_bridge.flows.forms import account_schema
from custom_components.sms_bridge.providers import PROVIDER_CLASSES

COMPONENT = Path(config_flow.__file__).parent
FILES = ("strings.json", "translations/en.json", "translations/vi.json", "translations/bg.json")
RE_TRANSLATION_KEY = re.compile(r"^(?!.+[_-]{2})(?![_-])[a-z0-9-_]+(?<![_-])$")
RE_COMBINED_REFERENCE = re.compile(r"(.+\[%)|(%\].+)")
RE_PLACEHOLDER_IN_SINGLE_QUOTES = re.compile(r"'{\w+}'")


def translation_key(value: str) -> str:
    """A key the frontend can look up: [a-z0-9-_], no edge or doubled - and _."""
    if not RE_TRANSLATION_KEY.match(value):
        raise vol.Invalid(f"Invalid translation key '{value}'")
    return value


def text(value: Any) -> str:
    """A translated text: no HTML, no '{quoted}' placeholder, no combined reference, trimmed."""
    value = cv.string_with_no_html(value)
    if RE_PLACEHOLDER_IN_SINGLE_QUOTES.search(value):
        raise vol.Invalid("placeholder inside single quotes")
    if RE_COMBINED_REFERENCE.search(value):
        raise vol.Invalid("combined translation reference")
    if value != value.strip():
        raise vol.Invalid("leading or trailing spaces")
    return value


def data_description_in_data(value: dict[str, Any]) -> dict[str, Any]:
    """Each data_description describes a field of its own step."""
    for step_id, step in value["step"].items():
        for key in step.get("data_description", {}):
            if key not in step.get("data", {}):
                raise vol.Invalid(f"data_description key {key} is not in data of step {step_id}")
    return value


TEXTS = {str: text}
FLOW = vol.All(
    vol.Schema(
        {
            vol.Required("step"): {
                str: {
                    vol.Optional("title"): text,
                    vol.Optional("description"): text,
                    vol.Optional("data"): TEXTS,
                    vol.Optional("data_description"): TEXTS,
                    vol.Optional("menu_options"): TEXTS,
                    vol.Optional("menu_option_descriptions"): TEXTS,
                    vol.Optional("submit"): text,
                    vol.Optional("sections"): {
                        str: {
                            vol.Optional("data"): TEXTS,
                            vol.Optional("data_description"): TEXTS,
                            vol.Optional("description"): text,
                            vol.Optional("name"): text,
                        }
                    },
                }
            },
            **{vol.Optional(key): TEXTS for key in ("error", "abort", "progress")},
            **{vol.Optional(key): TEXTS for key in ("create_entry", "initiate_flow")},
            vol.Optional("entry_type"): text,
        }
    ),
    data_description_in_data,
)
STATES = cv.schema_with_slug_keys(text, slug_validator=translation_key)
ENTITY = {
    vol.Optional("name"): text,
    vol.Optional("state"): STATES,
    vol.Optional("state_attributes"): cv.schema_with_slug_keys(
        {vol.Optional("name"): text, vol.Optional("state"): STATES},
        slug_validator=translation_key,
    ),
    vol.Optional("unit_of_measurement"): text,
}
SERVICE = {
    vol.Required("name"): text,
    vol.Required("description"): text,
    vol.Optional("fields"): cv.schema_with_slug_keys(
        {
            vol.Required("name"): str,
            vol.Required("description"): text,
            vol.Optional("example"): text,
        },
        slug_validator=translation_key,
    ),
    vol.Optional("sections"): cv.schema_with_slug_keys(
        {vol.Required("name"): str, vol.Optional("description"): text},
        slug_validator=translation_key,
    ),
}
ISSUE = vol.All(
    cv.has_at_least_one_key("description", "fix_flow"),
    {
        vol.Required("title"): text,
        vol.Exclusive("description", "fixable"): text,
        vol.Exclusive("fix_flow", "fixable"): FLOW,
    },
)
STRINGS = vol.Schema(
    {
        vol.Optional("title"): text,
        vol.Optional("config"): FLOW,
        vol.Optional("config_subentries"): cv.schema_with_slug_keys(
            FLOW, slug_validator=vol.Any("_", cv.slug)
        ),
        vol.Optional("options"): FLOW,
        vol.Optional("selector"): cv.schema_with_slug_keys(
            {
                vol.Optional("options"): STATES,
                vol.Optional("unit_of_measurement"): STATES,
                vol.Optional("fields"): cv.schema_with_slug_keys(str),
            },
            slug_validator=vol.Any("_", cv.slug),
        ),
        vol.Optional("device"): cv.schema_with_slug_keys(
            {vol.Optional("name"): text}, slug_validator=translation_key
        ),
        vol.Optional("entity"): cv.schema_with_slug_keys(
            cv.schema_with_slug_keys(ENTITY, slug_validator=translation_key),
            slug_validator=cv.slug,
        ),
        vol.Optional("exceptions"): cv.schema_with_slug_keys(
            {vol.Optional("message"): text}, slug_validator=cv.slug
        ),
        vol.Optional("services"): cv.schema_with_slug_keys(SERVICE, slug_validator=translation_key),
        vol.Optional("issues"): {str: ISSUE},
    }
)


def load(name: str) -> dict[str, Any]:
    """One of the integration's JSON files."""
    data = json.loads((COMPONENT / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("name", FILES)
def test_translation_file_passes_hassfest(name: str) -> None:
    """strings.json and every translation pass hassfest's translation schema."""
    STRINGS(load(name))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("selector", "balance_unit", "options"), {"VND": "VND"}),
        (("entity", "sensor"), {"Balance": {"name": "Balance"}}),
        (("config", "step", "reconfigure", "data_description"), {"no_such_field": "Text"}),
        (("options", "step", "fibo", "title"), "Options "),
        (("services", "send", "fields", "message"), {"name": "Message"}),
    ],
)
def test_schema_catches_what_hassfest_refuses(path: tuple[str, ...], value: Any) -> None:
    """The mirror can fail: an upper-case key, a stray description, a space, a missing text."""
    strings = load("strings.json")
    node = strings
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(vol.Invalid):
        STRINGS(strings)


def test_actions_have_names_descriptions_and_icons() -> None:
    """Each action and field in services.yaml is named and described in strings.json, with icon.

    Also no translated field that the action lacks, and select selectors' translation keys exist.
    """
    services = load_yaml_dict(str(COMPONENT / "services.yaml"))
    strings = load("strings.json")
    icons = load("icons.json").get("services", {})
    problems = []
    for service, schema in services.items():
        translated = strings.get("services", {}).get(service, {})
        if service not in icons:
            problems.append(f"{service}: no icon in icons.json")
        problems += [
            f"{service}: no {key}" for key in ("name", "description") if key not in translated
        ]
        fields = (schema or {}).get("fields", {})
        for field, field_schema in fields.items():
            texts = translated.get("fields", {}).get(field, {})
            problems += [
                f"{service}.{field}: no {k}" for k in ("name", "description") if k not in texts
            ]
            key = (field_schema or {}).get("selector", {}).get("select", {}).get("translation_key")
            if key is not None and key not in strings.get("selector", {}):
                problems.append(f"{service}.{field}: no selector {key} in strings.json")
        problems += [
            f"{service}.{field}: translated but not in services.yaml"
            for field in translated.get("fields", {})
            if field not in fields
        ]
    assert problems == []


@pytest.mark.parametrize("provider", list(PROVIDER_CLASSES))
def test_form_selector_options_are_translated(provider: str) -> None:
    """Every option of an account form's dropdown is a translated, valid translation key."""
    selectors = load("strings.json")["selector"]
    for marker, selector in account_schema(provider).schema.items():
        if isinstance(selector, SelectSelector):
            key = selector.config["translation_key"]
            options = [str(option) for option in selector.config["options"]]
            assert [translation_key(option) for option in options] == options, marker
            assert set(options) <= set(selectors[key]["options"]), marker
