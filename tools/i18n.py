"""Edit the integration's texts in English, Vietnamese and Bulgarian at once.

strings.json is the English source and translations/en.json its copy; vi.json and bg.json hold the
same keys. A text is added or changed in all four files in one step, so none is forgotten:

    python -m tools.i18n apply texts.json  # {"exceptions.x.message": {"en": "..", "vi": "..", ..}}
    python -m tools.i18n remove exceptions.x

Keys are dotted paths; a new key goes last in its parent. Files keep their two-space indent.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from .hass import INTEGRATION

LANGUAGES = ("en", "vi", "bg")


def files() -> dict[str, list[Path]]:
    """The files each language's texts are written to."""
    translations = INTEGRATION / "translations"
    return {
        "en": [INTEGRATION / "strings.json", translations / "en.json"],
        "vi": [translations / "vi.json"],
        "bg": [translations / "bg.json"],
    }


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _save(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _set(tree: dict[str, Any], key: str, text: str) -> None:
    *parents, leaf = key.split(".")
    for part in parents:
        tree = tree.setdefault(part, {})
    tree[leaf] = text


def _remove(tree: dict[str, Any], key: str) -> None:
    *parents, leaf = key.split(".")
    for part in parents:
        tree = tree[part]
    del tree[leaf]


def apply(texts: dict[str, dict[str, str]]) -> None:
    """Write each key's text in every language; a key missing a language is refused."""
    for key, by_language in texts.items():
        missing = [language for language in LANGUAGES if language not in by_language]
        if missing:
            raise SystemExit(f"{key}: no text for {', '.join(missing)}")
    for language, paths in files().items():
        for path in paths:
            data = _load(path)
            for key, by_language in texts.items():
                _set(data, key, by_language[language])
            _save(path, data)


def remove(keys: list[str]) -> None:
    """Delete the keys from every language."""
    for paths in files().values():
        for path in paths:
            data = _load(path)
            for key in keys:
                _remove(data, key)
            _save(path, data)


def main() -> None:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m tools.i18n", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("apply").add_argument("file", type=Path)
    commands.add_parser("remove").add_argument("keys", nargs="+")
    args = parser.parse_args()
    if args.command == "apply":
        apply(json.loads(args.file.read_text(encoding="utf-8")))
    else:
        remove(args.keys)


if __name__ == "__main__":
    main()
