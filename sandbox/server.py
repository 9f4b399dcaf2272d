"""Run the sandbox in-process (tests) or as a program (`python -m sandbox`)."""

from __future__ import annotations

from aiohttp import web

from .app import create_app
from .context import COURIER
from .courier import Courier
from .state import SandboxState


class Sandbox:
    """The four imitation gateways on one loopback port."""

    def __init__(self, *, dlr_delay: float = 0.05) -> None:
        self.state = SandboxState(dlr_delay=dlr_delay)
        self.app = create_app(self.state)
        self._runner: web.AppRunner | None = None
        self.url = ""

    @property
    def courier(self) -> Courier:
        """The background deliverer of reports."""
        return self.app[COURIER]

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on host:port (0 = a free port); returns the base URL."""
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        sockets = site._server.sockets if site._server else []  # noqa: SLF001
        bound = sockets[0].getsockname()[1] if sockets else port
        self.url = f"http://{host}:{bound}"
        return self.url

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait until every delivery report under way has been delivered."""
        await self.courier.idle(timeout)

    async def close(self) -> None:
        """Stop listening and cancel reports still under way."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
