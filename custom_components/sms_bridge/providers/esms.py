"""eSMS.vn client: JSON send and balance over HTTPS, and its GET delivery-report callback."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
import json
import re
from ssl import SSLContext
from typing import Any, Final
from urllib.parse import parse_qsl, quote, unquote

import aiohttp

from .base import (
    DEFAULT_TIMEOUT,
    AccountField,
    AuthenticationError,
    Balance,
    DeliveryReport,
    DeliveryStatus,
    FailureReason,
    FieldKind,
    InboundRequest,
    InvalidRecipientError,
    IpNotAllowedError,
    MalformedReportError,
    MaybeSentError,
    OutgoingMessage,
    Provider,
    ProviderError,
    RawResponse,
    RefusedError,
    ReplyKind,
    SendResult,
    UnexpectedResponseError,
    WebhookReply,
    as_int,
    digest,
    lower_keys,
)
from .text import segment_count

DEFAULT_HOST: Final = "https://rest.esms.vn"
SEND_PATH: Final = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
BALANCE_PATH: Final = "/MainService.svc/json/GetBalance_json"
LEGACY_BALANCE_PATH: Final = "/MainService.svc/json/GetBalance/{api_key}/{secret_key}"

SUCCESS: Final = "100"

#: eSMS result codes, in English (PROVIDERS.md section 2). Used as error reasons: the gateway's
#: own ErrorMessage is never used, so nothing it echoes can reach a log or a screen.
CODE_REASONS: Final[dict[str, str]] = {
    "99": "eSMS refused the request: the number is blocked or the request is invalid",
    "101": "eSMS refused the API key or secret key",
    "102": "eSMS has no price list for this account",
    "103": "eSMS account balance is too low",
    "104": "eSMS does not know this brandname for the account",
    "105": "eSMS does not know this message id",
    "108": "eSMS refused the phone number",
    "118": "eSMS does not support this message type (SmsType)",
    "120": "eSMS refused the request: too many numbers",
    "124": "eSMS refused a duplicate RequestId (already sent within 24 hours)",
    "140": "eSMS does not allow requests from this IP address",
    "143": "eSMS account is not active",
    "146": "eSMS refused the text: it does not match a registered customer-care template",
    "201": "eSMS refused the text: it contains a blocked keyword",
    "300": "eSMS refused the request: SmsType is missing",
}
UNKNOWN_REFUSAL: Final = "eSMS refused the message"

#: Codes that are not a plain refusal: which error class they raise. Every code but 100 refuses
#: the request (eSMS returns an SMSID only with 100), except 124: that RequestId was already
#: taken, so the message it names may well have gone out.
CODE_ERRORS: Final[dict[str, type[ProviderError]]] = {
    "101": AuthenticationError,
    "140": IpNotAllowedError,
    "99": InvalidRecipientError,
    "108": InvalidRecipientError,
    "124": MaybeSentError,
}

#: DESIGN.md's status table for eSMS's `SendStatus`. None: 5 ("finished") is delivered when
#: SendSuccess > 0, failed when SendSuccess = 0 and SendFailed > 0 (or unreadable), and sent but
#: final when both are 0 (an advertising batch that went out, no per-number outcome). Values not
#: listed are failures.
STATUS_TABLE: Final[dict[int, DeliveryStatus | None]] = {
    0: DeliveryStatus.PENDING,
    1: DeliveryStatus.PENDING,  # waiting for approval
    2: DeliveryStatus.PENDING,  # waiting to be sent
    4: DeliveryStatus.FAILED,  # rejected
    5: None,  # finished: SendSuccess decides
    7: DeliveryStatus.SENT,  # sent, waiting for the telco's report
}
FINISHED: Final = 5

#: The report's `telcoid`.
TELCOS: Final[dict[str, str]] = {
    "1": "Viettel",
    "2": "Mobifone",
    "3": "Vinaphone",
    "4": "Vietnamobile",
    "5": "Gtel",
    "6": "Itel",
    "7": "Reddi",
}

#: Zalo's own result codes in `error_info` (its `error`), as reasons (ESMS-CHANNELS.md section 10).
ZALO_REASONS: Final[dict[int, FailureReason]] = {
    -114: FailureReason.ZALO_INACTIVE,  # inactive, rejected the OA's messages, or an old app
    1001: FailureReason.UNREACHABLE,  # reached Zalo, not the phone in time
}


def zalo_reason(code: int | None) -> FailureReason:
    """Why a finished message failed: Zalo's code where it gave one, else simply not delivered."""
    return (
        ZALO_REASONS.get(code, FailureReason.NOT_DELIVERED) if code else FailureReason.NOT_DELIVERED
    )


# A Vietnamese mobile number as eSMS writes it: 0 + 9 digits, or 84 + 9 digits.
_VN_MOBILE = re.compile(r"(?:\+?84|0)([1-9]\d{8})")
# Zalo's error_info ends with "____<date time>" after the JSON.
_DATE_SUFFIX = re.compile(r"_{4}[^{}\"]*$")
_MAX_ERROR_LEN = 300


def national_phone(phone: str) -> str:
    """Write the number as eSMS wants it: 0xxxxxxxxx for Vietnam, digits without '+' elsewhere."""
    digits = phone.strip().lstrip("+")
    if phone.strip().startswith("+84"):
        return "0" + digits[2:]
    return digits


def report_phone(value: str | None) -> str | None:
    """E.164 from a report's `phonenumber` when it is a Vietnamese mobile (not a Zalo user id)."""
    if not value:
        return None
    match = _VN_MOBILE.fullmatch(value.strip())
    return f"+84{match.group(1)}" if match else None


def decode_error_info(value: str) -> str | None:
    """Read Zalo's `error_info`: URL-decode until stable, then take JSON's "message" if any."""
    return zalo_result(value)[1]


def zalo_result(value: str) -> tuple[int | None, str | None]:
    """Zalo's result in `error_info`: its code (`error`, 0 = success) and its message.

    Its three encodings in the seed: JSON in a JSON string, plain JSON, and JSON URL-encoded
    once more with a date after it; decoded until stable, then unwrapped.
    """
    text = value
    for _ in range(4):
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    text = _DATE_SUFFIX.sub("", text.strip()).strip()
    parsed: Any = text
    for _ in range(3):  # a JSON string holding JSON (the inactive-user sample) unwraps twice
        if not isinstance(parsed, str):
            break
        try:
            parsed = json.loads(parsed)
        except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
            break
    code = as_int(parsed.get("error")) if isinstance(parsed, dict) else None
    if isinstance(parsed, dict) and parsed.get("message") not in (None, ""):
        text = str(parsed["message"])
    elif isinstance(parsed, str):
        text = parsed
    text = text.strip()
    return code, text[:_MAX_ERROR_LEN] or None


def _refusal(code: str) -> ProviderError:
    """Build the typed error for an eSMS result code other than 100."""
    error_class = CODE_ERRORS.get(code, RefusedError)
    return error_class(CODE_REASONS.get(code, UNKNOWN_REFUSAL), code=code)


def _code_of(value: Any) -> str | None:
    """Read a result code as a string, from "100" or 100."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


class EsmsProvider(Provider):
    """eSMS.vn: brandname SMS to Vietnamese and foreign numbers, balance in VND."""

    name = "esms"
    title = "eSMS"
    admin_page = "https://account.esms.vn"
    region = "VN"
    account_fields = (
        AccountField("api_key", FieldKind.SECRET, reauth=True),
        AccountField("secret_key", FieldKind.SECRET, reauth=True),
        AccountField("brandname"),
        AccountField("sms_type", FieldKind.CHOICE, choices=("2", "1"), integer=True),
    )
    has_balance = True
    has_daily_totals = False
    #: Each message carries its report URL (CallbackUrl): nothing to set on eSMS's side.
    callback_per_message = True

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        api_key: str,
        secret_key: str,
        brandname: str,
        sms_type: int = 2,
        sandbox: bool = False,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        ssl: SSLContext | bool = True,
    ) -> None:
        """Keep the account's keys; `sandbox` sets eSMS's Sandbox flag (not sent, not charged)."""
        super().__init__(session, base_url=base_url, timeout=timeout, ssl=ssl)
        self._api_key = api_key
        self._secret_key = secret_key
        self._brandname = brandname
        self._sms_type = sms_type
        self._sandbox = sandbox

    @classmethod
    def account_id(cls, config: Mapping[str, Any]) -> str:
        """A digest of the API key (the key itself is a secret)."""
        return f"esms_{digest(str(config['api_key']))}"

    @classmethod
    def account_name(cls, config: Mapping[str, Any]) -> str:
        """The brandname."""
        return str(config["brandname"]).strip()

    # -- sending --

    async def send(self, message: OutgoingMessage) -> SendResult:
        """Send one SMS; its RequestId is the message's, so eSMS refuses a replay of it (124)."""
        request_id = message.request_id
        payload: dict[str, str] = {
            "ApiKey": self._api_key,
            "SecretKey": self._secret_key,
            "Phone": national_phone(message.phone),
            "Content": message.text,
            "Brandname": message.sender or self._brandname,
            "SmsType": str(self._sms_type),
            "IsUnicode": "1" if message.unicode else "0",
            "RequestId": request_id,
        }
        if self._sandbox:
            payload["Sandbox"] = "1"
        if message.callback_url:
            payload["CallbackUrl"] = message.callback_url
        raw = await self._request(
            "POST", self._url(DEFAULT_HOST, SEND_PATH), sending=True, json=payload
        )
        data = self._json(raw)
        code = _code_of(data.get("coderesult"))
        if code is None:
            raise UnexpectedResponseError("eSMS answered without a result code")
        if code != SUCCESS:
            raise _refusal(code)
        message_id = data.get("smsid")
        if message_id is None or not str(message_id).strip():
            raise UnexpectedResponseError("eSMS accepted the message without an SMSID")
        return SendResult(
            provider=self.name,
            message_id=str(message_id).strip(),
            phone=message.phone,
            segments=segment_count(message.text),
            request_id=request_id,
        )

    # -- account --

    async def check_credentials(self) -> None:
        """Prove the keys work by asking for the balance (nothing is sent or charged)."""
        await self.balance()

    async def balance(self) -> Balance:
        """Ask for the balance in VND; fall back to the legacy GET form when the JSON one is 404."""
        raw = await self._request(
            "POST",
            self._url(DEFAULT_HOST, BALANCE_PATH),
            json={"ApiKey": self._api_key, "SecretKey": self._secret_key},
        )
        if raw.status == 404:
            path = LEGACY_BALANCE_PATH.format(
                api_key=quote(self._api_key, safe=""), secret_key=quote(self._secret_key, safe="")
            )
            raw = await self._request("GET", self._url(DEFAULT_HOST, path))
        data = self._json(raw)
        code = _code_of(data.get("coderesponse", data.get("coderesult")))
        if code is None:
            raise UnexpectedResponseError("eSMS answered the balance without a result code")
        if code != SUCCESS:
            raise _refusal(code)
        value = data.get("balance")
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise UnexpectedResponseError("eSMS answered the balance without an amount")
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise UnexpectedResponseError("eSMS answered an unreadable balance") from None
        if not amount.is_finite():
            raise UnexpectedResponseError("eSMS answered an unreadable balance")
        return Balance(amount, unit="VND")

    @staticmethod
    def _json(raw: RawResponse) -> dict[str, Any]:
        """Read the answer's JSON object, keys lower-cased; anything else is unexpected."""
        try:
            data = json.loads(raw.body)
        except ValueError:
            raise UnexpectedResponseError(
                "eSMS answered something that is not JSON", code=f"HTTP {raw.status}"
            ) from None
        if not isinstance(data, dict):
            raise UnexpectedResponseError(
                "eSMS answered JSON that is not an object", code=f"HTTP {raw.status}"
            )
        return lower_keys(data)

    # -- delivery reports --

    def parse_report(self, request: InboundRequest) -> DeliveryReport:
        """Parse eSMS's callback (GET query, or a POST form); it carries no secret to check."""
        params = self._report_params(request)
        message_id = params.get("smsid", "").strip()
        if not message_id:
            raise MalformedReportError("the report has no SMSID")
        code = as_int(params.get("sendstatus"))
        if code is None:
            raise MalformedReportError("the report has no readable SendStatus")
        error_info = params.get("error_info", "")
        zalo_code, answer = zalo_result(error_info) if error_info.strip() else (None, None)
        error: str | None = None
        reason: FailureReason | None = None
        if code not in STATUS_TABLE:
            status = DeliveryStatus.FAILED
            error, reason = f"Unknown status {code}", FailureReason.UNKNOWN
        elif code == FINISHED:
            status = self._finished_status(params)
            if status is DeliveryStatus.FAILED:
                error, reason = answer or "Not delivered", zalo_reason(zalo_code)
        else:
            status = STATUS_TABLE[code] or DeliveryStatus.FAILED
            if status is DeliveryStatus.FAILED:
                error, reason = answer or "Rejected", FailureReason.REJECTED
        request_id = params.get("requestid", "").strip()
        return DeliveryReport(
            provider=self.name,
            message_id=message_id,
            status=status,
            provider_status=str(code),
            phone=report_phone(params.get("phonenumber")),
            error=error,
            telco=TELCOS.get(params.get("telcoid", "").strip()),
            segments=None,
            price=self._price(params.get("totalprice")),
            request_id=request_id or None,
            answer=answer,
            finished=code == FINISHED,
            reason=reason,
        )

    @staticmethod
    def _finished_status(params: dict[str, str]) -> DeliveryStatus:
        """SendStatus 5: delivered, failed, or sent when both counts are 0 (a finished batch)."""
        success = as_int(params.get("sendsuccess"))
        if success is None or success < 0:
            raise MalformedReportError("the finished report has no readable SendSuccess")
        if success > 0:
            return DeliveryStatus.DELIVERED
        failed = as_int(params.get("sendfailed"))
        return DeliveryStatus.SENT if failed == 0 else DeliveryStatus.FAILED

    @staticmethod
    def _report_params(request: InboundRequest) -> dict[str, str]:
        """Query and form parameters, names lower-cased (the document spells them both ways)."""
        params: dict[str, Any] = dict(request.query)
        if request.method.upper() == "POST" and request.body:
            content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
            if content_type in ("", "application/x-www-form-urlencoded"):
                text = request.body.decode("utf-8", errors="replace")
                params.update(parse_qsl(text, keep_blank_values=True))
        return {key: str(value) for key, value in lower_keys(params).items()}

    @staticmethod
    def _price(value: str | None) -> Decimal | None:
        """Read the report's TotalPrice, or None when absent or unreadable."""
        if value is None or not value.strip():
            return None
        try:
            price = Decimal(value.strip())
        except InvalidOperation:
            return None
        return price if price.is_finite() else None

    def reply(self, kind: ReplyKind) -> WebhookReply:
        """DESIGN.md's answers for eSMS: 200 OK, 403, 400 (eSMS only retries on no answer)."""
        if kind is ReplyKind.ACCEPTED:
            return WebhookReply(200, "OK")
        if kind is ReplyKind.BAD_SECRET:
            return WebhookReply(403, "Forbidden")
        return WebhookReply(400, "Bad Request")
