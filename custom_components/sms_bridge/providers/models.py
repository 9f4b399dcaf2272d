"""What the gateway clients give and take.

Statuses, messages, results, delivery reports, webhook replies, and the fields a gateway
declares for its account. Nothing here imports Home Assistant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
import uuid

from .channels import Channel, ZaloContent
from .errors import MalformedReportError
from .parsing import clean_text


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
