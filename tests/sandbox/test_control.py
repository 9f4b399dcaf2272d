"""The sandbox's control API and fault injection."""

from __future__ import annotations

import aiohttp

from sandbox import Sandbox


async def test_state_lists_builtin_accounts(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    """GET /_sandbox/state shows every gateway's built-in account."""
    async with session.get(f"{sandbox.url}/_sandbox/state") as response:
        data = await response.json()
    assert {a["gateway"] for a in data["accounts"]} == {"fibo", "esms", "fpt", "smspay"}
