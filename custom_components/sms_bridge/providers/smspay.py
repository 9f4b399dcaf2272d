"""SMSPAY (smspay.bg, service "bSMS", Bulgaria): a send-URL template, text answers, DLR by GET/POST.

SMSPAY gives each customer a send URL in the account's own documentation (no public copy exists),
so the user pastes it as a template with `{phone}` and `{message}` (optional `{sender}`,
`{phone_e164}`, `{phone_national}`) placeholders, e.g. for the sandbox:
`http://127.0.0.1:8765/smspay/send?user=U&pass=P&phone={phone}&message={message}&from={sender}&ext=1`.
The answer is text; with the service's "extended response" option it carries `SMS_ID: NNNN`, the id
that delivery reports (`sms_id`, `dlr`, `answer`, plus the customer's own extra pairs) refer to.
"""

from __future__ import annotations

from collections.abc import Mapping
import re
from ssl import SSLContext
from typing import Any
from urllib.parse import SplitResult, parse_qsl, quote, unquote, unquote_plus, urlsplit

import aiohttp
from yarl import URL

from .base import DEFAULT_TIMEOUT, Provider
from .errors import (
    AuthenticationError,
    BadSecretError,
    InvalidConfigError,
    InvalidRecipientError,
    IpNotAllowedError,
    MalformedReportError,
    ProviderError,
    RefusedError,
    ReplyKind,
    TransientError,
    UnexpectedResponseError,
)
from .http import RawResponse
from .models import (
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
from .parsing import as_int, digest, lower_keys, secrets_equal
from .text import segment_count

#: DESIGN.md's status table for SMSPAY's `dlr`; any other value is a failure.
STATUS_TABLE: dict[int, DeliveryStatus] = {
    4: DeliveryStatus.PENDING,
    8: DeliveryStatus.SENT,
    1: DeliveryStatus.DELIVERED,
    2: DeliveryStatus.FAILED,
    16: DeliveryStatus.FAILED,
}

#: The seed document's `dlr` code list, in its own English words (used as error reasons).
DLR_REASONS: dict[int, str] = {
    1: "Delivered",
    2: "Not delivered",
    4: "Queued to SMSC",
    8: "Delivered to SMSC",
    16: "Not delivered to SMSC",
}

#: Why a failed `dlr` failed.
DLR_FAILURES: dict[int, FailureReason] = {
    2: FailureReason.NOT_DELIVERED,
    16: FailureReason.CARRIER_ERROR,  # the SMS centre did not take it
}

#: Placeholders a send URL may hold; one phone form and `{message}` are required.
PHONE_PLACEHOLDERS = frozenset({"phone", "phone_e164", "phone_national"})
PLACEHOLDERS = PHONE_PLACEHOLDERS | {"message", "sender"}

#: Query parameters that name the account's user in a send URL, most likely first [?].
USER_PARAMS = ("user", "username", "login", "usr", "u", "account", "client", "id")

NO_SMS_ID = "SMSPAY answered without SMS_ID; enable the extended response in the SMSPAY service"

_PLACEHOLDER = re.compile(r"\{(\w*)\}")
_SMS_ID = re.compile(r"SMS_ID\s*[:=]\s*(\d+)", re.IGNORECASE)
_URL_IN_TEXT = re.compile(r"https?://\S*", re.IGNORECASE)
# Characters a URL may carry as they are; anything else in the template's fixed text is escaped.
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"
_EXCERPT_LENGTH = 80

# No send-answer code list is published [?]: answers are classified by their words, English or
# Bulgarian, first match wins (an IP refusal also says "denied", so IP comes before auth).
_IP_WORDS = re.compile(r"\bip\b|ip address|ip адрес", re.IGNORECASE)
_AUTH_WORDS = re.compile(
    r"auth|login|password|credential|access denied|permission denied|парол|потребител"
    r"|автентик|оторизац|идентификац",
    re.IGNORECASE,
)
_PHONE_WORDS = re.compile(
    r"phone|number|msisdn|recipient|receiver|телефон|номер|получател", re.IGNORECASE
)
_TRANSIENT_WORDS = re.compile(
    r"try again|later|temporar|busy|overload|unavailable|по-късно|временно", re.IGNORECASE
)
_ERROR_WORDS = re.compile(
    r"error|\berr\b|\bnok\b|invalid|wrong|denied|fail|not allowed|forbidden|refused|rejected"
    r"|insufficient|грешк|грешен|грешна|невалид|отказ|неуспе|недостатъч|забран",
    re.IGNORECASE,
)


class SmspayProvider(Provider):
    """The SMSPAY client: fills the user's send-URL template, reads `SMS_ID`, parses DLRs."""

    name = "smspay"
    title = "SMSPAY"
    admin_page = "https://www.smspay.bg"
    region = "BG"
    account_fields = (
        AccountField("send_url", FieldKind.URL, reauth=True, secret=True),  # holds the password
        AccountField("report_param", required=False, report_secret=True),
        AccountField("report_value", required=False, report_secret=True, secret=True),
    )
    has_balance = False
    has_daily_totals = False
    sender_word = "sender"

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        send_url: str,
        report_param: str | None = None,
        report_value: str | None = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        ssl: SSLContext | bool = True,
    ) -> None:
        """Validate the template now, so the config flow can reject it; ValueError when bad."""
        super().__init__(session, base_url=base_url, timeout=timeout, ssl=ssl)
        template = send_url.strip()
        parts = _checked_template(template)
        report_param = report_param.strip() if report_param else None
        if bool(report_param) != bool(report_value):
            raise InvalidConfigError(
                "base", "report_pair", "The report parameter and its value go together"
            )
        origin = self._base_url or f"{parts.scheme}://{parts.netloc}"
        rest = parts.path + (f"?{parts.query}" if parts.query else "")
        self._template = origin + rest
        self._origin = origin
        self._secrets = _secret_values(parts.query, parts.password)
        self._report_param = report_param.lower() if report_param else None
        self._report_value = report_value

    @classmethod
    def account_id(cls, config: Mapping[str, Any]) -> str:
        """A digest of the send URL's host and user: the same account whatever its password."""
        host, user = account_parts(str(config["send_url"]))
        return f"smspay_{digest(f'{host}|{user}')}"

    @classmethod
    def account_name(cls, config: Mapping[str, Any]) -> str:
        """user@host, or the host when the URL names no user."""
        host, user = account_parts(str(config["send_url"]))
        return f"{user}@{host}" if user else host

    # -- sending --

    async def send(self, message: OutgoingMessage) -> SendResult:
        """GET the filled send URL; success only when the answer carries an SMS_ID."""
        self._check_channel(message)
        url = self._fill(message)
        # base.py types `url` as str; aiohttp also takes a yarl.URL, which keeps our encoding.
        response = await self._request("GET", URL(url, encoded=True), sending=True)
        self._raise_for_status(response)
        match = _SMS_ID.search(response.text)
        if match is None:
            raise self._answer_error(response)
        return SendResult(
            provider=self.name,
            message_id=str(int(match.group(1))),
            phone=message.phone,
            segments=segment_count(message.text),
        )

    async def check_credentials(self) -> None:
        """Prove only that the send host answers: SMSPAY has no call that checks credentials.

        The template was validated by the constructor. Any request to the send URL itself could
        send an SMS, so this asks the host's root `/` and takes any HTTP answer (even 404 or 500)
        as "reachable"; only a connection failure or a timeout raises TransientError. Wrong
        credentials therefore show up at the first send (AuthenticationError).
        """
        try:
            await self._request("GET", f"{self._origin}/")
        except TransientError as err:
            if err.code is None or not err.code.startswith("HTTP "):
                raise

    def _fill(self, message: OutgoingMessage) -> str:
        """The send URL: fixed text kept (escaped where a URL needs it), placeholders encoded."""
        digits = re.sub(r"\D", "", message.phone)
        if not digits:
            raise InvalidRecipientError(f"{self.name}: not a phone number")
        values = {
            "phone": digits,
            "phone_e164": f"+{digits}",
            "phone_national": _national(digits),
            "message": message.text,
            "sender": message.sender or "",
        }
        pieces: list[str] = []
        position = 0
        for match in _PLACEHOLDER.finditer(self._template):
            pieces.append(quote(self._template[position : match.start()], safe=_URL_SAFE))
            pieces.append(quote(values[match.group(1).lower()], safe=""))
            position = match.end()
        pieces.append(quote(self._template[position:], safe=_URL_SAFE))
        return "".join(pieces)

    def _raise_for_status(self, response: RawResponse) -> None:
        """Non-2xx answers below 500 (5xx are TransientError already, from _request)."""
        status = response.status
        if 200 <= status < 300:
            return
        code = f"HTTP {status}"
        if status in (401, 403):
            raise AuthenticationError(f"{self.name}: credentials refused", code=code)
        if status == 429:
            raise TransientError(f"{self.name}: too many requests, try later", code=code)
        excerpt = "" if _looks_like_html(response) else self._excerpt(response.text)
        raise RefusedError(excerpt or f"{self.name}: request refused", code=code)

    def _answer_error(self, response: RawResponse) -> ProviderError:
        """The error for a 2xx answer without an SMS_ID, classified by its words."""
        text = response.text.strip()
        if not text or _looks_like_html(response):
            return UnexpectedResponseError(NO_SMS_ID)
        reason = self._excerpt(text)
        if _IP_WORDS.search(text):
            return IpNotAllowedError(reason)
        if _AUTH_WORDS.search(text):
            return AuthenticationError(reason)
        if _PHONE_WORDS.search(text):
            return InvalidRecipientError(reason)
        if _TRANSIENT_WORDS.search(text):
            return TransientError(reason)
        if _ERROR_WORDS.search(text):
            return RefusedError(reason)
        return UnexpectedResponseError(NO_SMS_ID)

    def _excerpt(self, text: str) -> str:
        """The answer's first line, URLs and the send URL's query values masked, <= 80 chars."""
        line = text.strip().splitlines()[0].strip() if text.strip() else ""
        line = _URL_IN_TEXT.sub("<url>", line)
        for secret in self._secrets:
            line = line.replace(secret, "***")
        return line[:_EXCERPT_LENGTH]

    # -- delivery reports --

    def parse_report(self, request: InboundRequest) -> DeliveryReport:
        """Check the configured extra pair, then read sms_id, dlr and answer."""
        query = _pairs(request.raw_query) if request.raw_query is not None else request.query
        params = lower_keys(query)
        params.update(_form(request))
        if self._report_param is not None and not secrets_equal(
            params.get(self._report_param), self._report_value or ""
        ):
            raise BadSecretError("SMSPAY report without the configured extra parameter")
        sms_id = as_int(params.get("sms_id"))
        dlr = as_int(params.get("dlr"))
        if sms_id is None or sms_id < 0:
            raise MalformedReportError("SMSPAY report without a numeric sms_id")
        if dlr is None:
            raise MalformedReportError("SMSPAY report without a numeric dlr")
        answer = str(params.get("answer") or "").strip() or None
        status = STATUS_TABLE.get(dlr, DeliveryStatus.FAILED)
        error: str | None = None
        if dlr not in STATUS_TABLE:
            error = f"Unknown status {dlr}"
        elif status is DeliveryStatus.FAILED:
            error = answer or DLR_REASONS[dlr]
        reason = DLR_FAILURES.get(dlr, FailureReason.UNKNOWN) if error else None
        return DeliveryReport(
            provider=self.name,
            message_id=str(sms_id),
            status=status,
            provider_status=str(dlr),
            error=error,
            answer=answer,
            reason=reason,
        )

    def reply(self, kind: ReplyKind) -> WebhookReply:
        """DESIGN.md: 200 OK, 403, 400 (SMSPAY specifies no body; it retries until 2xx)."""
        if kind is ReplyKind.ACCEPTED:
            return WebhookReply(200, "OK")
        if kind is ReplyKind.BAD_SECRET:
            return WebhookReply(403, "Forbidden")
        return WebhookReply(400, "Bad Request")


def _bad_url(message: str) -> InvalidConfigError:
    return InvalidConfigError("send_url", "invalid_send_url", f"The SMSPAY send URL {message}")


def _checked_template(template: str) -> SplitResult:
    """The send URL's parts; InvalidConfigError when it is no usable template."""
    parts = urlsplit(template)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise _bad_url("must start with http:// or https://")
    if "{" in parts.netloc:
        raise _bad_url("cannot hold a placeholder in its host")
    names = {name.lower() for name in _PLACEHOLDER.findall(template)}
    if unknown := names - PLACEHOLDERS:
        listed = ", ".join(f"{{{name}}}" for name in sorted(unknown))
        raise _bad_url(f"has unknown placeholder(s): {listed}")
    if not names & PHONE_PLACEHOLDERS or "message" not in names:
        raise _bad_url("needs {phone} and {message}")
    return parts


def account_parts(send_url: str) -> tuple[str, str]:
    """The send URL's host and the account's user name, if a parameter or the URL carries one.

    The user's parameter name is not published [?]: the first of USER_PARAMS in the query.
    """
    parts = urlsplit(send_url.strip())
    host = (parts.hostname or "").lower()
    query = {key.lower(): value for key, value in parse_qsl(parts.query, keep_blank_values=True)}
    user = next((query[name] for name in USER_PARAMS if query.get(name)), parts.username or "")
    return host, user


def _national(digits: str) -> str:
    """Bulgaria's national form (0888123456); other countries as dialled from Bulgaria (00...)."""
    if digits.startswith("359"):
        return f"0{digits[3:]}"
    return f"00{digits}"


def _secret_values(query: str, password: str | None) -> list[str]:
    """Every fixed query value of the template, in the forms a gateway might echo, longest first.

    One- or two-digit flags (`ext=1`) are left alone: masking them would garble the excerpt.
    """
    found: set[str] = set()
    raw_values = [value for _, _, value in (pair.partition("=") for pair in query.split("&"))]
    if password:
        raw_values.append(password)
    for raw in raw_values:
        if not raw or "{" in raw or (len(raw) <= 2 and raw.isdigit()):
            continue
        found.update({raw, unquote(raw), unquote_plus(raw)})
    return sorted((value for value in found if value), key=len, reverse=True)


def _looks_like_html(response: RawResponse) -> bool:
    """An HTML page (a proxy's or a maintenance page) is no SMSPAY answer."""
    return response.content_type == "text/html" or response.text.lstrip().startswith("<")


def _form(request: InboundRequest) -> Mapping[str, str]:
    """A form-encoded body's pairs, keys lower-cased; UTF-8, else Windows-1251 [?]."""
    if not request.body:
        return {}
    content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type not in ("", "application/x-www-form-urlencoded", "text/plain"):
        return {}
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        text = request.body.decode("cp1251", errors="replace")
    return {key.lower(): value for key, value in _pairs(text).items()}


def _pairs(text: str) -> dict[str, str]:
    """Pairs of a query or form text; percent-encoded bytes read as UTF-8, else Windows-1251 [?]."""
    try:
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        pairs = parse_qsl(text, keep_blank_values=True, encoding="cp1251", errors="replace")
    return dict(pairs)
