"""scripts/develop: Home Assistant at http://localhost:8123 with SMS Bridge and the sandbox.

./config keeps the instance between runs. The first run makes the user dev / dev and one
account per gateway against the sandbox; every run points the sandbox's delivery reports at
the accounts' webhooks, so sending from the UI shows reports arriving.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
import signal
import socket
import sys

from sandbox import Sandbox

from .demo import DOMAIN, gateways
from .hass import ROOT, HassProcess

CONFIG = ROOT / "config"
HA_PORT = 8123
SANDBOX_PORT = 8765
USER = PASSWORD = "dev"  # noqa: S105 - the documented login of the local dev instance


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


async def run(config_dir: Path) -> int:
    """Start everything, set it up once, then wait for Ctrl-C."""
    for port, what in ((HA_PORT, "Home Assistant"), (SANDBOX_PORT, "the gateway sandbox")):
        if not port_is_free(port):
            print(f"Port {port} for {what} is in use: is another scripts/develop running?")
            return 1
    sandbox = Sandbox(dlr_delay=2.0)
    sandbox_url = await sandbox.start(port=SANDBOX_PORT)
    hass = HassProcess(config_dir, HA_PORT, frontend=True)
    try:
        print(f"Starting Home Assistant in {config_dir} ...", flush=True)
        await hass.start()
        await hass.login(USER, PASSWORD)
        wanted = gateways(sandbox_url)
        existing = await hass.entries(DOMAIN)
        have = {entry["title"].split()[0].lower() for entry in existing}
        for gateway in wanted:
            if not any(name.startswith(gateway.key[:3]) for name in have):
                result = await hass.config_flow(
                    DOMAIN, [{"next_step_id": gateway.key}, gateway.form]
                )
                print(
                    f"  added {result.get('title', gateway.label)}: {result.get('type')}",
                    flush=True,
                )
        for entry in await hass.entries(DOMAIN):
            if entry["state"] != "loaded":
                continue
            url = await webhook_of(hass, entry["entry_id"])
            provider = next(
                (g for g in wanted if entry["title"].lower().startswith(g.key[:3])), None
            )
            if provider is None:
                continue
            for account in sandbox.state.accounts:
                if account.gateway == provider.key:
                    account.callback.url = url
                    account.callback.extra = dict(provider.extra)
        print(
            f"\nHome Assistant: {hass.url}  (user {USER}, password {PASSWORD})\n"
            f"Gateway sandbox: {sandbox_url}  (state: {sandbox_url}/_sandbox/state)\n"
            "Numbers ending in 4 fail, 5 stay pending, 3 are refused. Ctrl-C stops both.\n",
            flush=True,
        )
        assert hass.process is not None
        await hass.process.wait()
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
    sys.exit(asyncio.run(run_until_signalled(CONFIG)))


if __name__ == "__main__":
    main()
