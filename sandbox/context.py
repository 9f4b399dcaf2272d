"""What every gateway handler reads from the application: its state, its courier, parameters.

The app and the gateway modules both import this module, so imports go one way:
`app` -> gateways -> `context` -> `state`/`courier`.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from .courier import Courier
from .state import SandboxState

STATE: web.AppKey[SandboxState] = web.AppKey("state", SandboxState)
COURIER: web.AppKey[Courier] = web.AppKey("courier", Courier)
#: Set when the sandbox shuts down, so requests held open by a timeout fault end.
CLOSING: web.AppKey[asyncio.Event] = web.AppKey("closing", asyncio.Event)


async def read_params(request: web.Request) -> dict[str, str]:
    """Query string merged with a form body (later wins), as gateways read parameters."""
    params = dict(request.query)
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        params.update({k: str(v) for k, v in (await request.post()).items()})
    return params
