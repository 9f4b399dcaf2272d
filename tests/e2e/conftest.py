"""Fixtures of the browser tests: a real Home Assistant with its frontend, and a chromium page.

Needs Debian's chromium (/usr/bin/chromium, or $CHROMIUM) and Playwright for Python
(requirements/e2e.txt); `scripts/test --e2e` installs both. Without them the tests are skipped.
Screenshots and Home Assistant's log go to artifacts/e2e/ at the repository root.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import importlib
import os
from pathlib import Path
import shutil
from typing import TYPE_CHECKING, Any

import pytest

from tools.hass import HassProcess, free_port

if TYPE_CHECKING:
    from playwright.async_api import Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "e2e"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Headless chromium as DESIGN.md describes it: no sandbox (root in a container), no GPU, and
# nothing that reaches the internet on its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
USERNAME = "dev"
PASSWORD = "dev"
STEP_TIMEOUT_MS = 20_000  # any one wait in the browser; the whole test takes about 30 s
START_TIMEOUT = 90.0  # Home Assistant's start: about 8 s here


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    """Remember each phase's report on the test item, so fixtures can tell a failed test."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """artifacts/e2e/, emptied of the previous run's files once: each test adds its own."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture
async def home_assistant(
    request: pytest.FixtureRequest, tmp_path: Path, artifacts: Path, socket_enabled: None
) -> AsyncIterator[HassProcess]:
    """A real Home Assistant process with its frontend, onboarded with the user dev/dev.

    Its log is kept as artifacts/e2e/hass-<test>.log.
    """
    hass = HassProcess(tmp_path / "config", free_port(), frontend=True)
    try:
        await hass.start(timeout=START_TIMEOUT)
        await hass.login(USERNAME, PASSWORD)  # onboarding creates the user
        yield hass
    finally:
        await hass.stop()
        if hass.log_path.exists():
            name = request.node.name.removeprefix("test_")
            shutil.copyfile(hass.log_path, artifacts / f"hass-{name}.log")


def unavailable(reason: str) -> None:
    """Skip; but fail under scripts/test, which installs what the test needs (E2E_REQUIRED)."""
    if os.environ.get("E2E_REQUIRED"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def chromium() -> str:
    """Debian's chromium, and Playwright for Python to drive it."""
    try:
        importlib.import_module("playwright.async_api")
    except ImportError:
        unavailable("Playwright is not installed: run scripts/test --e2e")
    if not Path(CHROMIUM).exists():
        unavailable(f"no chromium at {CHROMIUM}: run scripts/test --e2e")
    return CHROMIUM


@pytest.fixture
async def page(
    request: pytest.FixtureRequest, chromium: str, artifacts: Path
) -> AsyncIterator[Page]:
    """A headless chromium page in English, 1280x900; a failure leaves failure.png behind."""
    from playwright.async_api import async_playwright

    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(
                viewport={"width": 1280, "height": 900}, locale="en-US"
            )
            context.set_default_timeout(STEP_TIMEOUT_MS)
            tab = await context.new_page()
            yield tab
            report = getattr(request.node, "report_call", None)
            if report is None or report.failed:
                await tab.screenshot(path=artifacts / "failure.png")
        finally:
            await browser.close()
