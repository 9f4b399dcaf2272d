"""Gateway clients for FiboSMS, eSMS.vn, FPT SMS Brandname and SMSPAY (no Home Assistant import).

`create_provider` builds a client from a config mapping whose keys are the integration's
config entry keys, so callers never need to know one gateway's constructor from another's.
"""

from __future__ import annotations

from collections.abc import Mapping
import inspect
from ssl import SSLContext
from typing import Any, cast

import aiohttp

from .base import Provider
from .esms import EsmsProvider
from .fibo import FiboProvider
from .fpt.provider import FptProvider
from .smspay import SmspayProvider

PROVIDER_CLASSES: dict[str, type[Provider]] = {
    cls.name: cls for cls in (FiboProvider, EsmsProvider, FptProvider, SmspayProvider)
}


def create_provider(
    session: aiohttp.ClientSession,
    provider: str,
    config: Mapping[str, Any],
    *,
    ssl: SSLContext | bool = True,
) -> Provider:
    """A client for `provider`, given the keys of `config` its constructor takes.

    `ssl` is the TLS context of the client's send session (`Provider`).

    Raises KeyError for an unknown provider and ValueError for a config the gateway cannot use
    (e.g. an SMSPAY send URL without its placeholders).
    """
    cls = PROVIDER_CLASSES[provider]
    accepted = inspect.signature(cls).parameters
    kwargs = {
        key: value
        for key, value in config.items()
        if key in accepted and key not in ("session", "ssl") and value not in (None, "")
    }
    return cls(session, ssl=ssl, **kwargs)


def check_config(provider: str, config: Mapping[str, Any]) -> None:
    """Raise InvalidConfigError when the gateway cannot use `config`; nothing goes out."""
    create_provider(cast("aiohttp.ClientSession", None), provider, config)


__all__ = ["PROVIDER_CLASSES", "Provider", "check_config", "create_provider"]
