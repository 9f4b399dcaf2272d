"""Zalo messages of an eSMS account: its Official Account, its templates, a message's content.

A Zalo ZNS message is one of the OA's templates with its parameters filled in. Before anything
goes out the template is looked up (its parameters, their order and limits) and the values are
checked against it, so a mistake is refused in words, not by eSMS after a request. The lookups
are kept for an hour; while eSMS cannot be asked, the last answer serves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import time

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from ..const import DOMAIN, OPT_ZALO_OA
from ..providers import Provider
from ..providers.channels import Channel, ZaloAccount, ZaloContent, ZaloParamError, ZaloTemplate
from ..providers.errors import ProviderError

#: Seconds a lookup is trusted.
KEEP = 3600.0


def _refused(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


@dataclass(slots=True)
class _Answer[T]:
    value: T
    at: float


class ZaloDirectory:
    """One account's OAs and templates, as eSMS last listed them."""

    def __init__(self, provider: Provider) -> None:
        self._provider = provider
        self._accounts: _Answer[list[ZaloAccount]] | None = None
        self._templates: dict[str, _Answer[list[ZaloTemplate]]] = {}

    async def async_accounts(self) -> list[ZaloAccount]:
        """The account's Official Accounts (raises ProviderError when eSMS cannot say)."""
        if self._accounts is None or time.monotonic() - self._accounts.at > KEEP:
            self._accounts = _Answer(await self._provider.zalo_accounts(), time.monotonic())
        return self._accounts.value

    async def async_templates(self, oa_id: str) -> list[ZaloTemplate]:
        """An OA's templates; the last answer while eSMS cannot be asked."""
        kept = self._templates.get(oa_id)
        if kept is None or time.monotonic() - kept.at > KEEP:
            try:
                kept = _Answer(await self._provider.zalo_templates(oa_id), time.monotonic())
            except ProviderError:
                if kept is None:
                    raise
            self._templates[oa_id] = kept
        return kept.value


def check_channel(provider: Provider, channel: str) -> Channel:
    """The channel a send asks for, refused when unknown or not this gateway's."""
    try:
        chosen = Channel(channel)
    except ValueError:
        raise _refused("unknown_channel", channel=channel) from None
    if chosen is Channel.VIBER or chosen not in provider.channels:
        raise _refused("channel_not_supported", channel=chosen.value, provider=provider.title)
    return chosen


async def async_zalo_content(
    directory: ZaloDirectory,
    options: Mapping[str, object],
    template_id: str | None,
    values: Mapping[str, str],
) -> ZaloContent:
    """The Zalo content of a message, every value checked against its template."""
    oa_id = str(options.get(OPT_ZALO_OA) or "")
    if not oa_id:
        raise _refused("zalo_oa_missing")
    if not template_id:
        raise _refused("zalo_template_required")
    try:
        templates = await directory.async_templates(oa_id)
    except ProviderError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="zalo_lookup_failed",
            translation_placeholders={"error": str(err)},
        ) from err
    template = next((t for t in templates if t.template_id == str(template_id)), None)
    if template is None:
        raise _refused("zalo_template_unknown", template=str(template_id), oa=oa_id)
    if template.status not in (None, "ENABLE"):
        raise _refused("zalo_template_not_enabled", template=template.name, status=template.status)
    try:
        return template.content(oa_id, {str(k): str(v) for k, v in values.items()})
    except ZaloParamError as err:
        params = ", ".join(param.name for param in template.params)
        raise _refused(
            f"zalo_param_{err.problem}", param=err.param, template=template.name, params=params
        ) from err


def zalo_digest_text(content: ZaloContent, text: str) -> str:
    """What the duplicate window compares for a Zalo message: its template, values and SMS."""
    values = "\x1f".join(f"{name}={value}" for name, value in content.params)
    return f"zalo\x1f{content.oa_id}\x1f{content.template_id}\x1f{values}\x1f{text}"
