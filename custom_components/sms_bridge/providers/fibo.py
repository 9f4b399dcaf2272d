"""FiboSMS (Vietnam): ASMX GET calls for send and balance, SOAP for today's totals, GET reports.

Wire facts: PROVIDERS.md section 1 and seeds/001 (API), seeds/000 (delivery-report push).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
import html
import re
from ssl import SSLContext
from typing import Any, ClassVar
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

import aiohttp

from .base import DEFAULT_TIMEOUT, Provider
from .errors import (
    AuthenticationError,
    BadSecretError,
    InvalidRecipientError,
    IpNotAllowedError,
    MalformedReportError,
    MaybeSentError,
    ProviderError,
    RefusedError,
    ReplyKind,
    TransientError,
    UnexpectedResponseError,
)
from .http import RawResponse
from .models import (
    AccountField,
    Balance,
    DailyTotals,
    DeliveryReport,
    DeliveryStatus,
    FailureReason,
    FieldKind,
    InboundRequest,
    OutgoingMessage,
    SendResult,
    WebhookReply,
)
from .parsing import as_int, secrets_equal
from .text import segment_count

DEFAULT_HOST = "https://ha-api.fibosms.com"
SEND_PATH = "/SendMT/service.asmx/SendSMS"
SEND_MASKED_PATH = "/SendMT/service.asmx/SendMaskedSMS"
#: The documented balance path first (".aspx", probably a typo), then the ASMX one.
BALANCE_PATHS = (
    "/SendMT/service.aspx/GetClientBalance",
    "/SendMT/service.asmx/GetClientBalance",
)
TOTALS_PATH = "/WebserivceFibo/PartnerMtTotal.asmx"  # sic: "Webserivce"
SOAP_ACTION = '"http://tempuri.org/GetTotalMt"'
SOAP_ENVELOPE = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
    "<soap:Body>"
    '<GetTotalMt xmlns="http://tempuri.org/">'
    "<Username>{username}</Username><Password>{password}</Password>"
    "</GetTotalMt>"
    "</soap:Body>"
    "</soap:Envelope>"
)

SUCCESS = 200

#: Result codes of the API document (seeds/001, "Bảng mã lỗi") and older codes [pub], in English.
CODE_REASONS: dict[int, str] = {
    200: "Success",
    2: "System error",
    3: "Wrong user or password",
    4: "IP address not allowed",
    5: "Brandname or service not declared",
    6: "Duplicate content",
    7: "Subscriber refuses messages",
    8: "Not allowed to send",
    9: "Template not declared",
    10: "Wrong phone number format",
    11: "Invalid parameter",
    12: "Wrong account",
    13: "Sending: connection error",
    14: "Insufficient balance",
    15: "Account expired",
    16: "Service expired",
    17: "Test quota used up",
    18: "Sending cancelled (customer care)",
    19: "Sending cancelled (advertising)",
    20: "Gateway does not support Unicode yet",
    21: "Prepaid price not set",
    22: "Account not activated",
    23: "Message syntax error",
    24: "Processing procedure failed",
    25: "No partner declared for the user",
    26: "No gate owner declared for the user",
    27: "Sending: the gate returned an error",
    28: "Sending cancelled",
    29: "No top-up user declared for the partner",
    30: "Refunded to the user",
    31: "11-digit number has moved to 10 digits",
    100: "Check the account",
    101: "Check the phone number",
    102: "Balance is zero",
    103: "Wrong service type",
    104: "More messages than the balance allows",
    202: "Error",
    301: "No SMS",
}
AUTH_CODES = frozenset({3, 12, 100})
IP_CODES = frozenset({4})
RECIPIENT_CODES = frozenset({10, 31, 101})
#: Failures inside Fibo (system, connection, procedure, onward gate, "Error") that do not say
#: whether the message was taken before it happened. Every other listed code refuses the request
#: as such (account, brandname, balance, number, content, cancelled or refunded): not taken.
#: A code not listed is treated as ambiguous too. Outside a send they are ordinary errors.
AMBIGUOUS_CODES = frozenset({2, 13, 24, 27, 202})
#: Outside a send: failures on Fibo's side worth asking again later.
TRANSIENT_CODES = frozenset({2, 13})

#: Delivery-report `Status` -> normalized status (DESIGN.md); any other value is FAILED.
STATUS_TABLE: dict[int, DeliveryStatus] = {
    0: DeliveryStatus.PENDING,
    1: DeliveryStatus.SENT,
    2: DeliveryStatus.DELIVERED,
    200: DeliveryStatus.DELIVERED,
}
#: Fibo's message-status names (2009 guide [pub]), used as the error text of failed reports.
STATUS_NAMES: dict[int, str] = {
    0: "Pending",
    1: "Sending",
    2: "SentSuccess",
    3: "SentFailed",
    4: "Deleted",
    5: "ToNumberNotCorrect",
    6: "CanNotSend",
    7: "OutOfDate",
    8: "SendMTFailed",
    9: "Other",
    10: "SpamSMS",
    11: "RestoreToAccountClient",
}

#: Why a failed report's status failed (the message-status list above).
STATUS_REASONS: dict[int, FailureReason] = {
    3: FailureReason.NOT_DELIVERED,
    4: FailureReason.CANCELLED,
    5: FailureReason.INVALID_NUMBER,
    6: FailureReason.CARRIER_ERROR,
    7: FailureReason.EXPIRED,
    8: FailureReason.CARRIER_ERROR,
    9: FailureReason.NOT_DELIVERED,
    10: FailureReason.REJECTED,  # taken for spam
    11: FailureReason.CANCELLED,  # refunded to the account
}

REPLIES: dict[ReplyKind, WebhookReply] = {
    ReplyKind.ACCEPTED: WebhookReply(200, "<Status>2</Status>", "text/xml"),
    ReplyKind.BAD_SECRET: WebhookReply(403, "<Status>1</Status>", "text/xml"),
    ReplyKind.MALFORMED: WebhookReply(400, "<Status>1</Status>", "text/xml"),
}

_STRING = re.compile(r"<string\b[^>]*>(.*?)</string\s*>", re.IGNORECASE | re.DOTALL)
_CODE = re.compile(r"<Code>\s*(-?\d+)\s*</Code\s*>", re.IGNORECASE)
_BALANCE = re.compile(r"<AccountBalance>\s*([^<]*?)\s*</AccountBalance\s*>", re.IGNORECASE)
_TOTALS = re.compile(
    r"<(?:[\w.-]+:)?GetTotalMtResult\b[^>]*>(.*?)</(?:[\w.-]+:)?GetTotalMtResult\s*>",
    re.IGNORECASE | re.DOTALL,
)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_INTEGER = re.compile(r"-?\d+")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def reason_for(code: int) -> str:
    """The English reason of a result code, for error messages."""
    return CODE_REASONS.get(code, f"Unknown result code {code}")


def error_for(code: int, *, sending: bool = False) -> ProviderError:
    """The typed error for a non-success result code (`sending`: the answer to a send)."""
    reason = f"Fibo: {reason_for(code)}"
    text = str(code)
    if code in AUTH_CODES:
        return AuthenticationError(reason, code=text)
    if code in IP_CODES:
        return IpNotAllowedError(reason, code=text)
    if code in RECIPIENT_CODES:
        return InvalidRecipientError(reason, code=text)
    if sending and (code in AMBIGUOUS_CODES or code not in CODE_REASONS):
        return MaybeSentError(reason, code=text)
    if code in TRANSIENT_CODES:
        return TransientError(reason, code=text)
    return RefusedError(reason, code=text)


def unwrap(body: str) -> str:
    """The payload inside ASMX's `<string>` wrapper, its escaped XML turned back into markup."""
    body = _XML_DECLARATION.sub("", body, count=1)
    match = _STRING.search(body)
    inner = match.group(1) if match else body
    for _ in range(3):  # tolerate double escaping
        unescaped = html.unescape(inner)
        if unescaped == inner:
            break
        inner = unescaped
    return inner.strip()


def parse_code(body: str) -> int | None:
    """The `<Code>` of an answer (escaped, unescaped or bare), or None when there is none."""
    inner = unwrap(body)
    match = _CODE.search(inner)
    if match:
        return int(match.group(1))
    if _INTEGER.fullmatch(inner):
        return int(inner)
    return None


def parse_balance(body: str) -> Balance | None:
    """The balance in an answer (`<AccountBalance>`, old `<string>529</string>`, bare number).

    Returns None when the answer holds no balance; raises the mapped error for an error code.
    """
    inner = unwrap(body)
    code_match = _CODE.search(inner)
    if code_match:
        code = int(code_match.group(1))
        if code != SUCCESS:
            raise error_for(code)
        amount = _BALANCE.search(inner)
        return _decimal(amount.group(1)) if amount else None
    return _decimal(inner)


def _decimal(text: str) -> Balance | None:
    """A balance from a plain number, or None when the text is not one."""
    return Balance(Decimal(text)) if _NUMBER.fullmatch(text) else None


def parse_totals(body: str) -> DailyTotals | None:
    """Today's totals from a GetTotalMt SOAP answer (`56|12|0`); raises for an error code."""
    match = _TOTALS.search(body)
    if match is None:
        return None
    result = unwrap(match.group(1))
    parts = [part.strip() for part in result.split("|")]
    if len(parts) == 3 and all(_INTEGER.fullmatch(part) for part in parts):
        delivered, failed, pending = (int(part) for part in parts)
        return DailyTotals(delivered=delivered, failed=failed, pending=pending)
    code = parse_code(result)
    if code is not None and code != SUCCESS:
        raise error_for(code)
    return None


def national_number(phone: str) -> str:
    """A number the way Fibo wants it: `0xxxxxxxxx` for Vietnam, bare digits for the rest."""
    digits = "".join(ch for ch in phone if ch in "0123456789")
    if phone.strip().startswith("+84"):
        return "0" + digits[2:]
    return digits


def report_fields(request: InboundRequest) -> dict[str, str]:
    """Query and form fields, names folded to lower case, names and values stripped of spaces.

    The seed's own example link reads `Status = 2`: surrounding spaces are not meaningful.
    """
    fields = {key.strip().lower(): value.strip() for key, value in request.query.items()}
    content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
    if request.method.upper() == "POST" and content_type in (
        "",
        "application/x-www-form-urlencoded",
    ):
        text = request.body.decode("utf-8", errors="replace")
        fields.update(
            {
                key.strip().lower(): value.strip()
                for key, value in parse_qsl(text, keep_blank_values=True)
            }
        )
    return fields


class FiboProvider(Provider):
    """The FiboSMS client: brandname or plain send, balance, today's totals, delivery reports."""

    name: ClassVar[str] = "fibo"
    title: ClassVar[str] = "FiboSMS"
    admin_page: ClassVar[str] = "https://admin.fibosms.com"
    region: ClassVar[str] = "VN"
    account_fields: ClassVar[tuple[AccountField, ...]] = (
        AccountField("client_no"),
        AccountField("client_pass", FieldKind.SECRET, reauth=True),
        AccountField("sender", required=False),
        AccountField(
            "secure_code", required=False, generated=True, report_secret=True, secret=True
        ),
    )
    has_balance: ClassVar[bool] = True
    has_daily_totals: ClassVar[bool] = True
    #: An account holds SMS credits or a money package (seeds/001).
    balance_unit_choice: ClassVar[bool] = True
    #: Fibo calls the partner's report URL from these two addresses (seed 000).
    report_sources: ClassVar[frozenset[str]] = frozenset({"118.69.199.9", "112.78.7.18"})

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        client_no: str,
        client_pass: str,
        sender: str | None = None,
        secure_code: str | None = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        ssl: SSLContext | bool = True,
    ) -> None:
        """Keep the account's credentials and options (config entry keys, DESIGN.md)."""
        super().__init__(session, base_url=base_url, timeout=timeout, ssl=ssl)
        self._client_no = client_no
        self._client_pass = client_pass
        self._sender = sender or None
        # Report values are read with surrounding spaces stripped; so is the configured code.
        self._secure_code = (secure_code or "").strip() or None
        self._balance_path: str | None = None

    @classmethod
    def account_id(cls, config: Mapping[str, Any]) -> str:
        """The client number (Fibo's account id, not a secret)."""
        return f"fibo_{str(config['client_no']).strip().upper()}"

    @classmethod
    def account_name(cls, config: Mapping[str, Any]) -> str:
        """The client number."""
        return str(config["client_no"]).strip()

    # -- sending --

    async def send(self, message: OutgoingMessage) -> SendResult:
        """Send one SMS: SendMaskedSMS with a brandname, SendSMS without one.

        The message's request id is the smsGUID: Fibo's reports carry it back as MSGUID.
        """
        self._check_channel(message)
        guid = message.request_id
        params = {"clientNo": self._client_no, "clientPass": self._client_pass}
        sender = message.sender or self._sender
        if sender:
            path = SEND_MASKED_PATH
            params["senderName"] = sender
        else:
            path = SEND_PATH
        params |= {
            "phoneNumber": national_number(message.phone),
            "smsMessage": message.text,
            "smsGUID": guid,
            "serviceType": "1" if message.unicode else "0",
        }
        response = await self._request(
            "GET", self._url(DEFAULT_HOST, path), sending=True, params=params
        )
        code = parse_code(response.text)
        if code is None:
            raise UnexpectedResponseError(
                "Fibo: unreadable answer to a send", code=_http_code(response)
            )
        if code != SUCCESS:
            raise error_for(code, sending=True)
        if response.status != 200:
            raise UnexpectedResponseError(
                "Fibo: success code with an HTTP error", code=_http_code(response)
            )
        return SendResult(
            provider=self.name,
            message_id=guid,
            phone=message.phone,
            segments=segment_count(message.text),
        )

    # -- account --

    async def check_credentials(self) -> None:
        """A balance query: it proves the credentials and costs nothing."""
        await self.balance()

    async def balance(self) -> Balance:
        """GetClientBalance, on the documented path or the ASMX one (whichever exists)."""
        params = {
            "clientNo": self._client_no,
            "clientPass": self._client_pass,
            "serviceType": "1",
        }
        paths = list(BALANCE_PATHS)
        if self._balance_path is not None:
            paths.remove(self._balance_path)
            paths.insert(0, self._balance_path)
        for path in paths:
            response = await self._request("GET", self._url(DEFAULT_HOST, path), params=params)
            if _missing(response):
                continue
            self._balance_path = path
            found = parse_balance(response.text)
            if found is None or response.status != 200:
                raise UnexpectedResponseError(
                    "Fibo: unreadable balance answer", code=_http_code(response)
                )
            return found
        raise UnexpectedResponseError("Fibo: balance service not found", code=_http_code(response))

    async def daily_totals(self) -> DailyTotals:
        """GetTotalMt over SOAP 1.1: today's delivered | failed | waiting."""
        envelope = SOAP_ENVELOPE.format(
            username=escape(self._client_no), password=escape(self._client_pass)
        )
        response = await self._request(
            "POST",
            self._url(DEFAULT_HOST, TOTALS_PATH),
            data=envelope.encode(),
            headers={"SOAPAction": SOAP_ACTION, "Content-Type": "text/xml; charset=utf-8"},
        )
        totals = parse_totals(response.text)
        if totals is None or response.status != 200:
            raise UnexpectedResponseError(
                "Fibo: unreadable daily totals answer", code=_http_code(response)
            )
        return totals

    # -- delivery reports --

    def parse_report(self, request: InboundRequest) -> DeliveryReport:
        """A pushed status: MSGUID (or SMSGUID), Status, SecureCode; GET or a POST form."""
        fields = report_fields(request)
        if self._secure_code is not None and not secrets_equal(
            fields.get("securecode"), self._secure_code
        ):
            raise BadSecretError("Fibo: wrong or missing secure code")
        message_id = fields.get("msguid") or fields.get("smsguid")
        raw_status = fields.get("status")
        if not message_id or not raw_status:
            raise MalformedReportError("Fibo: report without message id or status")
        code = as_int(raw_status)
        if code is None:
            raise MalformedReportError("Fibo: report status is not a number")
        status = STATUS_TABLE.get(code, DeliveryStatus.FAILED)
        error = reason = None
        if status is DeliveryStatus.FAILED:
            error = STATUS_NAMES.get(code, f"Unknown status {code}")
            reason = STATUS_REASONS.get(code, FailureReason.UNKNOWN)
        return DeliveryReport(
            provider=self.name,
            message_id=message_id,
            status=status,
            provider_status=raw_status,
            error=error,
            reason=reason,
        )

    def reply(self, kind: ReplyKind) -> WebhookReply:
        """`<Status>2</Status>` stops Fibo's retries; `<Status>1</Status>` asks it to retry."""
        return REPLIES[kind]


def _missing(response: RawResponse) -> bool:
    """Whether a path does not exist: a 404-like status, or an HTML page instead of an answer."""
    if response.status in (404, 405, 410):
        return True
    return "html" in response.content_type.lower() and parse_code(response.text) is None


def _http_code(response: RawResponse) -> str | None:
    """The HTTP status as an error code, when it is not the expected 200."""
    return None if response.status == 200 else f"HTTP {response.status}"
