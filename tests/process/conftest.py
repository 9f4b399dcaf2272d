"""A real Home Assistant process for the tests in this folder (tools/hass.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
import shutil

import pytest

from tools.hass import HassProcess, free_port

from .harness import ARTIFACTS, PASSWORD, START_TIMEOUT, USERNAME


@pytest.fixture
async def home_assistant(tmp_path: Path, socket_enabled: None) -> AsyncIterator[HassProcess]:
    """A real Home Assistant process, onboarded; its log is kept in artifacts/process/."""
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
