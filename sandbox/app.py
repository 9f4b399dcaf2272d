"""The sandbox web application: the four gateways on one port, fault injection, control API."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
import dataclasses
from http import HTTPStatus
from typing import Any, NoReturn

from aiohttp import web

from . import esms, esms_zalo, fibo, fpt, fpt_ads, smspay
from .context import CLOSING, COURIER, STATE
from .courier import Courier
from .state import Fault, SandboxState

#: The gateway modules; each declares GATEWAY, PREFIXES and setup(app), and none imports this one.
GATEWAYS = (fibo, esms, esms_zalo, fpt, fpt_ads, smspay)
#: Which gateway a path belongs to: each at its documented path.
PREFIXES = {prefix: module.GATEWAY for module in GATEWAYS for prefix in module.PREFIXES}
TRANSPORT_FAULTS = {
    "latency",
    "timeout",
    "status",
    "malformed",
    "disconnect",
    "answer_lost",
    "late_answer",
}
#: Faults that apply only to a request on a connection that carried one before.
CONNECTION_FAULTS = {"close_reused"}
#: Where `answer_lost` can drop the connection after the gateway handled the request.
DROP_POINTS = ("disconnect", "after_headers", "mid_body")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def gateway_of(path: str) -> str | None:
    """The gateway that serves `path`, or None for the control API."""
    return next((gw for prefix, gw in PREFIXES.items() if path.startswith(prefix)), None)


@web.middleware
async def inject_faults(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Apply the transport-level faults a test asked for before the gateway sees the request.

    Every request is recorded with the connection it came on (`SandboxState.arrivals`).
    """
    gateway = gateway_of(request.path)
    state = request.app[STATE]
    arrival = state.arrive(request.transport, gateway, request.method, request.path)
    if gateway is None:
        return await handler(request)
    if not arrival.fresh and state.take_fault(gateway, request.path, CONNECTION_FAULTS):
        # A gateway that closed the idle connection as the request came: nobody reads it.
        state.closed_reused.append(arrival)
        _drop(request)
    state.requests.append((gateway, request.method, request.path))
    state.in_flight += 1
    state.max_in_flight = max(state.max_in_flight, state.in_flight)
    try:
        return await _apply_faults(request, handler, state, gateway)
    finally:
        state.in_flight -= 1


async def _apply_faults(
    request: web.Request, handler: Handler, state: SandboxState, gateway: str
) -> web.StreamResponse:
    fault = state.take_fault(gateway, request.path, TRANSPORT_FAULTS)
    if fault is None:
        return await handler(request)
    if fault.kind == "latency":
        await asyncio.sleep(float(fault.value or 0.5))
        return await handler(request)
    if fault.kind == "timeout":
        closing = request.app[CLOSING]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(closing.wait(), float(fault.value or 3600))
        return web.Response(status=504, text="timeout")
    if fault.kind == "status":
        status = int(fault.value or 503)
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        return web.Response(status=status, text=phrase)
    if fault.kind == "disconnect":
        _drop(request)
    if fault.kind == "answer_lost":
        return await _lose_answer(request, handler, fault.value)
    if fault.kind == "late_answer":
        response = await handler(request)  # reports are on their way already
        await asyncio.sleep(float(fault.value or 0.5))
        return response
    return web.Response(
        status=200, text="<html><body>Gateway maintenance", content_type="text/html"
    )


async def _lose_answer(request: web.Request, handler: Handler, value: Any) -> web.StreamResponse:
    """The gateway handles the request (a send goes out), then its answer is lost on the way.

    `value`: the status a proxy answers instead (502 by default), or where the connection
    drops: "disconnect" before the status line, "after_headers" after the status line and
    headers (the body announced, never sent), "mid_body" halfway through the body.
    """
    response = await handler(request)
    if value in DROP_POINTS:
        _drop(request, _answer_up_to(response, value))
    status = int(value or 502)
    return web.Response(status=status, text=HTTPStatus(status).phrase)


def _answer_up_to(response: web.StreamResponse, point: str) -> bytes:
    """The raw bytes of the answer that get through before the connection drops at `point`."""
    if point == "disconnect":
        return b""
    body = response.body if isinstance(response, web.Response) else None
    body = body if isinstance(body, bytes) else b""
    lines = [f"HTTP/1.1 {response.status} {response.reason}"]
    lines += [
        f"{name}: {value}"
        for name, value in response.headers.items()
        if name.lower() not in ("content-length", "transfer-encoding", "connection")
    ]
    lines.append(f"Content-Length: {len(body)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + (body[: len(body) // 2] if point == "mid_body" else b"")


def _drop(request: web.Request, sent: bytes = b"") -> NoReturn:
    """Write `sent` (part of an answer, or nothing), then close the connection under the client."""
    if request.transport is not None:
        if sent:
            request.transport.write(sent)
        request.transport.close()
    raise asyncio.CancelledError


# --- control API ---------------------------------------------------------------------------------


def _account_view(state: SandboxState) -> list[dict[str, Any]]:
    return [
        {
            "gateway": a.gateway,
            "balance": a.balance,
            "brandnames": sorted(a.brandnames),
            "callback": dataclasses.asdict(a.callback),
            "today": dataclasses.asdict(a.today()),
        }
        for a in state.accounts
    ]


async def get_state(request: web.Request) -> web.Response:
    """Accounts, balances, today's totals, messages and report deliveries."""
    state = request.app[STATE]
    return web.json_response(
        {
            "dlr_delay": state.dlr_delay,
            "accounts": _account_view(state),
            "messages": [
                {
                    "gateway": m.gateway,
                    "message_id": m.message_id,
                    "phone": m.phone,
                    "text": m.text,
                    "segments": m.segments,
                    "outcome": m.outcome.value,
                    "channel": m.details.get("channel", "sms"),
                }
                for m in state.messages.values()
            ],
            "deliveries": [dataclasses.asdict(d) for d in state.deliveries],
            "faults": [dataclasses.asdict(f) for f in state.faults if f.count != 0],
        }
    )


async def post_callback(request: web.Request) -> web.Response:
    """Set where a gateway sends reports: {"gateway", "url", "method"?, "extra"?, "secret"?}."""
    data = await request.json()
    state = request.app[STATE]
    accounts = [a for a in state.accounts if a.gateway == data.get("gateway")]
    if not accounts:
        return web.json_response({"error": "unknown gateway"}, status=400)
    for account in accounts:
        account.callback.url = data.get("url")
        account.callback.method = str(data.get("method", "GET")).upper()
        account.callback.extra = dict(data.get("extra", {}))
        if "secret" in data:
            account.report_secret = data["secret"]
    return web.json_response({"ok": True})


async def post_fault(request: web.Request) -> web.Response:
    """Inject a fault: {"kind", "gateway"?, "value"?, "count"?, "path"?}."""
    data = await request.json()
    kinds = TRANSPORT_FAULTS | CONNECTION_FAULTS | {"refuse", "expire_token"}
    if data.get("kind") not in kinds:
        return web.json_response({"error": f"kind must be one of {sorted(kinds)}"}, status=400)
    if data["kind"] == "refuse" and data.get("value") in (None, ""):
        return web.json_response({"error": "a refuse fault needs the gateway's code"}, status=400)
    fields = {f.name for f in dataclasses.fields(Fault)}
    request.app[STATE].faults.append(Fault(**{k: v for k, v in data.items() if k in fields}))
    return web.json_response({"ok": True})


async def delete_faults(request: web.Request) -> web.Response:
    """Clear every injected fault."""
    request.app[STATE].faults.clear()
    return web.json_response({"ok": True})


async def post_config(request: web.Request) -> web.Response:
    """Change settings: {"dlr_delay": seconds}."""
    data = await request.json()
    if "dlr_delay" in data:
        request.app[STATE].dlr_delay = float(data["dlr_delay"])
    return web.json_response({"ok": True})


async def post_reset(request: web.Request) -> web.Response:
    """Forget messages, faults and changes; back to the built-in accounts."""
    request.app[STATE].reset()
    return web.json_response({"ok": True})


def create_app(state: SandboxState) -> web.Application:
    """The sandbox application with all four gateways mounted."""
    app = web.Application(middlewares=[inject_faults])
    app[STATE] = state
    app[COURIER] = Courier(state)
    app[CLOSING] = asyncio.Event()
    app.router.add_get("/_sandbox/state", get_state)
    app.router.add_post("/_sandbox/callbacks", post_callback)
    app.router.add_post("/_sandbox/faults", post_fault)
    app.router.add_delete("/_sandbox/faults", delete_faults)
    app.router.add_post("/_sandbox/config", post_config)
    app.router.add_post("/_sandbox/reset", post_reset)
    for module in GATEWAYS:
        module.setup(app)

    async def on_shutdown(app: web.Application) -> None:
        app[CLOSING].set()
        await app[COURIER].close()

    app.on_shutdown.append(on_shutdown)
    return app
