"""The delivery-report webhook: gateway request in, the gateway's exact reply out, never a 500.

The handler is bound to its entry when it is registered, so a request never looks entries up.
"""

from __future__ import annotations

from functools import lru_cache

from aiohttp import web
from homeassistant.core import HomeAssistant

from ..const import LOGGER, OPT_CHECK_SOURCE
from ..providers.errors import ReplyKind, ReportError
from ..providers.models import InboundRequest, WebhookReply
from ..providers.parsing import query_params
from ..runtime import SmsBridgeConfigEntry

MAX_BODY = 64 * 1024


@lru_cache
def _encoded(body: str) -> bytes:
    return body.encode()


def _response(reply: WebhookReply) -> web.Response:
    return web.Response(
        status=reply.status,
        body=_encoded(reply.body),
        content_type=reply.content_type,
        charset="utf-8",
    )


async def read_body(request: web.Request, limit: int = MAX_BODY) -> bytes | None:
    """The whole body, however many TCP writes it came in; None when it exceeds `limit`."""
    if request.content_length is not None and request.content_length > limit:
        return None
    body = bytearray()
    while chunk := await request.content.read(limit + 1 - len(body)):
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


async def read_inbound(request: web.Request) -> InboundRequest | None:
    """The request as the gateway parsers take it; None when the body is too large."""
    body = await read_body(request)
    if body is None:
        return None
    raw_query = request.rel_url.raw_query_string
    return InboundRequest(
        method=request.method,
        query=query_params(raw_query),
        headers=request.headers,  # case-insensitive already
        body=body,
        remote=request.remote,
        raw_query=raw_query,
    )


async def async_handle_webhook(
    entry: SmsBridgeConfigEntry, hass: HomeAssistant, webhook_id: str, request: web.Request
) -> web.Response:
    """Authenticate, parse and act on one delivery report of `entry`."""
    provider = entry.runtime_data.provider
    try:
        return _response(provider.reply(await _async_accept(entry, request)))
    except Exception as err:  # noqa: BLE001 - a gateway must get its own reply, never a 500
        # Only the type: the message of an unexpected error could quote the report.
        LOGGER.error(
            "Unexpected %s while handling a %s delivery report", type(err).__name__, provider.name
        )
        return _response(provider.reply(ReplyKind.MALFORMED))


async def _async_accept(entry: SmsBridgeConfigEntry, request: web.Request) -> ReplyKind:
    """Which reply the request earns; an accepted report is acted on before the reply."""
    runtime = entry.runtime_data
    kind = await _async_judge(entry, request)
    if kind is ReplyKind.BAD_SECRET:
        runtime.issues.async_report_refused()
    elif kind is ReplyKind.ACCEPTED:
        runtime.issues.async_report_accepted()
    return kind


async def _async_judge(entry: SmsBridgeConfigEntry, request: web.Request) -> ReplyKind:
    """Read, authenticate and parse the request; an accepted report goes down the report path."""
    runtime = entry.runtime_data
    provider = runtime.provider
    inbound = await read_inbound(request)
    if inbound is None:
        LOGGER.debug("Refused a %s delivery report: body over %s bytes", provider.name, MAX_BODY)
        return ReplyKind.MALFORMED
    if (
        entry.options.get(OPT_CHECK_SOURCE)
        and provider.report_sources
        and inbound.remote not in provider.report_sources
    ):
        LOGGER.debug("Refused a %s delivery report from an unknown address", provider.name)
        return ReplyKind.BAD_SECRET
    try:
        report = provider.parse_report(inbound)
    except ReportError as err:
        LOGGER.debug("Refused a %s delivery report: %s", provider.name, err.kind)
        return err.kind
    runtime.reports.async_report(report)
    # A decision the report led to (a resend) is on disk before the gateway hears "accepted":
    # after a crash the gateway then repeats the report instead of the decision being lost.
    await runtime.journal.async_flush_urgent()
    return ReplyKind.ACCEPTED
