"""Every gateway client a test builds is closed afterwards, as the integration closes its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from custom_components.sms_bridge.providers.base import Provider


@pytest.fixture(autouse=True)
async def close_clients(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[list[Provider]]:
    """The clients built during the test; each is closed (its send session, if any) at the end."""
    built: list[Provider] = []
    init = Provider.__init__

    def recorded_init(self: Provider, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        built.append(self)

    monkeypatch.setattr(Provider, "__init__", recorded_init)
    yield built
    for client in built:
        await client.close()
