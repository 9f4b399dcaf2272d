"""A real Home Assistant process for the tests in this folder (tools/hass.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
import importlib.util
import json
from pathlib import Path
import shutil

import pytest

from tools.hass import HassProcess, free_port

from .harness import ARTIFACTS, PASSWORD, START_TIMEOUT, USERNAME


def missing_frontend() -> str:
    """Why a real process cannot start here: HA sets its frontend up always, and needs it."""
    spec = importlib.util.find_spec("homeassistant.components.frontend")
    assert spec is not None
    assert spec.origin is not None
    manifest = json.loads((Path(spec.origin).parent / "manifest.json").read_text())
    pinned = " ".join(manifest["requirements"])
    return (
        f"a real Home Assistant process needs {pinned}, which this stack lacks: add it to the "
        "stack's requirements, or give tools/hass.py a stand-in for it and drop this skip"
    )


@pytest.fixture
async def home_assistant(tmp_path: Path, socket_enabled: None) -> AsyncIterator[HassProcess]:
    """A real Home Assistant process, onboarded; its log is kept in artifacts/process/."""
    if importlib.util.find_spec("hass_frontend") is None:
        pytest.skip(missing_frontend())
    hass = HassProcess(tmp_path / "config", free_port())
    try:
        await hass.start(timeout=START_TIMEOUT)
        await hass.login(USERNAME, PASSWORD)
        yield hass
    finally:
        await hass.stop()
        if hass.log_path.exists():
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(hass.log_path, ARTIFACTS / "hass-process.log")
