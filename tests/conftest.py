"""Shared fixtures: the gateway sandbox on a loopback port, an HTTP session to reach it."""

from __future__ import annotations

from collections.abc import AsyncIterator
import logging
from pathlib import Path

import aiohttp
import pytest

# Import the integration before the hass fixture loads custom integrations, or HA finds the test
# harness's own empty custom_components package (DESIGN.md).
import custom_components.sms_bridge  # noqa: F401
from sandbox import Sandbox

SEEDS = Path(__file__).parent / "fixtures"

# The harness logs every SQL statement (INFO); the recorder thread's last ones then reach the
# terminal after the test's capture has ended, burying the run's own output. None is read here.
logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)


@pytest.fixture
async def sandbox(socket_enabled: None) -> AsyncIterator[Sandbox]:
    """The four imitation gateways on a free loopback port, reports delivered fast.

    `socket_enabled` lifts the harness's socket block; connections stay limited to 127.0.0.1.
    """
    server = Sandbox(dlr_delay=0.01)
    server.courier.retry_delay = 0.01
    await server.start()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session, as Home Assistant's shared one would be."""
    async with aiohttp.ClientSession() as client:
        yield client
