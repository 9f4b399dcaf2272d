"""providers/ stays free of Home Assistant: it could be published on its own."""

from __future__ import annotations

import ast
from pathlib import Path

PROVIDERS = Path(__file__).parents[1] / "custom_components" / "sms_bridge" / "providers"


def test_providers_never_import_homeassistant() -> None:
    """No module in providers/ imports homeassistant."""
    offenders = []
    for path in sorted(PROVIDERS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "homeassistant"]
    assert offenders == []
    assert len(list(PROVIDERS.glob("*.py"))) >= 3
