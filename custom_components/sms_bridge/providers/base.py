"""The client base: what every gateway client declares about its gateway, and its HTTP calls.

Types are in `models.py`, errors in `errors.py`, the HTTP machinery in `http.py`. Nothing here
imports Home Assistant: this package could be published on its own.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from decimal import Decimal
from ssl import SSLContext
from typing import TYPE_CHECKING, Any, ClassVar

import aiohttp
from yarl import URL

from .channels import Channel, ZaloAccount, ZaloTemplate
from .errors import RefusedError, ReplyKind, TransientError
from .http import RawResponse, RepeatRefusedError, fetch, send_session

if TYPE_CHECKING:
    from .fpt.ads import Advertiser
from .models import (
    AccountField,
    Balance,
    DailyTotals,
    DeliveryReport,
    InboundRequest,
    OutgoingMessage,
    SendResult,
    WebhookReply,
)

DEFAULT_TIMEOUT = 30.0


class Provider(ABC):
    """A gateway client: HTTP calls in, typed results out, typed errors for everything else.

    Each subclass also declares, once, everything the rest of the world needs to know about its
    gateway: its name and title, admin page, region, capabilities and account form.
    """

    name: ClassVar[str]
    #: The gateway's name as people know it.
    title: ClassVar[str]
    #: Where the account holder manages the account (and registers the report URL).
    admin_page: ClassVar[str]
    #: The region whose numbers need no country code (phonenumbers' region code).
    region: ClassVar[str]
    #: The account form, keys as the config entry stores them.
    account_fields: ClassVar[tuple[AccountField, ...]]
    #: Whether the gateway reports a balance / its own daily totals.
    has_balance: ClassVar[bool] = False
    has_daily_totals: ClassVar[bool] = False
    #: Whether the balance may be SMS credits or money, which the account holder must say.
    balance_unit_choice: ClassVar[bool] = False
    #: Whether each message carries the delivery-report URL (`OutgoingMessage.callback_url`).
    callback_per_message: ClassVar[bool] = False
    #: The gateway's own word for the sender name: "brandname" or "sender".
    sender_word: ClassVar[str] = "brandname"
    #: Addresses the gateway sends delivery reports from, where it publishes them.
    report_sources: ClassVar[frozenset[str]] = frozenset()
    #: The channels `send` takes (`OutgoingMessage.channel`).
    channels: ClassVar[frozenset[Channel]] = frozenset({Channel.SMS})
    #: Whether `estimate` asks the gateway what a message will cost.
    has_estimate: ClassVar[bool] = False

    def advertising(self) -> Advertiser | None:
        """The gateway's advertising campaigns (a capability of FPT's client), else None."""
        return None

    @classmethod
    @abstractmethod
    def account_id(cls, config: Mapping[str, Any]) -> str:
        """A stable id of the account behind `config`, with no secret in it."""

    @classmethod
    @abstractmethod
    def account_name(cls, config: Mapping[str, Any]) -> str:
        """What tells this account apart in its title (an account number, a brandname)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        ssl: SSLContext | bool = True,
    ) -> None:
        """Plain calls go through `session` (shared); sends through a session of this client's.

        `ssl` is the TLS context of that send session (True: aiohttp's default).
        """
        self._session = session
        self._base_url = base_url.rstrip("/") if base_url else None
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._ssl = ssl
        self._send_session: aiohttp.ClientSession | None = None
        self._closed = False

    async def close(self) -> None:
        """Close the send session, if a send made one. Later sends are refused; idempotent."""
        self._closed = True
        session, self._send_session = self._send_session, None
        if session is not None:
            await session.close()

    # -- what every gateway does --

    @abstractmethod
    async def send(self, message: OutgoingMessage) -> SendResult:
        """Send one SMS; raises a ProviderError subclass when it did not go out."""

    @abstractmethod
    async def check_credentials(self) -> None:
        """Prove the credentials work without sending anything billable when possible."""

    async def balance(self) -> Balance:
        """The account balance (only where `has_balance`)."""
        raise NotImplementedError(f"{self.name} reports no balance")

    async def daily_totals(self) -> DailyTotals:
        """Today's totals (only where `has_daily_totals`)."""
        raise NotImplementedError(f"{self.name} reports no daily totals")

    async def estimate(self, message: OutgoingMessage) -> Decimal | None:
        """What sending `message` would cost, in the balance's money; None: no estimate."""
        return None

    async def zalo_accounts(self) -> list[ZaloAccount]:
        """The Zalo Official Accounts the account may send from (only where Zalo is a channel)."""
        raise NotImplementedError(f"{self.name} sends no Zalo messages")

    async def zalo_templates(self, oa_id: str) -> list[ZaloTemplate]:
        """The ZNS templates of an Official Account (only where Zalo is a channel)."""
        raise NotImplementedError(f"{self.name} sends no Zalo messages")

    def _check_channel(self, message: OutgoingMessage) -> None:
        """Refuse, before anything goes out, a channel this gateway does not send on."""
        if message.channel not in self.channels:
            raise RefusedError(f"{self.title} cannot send {message.channel.value} messages")

    @abstractmethod
    def parse_report(self, request: InboundRequest) -> DeliveryReport:
        """Authenticate and parse a report; raises BadSecretError or MalformedReportError."""

    @abstractmethod
    def reply(self, kind: ReplyKind) -> WebhookReply:
        """The exact answer this gateway expects for an accepted, unauthenticated or bad report."""

    # -- HTTP, shared --

    def _url(self, default_host: str, path: str) -> str:
        """The gateway's URL for `path`, on `base_url` when one was given."""
        return f"{self._base_url or default_host}{path}"

    def _sending_session(self) -> aiohttp.ClientSession:
        """The session sends go through, made at the first send (`http.send_session`)."""
        if self._closed:
            # Nothing went out: the caller may try elsewhere.
            raise TransientError(f"{self.name}: the client is closed")
        if self._send_session is None:
            self._send_session = send_session(self._ssl)
        return self._send_session

    async def _request(
        self,
        method: str,
        url: str | URL,
        *,
        sending: bool = False,
        **kwargs: Any,
    ) -> RawResponse:
        """One HTTP call, its body read in full. Errors never mention the URL (it holds secrets).

        `sending` marks a request that may make an SMS go out: it goes out on a new connection
        of the send session and is never repeated (http.py); a timeout or a dropped connection
        after the request was written then means the SMS may have been sent.
        """
        session = self._sending_session() if sending else self._session
        try:
            try:
                response = await fetch(
                    session, method, url, client_timeout=self._timeout, sending=sending, **kwargs
                )
            except aiohttp.ClientConnectorError:
                raise
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
                if sending:
                    raise
                # A plain call sends nothing: it met a pooled connection the gateway had closed
                # while idle (aiohttp retries that for GET only). Once more, on a new one.
                response = await fetch(session, method, url, client_timeout=self._timeout, **kwargs)
        except TimeoutError:
            raise TransientError(f"{self.name}: no answer in time", maybe_sent=sending) from None
        except aiohttp.ClientConnectorError:
            # The connection was never made: not a byte of the request went out.
            raise TransientError(f"{self.name}: cannot connect") from None
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, RepeatRefusedError):
            # RepeatRefusedError: the library meant to send it again after its connection
            # dropped before the answer.
            raise TransientError(
                f"{self.name}: connection closed before the answer", maybe_sent=sending
            ) from None
        except aiohttp.ClientError as err:
            raise TransientError(
                f"{self.name}: HTTP error {type(err).__name__}", maybe_sent=sending
            ) from None
        if response.status >= 500:
            # A 502/504 can come from anything between here and the gateway after the gateway
            # took the message: for a send it may have gone out.
            raise TransientError(
                f"{self.name}: gateway error", code=f"HTTP {response.status}", maybe_sent=sending
            )
        return response
