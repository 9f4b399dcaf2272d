"""The delivery-report webhook: gateway request in, the gateway's exact reply out, never a 500."""

from __future__ import annotations

from aiohttp import web
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant

from .const import DOMAIN, LOGGER, OPT_CHECK_SOURCE
from .coordinator import SmsBridgeConfigEntry
from .providers.base import InboundRequest, ReplyKind, ReportError, WebhookReply
from .reports import async_process_report

MAX_BODY = 64 * 1024


def _entry_for(hass: HomeAssistant, webhook_id: str) -> SmsBridgeConfigEntry | None:
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.data.get(CONF_WEBHOOK_ID) == webhook_id and entry.state is ConfigEntryState.LOADED:
            return entry
    return None


def _response(reply: WebhookReply) -> web.Response:
    return web.Response(status=reply.status, text=reply.body, content_type=reply.content_type)


async def read_inbound(request: web.Request) -> InboundRequest | None:
    """The request as the gateway parsers take it; None when the body is too large."""
    body = await request.content.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return None
    return InboundRequest(
        method=request.method,
        query=dict(request.query),
        headers=dict(request.headers),
        body=body,
        remote=request.remote,
    )


async def async_handle_webhook(
    hass: HomeAssistant, webhook_id: str, request: web.Request
) -> web.Response:
    """Authenticate, parse and act on one delivery report."""
    entry = _entry_for(hass, webhook_id)
    if entry is None:
        return web.Response(status=404)
    provider = entry.runtime_data.provider
    inbound = await read_inbound(request)
    if inbound is None:
        return _response(provider.reply(ReplyKind.MALFORMED))
    if (
        entry.options.get(OPT_CHECK_SOURCE)
        and provider.report_sources
        and inbound.remote not in provider.report_sources
    ):
        LOGGER.debug("Refused a %s delivery report from an unknown address", provider.name)
        return _response(provider.reply(ReplyKind.BAD_SECRET))
    try:
        report = provider.parse_report(inbound)
    except ReportError as err:
        LOGGER.debug("Refused a %s delivery report: %s", provider.name, err.kind)
        return _response(provider.reply(err.kind))
    async_process_report(hass, entry, report)
    return _response(provider.reply(ReplyKind.ACCEPTED))
