"""`python -m sandbox --port 8765`: the four imitation gateways until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from .server import Sandbox

GATEWAYS = ("fibo", "esms", "fpt", "smspay")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; see sandbox/README.md."""
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="port (0 = any free port)")
    parser.add_argument(
        "--dlr-delay", type=float, default=1.0, help="seconds between a send and each report"
    )
    for gateway in GATEWAYS:
        parser.add_argument(
            f"--{gateway}-callback", metavar="URL", help=f"where {gateway} delivers reports"
        )
    parser.add_argument(
        "--smspay-method", choices=("GET", "POST"), default="GET", help="SMSPAY report method"
    )
    parser.add_argument(
        "--ads-approval-delay",
        type=float,
        default=2.0,
        help="seconds until FPT approves a campaign",
    )
    parser.add_argument(
        "--ads-results-delay", type=float, default=2.0, help="seconds until FPT's campaign CSV"
    )
    parser.add_argument(
        "--no-ads-windows", action="store_true", help="FPT campaigns go out at any hour"
    )
    parser.add_argument(
        "--ads-order-hours",
        action="store_true",
        help="FPT approves 3 h of order-taking time after the order (seed 004), not after a delay",
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Start the sandbox, print where it listens, run until interrupted."""
    sandbox = Sandbox(dlr_delay=args.dlr_delay)
    ads = sandbox.state.ads
    ads.approval_delay, ads.results_delay = args.ads_approval_delay, args.ads_results_delay
    ads.windows = not args.no_ads_windows
    ads.order_hours = args.ads_order_hours
    for account in sandbox.state.accounts:
        url = getattr(args, f"{account.gateway}_callback")
        if url:
            account.callback.url = url
        if account.gateway == "smspay":
            account.callback.method = args.smspay_method
    url = await sandbox.start(args.host, args.port)
    print(f"SMS Bridge sandbox listening on {url} (control API: {url}/_sandbox/state)", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await sandbox.close()


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
