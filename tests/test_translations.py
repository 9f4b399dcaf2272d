"""Translations: English, Vietnamese and Bulgarian say the same things, with the same slots."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
import json
from pathlib import Path
import re
from typing import Any

import pytest

from custom_components.sms_bridge import sensor

COMPONENT = Path(sensor.__file__).parent
LANGUAGES = ("en", "vi", "bg")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
TRANSLATION_KEY = re.compile(r"translation_key=\"(\w+)\"")


def load(path: Path) -> dict[str, Any]:
    """A JSON file of the integration."""
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def flatten(tree: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(dotted key, text) for every string in a translation tree."""
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from flatten(value, f"{path}.")
        else:
            assert isinstance(value, str), path
            yield path, value


@pytest.fixture(scope="module")
def strings() -> dict[str, Any]:
    """strings.json: the source of the English texts."""
    return load(COMPONENT / "strings.json")


@pytest.fixture(scope="module")
def translations() -> dict[str, dict[str, str]]:
    """Each language's texts by dotted key."""
    return {
        language: dict(flatten(load(COMPONENT / "translations" / f"{language}.json")))
        for language in LANGUAGES
    }


def test_strings_is_english(strings: dict[str, Any]) -> None:
    """translations/en.json is strings.json, so HA shows what the source says."""
    assert load(COMPONENT / "translations" / "en.json") == strings


@pytest.mark.parametrize("language", ["vi", "bg"])
def test_same_keys(translations: dict[str, dict[str, str]], language: str) -> None:
    """Nothing missing and nothing left over in a translation."""
    english = set(translations["en"])
    other = set(translations[language])
    missing = sorted(english - other)
    left_over = sorted(other - english)
    assert (missing, left_over) == ([], [])


@pytest.mark.parametrize("language", ["vi", "bg"])
def test_same_placeholders(translations: dict[str, dict[str, str]], language: str) -> None:
    """Every {placeholder} of an English text is in its translation, and no other one."""
    wrong = {
        key: (sorted(PLACEHOLDER.findall(text)), sorted(PLACEHOLDER.findall(translated)))
        for key, text in translations["en"].items()
        if (translated := translations[language].get(key)) is not None
        and set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(translated))
    }
    assert wrong == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_empty_text(translations: dict[str, dict[str, str]], language: str) -> None:
    """Every text says something."""
    assert [key for key, text in translations[language].items() if not text.strip()] == []


def test_icons_match_entities(strings: dict[str, Any]) -> None:
    """icons.json has an icon for exactly the entities strings.json names."""
    icons = load(COMPONENT / "icons.json")
    assert icons["entity"].keys() == strings["entity"].keys()
    for platform, entities in strings["entity"].items():
        assert icons["entity"][platform].keys() == entities.keys(), platform
        for key, icon in icons["entity"][platform].items():
            assert icon["default"].startswith("mdi:"), key


def test_sensor_translation_keys_exist(strings: dict[str, Any]) -> None:
    """Every sensor description's translation key has a name in strings.json."""
    descriptions = [sensor.BALANCE_VND, sensor.BALANCE_CREDITS, *sensor.DAILY]
    names = strings["entity"]["sensor"]
    for description in descriptions:
        assert description.translation_key in names, description.key
        assert names[description.translation_key]["name"]
    # A sensor with a translated unit must not also carry a unit of its own.
    for description in descriptions:
        if "unit_of_measurement" in names[description.translation_key]:
            assert description.native_unit_of_measurement is None, description.key
            assert description.device_class is None, description.key


def test_coordinator_errors_translated(strings: dict[str, Any]) -> None:
    """The errors the coordinator raises have translated messages with their placeholders."""
    source = (COMPONENT / "coordinator.py").read_text(encoding="utf-8")
    keys = TRANSLATION_KEY.findall(source)
    assert keys
    for key in keys:
        assert strings["exceptions"][key]["message"], key
    assert PLACEHOLDER.findall(strings["exceptions"]["update_failed"]["message"]) == ["error"]
