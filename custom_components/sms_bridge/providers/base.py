"""Shared types of the gateway clients: results, delivery reports, errors, the client base.

The HTTP machinery is in `http.py`; `RawResponse` is importable from here too.
Nothing here imports Home Assistant: this package could be published on its own.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
import hashlib
import hmac
from ssl import SSLContext
from typing import Any, ClassVar
from urllib.parse import parse_qsl
import uuid

import aiohttp
from yarl import URL

from .channels import (
    Channel as Channel,  # noqa: PLC0414 - re-exported (mypy strict needs the alias)
    ZaloAccount as ZaloAccount,  # noqa: PLC0414
    ZaloContent as ZaloContent,  # noqa: PLC0414
    ZaloParam as ZaloParam,  # noqa: PLC0414
    ZaloParamError as ZaloParamError,  # noqa: PLC0414
    ZaloTemplate as ZaloTemplate,  # noqa: PLC0414
)
from .http import (
    RawResponse as RawResponse,  # noqa: PLC0414 - re-exported (mypy strict needs the alias)
    RepeatRefusedError,
    fetch,
    send_session,
)

DEFAULT_TIMEOUT = 30.0


class DeliveryStatus(StrEnum):
    """The normalized status of a message, the same for every gateway."""

    PENDING = "pending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"

    @property
    def final(self) -> bool:
        """Delivered and failed are final; pending and sent are not."""
        return self in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)


class FailureReason(StrEnum):
    """Why a message was not delivered, in words every gateway's codes map to.

    The gateway's own code stays beside it (`provider_status`, `error`); this is what a person
    reads, in their language (the integration translates each value).
    """

    INVALID_NUMBER = "invalid_number"  # the number is wrong or does not exist
    UNREACHABLE = "unreachable"  # the phone was off or out of reach until the message expired
    EXPIRED = "expired"  # not delivered before the message's validity ended
    BLOCKED = "blocked"  # the number is blocked, or refuses messages of this sender
    REJECTED = "rejected"  # the gateway or the carrier refused the content or the brandname
    TOO_LONG = "too_long"  # longer than the carrier takes
    ENCODING = "encoding"  # characters the route cannot carry
    DUPLICATE = "duplicate"  # the same message was sent moments before
    CANCELLED = "cancelled"  # deleted or refunded before it went out
    CARRIER_ERROR = "carrier_error"  # the carrier or its SMS centre failed
    NOT_DELIVERED = "not_delivered"  # not delivered, without a more precise reason
    ZALO_INACTIVE = "zalo_inactive"  # the Zalo user is inactive, blocked the OA, or has an old app
    UNKNOWN = "unknown"  # a status no document of the gateway lists


class ReplyKind(StrEnum):
    """The three answers a delivery-report webhook can give a gateway."""

    ACCEPTED = "accepted"
    BAD_SECRET = "bad_secret"  # noqa: S105 - a reply kind, not a password
    MALFORMED = "malformed"


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One message to one number, already in its final text.

    `phone` is E.164 (`+84901234567`); each client writes it the way its gateway wants.
    `unicode` False means the text is plain (the caller has stripped diacritics).
    `request_id` is the message's own id where a gateway takes one (Fibo's smsGUID, eSMS's and
    FPT's RequestId): made once, so a retry of the same message carries the same id.
    `channel` ZALO sends `zalo` alone (`text` unused, may be ""); ZALO_SMS sends `zalo` first
    and `text` by SMS when Zalo fails. Only a gateway whose `channels` has it takes it.
    """

    phone: str
    text: str
    unicode: bool = False
    sender: str | None = None
    callback_url: str | None = None
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    channel: Channel = Channel.SMS
    zalo: ZaloContent | None = None


@dataclass(frozen=True, slots=True)
class SendResult:
    """What a gateway said when it accepted a message (accepted, not delivered).

    `request_ids` holds every RequestId the send used (one per leg of a Zalo-then-SMS message),
    so a report naming one of them is matched to the message.
    """

    provider: str
    message_id: str
    phone: str
    segments: int
    request_id: str | None = None
    telco: str | None = None
    channel: Channel = Channel.SMS
    request_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """A one-leg send's RequestId is its `request_ids` unless the client said otherwise."""
        if not self.request_ids and self.request_id is not None:
            object.__setattr__(self, "request_ids", (self.request_id,))


@dataclass(frozen=True, slots=True)
class Balance:
    """Account balance. `unit` is "VND" for money, None for SMS credits or unknown."""

    amount: Decimal
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class DailyTotals:
    """Today's totals as the gateway counts them."""

    delivered: int
    failed: int
    pending: int

    @property
    def sent(self) -> int:
        """Every message sent today, whatever became of it."""
        return self.delivered + self.failed + self.pending


@dataclass(frozen=True, slots=True)
class InboundRequest:
    """A delivery-report HTTP request, detached from any web framework.

    `query` and `form` keep the last value of a repeated name. `headers` keys are compared
    case-insensitively by the parsers. `remote` is the client address, if known. `raw_query` is
    the query string as received (percent-encoded), for gateways whose text may not be UTF-8.
    """

    method: str
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    remote: str | None = None
    raw_query: str | None = None

    def header(self, name: str) -> str | None:
        """A header's value, by case-insensitive name (a web framework's headers: at once)."""
        if (value := self.headers.get(name)) is not None:
            return value
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """A parsed delivery report, with the normalized status of DESIGN.md's table.

    `finished` marks a report after which the gateway says no more although its status is not
    final (eSMS's finished batch: `sent`, no per-number outcome). Read `final`, not
    `status.final`, to know whether more reports can come.
    """

    provider: str
    message_id: str
    status: DeliveryStatus
    provider_status: str
    phone: str | None = None
    error: str | None = None
    telco: str | None = None
    segments: int | None = None
    price: Decimal | None = None
    request_id: str | None = None
    answer: str | None = None
    finished: bool = False
    #: Why it failed, in words every gateway shares (FAILED reports only).
    reason: FailureReason | None = None
    #: The channel this report is about (eSMS: from its TypeId).
    channel: Channel = Channel.SMS
    #: For a Zalo-then-SMS message: which leg this report is about (ZALO or SMS).
    leg: Channel | None = None
    #: The currency of `price`, where the gateway states a price.
    currency: str | None = None

    def __post_init__(self) -> None:
        """Refuse text that could not be stored or sent on: undecodable bytes, lone surrogates."""
        for value in (
            self.message_id,
            self.provider_status,
            self.phone,
            self.error,
            self.telco,
            self.request_id,
            self.answer,
        ):
            if value is not None and not clean_text(value):
                raise MalformedReportError(f"{self.provider} report: undecodable text")

    @property
    def final(self) -> bool:
        """Whether the gateway will say no more about this message."""
        return self.finished or self.status.final


@dataclass(frozen=True, slots=True)
class WebhookReply:
    """The exact HTTP answer a gateway expects from a delivery-report webhook."""

    status: int
    body: str
    content_type: str = "text/plain"


# --- errors -----------------------------------------------------------------------------------


class ProviderError(Exception):
    """Base of every gateway error. The message is English and never carries a secret.

    `maybe_sent` is True when, for a send, the SMS may have gone out all the same: such a send
    is never tried again, here or through another account, or someone could get it twice.
    """

    maybe_sent: bool = False

    def __init__(self, reason: str, *, code: str | None = None) -> None:
        super().__init__(f"{reason} (code {code})" if code is not None else reason)
        self.reason = reason
        self.code = code


class AuthenticationError(ProviderError):
    """The gateway refused the credentials: the user must enter new ones."""


class IpNotAllowedError(ProviderError):
    """The gateway refused the caller's IP address (an allow-list on the gateway's side)."""


class RefusedError(ProviderError):
    """The gateway refused this request; sending it again would be refused again."""


class InvalidRecipientError(RefusedError):
    """The gateway refused the phone number."""


class TransientError(ProviderError):
    """A timeout, a connection error, a 5xx, a gateway saying "try later".

    With `maybe_sent` False the request surely never reached the gateway, or the gateway said it
    did not take it: the one case where a send is tried again.
    """

    def __init__(self, reason: str, *, code: str | None = None, maybe_sent: bool = False) -> None:
        super().__init__(reason, code=code)
        self.maybe_sent = maybe_sent


class MaybeSentError(ProviderError):
    """The gateway answered an error that does not say whether it took the message."""

    maybe_sent = True


class UnexpectedResponseError(ProviderError):
    """The gateway answered something we cannot read. For a send, whether it went out is unknown."""

    maybe_sent = True


class ReportError(Exception):
    """Base of delivery-report errors; `kind` says which reply the gateway gets."""

    kind: ClassVar[ReplyKind]


class BadSecretError(ReportError):
    """The report's secret (secure code, Authorization key, extra parameter) is missing or wrong."""

    kind = ReplyKind.BAD_SECRET


class MalformedReportError(ReportError):
    """The report lacks a required field or has one we cannot read."""

    kind = ReplyKind.MALFORMED


def secrets_equal(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a secret received from the network.

    A value with bytes that are not UTF-8 (aiohttp keeps them as surrogate escapes) is no match.
    """
    if given is None:
        return False
    try:
        return hmac.compare_digest(given.encode(), expected.encode())
    except UnicodeEncodeError:
        return False


def query_params(raw_query: str) -> dict[str, str]:
    """A query string's parameters (the last of a repeated name), `+` as a space.

    Bytes that are not UTF-8 become U+FFFD, which no report accepts (`clean_text`), whatever
    the web framework's own decoding would have made of them. A query with nothing to decode
    (the common case: a gateway's ids and codes) is split directly, as parse_qsl would, at a
    fraction of its cost.
    """
    if "%" not in raw_query and "+" not in raw_query:
        params: dict[str, str] = {}
        for field in raw_query.split("&"):
            if field:
                name, _, value = field.partition("=")
                params[name] = value
        return params
    try:
        pairs = parse_qsl(raw_query, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        pairs = parse_qsl(raw_query, keep_blank_values=True, errors="replace")
    return dict(pairs)


def clean_text(value: str) -> bool:
    """Whether text is whole: no lone surrogate, no U+FFFD left where bytes could not be read."""
    if "\ufffd" in value:
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def as_int(value: str | int | None) -> int | None:
    """An integer from a gateway field, or None when absent or not a whole number."""
    if value is None:
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def lower_keys(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Keys folded to lower case, for gateways whose documents disagree on spelling."""
    return {str(key).lower(): value for key, value in mapping.items()}


# --- what a gateway declares about itself ------------------------------------------------------


class FieldKind(StrEnum):
    """How an account field is entered."""

    TEXT = "text"
    SECRET = "secret"  # noqa: S105 - a field kind, not a password
    URL = "url"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class AccountField:
    """One field of a gateway account, under the key the config entry stores it with."""

    key: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = True
    #: For CHOICE: the values offered, the first being the default unless `default` says.
    choices: tuple[str, ...] = ()
    default: str | None = None
    #: The stored value is an int (a CHOICE of numbers).
    integer: bool = False
    #: Asked again when the gateway refuses the credentials (reauthentication).
    reauth: bool = False
    #: A secret the user copies to the gateway's admin page: suggested fresh, editable.
    generated: bool = False
    #: A delivery-report secret that can be changed in the options, not only by reconfiguring.
    report_secret: bool = False
    #: Never shown in diagnostics or logs (SECRET fields always are secret).
    secret: bool = False

    @property
    def is_secret(self) -> bool:
        """Whether the value must be kept out of diagnostics, logs and events."""
        return self.secret or self.kind is FieldKind.SECRET


class InvalidConfigError(ValueError):
    """A config the gateway cannot use.

    `field` is the key at fault ("base": the whole form), `reason` the error's translation key.
    """

    def __init__(self, field: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.reason = reason


def digest(value: str) -> str:
    """A short one-way digest: an account id from a value that is itself a secret."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


# --- the client base ----------------------------------------------------------------------------


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
