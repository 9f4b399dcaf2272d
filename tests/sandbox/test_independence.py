"""The sandbox checks the client, so it must not share the client's code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SANDBOX = Path(__file__).parents[2] / "sandbox"


def imported_modules(source: str) -> list[str]:
    """Every absolute module a source imports, anywhere in it (function bodies too)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [node.module]
            found += [f"{node.module}.{alias.name}" for alias in node.names]
        elif (  # importlib.import_module("custom_components...") and __import__("...")
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (getattr(node.func, "attr", None) or getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append(node.args[0].value)
    return found


def client_imports(source: str) -> list[str]:
    """The imports of the client's package (custom_components) in a source."""
    return [name for name in imported_modules(source) if name.split(".")[0] == "custom_components"]


def test_sandbox_never_imports_the_client() -> None:
    """No sandbox module imports custom_components: an error there would agree with itself."""
    modules = sorted(SANDBOX.glob("*.py"))
    assert len(modules) >= 10
    offenders = {
        path.name: found
        for path in modules
        if (found := client_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


@pytest.mark.parametrize(
    "source",
    [
        "from custom_components.sms_bridge.providers.text import segment_count",
        "import custom_components.sms_bridge.providers.fpt.hours as hours",
        "from custom_components import sms_bridge",
        "def f():\n    from custom_components.sms_bridge import const\n",
        "import importlib\nimportlib.import_module('custom_components.sms_bridge')",
        "__import__('custom_components.sms_bridge.providers.text')",
    ],
)
def test_the_check_sees_every_form_of_import(source: str) -> None:
    """The check above is not fooled by a function-level or a dynamic import."""
    assert client_imports(source) != []


def test_the_check_leaves_other_imports_alone() -> None:
    """Standard library, aiohttp and the sandbox's own modules are fine."""
    source = "import re\nfrom aiohttp import web\nfrom . import rules\nfrom .state import Fault\n"
    assert client_imports(source) == []
