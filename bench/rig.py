"""The bench's world: the gateway sandbox, a real Home Assistant, one SMS Bridge entry per account.

Everything is set up as a user and the gateways would: entries through the config flow over
REST, options through the options flow, the no-op webhook as a tiny integration of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
import shutil
import tempfile
from typing import Any

from sandbox import Sandbox
from sandbox.state import Account as SandboxAccount
from tools.demo import gateways
from tools.hass import HassProcess, free_port

DOMAIN = "sms_bridge"
BENCH = Path(__file__).resolve().parent
NOOP_DOMAIN = "bench_noop"
#: The sandbox's own delivery reports are held back for an hour: while the bench measures, the
#: only reports Home Assistant handles are the ones the bench sends.
DLR_DELAY = 3600.0
BALANCE = 10**12
#: A second SMSPAY customer: the reference entry whose ledger stays nearly empty.
REFERENCE_USER = {"user": "bench-reference", "pass": "bench-reference-pass"}
LABELS = {"fibo": "FiboSMS", "esms": "eSMS", "fpt": "FPT", "smspay": "SMSPAY"}
REGIONS = {"fibo": "VN", "esms": "VN", "fpt": "VN", "smspay": "BG"}


@dataclass
class Account:
    """One SMS Bridge entry and what the bench sent through it."""

    gateway: str
    entry_id: str
    webhook_url: str
    form: dict[str, Any]
    extra: dict[str, str]
    #: (message id, number as sent) of every message the entry sent, oldest first.
    sent: list[tuple[str, str]] = field(default_factory=list)
    #: The next provider status the bench reports for a message: no pair is ever sent twice.
    next_status: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The gateway's name, as the table shows it."""
        return LABELS[self.gateway]


class Numbers:
    """Fresh recipient numbers ending in 5 (the sandbox keeps them pending, with no report)."""

    def __init__(self) -> None:
        self._next = {"VN": 0, "BG": 0}

    def take(self, region: str, count: int) -> list[str]:
        """`count` numbers never used before in this run."""
        start = self._next[region]
        self._next[region] += count
        if region == "BG":
            if start + count > 100_000:
                raise RuntimeError("out of Bulgarian bench numbers")
            return [f"0888{i:05d}5" for i in range(start, start + count)]
        return [f"090{i:06d}5" for i in range(start, start + count)]


@dataclass
class Rig:
    """The running world; `accounts` by key: fibo, esms, fpt, smspay, reference."""

    sandbox: Sandbox
    hass: HassProcess
    noop_url: str
    accounts: dict[str, Account] = field(default_factory=dict)
    numbers: Numbers = field(default_factory=Numbers)
    calls: int = 0

    @property
    def storage(self) -> Path:
        """Home Assistant's `.storage` folder."""
        return self.hass.config_dir / ".storage"

    async def send(self, account: Account, count: int) -> list[tuple[str, str]]:
        """One `sms_bridge.send` call to `count` fresh numbers; the (message id, number) sent."""
        self.calls += 1
        numbers = self.numbers.take(REGIONS[account.gateway], count)
        data = {
            "config_entry_id": account.entry_id,
            "target": numbers,
            "message": f"SMS Bridge bench {self.calls}",
        }
        answer = await self.hass.call(DOMAIN, "send", data, response=True)
        messages = answer["service_response"]["messages"]
        sent = [(str(m["message_id"]), str(m["target"])) for m in messages]
        if len(sent) != count:
            raise RuntimeError(f"{account.label}: {len(sent)} of {count} messages went out")
        account.sent.extend(sent)
        return sent


def prepare_sandbox(sandbox: Sandbox) -> None:
    """Accounts that never run dry, and the second SMSPAY customer."""
    for account in sandbox.state.accounts:
        account.balance = BALANCE
    sandbox.state.accounts.append(SandboxAccount("smspay", dict(REFERENCE_USER), balance=BALANCE))


async def add_account(hass: HassProcess, gateway: str, form: dict[str, Any]) -> Account:
    """An entry through the real config flow, as the UI makes it."""
    result = await hass.config_flow(DOMAIN, [{"next_step_id": gateway}, form])
    if result.get("type") != "create_entry":
        raise RuntimeError(f"{gateway}: config flow ended with {result.get('errors')}")
    return Account(
        gateway=gateway,
        entry_id=str(result["result"]["entry_id"]),
        webhook_url=str(result["description_placeholders"]["webhook_url"]),
        form=form,
        extra={},
    )


async def add_accounts(rig: Rig, fanout_key: str, fanout_concurrency: int) -> None:
    """One entry per gateway, the SMSPAY reference entry, the fan-out entry's concurrency."""
    for gateway in gateways(rig.sandbox.url):
        account = await add_account(rig.hass, gateway.key, gateway.form)
        account.extra = dict(gateway.extra)
        rig.accounts[gateway.key] = account
    smspay = rig.accounts["smspay"]
    reference_form = {
        "send_url": smspay.form["send_url"]
        .replace("smspay-user", REFERENCE_USER["user"])
        .replace("smspay-pass", REFERENCE_USER["pass"])
    }
    rig.accounts["reference"] = await add_account(rig.hass, "smspay", reference_form)
    result = await rig.hass.options_flow(
        rig.accounts[fanout_key].entry_id, {"concurrency": fanout_concurrency}
    )
    if result.get("type") != "create_entry":
        raise RuntimeError(f"options flow ended with {result.get('errors')}")
    await wait_loaded(rig.hass, rig.accounts[fanout_key].entry_id)


async def wait_loaded(hass: HassProcess, entry_id: str, limit: float = 30) -> None:
    """Wait until the entry is loaded again (new options reload it in the background)."""
    async with asyncio.timeout(limit):
        while True:
            states = {e["entry_id"]: e["state"] for e in await hass.entries(DOMAIN)}
            if states.get(entry_id) == "loaded":
                return
            await asyncio.sleep(0.1)


async def add_noop(hass: HassProcess) -> str:
    """The no-op webhook's entry, through its config flow; its URL."""
    result = await hass.config_flow(NOOP_DOMAIN, [])
    if result.get("type") != "create_entry":
        raise RuntimeError(f"the no-op webhook's flow ended with {result}")
    return f"{hass.url}/api/webhook/{result['description_placeholders']['webhook_id']}"


def link_noop(config_dir: Path) -> None:
    """Put the no-op integration into the config's custom_components (HassProcess adds ours)."""
    custom = config_dir / "custom_components"
    custom.mkdir(parents=True, exist_ok=True)
    (custom / NOOP_DOMAIN).symlink_to(BENCH / NOOP_DOMAIN, target_is_directory=True)


@contextlib.asynccontextmanager
async def running_rig(fanout_key: str, fanout_concurrency: int) -> AsyncIterator[Rig]:
    """Start everything, yield the rig, stop everything (the config folder is deleted)."""
    sandbox = Sandbox(dlr_delay=DLR_DELAY)
    prepare_sandbox(sandbox)
    await sandbox.start(port=free_port())
    config_dir = Path(tempfile.mkdtemp(prefix="sms-bridge-bench-"))
    link_noop(config_dir)
    hass = HassProcess(config_dir, free_port())
    try:
        # Started from its config folder: from the repository root, `import custom_components`
        # in Home Assistant finds the repository's package, which has no no-op integration.
        with contextlib.chdir(config_dir):
            await hass.start()
        await hass.login("bench", "bench-password")
        # A user's instance logs warnings; tools/hass.py turns SMS Bridge's debug log on.
        await hass.call("logger", "set_level", {f"custom_components.{DOMAIN}": "warning"})
        rig = Rig(sandbox, hass, await add_noop(hass))
        await add_accounts(rig, fanout_key, fanout_concurrency)
        yield rig
    except Exception:
        print(f"Home Assistant's log ends:\n{hass.log_tail()}")
        raise
    finally:
        await hass.stop()
        await sandbox.close()
        shutil.rmtree(config_dir, ignore_errors=True)
