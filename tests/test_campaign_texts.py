"""Every error the campaign action raises has its text in every language, with its placeholders."""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re

import pytest

from custom_components.sms_bridge import const
from custom_components.sms_bridge.campaigns import action as campaigns

COMPONENT = Path(const.__file__).parent

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def raised() -> dict[str, set[str]]:
    """Translation key -> placeholder names, per `_invalid`/`_failed` call of the action."""
    tree = ast.parse(Path(campaigns.__file__).read_text(encoding="utf-8"))
    found: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("_invalid", "_failed")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found[str(node.args[0].value)] = {str(k.arg) for k in node.keywords}
    return found


@pytest.mark.parametrize("language", ["en", "vi", "bg"])
def test_campaign_errors_are_translated(language: str) -> None:
    """Each key exists, and its text uses exactly the placeholders the code fills in."""
    texts = json.loads(
        (Path(const.__file__).parent / "translations" / f"{language}.json").read_text("utf-8")
    )
    keys = raised()
    assert len(keys) >= 13
    for key, placeholders in keys.items():
        message = texts["exceptions"][key]["message"]
        assert set(PLACEHOLDER.findall(message)) == placeholders, key


def test_campaign_action_is_described() -> None:
    """The action's fields in services.yaml are exactly the schema's, each named in strings."""
    strings = json.loads((COMPONENT / "strings.json").read_text("utf-8"))
    fields = {str(key) for key in campaigns.SEND_CAMPAIGN_SCHEMA.schema}
    assert set(strings["services"]["send_campaign"]["fields"]) == fields
