"""providers/ stays free of Home Assistant: it could be published on its own."""

from __future__ import annotations

import ast
from pathlib import Path

PROVIDERS = Path(__file__).parents[1] / "custom_components" / "sms_bridge" / "providers"


def test_providers_never_import_homeassistant() -> None:
    """No module in providers/ imports homeassistant."""
    offenders = []
    for path in sorted(PROVIDERS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "homeassistant"]
    assert offenders == []
    assert len(list(PROVIDERS.rglob("*.py"))) >= 3


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


INTEGRATION = PROVIDERS.parent


def _module(path: Path) -> tuple[str, bool]:
    """The module's dotted name inside the integration, and whether it is a package."""
    parts = list(path.relative_to(INTEGRATION).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def _integration_imports(path: Path) -> set[str]:
    """The integration's modules `path` imports, type-only imports and function bodies too."""
    name, package = _module(path)
    here = name.split(".") if name else []
    if not package:
        here = here[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
        target = ".".join([*base, *([node.module] if node.module else [])])
        found.add(target)
    return found


def test_no_import_circle_in_the_integration() -> None:
    """Each module can be read before the modules that import it: no circle, type-only included."""
    paths = sorted(INTEGRATION.rglob("*.py"))
    graph = {_module(path)[0]: _integration_imports(path) for path in paths}
    assert len(graph) >= 40
    done: set[str] = set()
    while len(done) < len(graph):
        ready = {m for m, deps in graph.items() if m not in done and deps - {m} <= done}
        assert ready, f"import circle among {sorted(set(graph) - done)}"
        done |= ready
