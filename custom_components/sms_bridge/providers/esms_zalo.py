"""eSMS's Zalo channels: ZNS and Zalo-then-SMS sends, their estimates, OA and template lookups.

`EsmsZalo` makes the calls; the functions above it read and write the wire format. Zalo's own
result in a report (`error_info`) is read here too. The facts, and where eSMS's documents
contradict themselves: ESMS-CHANNELS.md (the project's shared notes).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
import hashlib
import json
import re
from typing import Any, Final
from urllib.parse import unquote, urlencode

from .channels import Channel, ZaloAccount, ZaloContent, ZaloParam, ZaloTemplate
from .errors import RefusedError, UnexpectedResponseError
from .esms_base import DEFAULT_HOST, EsmsBase, national_phone
from .models import FailureReason, OutgoingMessage, SendResult
from .parsing import as_int, lower_keys
from .text import segment_count

ZNS_PATH: Final = "/MainService.svc/json/SendZaloMessage_V6/"
MULTICHANNEL_PATH: Final = "/MainService.svc/json/MultiChannelMessage/"
ZNS_ESTIMATE_PATH: Final = "/MainService.svc/json/SummaryZaloMessage_V4_post_json/"
OA_LIST_PATH: Final = "/MainService.svc/json/ZNS/GetListZOA/"
TEMPLATES_PATH: Final = "/MainService.svc/json/GetTemplate/"
#: GetTemplate's SmsType: 24 and 25 are both ZNS (which is which, the documents disagree).
TEMPLATE_TYPES: Final = ("24", "25")
#: The only SmsType a multichannel message's SMS leg takes (customer care).
FALLBACK_SMS_TYPE: Final = "2"

#: The report's TypeId: 1 advertising SMS, 2 customer-care SMS, 23 Viber, 24-27 Zalo.
TYPE_CHANNELS: Final[dict[int, Channel]] = {
    1: Channel.SMS,
    2: Channel.SMS,
    23: Channel.VIBER,
    24: Channel.ZALO,
    25: Channel.ZALO,
    26: Channel.ZALO,
    27: Channel.ZALO,
}

#: The leg marker we add to each leg's CallbackUrl, and the leg's RequestId suffix.
LEG_PARAM: Final = "leg"
REF_PARAM: Final = "ref"
LEGS: Final[dict[str, Channel]] = {"zalo": Channel.ZALO, "sms": Channel.SMS}
LEG_SUFFIXES: Final[dict[Channel, str]] = {Channel.ZALO: "-z", Channel.SMS: "-s"}
MAX_REQUEST_ID: Final = 50
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]+")

#: Zalo's own result codes in `error_info` (its `error`), as reasons (ESMS-CHANNELS.md
#: section 10 gives these three; any other failure is simply not delivered).
ZALO_REASONS: Final[dict[int, FailureReason]] = {
    -114: FailureReason.ZALO_INACTIVE,  # inactive, rejected the OA's messages, or an old app
    -124: FailureReason.REJECTED,  # the OA's access token is invalid: the sender's side
    1001: FailureReason.UNREACHABLE,  # reached Zalo, not the phone in time
}

# Zalo's error_info ends with "____<date time>" after the JSON.
_DATE_SUFFIX = re.compile(r"_{4}[^{}\"]*$")
_MAX_ERROR_LEN = 300


# --- legs of a Zalo-then-SMS message --------------------------------------------------------------


def leg_request_id(request_id: str, leg: Channel) -> str:
    """The RequestId of one leg: the message's own id and the leg's suffix, the same each time.

    An id too long for eSMS (50 characters) or with characters a URL would have to quote is
    replaced by a digest of it, so the id stays stable across retries and readable in a URL.
    """
    suffix = LEG_SUFFIXES[leg]
    base = request_id
    if len(base) + len(suffix) > MAX_REQUEST_ID or not _SAFE_ID.fullmatch(base):
        base = hashlib.sha256(request_id.encode()).hexdigest()[: MAX_REQUEST_ID - len(suffix)]
    return base + suffix


def leg_callback_url(url: str, leg: Channel, ref: str) -> str:
    """`url` with the leg marker (`leg=zalo&ref=<leg's RequestId>`) added to its query.

    A fragment stays last; a URL ending in "?" or "&" gets no second separator.
    """
    base, hashmark, fragment = url.partition("#")
    marker = urlencode({LEG_PARAM: leg.value, REF_PARAM: ref})
    if "?" not in base:
        joined = f"{base}?{marker}"
    elif base.endswith(("?", "&")):
        joined = base + marker
    else:
        joined = f"{base}&{marker}"
    return joined + hashmark + fragment


def read_markers(params: dict[str, str]) -> tuple[Channel | None, str | None]:
    """The leg and the leg's RequestId from our marker in a report's parameters, if any.

    Whether eSMS appends its parameters to a URL that has a query with "&" or with a second "?"
    is not documented. With "?", the first of them lands in our last marker's value
    (`ref=abc-s?SMSID=...`): it is split off and put back among `params` (names lower-case).
    """
    found: dict[str, str] = {}
    for name in (LEG_PARAM, REF_PARAM):
        value = params.get(name)
        if value is None:
            continue
        value, question, rest = value.partition("?")
        if question:
            for pair in rest.split("&"):
                key, _, extra = pair.partition("=")
                if key.strip():
                    params.setdefault(key.strip().lower(), extra)
        found[name] = value.strip()
    return LEGS.get(found.get(LEG_PARAM, "").lower()), found.get(REF_PARAM) or None


def report_channel(type_id: str | None) -> Channel | None:
    """The channel a report's TypeId names; None when it has none or names none we know."""
    code = as_int(type_id)
    return None if code is None else TYPE_CHANNELS.get(code)


# --- request bodies ------------------------------------------------------------------------------


def zns_fields(zalo: ZaloContent) -> dict[str, Any]:
    """V6's fields of a ZNS message: the variables by name."""
    return {"OAID": zalo.oa_id, "TempID": zalo.template_id, "TempData": dict(zalo.params)}


def zns_leg(zalo: ZaloContent) -> dict[str, Any]:
    """A multichannel ZNS leg's (and the ZNS estimate's) fields: the values by position."""
    return {"OAID": zalo.oa_id, "TempID": zalo.template_id, "Params": zalo.values}


def with_callback(
    fields: dict[str, Any], *, request_id: str, callback_url: str | None, sandbox: bool
) -> dict[str, Any]:
    """A leg's own RequestId, CallbackUrl (when there is one) and Sandbox flag (when on)."""
    fields["RequestId"] = request_id
    if callback_url:
        fields["CallbackUrl"] = callback_url
    if sandbox:
        fields["Sandbox"] = "1"
    return fields


# --- lookups -------------------------------------------------------------------------------------


def _items(data: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """A list of objects under `key` (keys lower-cased); a missing or null list is empty."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise UnexpectedResponseError(f"eSMS answered an unreadable {key}")
    return [lower_keys(item) for item in value if isinstance(item, dict)]


def _text(value: Any) -> str:
    """A field as text: numbers as eSMS writes them (TempId is a number or a string)."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_accounts(data: Mapping[str, Any]) -> list[ZaloAccount]:
    """GetListZOA's `ZOAList` (`data` with lower-case keys)."""
    accounts = []
    for item in _items(data, "zoalist"):
        oa_id = _text(item.get("oaid"))
        if oa_id:
            accounts.append(ZaloAccount(oa_id, _text(item.get("oaname")) or oa_id))
    return accounts


def parse_templates(data: Mapping[str, Any]) -> list[ZaloTemplate]:
    """GetTemplate's `ZNSTemplates` (`data` with lower-case keys); params sorted by order."""
    templates = []
    for item in _items(data, "znstemplates"):
        template_id = _text(item.get("tempid"))
        if not template_id:
            continue
        status = _text(item.get("status")) or None
        params = _params(_items(item, "znstempdetail"))
        templates.append(
            ZaloTemplate(template_id, _text(item.get("tempname")) or template_id, params, status)
        )
    return templates


def _params(details: list[dict[str, Any]]) -> tuple[ZaloParam, ...]:
    """A template's variables by ParamLevel (position when absent), each name once."""
    params: dict[str, ZaloParam] = {}
    for position, detail in enumerate(details, start=1):
        name = _text(detail.get("param"))
        if not name or name in params:
            continue
        order = as_int(_text(detail.get("paramlevel")) or None)
        limit = as_int(_text(detail.get("limit")) or None)
        params[name] = ZaloParam(
            name=name,
            order=position if order is None else order,
            max_length=limit if limit is not None and limit > 0 else None,
            kind=_text(detail.get("requiretype")) or "type_text",
            required=_required(detail),
        )
    return tuple(sorted(params.values(), key=lambda param: param.order))


def _required(detail: Mapping[str, Any]) -> bool:
    """Required unless eSMS says otherwise (GetZnsTemplateInfo's Require / AcceptNull)."""
    for key, required_when in (("require", True), ("required", True), ("acceptnull", False)):
        value = detail.get(key)
        if isinstance(value, bool):
            return value is required_when
        if _text(value).lower() in ("true", "1", "false", "0"):
            return (_text(value).lower() in ("true", "1")) is required_when
    return True


# --- Zalo's result in a report -------------------------------------------------------------------


def zalo_reason(code: int | None) -> FailureReason:
    """Why a finished message failed: Zalo's code where it gave one, else simply not delivered."""
    return (
        ZALO_REASONS.get(code, FailureReason.NOT_DELIVERED) if code else FailureReason.NOT_DELIVERED
    )


def decode_error_info(value: str) -> str | None:
    """Read Zalo's `error_info`: URL-decode until stable, then take JSON's "message" if any."""
    return zalo_result(value)[1]


def zalo_result(value: str) -> tuple[int | None, str | None]:
    """Zalo's result in `error_info`: its code (`error`, 0 = success) and its message.

    Its three encodings in the seed: JSON in a JSON string, plain JSON, and JSON URL-encoded
    once more with a date after it; decoded until stable, then unwrapped. A bare number (as
    QueryZnsStatus's ErrorInfo "1001") is the code itself.
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
    if isinstance(parsed, dict):
        code = as_int(parsed.get("error"))
    else:
        code = parsed if isinstance(parsed, int) and not isinstance(parsed, bool) else None
    if isinstance(parsed, dict) and parsed.get("message") not in (None, ""):
        text = str(parsed["message"])
    elif isinstance(parsed, str):
        text = parsed
    text = text.strip()
    return code, text[:_MAX_ERROR_LEN] or None


# --- the calls -----------------------------------------------------------------------------------


class EsmsZalo(EsmsBase):
    """eSMS's Zalo calls: a ZNS message, Zalo then SMS, the ZNS estimate, OAs and templates."""

    async def _send_zns(self, message: OutgoingMessage, zalo: ZaloContent) -> SendResult:
        """A ZNS template message alone (SendZaloMessage_V6: the variables by name)."""
        payload = with_callback(
            self._keys() | {"Phone": national_phone(message.phone)} | zns_fields(zalo),
            request_id=message.request_id,
            callback_url=message.callback_url,
            sandbox=self._sandbox,
        )
        return SendResult(
            provider=self.name,
            message_id=await self._accepted(ZNS_PATH, payload, zalo=True),
            phone=message.phone,
            segments=1,
            request_id=message.request_id,
            channel=Channel.ZALO,
        )

    async def _send_zalo_sms(self, message: OutgoingMessage, zalo: ZaloContent) -> SendResult:
        """Zalo first, SMS when Zalo fails (MultiChannelMessage): each leg its id and report URL.

        Each leg's CallbackUrl carries a marker naming the leg and its RequestId, which
        parse_report reads back: eSMS's reports leave RequestId empty.
        """
        if not message.text.strip():
            raise RefusedError("A Zalo message with SMS fallback needs the SMS text")
        ids = {leg: leg_request_id(message.request_id, leg) for leg in (Channel.ZALO, Channel.SMS)}
        sms = {
            "Content": message.text,
            "IsUnicode": "1" if message.unicode else "0",
            "SmsType": FALLBACK_SMS_TYPE,
            "Brandname": message.sender or self._brandname,
        }
        legs = [
            with_callback(
                fields,
                request_id=ids[leg],
                callback_url=message.callback_url
                and leg_callback_url(message.callback_url, leg, ids[leg]),
                sandbox=self._sandbox,
            )
            for leg, fields in ((Channel.ZALO, zns_leg(zalo)), (Channel.SMS, sms))
        ]
        payload = self._keys() | {
            "Phone": national_phone(message.phone),
            "Channels": ["zalo", "sms"],
            "Data": legs,
        }
        return SendResult(
            provider=self.name,
            message_id=await self._accepted(MULTICHANNEL_PATH, payload, zalo=True),
            phone=message.phone,
            segments=segment_count(message.text),
            request_id=message.request_id,
            channel=Channel.ZALO_SMS,
            request_ids=(ids[Channel.ZALO], ids[Channel.SMS]),
        )

    @staticmethod
    def _zalo_content(message: OutgoingMessage) -> ZaloContent:
        """The message's Zalo content; refused before anything goes out when it has none."""
        if message.zalo is None:
            raise RefusedError("A Zalo message needs its Official Account, template and values")
        return message.zalo

    async def _estimate_zns(self, phone: str, zalo: ZaloContent) -> Decimal | None:
        """SummaryZaloMessage_V4_post_json: a ZNS message's price (the values by position)."""
        return await self._estimate_price(
            "POST",
            self._url(DEFAULT_HOST, ZNS_ESTIMATE_PATH),
            json=self._keys() | {"Phone": national_phone(phone)} | zns_leg(zalo),
        )

    async def zalo_accounts(self) -> list[ZaloAccount]:
        """The account's Zalo Official Accounts (ZNS/GetListZOA)."""
        return parse_accounts(await self._call(OA_LIST_PATH, self._keys()))

    async def zalo_templates(self, oa_id: str) -> list[ZaloTemplate]:
        """An OA's ZNS templates (GetTemplate, asked for SmsType 24 and 25, merged by id).

        A type eSMS refuses adds nothing; both refused is the first refusal.
        """
        found: dict[str, ZaloTemplate] = {}
        refusals: list[RefusedError] = []
        for sms_type in TEMPLATE_TYPES:
            try:
                data = await self._call(
                    TEMPLATES_PATH, self._keys() | {"OAId": oa_id, "SmsType": sms_type}
                )
            except RefusedError as err:
                refusals.append(err)
                continue
            for template in parse_templates(data):
                found.setdefault(template.template_id, template)
        if len(refusals) == len(TEMPLATE_TYPES):
            raise refusals[0]
        return list(found.values())
