"""Run a real Home Assistant process on loopback and talk to it like a user's browser would.

Used by scripts/demo (throwaway config), scripts/develop (./config), the browser test and the
kill -9 test (tests/process).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from dataclasses import dataclass, field
import importlib.util
import os
from pathlib import Path
import shutil
import signal
import socket
import sys
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = "sms_bridge"
INTEGRATION = ROOT / "custom_components" / "sms_bridge"
ONBOARDING_STEPS = ("user", "core_config", "analytics", "integration")
#: `python -m homeassistant` without its Python version check: HA 2026.2 asks for 3.13.2 and the
#: newest stack runs it on 3.13.0, as its tests do (DESIGN.md). The rest is HA's own `main()`.
LAUNCH = (
    "import sys; import homeassistant.__main__ as ha; "
    "ha.validate_python = lambda: None; sys.exit(ha.main())"
)


def free_port() -> int:
    """A TCP port nobody listens on right now, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def frontend_config(config_dir: Path, *, frontend: bool) -> list[str]:
    """The frontend's YAML lines.

    HA 2026 sets its frontend up always and needs its package, which only the oldest stack has
    (requirements/); without the package an empty development tree stands in for it, so Home
    Assistant runs with its API and no UI.
    """
    if frontend:
        return ["frontend:", "history:", "logbook:"]
    if importlib.util.find_spec("hass_frontend") is not None:
        return []
    tree = config_dir / "frontend-stand-in"
    for folder in ("static", "frontend_latest", "frontend_es5"):
        (tree / "hass_frontend" / folder).mkdir(parents=True, exist_ok=True)
    return ["frontend:", f"  development_repo: {tree}"]


def write_config(config_dir: Path, port: int, *, frontend: bool) -> None:
    """A minimal configuration: the HTTP API, config flows, onboarding, and our integration."""
    config_dir.mkdir(parents=True, exist_ok=True)
    custom = config_dir / "custom_components"
    custom.mkdir(exist_ok=True)
    link = custom / "sms_bridge"
    if link.is_symlink() or link.exists():
        if link.is_symlink() and link.resolve() == INTEGRATION:
            pass
        else:
            shutil.rmtree(link) if link.is_dir() and not link.is_symlink() else link.unlink()
    if not link.exists():
        link.symlink_to(INTEGRATION, target_is_directory=True)
    base = f"http://127.0.0.1:{port}"
    (config_dir / "configuration.yaml").write_text(
        "\n".join(
            [
                "# Written by tools/hass.py: a loopback Home Assistant for SMS Bridge.",
                "homeassistant:",
                "  name: SMS Bridge dev",
                "  time_zone: Asia/Ho_Chi_Minh",
                "  country: VN",
                f"  internal_url: {base}",
                f"  external_url: {base}",
                "http:",
                "  server_host: 127.0.0.1",
                f"  server_port: {port}",
                "api:",
                "config:",
                "onboarding:",
                "notify:",
                *frontend_config(config_dir, frontend=frontend),
                "logger:",
                "  default: warning",
                "  logs:",
                "    custom_components.sms_bridge: debug",
                "",
            ]
        )
    )


@dataclass
class HassProcess:
    """A Home Assistant process (not HA's own class): its config, its life, a logged-in session."""

    config_dir: Path
    port: int
    frontend: bool = False
    process: asyncio.subprocess.Process | None = None
    token: str = ""
    session: aiohttp.ClientSession | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.config_dir / "hass-process.log"

    @property
    def url(self) -> str:
        """Where it listens."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self, timeout: float = 120) -> None:
        """Write the config, start the process, wait until its API answers."""
        write_config(self.config_dir, self.port, frontend=self.frontend)
        # A restart (after kill or stop) adds to the log, so one file tells the whole story.
        log = self.log_path.open("ab" if self.process is not None else "wb")
        # Without pytest-cov's variables: its subprocess hook would measure Home Assistant without
        # the project's coverage settings (statement data that cannot join the branch data).
        env = {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE_")}
        env["PYTHONUNBUFFERED"] = "1"
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            LAUNCH,
            "--config",
            str(self.config_dir),
            "--skip-pip",
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        self.session = aiohttp.ClientSession()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if self.process.returncode is not None:
                raise RuntimeError(f"Home Assistant exited early; see {self.log_path}")
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                # /auth/providers answers as soon as HTTP and auth are up: 200 once a user
                # exists, 400 "Onboarding not finished" before (/api/onboarding is gone once
                # onboarding is complete, so it cannot serve for both).
                probe = f"{self.url}/auth/providers"
                async with self.session.get(probe, timeout=aiohttp.ClientTimeout(total=2)) as resp:
                    if resp.status in (200, 400):
                        return
            await asyncio.sleep(0.5)
        raise TimeoutError(
            f"Home Assistant did not answer within {timeout:.0f} s; see {self.log_path}"
        )

    async def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and close the session."""
        if self.session is not None:
            await self.session.close()
            self.session = None
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    async def kill(self) -> None:
        """SIGKILL, as a crash or a power cut ends it: no shutdown, no final writes.

        `start()` then restarts it on the same config dir; log in again after that.
        """
        if self.process is not None and self.process.returncode is None:
            # Its own session (start_new_session): the group is the process and any child.
            os.killpg(self.process.pid, signal.SIGKILL)
            await self.process.wait()
        if self.session is not None:
            await self.session.close()
            self.session = None
        self.token = ""

    def log_tail(self, lines: int = 40) -> str:
        """The end of the process's output, for error messages."""
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    # --- authentication ----------------------------------------------------------------------

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        assert self.session is not None
        headers = kwargs.pop("headers", {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        async with self.session.request(
            method, f"{self.url}{path}", headers=headers, **kwargs
        ) as resp:
            text = await resp.text()
            if resp.status >= 400:
                raise RuntimeError(f"{method} {path}: HTTP {resp.status}: {text[:300]}")
            return await resp.json(content_type=None) if text else None

    async def _token_from_code(self, code: str) -> None:
        data = {"grant_type": "authorization_code", "code": code, "client_id": f"{self.url}/"}
        tokens = await self._json("POST", "/auth/token", data=data)
        self.token = tokens["access_token"]

    async def login(self, username: str, password: str, language: str = "en") -> None:
        """Onboard with this user if nobody has, else log in; then the session is authenticated."""
        try:
            steps = await self._json("GET", "/api/onboarding")
        except RuntimeError:  # 404 once onboarding is complete
            steps = [{"step": s, "done": True} for s in ONBOARDING_STEPS]
        done = {step["step"] for step in steps if step["done"]}
        if "user" not in done:
            await self._onboard_user(username, password, language)
        else:
            await self._log_in(username, password)
        await self._finish_onboarding(done)

    async def _onboard_user(self, username: str, password: str, language: str) -> None:
        """Create the first user through onboarding and take its token."""
        answer = await self._json(
            "POST",
            "/api/onboarding/users",
            json={
                "client_id": f"{self.url}/",
                "name": username.title(),
                "username": username,
                "password": password,
                "language": language,
            },
        )
        await self._token_from_code(answer["auth_code"])

    async def _log_in(self, username: str, password: str) -> None:
        """Log in through the login flow, as the login page does."""
        client_id = f"{self.url}/"
        flow = await self._json(
            "POST",
            "/auth/login_flow",
            json={
                "client_id": client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": client_id,
            },
        )
        result = await self._json(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            json={"client_id": client_id, "username": username, "password": password},
        )
        if result.get("type") != "create_entry":
            raise RuntimeError(f"login refused for {username}: {result.get('errors')}")
        await self._token_from_code(result["result"])

    async def _finish_onboarding(self, done: set[str]) -> None:
        """The remaining onboarding steps, so the UI opens straight on the dashboard."""
        client_id = f"{self.url}/"
        for step, body in (
            ("core_config", {}),
            ("analytics", {}),
            ("integration", {"client_id": client_id, "redirect_uri": client_id}),
        ):
            if step not in done:
                with contextlib.suppress(RuntimeError):
                    await self._json("POST", f"/api/onboarding/{step}", json=body)
        # Onboarding adds Google Translate speech, whose package this environment lacks: drop
        # it, so the instance shows no failed integration that has nothing to do with us.
        for entry in await self.entries("google_translate"):
            await self._json("DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}")

    # --- what a user does --------------------------------------------------------------------

    async def config_flow(self, handler: str, steps: list[dict[str, Any]]) -> dict[str, Any]:
        """Run a config flow to its end, one dict of input per step; returns the last result."""
        result: dict[str, Any] = await self._json(
            "POST",
            "/api/config/config_entries/flow",
            json={"handler": handler},
        )
        for user_input in steps:
            if result.get("type") not in ("form", "menu"):
                break
            result = await self._json(
                "POST", f"/api/config/config_entries/flow/{result['flow_id']}", json=user_input
            )
        return result

    async def options_flow(self, entry_id: str, user_input: dict[str, Any]) -> dict[str, Any]:
        """Open an entry's options (Configure), submit one form; returns the result."""
        flow = await self._json(
            "POST", "/api/config/config_entries/options/flow", json={"handler": entry_id}
        )
        result: dict[str, Any] = await self._json(
            "POST", f"/api/config/config_entries/options/flow/{flow['flow_id']}", json=user_input
        )
        return result

    async def reconfigure_flow(self, entry_id: str, user_input: dict[str, Any]) -> dict[str, Any]:
        """Open an entry's Reconfigure, submit one form; returns the result."""
        flow = await self._json(
            "POST",
            "/api/config/config_entries/flow",
            json={"handler": DOMAIN, "entry_id": entry_id},
        )
        result: dict[str, Any] = await self._json(
            "POST", f"/api/config/config_entries/flow/{flow['flow_id']}", json=user_input
        )
        return result

    async def subentry_flow(
        self, entry_id: str, subentry_type: str, user_input: dict[str, Any]
    ) -> dict[str, Any]:
        """Add a subentry (a recipient) to an entry through its flow; returns the result."""
        flow = await self._json(
            "POST",
            "/api/config/config_entries/subentries/flow",
            json={"handler": [entry_id, subentry_type]},
        )
        result: dict[str, Any] = await self._json(
            "POST",
            f"/api/config/config_entries/subentries/flow/{flow['flow_id']}",
            json=user_input,
        )
        return result

    async def delete_entry(self, entry_id: str) -> None:
        """Delete a config entry, as its menu's Delete does (it unloads first)."""
        await self._json("DELETE", f"/api/config/config_entries/entry/{entry_id}")

    async def reload_entry(self, entry_id: str) -> None:
        """Reload a config entry, as its menu's Reload does."""
        await self._json("POST", f"/api/config/config_entries/entry/{entry_id}/reload")

    async def entries(self, domain: str) -> list[dict[str, Any]]:
        """The config entries of a domain."""
        entries: list[dict[str, Any]] = await self._json(
            "GET", f"/api/config/config_entries/entry?domain={domain}"
        )
        return entries

    async def call(
        self, domain: str, service: str, data: dict[str, Any], response: bool = False
    ) -> Any:
        """Call an action; with `response`, return its response data."""
        suffix = "?return_response" if response else ""
        return await self._json("POST", f"/api/services/{domain}/{service}{suffix}", json=data)

    async def template(self, template: str) -> str:
        """Render a template, as Developer tools > Template does."""
        assert self.session is not None
        headers = {"Authorization": f"Bearer {self.token}"}
        async with self.session.post(
            f"{self.url}/api/template", json={"template": template}, headers=headers
        ) as resp:
            return await resp.text()

    async def services(self) -> list[dict[str, Any]]:
        """Every action, by domain (Developer tools > Actions lists these)."""
        services: list[dict[str, Any]] = await self._json("GET", "/api/services")
        return services

    async def states(self) -> list[dict[str, Any]]:
        """Every entity state."""
        states: list[dict[str, Any]] = await self._json("GET", "/api/states")
        return states

    async def ws_command(self, command: str, **fields: Any) -> dict[str, Any]:
        """One websocket command (`type` and its fields), as the frontend sends it.

        Returns the websocket's answer: `success` with `result`, or `error` (code, message,
        translation key and placeholders).
        """
        assert self.session is not None
        async with self.session.ws_connect(f"{self.url}/api/websocket") as ws:
            await ws.receive_json()
            await ws.send_json({"type": "auth", "access_token": self.token})
            if (await ws.receive_json()).get("type") != "auth_ok":
                raise RuntimeError("websocket authentication failed")
            await ws.send_json({"id": 1, "type": command, **fields})
            answer: dict[str, Any] = await ws.receive_json()
            return answer

    async def ws_call(
        self, domain: str, service: str, data: dict[str, Any], *, response: bool = False
    ) -> dict[str, Any]:
        """Call an action over the websocket API, as the frontend and scripts' editors do.

        Returns the websocket's answer: `success` with `result`, or `error` (code, message,
        translation key and placeholders).
        """
        return await self.ws_command(
            "call_service",
            domain=domain,
            service=service,
            service_data=data,
            return_response=response,
        )

    @contextlib.asynccontextmanager
    async def events(self, event_type: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        """Events of `event_type` as they are fired, over the websocket API."""
        assert self.session is not None
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        async with self.session.ws_connect(f"{self.url}/api/websocket") as ws:
            await ws.receive_json()
            await ws.send_json({"type": "auth", "access_token": self.token})
            if (await ws.receive_json()).get("type") != "auth_ok":
                raise RuntimeError("websocket authentication failed")
            await ws.send_json({"id": 1, "type": "subscribe_events", "event_type": event_type})
            await ws.receive_json()

            async def pump() -> None:
                async for message in ws:
                    data = message.json()
                    if data.get("type") == "event":
                        queue.put_nowait(data["event"])

            task = asyncio.create_task(pump())
            try:
                yield queue
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
