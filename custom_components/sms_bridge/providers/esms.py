"""eSMS.vn client: SMS, Zalo and Zalo-then-SMS sends, estimates, balance, its GET reports.

The shared wire facts are in esms_base.py, the Zalo calls and wire format in esms_zalo.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
import re
from ssl import SSLContext
from typing import Any, Final
from urllib.parse import parse_qsl, quote

import aiohttp
from yarl import URL

from .base import DEFAULT_TIMEOUT
from .channels import Channel
from .errors import MalformedReportError, ReplyKind, UnexpectedResponseError
from .esms_base import (
    CODE_ERRORS as CODE_ERRORS,  # noqa: PLC0414 - re-exported
    CODE_REASONS as CODE_REASONS,  # noqa: PLC0414 - re-exported
    CURRENCY,
    DEFAULT_HOST,
    SUCCESS,
    EsmsBase as EsmsBase,  # noqa: PLC0414 - re-exported
    code_of,
    national_phone as national_phone,  # noqa: PLC0414 - re-exported
    read_price,
    refusal,
)
from .esms_zalo import (
    FALLBACK_SMS_TYPE,
    ZALO_REASONS as ZALO_REASONS,  # noqa: PLC0414 - re-exported
    EsmsZalo,
    decode_error_info as decode_error_info,  # noqa: PLC0414 - re-exported
    read_markers,
    report_channel,
    zalo_reason,
    zalo_result,
)
from .models import (
    AccountField,
    Balance,
    DeliveryReport,
    DeliveryStatus,
    FailureReason,
    FieldKind,
    InboundRequest,
    OutgoingMessage,
    SendResult,
    WebhookReply,
)
from .parsing import as_int, digest, lower_keys
from .text import segment_count

SEND_PATH: Final = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
SMS_ESTIMATE_PATH: Final = "/MainService.svc/json/SummaryMultipleMessage_V4_get"
BALANCE_PATH: Final = "/MainService.svc/json/GetBalance_json"
LEGACY_BALANCE_PATH: Final = "/MainService.svc/json/GetBalance/{api_key}/{secret_key}"

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

# A Vietnamese mobile number as eSMS writes it: 0 + 9 digits, or 84 + 9 digits.
_VN_MOBILE = re.compile(r"(?:\+?84|0)([1-9]\d{8})")


def report_phone(value: str | None) -> str | None:
    """E.164 from a report's `phonenumber` when it is a Vietnamese mobile (not a Zalo user id)."""
    if not value:
        return None
    match = _VN_MOBILE.fullmatch(value.strip())
    return f"+84{match.group(1)}" if match else None


class EsmsProvider(EsmsZalo):
    """eSMS.vn: brandname SMS to Vietnamese and foreign numbers, Zalo ZNS, balance in VND."""

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
    channels = frozenset({Channel.SMS, Channel.ZALO, Channel.ZALO_SMS})
    has_estimate = True

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
        """Send by the message's channel; each RequestId is the message's, so a replay is 124."""
        self._check_channel(message)
        if message.channel is Channel.ZALO:
            return await self._send_zns(message, self._zalo_content(message))
        if message.channel is Channel.ZALO_SMS:
            return await self._send_zalo_sms(message, self._zalo_content(message))
        request_id = message.request_id
        payload = self._keys() | {
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
        return SendResult(
            provider=self.name,
            message_id=await self._accepted(SEND_PATH, payload, zalo=False),
            phone=message.phone,
            segments=segment_count(message.text),
            request_id=request_id,
        )

    # -- cost --

    async def estimate(self, message: OutgoingMessage) -> Decimal | None:
        """What eSMS says the message will cost (VND); None when it cannot say.

        Zalo-then-SMS has no estimate of its own: the dearer leg is the worst case (a ZNS that
        failed costs nothing in eSMS's sample). Raises AuthenticationError for refused keys and
        TransientError when eSMS cannot be reached; any other trouble is None.
        """
        if message.channel not in self.channels:
            return None
        if message.channel is Channel.SMS:
            return await self._estimate_sms(message, str(self._sms_type))
        if message.zalo is None:
            return None
        zns = await self._estimate_zns(message.phone, message.zalo)
        if message.channel is Channel.ZALO or zns is None:
            return zns
        sms = await self._estimate_sms(message, FALLBACK_SMS_TYPE)
        return None if sms is None else max(zns, sms)

    async def _estimate_sms(self, message: OutgoingMessage, sms_type: str) -> Decimal | None:
        """SummaryMultipleMessage_V4_get: a GET whose query carries the keys (never logged)."""
        query = {
            "Phone": national_phone(message.phone),
            "Content": message.text,
            "ApiKey": self._api_key,
            "SecretKey": self._secret_key,
            "SmsType": sms_type,
            "BrandName": message.sender or self._brandname,
            "IsUnicode": "1" if message.unicode else "0",
        }
        url = URL(self._url(DEFAULT_HOST, SMS_ESTIMATE_PATH)).with_query(query)
        return await self._estimate_price("GET", url)

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
        code = code_of(data.get("coderesponse", data.get("coderesult")))
        if code is None:
            raise UnexpectedResponseError("eSMS answered the balance without a result code")
        if code != SUCCESS:
            raise refusal(code)
        value = data.get("balance")
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise UnexpectedResponseError("eSMS answered the balance without an amount")
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise UnexpectedResponseError("eSMS answered an unreadable balance") from None
        if not amount.is_finite():
            raise UnexpectedResponseError("eSMS answered an unreadable balance")
        return Balance(amount, unit=CURRENCY)

    # -- delivery reports --

    def parse_report(self, request: InboundRequest) -> DeliveryReport:
        """Parse eSMS's callback (GET query, or a POST form); it carries no secret to check.

        The channel comes from TypeId (none: SMS); the leg of a Zalo-then-SMS message from our
        marker in its CallbackUrl, else from TypeId; the request id from RequestId, else from
        our marker (eSMS's samples leave RequestId empty).
        """
        params = self._report_params(request)
        leg, ref = read_markers(params)
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
        typed = report_channel(params.get("typeid"))
        if leg is None and typed in (Channel.SMS, Channel.ZALO):
            leg = typed
        price = read_price(params.get("totalprice"))
        return DeliveryReport(
            provider=self.name,
            message_id=message_id,
            status=status,
            provider_status=str(code),
            phone=report_phone(params.get("phonenumber")),
            error=error,
            telco=TELCOS.get(params.get("telcoid", "").strip()),
            segments=None,
            price=price,
            request_id=params.get("requestid", "").strip() or ref,
            answer=answer,
            finished=code == FINISHED,
            reason=reason,
            channel=typed or leg or Channel.SMS,
            leg=leg,
            currency=None if price is None else CURRENCY,
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

    def reply(self, kind: ReplyKind) -> WebhookReply:
        """DESIGN.md's answers for eSMS: 200 OK, 403, 400 (eSMS only retries on no answer)."""
        if kind is ReplyKind.ACCEPTED:
            return WebhookReply(200, "OK")
        if kind is ReplyKind.BAD_SECRET:
            return WebhookReply(403, "Forbidden")
        return WebhookReply(400, "Bad Request")
