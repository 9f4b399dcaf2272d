"""FPT SMS Brandname client: one shared OAuth2 token, Base64 JSON sends, JSON delivery reports.

Wire facts: PROVIDERS.md section 3. Only customer-care (CSKH) messages are sent: they are the ones
with a real-time delivery report; advertising campaigns need approval and report days later.
"""

from __future__ import annotations

import asyncio
import base64
import codecs
import json
import re
from typing import Any, Final
import uuid

import aiohttp

from .base import (
    DEFAULT_TIMEOUT,
    AuthenticationError,
    BadSecretError,
    DeliveryReport,
    DeliveryStatus,
    InboundRequest,
    InvalidRecipientError,
    MalformedReportError,
    MaybeSentError,
    OutgoingMessage,
    Provider,
    ProviderError,
    RawResponse,
    RefusedError,
    ReplyKind,
    SendResult,
    TransientError,
    UnexpectedResponseError,
    WebhookReply,
    as_int,
    lower_keys,
    secrets_equal,
)
from .text import segment_count

HOSTS: Final[dict[str, str]] = {
    "production": "https://api01.sms.fpt.net",
    "sandbox": "http://sandbox.sms.fpt.net",
}
TOKEN_PATH: Final = "/oauth2/token"  # noqa: S105 - a path, not a password
DOMESTIC_PATH: Final = "/api/push-brandname-otp"
INTERNATIONAL_PATH: Final = "/api/push-brandname-international"

#: Both scopes a full account has; an account with only customer care gets the first alone.
FULL_SCOPE: Final = "send_brandname_otp send_brandname"
OTP_SCOPE: Final = "send_brandname_otp"
#: Token lifetime when the answer does not say (the document's value).
DEFAULT_TOKEN_LIFETIME: Final = 86400
#: A token is refreshed this long before it expires: 5 minutes, or 10% of a shorter lifetime.
REFRESH_MARGIN: Final = 300.0
REFRESH_FRACTION: Final = 0.1

#: FPT's error codes, in English (the document's section 5). The gateway's own
#: error_description (Vietnamese, free text) never becomes an error reason.
CODE_REASONS: Final[dict[int, str]] = {
    1001: "FPT refused the request as invalid",
    1002: "FPT does not allow this client",
    1003: "FPT denied access",
    1004: "FPT does not support the requested response type",
    1005: "FPT refused the requested scopes",
    1006: "FPT server error",
    1007: "FPT is temporarily unable to handle requests",
    1008: "FPT refused the client: wrong client id/secret, or this IP is not allowed",
    1009: "FPT refused the grant type as invalid",
    1010: "the FPT application lacks the scope for this request",
    1011: "FPT refused the access token as invalid",
    1012: "FPT says the access token was altered",
    1013: "the FPT access token expired",
    1014: "FPT refused the request's parameters",
    1015: "FPT does not support this grant type",
    1016: "FPT message quota exceeded",
    2501: "FPT refused a duplicate message (same message within 5 minutes)",
    1: "FPT refused a duplicate message (same message within 5 minutes)",
    2502: "FPT sending quota used up",
    2503: "FPT account has no sending quota configured",
    2504: "FPT brandname not activated or locked",
    54: "FPT brandname not activated or locked",
    2505: "the phone number is blocked",
    -11: "the phone number is blocked",
    2506: "FPT service error",
    2507: "FPT unknown error",
    2: "brandname not registered with the carrier",
    -8: "brandname not registered with the carrier",
    3: "carrier service error",
    4: "message longer than the carrier allows",
    -14: "message longer than the carrier allows",
    901: "message longer than the carrier allows",
    5: "message does not match a registered template",
    -20: "message does not match a registered template",
    55: "message does not match a registered template",
    6: "message contains a blocked keyword",
    -18: "message contains a blocked keyword",
    7: "Vietnamese (Unicode) characters in an encoded message (Viettel bank route)",
    8: "message could not be decoded (Viettel bank route)",
    53: "wrong phone number",
    -10: "wrong phone number",
    902: "wrong phone number",
}
UNKNOWN_REFUSAL: Final = "FPT refused the request"

#: The access token was refused: a fresh token and one more try may succeed.
TOKEN_CODES: Final = frozenset({1011, 1012, 1013})
#: Scope problems: retry the token request once with the customer-care scope only.
SCOPE_CODES: Final = frozenset({1005, 1010})

#: Codes that are not a plain refusal: which error class they raise.
CODE_ERRORS: Final[dict[int, type[ProviderError]]] = {
    1002: AuthenticationError,
    1003: AuthenticationError,
    1008: AuthenticationError,
    53: InvalidRecipientError,
    -10: InvalidRecipientError,
    902: InvalidRecipientError,
    2505: InvalidRecipientError,
    -11: InvalidRecipientError,
}
#: Server-side failures: a token request is safely repeated later, but for a push they do not
#: say whether FPT took the message (nor does a code the document does not list). Every other
#: listed code refuses the request before anything is sent.
AMBIGUOUS_CODES: Final = frozenset({1006, 1007, 2506, 2507})
#: Outside a push: FPT's server failing, worth asking again later.
TRANSIENT_CODES: Final = frozenset({1006, 1007})

#: DESIGN.md's status table for FPT's report `Status`; other values are failures.
STATUS_TABLE: Final[dict[int, DeliveryStatus]] = {
    2: DeliveryStatus.PENDING,
    -11: DeliveryStatus.PENDING,
    1: DeliveryStatus.DELIVERED,
    0: DeliveryStatus.FAILED,
}

#: The report's `Telco` values (and full names, in case), as carriers' names.
TELCOS: Final[dict[str, str]] = {
    "viettel": "Viettel",
    "vina": "Vinaphone",
    "vinaphone": "Vinaphone",
    "mobi": "Mobifone",
    "mobifone": "Mobifone",
    "htc": "Vietnamobile",
    "vnm": "Vietnamobile",
    "vietnamobile": "Vietnamobile",
    "beeline": "Gtel",
    "gtel": "Gtel",
    "itel": "Itel",
}

REPLIES: Final[dict[ReplyKind, WebhookReply]] = {
    ReplyKind.ACCEPTED: WebhookReply(200, '{"status": 1}', "application/json"),
    ReplyKind.BAD_SECRET: WebhookReply(
        401, '{"status": 0, "desc": "Unauthorized"}', "application/json"
    ),
    ReplyKind.MALFORMED: WebhookReply(
        400, '{"status": 0, "desc": "Invalid data"}', "application/json"
    ),
}

_DIGITS = re.compile(r"[0-9]{6,15}")


class TokenRejectedError(RefusedError):
    """FPT refused the access token (1011/1012/1013): a fresh token and one retry may help."""


def error_for(code: int, *, sending: bool = False) -> ProviderError:
    """The error to raise for an FPT error code (`sending`: the answer to a push)."""
    reason = CODE_REASONS.get(code, UNKNOWN_REFUSAL)
    if code in TOKEN_CODES:
        return TokenRejectedError(reason, code=str(code))
    if sending and (code in AMBIGUOUS_CODES or code not in CODE_REASONS):
        return MaybeSentError(reason, code=str(code))
    if code in TRANSIENT_CODES:
        return TransientError(reason, code=str(code))
    return CODE_ERRORS.get(code, RefusedError)(reason, code=str(code))


def refresh_margin(lifetime: float) -> float:
    """How early to refresh a token living `lifetime` s: 5 minutes or 10%, whichever is smaller."""
    return min(REFRESH_MARGIN, lifetime * REFRESH_FRACTION)


def wire_phone(phone: str) -> tuple[str, bool]:
    """The number as FPT wants it (digits, 84... for Vietnam) and whether it is Vietnamese."""
    value = re.sub(r"[\s\-.()]", "", phone)
    if value.startswith("+"):
        digits = value[1:]
    elif value.startswith("00"):
        digits = value[2:]
    elif value.startswith("0"):
        digits = "84" + value[1:]
    else:
        digits = value
    if not _DIGITS.fullmatch(digits):
        raise InvalidRecipientError("not a valid phone number")
    return digits, digits.startswith("84")


def encode_text(text: str) -> str:
    """The message text as FPT wants it: Base64 of its UTF-8 bytes."""
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _text(value: Any) -> str | None:
    """A JSON scalar as text, None when absent, empty or a structure."""
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value).strip() or None


def _identifier(value: Any) -> str | None:
    """A message id (a number or a string in FPT's JSON), None for anything else."""
    return None if isinstance(value, bool) or not isinstance(value, (int, str)) else _text(value)


def _number(value: Any) -> int | None:
    """A whole number (a number or a numeric string in FPT's JSON), None for anything else."""
    return None if isinstance(value, bool) or not isinstance(value, (int, str)) else as_int(value)


def telco_name(value: Any) -> str | None:
    """A carrier's name from FPT's `Telco` value; unknown values are kept as they are."""
    text = _text(value)
    return TELCOS.get(text.lower(), text) if text else None


def _loads(data: bytes) -> Any:
    """JSON from bytes, a UTF-8 byte-order mark tolerated; ValueError when it is not JSON."""
    try:
        return json.loads(data.removeprefix(codecs.BOM_UTF8))
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _json_object(raw: RawResponse) -> dict[str, Any] | None:
    """The answer's JSON object with lower-cased keys, or None when it is not one."""
    try:
        data = _loads(raw.body)
    except ValueError:
        return None
    return lower_keys(data) if isinstance(data, dict) else None


def _raise_for_error(
    raw: RawResponse, fields: dict[str, Any] | None, *, sending: bool = False
) -> dict[str, Any]:
    """Raise the error an answer carries; return its fields when it carries none."""
    code = _number(fields.get("error")) if fields is not None else None
    if code is not None:
        raise error_for(code, sending=sending)
    if fields is None or raw.status != 200:
        raise UnexpectedResponseError(
            "FPT answered something unreadable", code=f"HTTP {raw.status}"
        )
    return fields


def parse_token_answer(raw: RawResponse) -> tuple[str, int]:
    """The access token and its lifetime in seconds from a /oauth2/token answer."""
    fields = _raise_for_error(raw, _json_object(raw))
    token = fields.get("access_token")
    if not isinstance(token, str) or not token.strip():
        raise UnexpectedResponseError("FPT's token answer has no access token")
    seconds = _number(fields.get("expires_in"))
    return token.strip(), seconds if seconds is not None and seconds > 0 else DEFAULT_TOKEN_LIFETIME


def parse_send_answer(
    raw: RawResponse, *, phone: str, segments: int, request_id: str | None
) -> SendResult:
    """The SendResult from a push-brandname answer, or the error it carries."""
    fields = _raise_for_error(raw, _json_object(raw), sending=True)
    message_id = _identifier(fields.get("messageid"))
    if message_id is None:
        raise UnexpectedResponseError("FPT's answer has no message id")
    return SendResult(
        provider=FptProvider.name,
        message_id=message_id,
        phone=phone,
        segments=segments,
        request_id=request_id,
        telco=telco_name(fields.get("telco")),
    )


class FptProvider(Provider):
    """FPT SMS Brandname, customer-care messages to Vietnamese and foreign numbers."""

    name = "fpt"
    region = "VN"
    has_balance = False
    has_daily_totals = False

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        client_id: str,
        client_secret: str,
        brandname: str,
        environment: str = "production",
        auth_key: str | None = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Keep the credentials; no token is fetched until one is needed."""
        super().__init__(session, base_url=base_url, timeout=timeout)
        if environment not in HOSTS:
            raise ValueError(f"environment must be one of {sorted(HOSTS)}")
        self._host = HOSTS[environment]
        self._client_id = client_id
        self._client_secret = client_secret
        self._brandname = brandname
        self._auth_key = auth_key or None
        self._scope = FULL_SCOPE
        # One token for every call of this instance; the lock makes concurrent callers share
        # a single fetch. `_fetches` counts finished fetches, so a caller that waited on the
        # lock while a fetch ran takes its outcome (token or error) instead of fetching again.
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0
        self._fetches = 0
        self._failure: ProviderError | None = None

    # -- token --

    async def _access_token(self, *, force: bool = False) -> str:
        """The shared access token, fetched once for all concurrent callers when needed."""
        fetches = self._fetches
        async with self._lock:
            if self._fetches != fetches:
                if self._failure is not None:
                    raise self._failure
                if self._token is not None:
                    return self._token
            now = asyncio.get_running_loop().time()
            if not force and self._token is not None and now < self._refresh_at:
                return self._token
            self._token = None
            self._failure = None
            try:
                token, lifetime = await self._fetch_token()
            except ProviderError as err:
                self._failure = err
                raise
            finally:
                self._fetches += 1
            self._token = token
            self._refresh_at = now + lifetime - refresh_margin(lifetime)
            return token

    def _drop_token(self, token: str) -> None:
        """Forget a token FPT refused, unless another caller has already replaced it."""
        if self._token == token:
            self._token = None

    async def _fetch_token(self) -> tuple[str, int]:
        """A new token; a scope refusal is retried once with the customer-care scope alone."""
        try:
            return await self._request_token(self._scope)
        except RefusedError as err:
            if self._scope == OTP_SCOPE or as_int(err.code) not in SCOPE_CODES:
                raise
        answer = await self._request_token(OTP_SCOPE)
        self._scope = OTP_SCOPE
        return answer

    async def _request_token(self, scope: str) -> tuple[str, int]:
        """One /oauth2/token request."""
        body = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "scope": scope,
            "session_id": uuid.uuid4().hex,
        }
        raw = await self._request("POST", self._url(self._host, TOKEN_PATH), json=body)
        return parse_token_answer(raw)

    # -- sending --

    async def send(self, message: OutgoingMessage) -> SendResult:
        """Send one customer-care SMS; a refused token is replaced and the send tried once more.

        The retry is safe: FPT refused the request before sending anything. A second refusal
        right after a fresh token raises RefusedError (the credentials work, so it is not an
        AuthenticationError, and a third try would most likely be refused again).
        """
        phone, domestic = wire_phone(message.phone)
        path = DOMESTIC_PATH if domestic else INTERNATIONAL_PATH
        request_id = message.request_id
        fields = {
            "BrandName": message.sender or self._brandname,
            "Phone": phone,
            "Message": encode_text(message.text),
            "RequestId": request_id,
        }
        token = await self._access_token()
        try:
            raw = await self._push(path, token, fields)
            return self._result(raw, message, request_id)
        except TokenRejectedError:
            self._drop_token(token)
        token = await self._access_token()
        raw = await self._push(path, token, fields)
        try:
            return self._result(raw, message, request_id)
        except TokenRejectedError as err:
            raise RefusedError(
                f"{err.reason}, even right after a new token", code=err.code
            ) from None

    async def _push(self, path: str, token: str, fields: dict[str, str]) -> RawResponse:
        """One push-brandname request, with a fresh session id."""
        body = {"access_token": token, "session_id": uuid.uuid4().hex, **fields}
        return await self._request("POST", self._url(self._host, path), sending=True, json=body)

    @staticmethod
    def _result(raw: RawResponse, message: OutgoingMessage, request_id: str) -> SendResult:
        """The SendResult of a push answer."""
        return parse_send_answer(
            raw, phone=message.phone, segments=segment_count(message.text), request_id=request_id
        )

    async def check_credentials(self) -> None:
        """Fetch a fresh token: that proves the client id, secret and IP without sending."""
        await self._access_token(force=True)

    # -- delivery reports --

    def parse_report(self, request: InboundRequest) -> DeliveryReport:
        """Check the Authorization key, then read FPT's JSON report."""
        if self._auth_key is not None:
            self._check_authorization(request.header("Authorization"))
        try:
            data = _loads(request.body)
        except ValueError:
            raise MalformedReportError("FPT report: the body is not JSON") from None
        if not isinstance(data, dict):
            raise MalformedReportError("FPT report: the body is not a JSON object")
        fields = lower_keys(data)
        message_id = _identifier(fields.get("smsid"))
        if message_id is None:
            raise MalformedReportError("FPT report: smsid is missing or unreadable")
        status = _number(fields.get("status"))
        if status is None:
            raise MalformedReportError("FPT report: Status is missing or not a number")
        normalized = STATUS_TABLE.get(status, DeliveryStatus.FAILED)
        error: str | None = None
        if normalized is DeliveryStatus.FAILED:
            error = _text(fields.get("error"))
            if status not in STATUS_TABLE:
                unknown = f"Unknown status {status}"
                error = f"{unknown} ({error})" if error else unknown
        return DeliveryReport(
            provider=self.name,
            message_id=message_id,
            status=normalized,
            provider_status=str(status),
            error=error,
            telco=telco_name(fields.get("telco")),
            segments=_number(fields.get("mt_count")),
        )

    def _check_authorization(self, header: str | None) -> None:
        """`Authorization: Basic <key>`, scheme in any case, whitespace around ignored."""
        parts = (header or "").split(None, 1)
        if (
            len(parts) != 2
            or parts[0].lower() != "basic"
            or not secrets_equal(parts[1].strip(), self._auth_key or "")
        ):
            raise BadSecretError("FPT report: missing or wrong Authorization key")

    def reply(self, kind: ReplyKind) -> WebhookReply:
        """FPT's documented answers: {"status": 1} when accepted, status 0 with a reason else."""
        return REPLIES[kind]
