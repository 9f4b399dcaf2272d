"""FPT SMS Brandname client: one shared OAuth2 token, JSON calls, JSON delivery reports.

Wire facts: PROVIDERS.md section 3. `send` sends customer-care (CSKH) messages, the ones with a
real-time delivery report. Advertising (QC) campaigns are four calls of their own
(create_campaign, push_ads, campaign_detail, campaign_results): they need the carriers'
approval, may only go out in set hours (hours.py) and report per number days later, as a
CSV (results.py). Their types and errors are in ads.py; codes and tables in wire.py.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import partial
from ssl import SSLContext
from typing import Any, Final
import uuid

import aiohttp

from ..base import DEFAULT_TIMEOUT, Provider
from ..errors import (
    BadSecretError,
    InvalidConfigError,
    MalformedReportError,
    ProviderError,
    RefusedError,
    ReplyKind,
    UnexpectedResponseError,
)
from ..http import RawResponse
from ..models import (
    AccountField,
    DeliveryReport,
    DeliveryStatus,
    FailureReason,
    FieldKind,
    InboundRequest,
    OutgoingMessage,
    SendResult,
    WebhookReply,
)
from ..parsing import as_int, digest, lower_keys, secrets_equal
from ..text import segment_count
from .ads import (
    NO_ADS_SCOPE,
    AdsNotAllowedError,
    AdsPushResult,
    CampaignDetail,
    campaign_fields,
    parse_campaign_code,
    parse_campaign_detail,
    parse_push_answer,
    phone_list,
)
from .results import parse_results
from .wire import (
    STATUS_TABLE,
    TokenRejectedError,
    failure_reason,
    identifier,
    json_object,
    loads,
    number,
    raise_for_error,
    telco_name,
    text_value,
    wire_phone,
)

HOSTS: Final[dict[str, str]] = {
    "production": "https://api01.sms.fpt.net",
    "sandbox": "http://sandbox.sms.fpt.net",
}
TOKEN_PATH: Final = "/oauth2/token"  # noqa: S105 - a path, not a password
DOMESTIC_PATH: Final = "/api/push-brandname-otp"
INTERNATIONAL_PATH: Final = "/api/push-brandname-international"
CREATE_CAMPAIGN_PATH: Final = "/api/create-campaign"
PUSH_ADS_PATH: Final = "/api/push-brandname-ads"
DETAIL_ADS_PATH: Final = "/api/detail-ads"
DLR_ADS_PATH: Final = "/api/dlr-ads"

#: Both scopes a full account has; an account with only customer care gets the first alone.
FULL_SCOPE: Final = "send_brandname_otp send_brandname"
OTP_SCOPE: Final = "send_brandname_otp"
#: Token lifetime when the answer does not say (the document's value).
DEFAULT_TOKEN_LIFETIME: Final = 86400
#: A token is refreshed this long before it expires: 5 minutes, or 10% of a shorter lifetime.
REFRESH_MARGIN: Final = 300.0
REFRESH_FRACTION: Final = 0.1

#: Scope problems: retry the token request once with the customer-care scope only.
SCOPE_CODES: Final = frozenset({1005, 1010})

REPLIES: Final[dict[ReplyKind, WebhookReply]] = {
    ReplyKind.ACCEPTED: WebhookReply(200, '{"status": 1}', "application/json"),
    ReplyKind.BAD_SECRET: WebhookReply(
        401, '{"status": 0, "desc": "Unauthorized"}', "application/json"
    ),
    ReplyKind.MALFORMED: WebhookReply(
        400, '{"status": 0, "desc": "Invalid data"}', "application/json"
    ),
}


def refresh_margin(lifetime: float) -> float:
    """How early to refresh a token living `lifetime` s: 5 minutes or 10%, whichever is smaller."""
    return min(REFRESH_MARGIN, lifetime * REFRESH_FRACTION)


def encode_text(text: str) -> str:
    """The message text as FPT wants it: Base64 of its UTF-8 bytes."""
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def parse_token_answer(raw: RawResponse) -> tuple[str, int]:
    """The access token and its lifetime in seconds from a /oauth2/token answer."""
    fields = raise_for_error(raw, json_object(raw))
    token = fields.get("access_token")
    if not isinstance(token, str) or not token.strip():
        raise UnexpectedResponseError("FPT's token answer has no access token")
    seconds = number(fields.get("expires_in"))
    return token.strip(), seconds if seconds is not None and seconds > 0 else DEFAULT_TOKEN_LIFETIME


def parse_send_answer(
    raw: RawResponse, *, phone: str, segments: int, request_id: str | None
) -> SendResult:
    """The SendResult from a push-brandname answer, or the error it carries."""
    fields = raise_for_error(raw, json_object(raw), sending=True)
    message_id = identifier(fields.get("messageid"))
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
    """FPT SMS Brandname: customer-care messages, and advertising campaigns to Vietnam."""

    name = "fpt"

    def advertising(self) -> FptProvider:
        """FPT sends advertising campaigns: the client itself."""
        return self

    title = "FPT SMS"
    admin_page = "https://portal.sms.fpt.net"
    region = "VN"
    account_fields = (
        AccountField("client_id", secret=True),  # half of the OAuth credentials
        AccountField("client_secret", FieldKind.SECRET, reauth=True),
        AccountField("brandname"),
        AccountField("environment", FieldKind.CHOICE, choices=("production", "sandbox")),
        AccountField("auth_key", required=False, generated=True, report_secret=True, secret=True),
    )
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
        ssl: SSLContext | bool = True,
    ) -> None:
        """Keep the credentials; no token is fetched until one is needed."""
        super().__init__(session, base_url=base_url, timeout=timeout, ssl=ssl)
        if environment not in HOSTS:
            raise InvalidConfigError(
                "environment", "invalid_environment", f"environment must be one of {sorted(HOSTS)}"
            )
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

    @classmethod
    def account_id(cls, config: Mapping[str, Any]) -> str:
        """A digest of the client id (half of the OAuth credentials)."""
        return f"fpt_{digest(str(config['client_id']))}"

    @classmethod
    def account_name(cls, config: Mapping[str, Any]) -> str:
        """The brandname."""
        return str(config["brandname"]).strip()

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
        """Send one customer-care SMS (the token retry of `_call` is safe: FPT sent nothing)."""
        self._check_channel(message)
        phone, domestic = wire_phone(message.phone)
        path = DOMESTIC_PATH if domestic else INTERNATIONAL_PATH
        request_id = message.request_id
        fields = {
            "BrandName": message.sender or self._brandname,
            "Phone": phone,
            "Message": encode_text(message.text),
            "RequestId": request_id,
        }
        parse = partial(
            parse_send_answer,
            phone=message.phone,
            segments=segment_count(message.text),
            request_id=request_id,
        )
        return await self._call(path, fields, parse, sending=True)

    async def _call[T](
        self,
        path: str,
        fields: dict[str, Any],
        parse: Callable[[RawResponse], T],
        *,
        sending: bool = False,
        session: bool = True,
        ads: bool = False,
    ) -> T:
        """One call with the shared token; a refused token is replaced and the call made again.

        An advertising call (`ads`) raises AdsNotAllowedError without asking when the token
        lacks the advertising scope.

        The retry is safe: FPT refused the request before acting on it. A second refusal right
        after a fresh token raises RefusedError (the credentials work, so it is not an
        AuthenticationError, and a third try would most likely be refused again).
        """
        if ads and not await self.ads_allowed():
            raise AdsNotAllowedError(NO_ADS_SCOPE, code="1010")
        token = await self._access_token()
        try:
            return parse(await self._post(path, token, fields, sending=sending, session=session))
        except TokenRejectedError:
            self._drop_token(token)
        token = await self._access_token()
        raw = await self._post(path, token, fields, sending=sending, session=session)
        try:
            return parse(raw)
        except TokenRejectedError as err:
            raise RefusedError(
                f"{err.reason}, even right after a new token", code=err.code
            ) from None

    async def _post(
        self, path: str, token: str, fields: dict[str, Any], *, sending: bool, session: bool
    ) -> RawResponse:
        """One token-bearing request; `session` adds a fresh session_id (the calls that take it)."""
        body: dict[str, Any] = {"access_token": token}
        if session:
            body["session_id"] = uuid.uuid4().hex
        body.update(fields)
        url = self._url(self._host, path)
        return await self._request("POST", url, sending=sending, json=body)

    async def check_credentials(self) -> None:
        """Fetch a fresh token: that proves the client id, secret and IP without sending."""
        await self._access_token(force=True)

    # -- advertising campaigns --

    async def ads_allowed(self) -> bool:
        """Whether this application's token carries the advertising scope (send_brandname)."""
        await self._access_token()
        return self._scope == FULL_SCOPE

    async def create_campaign(
        self,
        name: str,
        message: str,
        schedule: datetime,
        quota: int,
        brandname: str | None = None,
    ) -> str:
        """Create a campaign (to go out at `schedule`, Vietnam time); returns its CampaignCode.

        `quota` is numbers x segments (fpt_ads.campaign_quota). Raises InvalidCampaignError
        before asking for a name over 32 characters, an empty message or a quota under 1;
        CampaignNameTakenError when the name was used before (names are single use).
        """
        fields = campaign_fields(name, message, schedule, quota, brandname or self._brandname)
        return await self._call(
            CREATE_CAMPAIGN_PATH, fields, parse_campaign_code, sending=True, ads=True
        )

    async def push_ads(self, campaign_code: str, phones: Iterable[str]) -> AdsPushResult:
        """Give a campaign its numbers (Vietnamese only; it goes out once approved, on schedule).

        Raises InvalidRecipientError before asking for a number that is not Vietnamese,
        QuotaExceededError (1016) when the numbers need more than the quota, and
        CampaignAlreadySentError when the campaign was pushed before.
        """
        numbers = phone_list(phones)
        fields = {
            "CampaignCode": campaign_code,
            "PhoneList": ",".join(number.removeprefix("+") for number in numbers),
        }
        parse = partial(parse_push_answer, campaign_code=campaign_code, phones=numbers)
        return await self._call(PUSH_ADS_PATH, fields, parse, sending=True, ads=True)

    async def campaign_detail(self, campaign_code: str) -> CampaignDetail:
        """A campaign's state: waiting for approval, approved, rejected (with why) or sent."""
        parse = partial(parse_campaign_detail, code=campaign_code)
        fields = {"CampaignCode": campaign_code}
        return await self._call(DETAIL_ADS_PATH, fields, parse, session=False, ads=True)

    async def campaign_results(self, campaign_code: str, batch_id: str) -> list[DeliveryReport]:
        """Per-number results of a sent campaign (days later); [] while FPT has none yet.

        `batch_id` is push_ads' BatchId: message ids are BatchId + the number in 84 form.
        """
        parse = partial(parse_results, batch_id=batch_id)
        fields = {"campaign_code": campaign_code}
        return await self._call(DLR_ADS_PATH, fields, parse, session=False, ads=True)

    # -- delivery reports --

    def parse_report(self, request: InboundRequest) -> DeliveryReport:
        """Check the Authorization key, then read FPT's JSON report."""
        if self._auth_key is not None:
            self._check_authorization(request.header("Authorization"))
        try:
            data = loads(request.body)
        except ValueError:
            raise MalformedReportError("FPT report: the body is not JSON") from None
        if not isinstance(data, dict):
            raise MalformedReportError("FPT report: the body is not a JSON object")
        fields = lower_keys(data)
        message_id = identifier(fields.get("smsid"))
        if message_id is None:
            raise MalformedReportError("FPT report: smsid is missing or unreadable")
        status = number(fields.get("status"))
        if status is None:
            raise MalformedReportError("FPT report: Status is missing or not a number")
        normalized = STATUS_TABLE.get(status, DeliveryStatus.FAILED)
        error: str | None = None
        reason: FailureReason | None = None
        if normalized is DeliveryStatus.FAILED:
            error = text_value(fields.get("error"))
            reason = failure_reason(error)
            if status not in STATUS_TABLE:
                unknown = f"Unknown status {status}"
                error = f"{unknown} ({error})" if error else unknown
                reason = FailureReason.UNKNOWN
        return DeliveryReport(
            provider=self.name,
            message_id=message_id,
            status=normalized,
            provider_status=str(status),
            error=error,
            telco=telco_name(fields.get("telco")),
            segments=number(fields.get("mt_count")),
            reason=reason,
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
