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


SANDBOX = Path(__file__).parents[1] / "sandbox"


def _sandbox_imports(path: Path) -> set[str]:
    """The sandbox modules `path` imports, at any depth of its code (function bodies too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module} if node.module else {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sandbox."):
            found.add(str(node.module).removeprefix("sandbox."))
    return {name.split(".")[0] for name in found}


def test_sandbox_imports_go_one_way() -> None:
    """No import circle among the sandbox's modules: each can be read before its importers."""
    graph = {path.stem: _sandbox_imports(path) for path in SANDBOX.glob("*.py")}
    assert graph["app"] >= {"fibo", "esms", "fpt", "smspay"}
    done: set[str] = set()
    while len(done) < len(graph):
        ready = {m for m, deps in graph.items() if m not in done and deps - {m} <= done}
        assert ready, f"import circle among {sorted(set(graph) - done)}"
        done |= ready
