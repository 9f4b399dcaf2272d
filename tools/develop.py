"""scripts/develop: Home Assistant at http://localhost:8123 with SMS Bridge and the sandbox.

./config keeps the instance between runs. The first run makes the user dev / dev and one
account per gateway against the sandbox; every run points the sandbox's delivery reports at
the accounts' webhooks, so sending from the UI shows reports arriving. The server's language
follows the language the tester picks on the profile page, so entity names show in it too.

`--config DIR` keeps the instance elsewhere: scripts/develop gives each stack but the oldest its
own (Home Assistant migrates its storage forward, never back). Only a stack with the frontend
package (the oldest) serves the UI; on the others the API answers and the UI does not.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterator
import contextlib
import importlib.util
import itertools
from pathlib import Path
import signal
import socket
import sys
from typing import Any

import aiohttp

from sandbox import Sandbox

from .demo import DOMAIN, Gateway, gateways
from .hass import ROOT, HassProcess

CONFIG = ROOT / "config"
HA_PORT = 8123
SANDBOX_PORT = 8765
USER = PASSWORD = "dev"  # noqa: S105 - the documented login of the local dev instance
#: Seconds between two looks at the tester's language choice.
LANGUAGE_POLL = 1.0


def port_is_free(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:port."""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


async def webhook_of(hass: HassProcess, entry_id: str) -> str:
    """An entry's webhook URL, as its options dialog shows it."""
    flow = await hass._json(
        "POST", "/api/config/config_entries/options/flow", json={"handler": entry_id}
    )
    await hass._json("DELETE", f"/api/config/config_entries/options/flow/{flow['flow_id']}")
    return str(flow["description_placeholders"]["webhook_url"])


async def _command(
    ws: aiohttp.ClientWebSocketResponse, ids: Iterator[int], message: dict[str, Any]
) -> Any:
    """One websocket command, as the frontend sends it; its result."""
    await ws.send_json({"id": next(ids), **message})
    answer = await ws.receive_json()
    if not answer.get("success"):
        raise RuntimeError(f"{message['type']}: {answer.get('error')}")
    return answer.get("result")


async def follow_tester_language(hass: HassProcess) -> None:
    """Keep the server's language on the one the tester picks in the profile.

    Home Assistant 2025.4 names entities on the server, in the server's language: the frontend
    shows each entity's friendly_name as it comes, and the profile's language changes only the
    frontend's own texts (and translated states). So when the tester picks a language, the dev
    instance makes it the server's too and reloads SMS Bridge, whose entities are then named
    in it. The frontend stores the choice as user data; 2025.4 has no subscription for it.
    """
    try:
        await _follow(hass)
    except (aiohttp.ClientError, RuntimeError) as err:  # Home Assistant stopped or restarts
        print(f"No longer following the tester's language: {err}", flush=True)


async def _follow(hass: HassProcess) -> None:
    assert hass.session is not None
    current = (await hass._json("GET", "/api/config"))["language"]
    async with hass.session.ws_connect(f"{hass.url}/api/websocket") as ws:
        await ws.receive_json()
        await ws.send_json({"type": "auth", "access_token": hass.token})
        if (await ws.receive_json()).get("type") != "auth_ok":
            raise RuntimeError("websocket authentication failed")
        ids = itertools.count(1)
        while True:
            stored = await _command(ws, ids, {"type": "frontend/get_user_data", "key": "language"})
            wanted = ((stored or {}).get("value") or {}).get("language")
            if wanted and wanted != current:
                await _command(ws, ids, {"type": "config/core/update", "language": wanted})
                current = wanted
                for entry in await hass.entries(DOMAIN):
                    path = f"/api/config/config_entries/entry/{entry['entry_id']}/reload"
                    await hass._json("POST", path)
                print(
                    f"Server language now {wanted}: SMS Bridge reloaded, names follow.", flush=True
                )
            await asyncio.sleep(LANGUAGE_POLL)


async def add_missing(hass: HassProcess, wanted: list[Gateway]) -> None:
    """Add, through the config flow, each sandbox account the config does not have yet."""
    have = {entry["title"].split()[0].lower() for entry in await hass.entries(DOMAIN)}
    for gateway in wanted:
        if not any(name.startswith(gateway.key[:3]) for name in have):
            result = await hass.config_flow(DOMAIN, [{"next_step_id": gateway.key}, gateway.form])
            print(f"  added {result.get('title', gateway.label)}: {result.get('type')}", flush=True)


async def point_reports(hass: HassProcess, sandbox: Sandbox, wanted: list[Gateway]) -> None:
    """Make the sandbox deliver each loaded account's reports to its webhook."""
    for entry in await hass.entries(DOMAIN):
        if entry["state"] != "loaded":
            continue
        title = entry["title"].lower()
        gateway = next((g for g in wanted if title.startswith(g.key[:3])), None)
        if gateway is None:
            continue
        url = await webhook_of(hass, entry["entry_id"])
        for account in sandbox.state.accounts:
            if account.gateway == gateway.key:
                account.callback.url = url
                account.callback.extra = dict(gateway.extra)


async def run(config_dir: Path) -> int:
    """Start everything, set it up once, then wait for Ctrl-C."""
    for port, what in ((HA_PORT, "Home Assistant"), (SANDBOX_PORT, "the gateway sandbox")):
        if not port_is_free(port):
            print(f"Port {port} for {what} is in use: is another scripts/develop running?")
            return 1
    sandbox = Sandbox(dlr_delay=2.0)
    sandbox_url = await sandbox.start(port=SANDBOX_PORT)
    frontend = importlib.util.find_spec("hass_frontend") is not None
    hass = HassProcess(config_dir, HA_PORT, frontend=frontend)
    try:
        print(f"Starting Home Assistant in {config_dir} ...", flush=True)
        await hass.start()
        await hass.login(USER, PASSWORD)
        wanted = gateways(sandbox_url)
        await add_missing(hass, wanted)
        await point_reports(hass, sandbox, wanted)
        version = (await hass._json("GET", "/api/config"))["version"]
        ui = "" if frontend else ", API only: this stack has no frontend package"
        print(
            f"\nHome Assistant {version}: {hass.url}  (user {USER}, password {PASSWORD}{ui})\n"
            f"Gateway sandbox: {sandbox_url}  (state: {sandbox_url}/_sandbox/state)\n"
            "Numbers ending in 4 fail, 5 stay pending, 3 are refused. Ctrl-C stops both.\n",
            flush=True,
        )
        assert hass.process is not None
        follower = asyncio.create_task(follow_tester_language(hass))
        try:
            await hass.process.wait()
        finally:
            follower.cancel()
        print(f"Home Assistant stopped:\n{hass.log_tail()}")
        return 1
    except asyncio.CancelledError:
        return 0  # Ctrl-C or SIGTERM: stop both, cleanly
    finally:
        await hass.stop()
        await sandbox.close()


async def run_until_signalled(config_dir: Path) -> int:
    """`run`, cancelled by Ctrl-C or SIGTERM at any point, so Home Assistant is always stopped."""
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, task.cancel)
    try:
        return await run(config_dir)
    except asyncio.CancelledError:
        return 0


def main() -> None:
    """Entry point of scripts/develop."""
    parser = argparse.ArgumentParser(prog="scripts/develop", description=__doc__)
    parser.add_argument("--config", type=Path, default=CONFIG, help="the instance's folder")
    config_dir = parser.parse_args().config.resolve()
    sys.exit(asyncio.run(run_until_signalled(config_dir)))


if __name__ == "__main__":
    main()
