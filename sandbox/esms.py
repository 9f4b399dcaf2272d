"""Imitation of eSMS.vn's REST API (MainService.svc/json) and its GET delivery-report callbacks."""

from __future__ import annotations

from datetime import datetime, timedelta
import json
import re
from typing import Any
from urllib.parse import urlencode
import uuid

from aiohttp import web

from .context import COURIER, STATE
from .courier import Report, retry_on_no_answer
from .state import Account, Outcome, SandboxState, SentMessage, outcome_for, refused_number

GATEWAY = "esms"
PREFIXES = ("/MainService.svc/",)
BASE = "/MainService.svc/json"

#: eSMS's own ErrorMessage texts (the sandbox never echoes a request value in them).
ERRORS: dict[str, str] = {
    "99": "Phone number is blocked or request is invalid",
    "101": "Authorize Failed",
    "102": "Price list is not configured",
    "103": "Balance not enough to send message",
    "104": "Brandname is not registered",
    "105": "SMSID not found",
    "108": "Phone number is invalid",
    "118": "SmsType is not supported",
    "120": "Too many phone numbers",
    "124": "RequestId already exists",
    "140": "IP is not allowed",
    "143": "Account is not active",
    "146": "Content does not match a customer-care template",
    "201": "Content contains a blocked keyword",
    "300": "SmsType is required",
}

# Telco by national prefix (the first three digits), for the report's telcoid.
_TELCO_PREFIXES: dict[str, tuple[str, ...]] = {
    "1": ("086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039"),
    "2": ("089", "090", "093", "070", "076", "077", "078", "079"),
    "3": ("088", "091", "094", "081", "082", "083", "084", "085"),
    "4": ("092", "056", "058"),
    "5": ("099", "059"),
    "6": ("087",),
    "7": ("055",),
}
_NATIONAL = re.compile(r"0[1-9]\d{8}")
_INTERNATIONAL = re.compile(r"[1-9]\d{7,14}")
_DUPLICATE_WINDOW = timedelta(hours=24)


def error(code: str) -> web.Response:
    """Answer eSMS's error form: HTTP 200 with the code in the body."""
    return web.json_response(
        {"CodeResult": code, "ErrorMessage": ERRORS.get(code, "Request failed")}
    )


def _balance_error(code: str) -> web.Response:
    """Answer the balance calls' error form (CodeResponse, not CodeResult)."""
    return web.json_response(
        {"CodeResponse": code, "ErrorMessage": ERRORS.get(code, "Request failed")}
    )


def refusal(request: web.Request) -> str | None:
    """Return the code of an injected "refuse" fault for this request, if any."""
    fault = request.app[STATE].take_fault(GATEWAY, request.path, {"refuse"})
    return None if fault is None else str(fault.value)


def count_segments(text: str, unicode: bool) -> int:
    """Count segments as eSMS bills them: 70/67 characters with IsUnicode, else 160/153."""
    single, multi = (70, 67) if unicode else (160, 153)
    return 1 if len(text) <= single else -(-len(text) // multi)


def valid_phone(phone: str) -> bool:
    """Whether eSMS takes the number: 0[1-9] + 8 digits, or 8-15 international digits."""
    return bool(_NATIONAL.fullmatch(phone) or _INTERNATIONAL.fullmatch(phone))


def telco_id(phone: str) -> str:
    """Return the telcoid of a national number, "" when unknown or foreign."""
    return next((tid for tid, pre in _TELCO_PREFIXES.items() if phone[:3] in pre), "")


def duplicate(state: SandboxState, account: Account, request_id: str) -> bool:
    """Whether the account used this RequestId in the last 24 hours."""
    since = datetime.now() - _DUPLICATE_WINDOW
    return any(
        m.gateway == GATEWAY
        and m.account is account
        and m.request_id == request_id
        and m.sent_at >= since
        for m in state.messages.values()
    )


async def json_body(request: web.Request) -> dict[str, Any] | None:
    """Read the JSON object body, or None when it is not one."""
    try:
        data = json.loads(await request.read())
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def text(data: dict[str, Any], key: str) -> str:
    """Read a field as stripped text; numbers are accepted as eSMS's JSON binder does."""
    value = data.get(key)
    return "" if value is None else str(value).strip()


# --- send ----------------------------------------------------------------------------------------


def _field_error(state: SandboxState, account: Account, data: dict[str, Any]) -> str | None:
    """Return the code eSMS refuses these send fields with, in its order of checks, or None."""
    sms_type = text(data, "SmsType")
    if not sms_type:
        return "300"
    if sms_type not in ("1", "2"):
        return "118"
    if text(data, "Brandname") not in account.brandnames:
        return "104"
    phone = text(data, "Phone")
    if not valid_phone(phone):
        return "108"
    if refused_number(phone, account):
        return "99"
    if not text(data, "Content"):
        return "99"
    request_id = text(data, "RequestId")
    if request_id and duplicate(state, account, request_id):
        return "124"
    return None


async def send(request: web.Request) -> web.Response:
    """SendMultipleMessage_V4_post_json: checks in eSMS's order, then accept and report."""
    state = request.app[STATE]
    data = await json_body(request)
    if data is None:
        return error("99")
    refused = refusal(request)
    if refused is not None:
        return error(refused)
    account = state.account(
        GATEWAY, ApiKey=text(data, "ApiKey") or None, SecretKey=text(data, "SecretKey") or None
    )
    if account is None:
        return error("101")
    code = _field_error(state, account, data)
    if code is not None:
        return error(code)
    phone, request_id = text(data, "Phone"), text(data, "RequestId")
    sandbox = text(data, "Sandbox") == "1"
    segments = count_segments(str(data.get("Content")), text(data, "IsUnicode") == "1")
    if not sandbox and account.balance < segments * account.price:
        return error("103")
    message = SentMessage(
        gateway=GATEWAY,
        message_id=str(uuid.uuid4()),
        phone=phone,
        text=str(data.get("Content")),
        segments=segments,
        account=account,
        outcome=outcome_for(phone),
        callback_url=text(data, "CallbackUrl") or None,
        request_id=request_id or None,
        details={
            "sandbox": sandbox,
            "sms_type": text(data, "SmsType"),
            "brandname": text(data, "Brandname"),
        },
    )
    if sandbox:  # eSMS's Sandbox flag: accepted, not sent, not charged, no report
        state.messages[(GATEWAY, message.message_id)] = message
    else:
        state.record(message)
        _dispatch_reports(request.app, message)
    return web.json_response(
        {"CodeResult": "100", "CountRegenerate": 0, "SMSID": message.message_id}
    )


def national(phone: str) -> str:
    """A Vietnamese number in 0… form (as eSMS writes it), others as they are."""
    return "0" + phone[2:] if phone.startswith("84") and len(phone) == 11 else phone


def _report_params(message: SentMessage, status: int, success: int, failed: int) -> dict[str, str]:
    """Build a callback's parameters in the seed document's own order and spelling.

    A plain SMS's report echoes its RequestId; the SMS leg of a Zalo-then-SMS message leaves it
    empty, as every sample does, and names the Zalo leg's SMSID in `switchsmsid`.
    """
    charged = (status == 5 and success > 0) or status == 7
    price = message.segments * message.account.price if charged else 0
    number = national(message.phone)
    echo = not message.details.get("leg")
    return {
        "SMSID": message.message_id,
        "SendFailed": str(failed),
        "SendStatus": str(status),
        "SendSuccess": str(success),
        "TotalPrice": f"{price}.0000",
        "TotalReceiver": "1",
        "TotalSent": "1",
        "RequestId": (message.request_id or "") if echo else "",
        "TypeId": str(message.details.get("sms_type", "2")),
        "telcoid": telco_id(number) if number.startswith("0") else "",
        "phonenumber": message.phone,
        "switchsmsid": str(message.details.get("switchsmsid", "")),
    }


def sms_plan(message: SentMessage) -> list[dict[str, str]]:
    """An SMS's reports: "sent" then the final one; a pending one only "waiting to send"."""
    if message.outcome is Outcome.PENDING:
        return [_report_params(message, 2, 0, 0)]
    if message.outcome is Outcome.DELIVERED:
        return [_report_params(message, 7, 0, 0), _report_params(message, 5, 1, 0)]
    return [_report_params(message, 7, 0, 0), _report_params(message, 5, 0, 1)]


def report(
    state: SandboxState, url: str, params: dict[str, str], message: SentMessage | None = None
) -> Report:
    """A GET callback to `url`, retried 5 times only on no answer.

    Its parameters join a URL that has a query with "&", or with a second "?" when
    `state.esms.callback_join` says so.
    """
    if state.esms.callback_join == "?" and "?" in url:
        url, params = f"{url}?{urlencode(params)}", {}
    return Report(
        "GET", url, params=params, attempts=5, retry_when=retry_on_no_answer, message=message
    )


def _dispatch_reports(app: web.Application, message: SentMessage) -> None:
    """Send "sent" then the final report by GET; eSMS retries 5 times, only on no answer."""
    url = message.callback_url or message.account.callback.url
    if not url:
        return
    state = app[STATE]
    app[COURIER].dispatch(message, [report(state, url, params) for params in sms_plan(message)])


# --- balance and status --------------------------------------------------------------------------


def _balance_answer(request: web.Request, api_key: str, secret_key: str) -> web.Response:
    """Answer a balance request in eSMS's form, for both the JSON and the legacy path."""
    refused = refusal(request)
    if refused is not None:
        return _balance_error(refused)
    account = request.app[STATE].account(
        GATEWAY, ApiKey=api_key or None, SecretKey=secret_key or None
    )
    if account is None:
        return _balance_error("101")
    return web.json_response({"Balance": account.balance, "CodeResponse": "100", "UserID": 9999})


async def balance_json(request: web.Request) -> web.Response:
    """GetBalance_json: POST {ApiKey, SecretKey}."""
    data = await json_body(request) or {}
    return _balance_answer(request, text(data, "ApiKey"), text(data, "SecretKey"))


async def balance_legacy(request: web.Request) -> web.Response:
    """GetBalance/{ApiKey}/{SecretKey}: the legacy GET form."""
    return _balance_answer(request, request.match_info["api_key"], request.match_info["secret"])


def _current_status(state: SandboxState, message: SentMessage) -> tuple[int, int, int]:
    """Return (SendStatus, SendSuccess, SendFailed) as the report plan has progressed."""
    if message.outcome is Outcome.PENDING or message.details.get("sandbox"):
        return 2, 0, 0
    if datetime.now() - message.sent_at < timedelta(seconds=2 * state.dlr_delay):
        return 7, 0, 0
    return (5, 1, 0) if message.outcome is Outcome.DELIVERED else (5, 0, 1)


async def send_status(request: web.Request) -> web.Response:
    """GetSendStatus?RefId&ApiKey&SecretKey: a message's status by its SMSID."""
    state = request.app[STATE]
    refused = refusal(request)
    if refused is not None:
        return _balance_error(refused)
    query = request.query
    account = state.account(
        GATEWAY, ApiKey=query.get("ApiKey") or None, SecretKey=query.get("SecretKey") or None
    )
    if account is None:
        return _balance_error("101")
    message = state.messages.get((GATEWAY, query.get("RefId", "")))
    if message is None or message.account is not account:
        return _balance_error("105")
    status, success, failed = _current_status(state, message)
    return web.json_response(
        {
            "CodeResponse": "100",
            "SMSID": message.message_id,
            "SendFailed": failed,
            "SendStatus": status,
            "SendSuccess": success,
            "TotalReceiver": 1,
            "TotalSent": 1,
            "TotalPrice": message.details.get("price", message.segments * account.price)
            if success
            else 0,
        }
    )


# --- estimate ------------------------------------------------------------------------------------


async def estimate_sms(request: web.Request) -> web.Response:
    """SummaryMultipleMessage_V4_get: what an SMS would cost, the send's checks before it.

    `BrandName` as the URL template spells it, `Brandname` as the table does.
    """
    state = request.app[STATE]
    refused = refusal(request)
    if refused is not None:
        return error(refused)
    query = request.query
    account = state.account(
        GATEWAY, ApiKey=query.get("ApiKey") or None, SecretKey=query.get("SecretKey") or None
    )
    if account is None:
        return error("101")
    fields = {
        "SmsType": query.get("SmsType", ""),
        "Brandname": query.get("BrandName", query.get("Brandname", "")),
        "Phone": query.get("Phone", ""),
        "Content": query.get("Content", ""),
    }
    code = _field_error(state, account, fields)
    if code is not None:
        return error(code)
    segments = count_segments(fields["Content"], query.get("IsUnicode") == "1")
    return web.json_response(
        {
            "CodeResult": "100",
            "ErrorMessage": "success",
            "TotalPrice": segments * account.price,
            "TotalReceiver": 1,
        }
    )


def setup(app: web.Application) -> None:
    """Add eSMS's routes at their documented paths under /MainService.svc/json/."""
    app.router.add_post(f"{BASE}/SendMultipleMessage_V4_post_json/", send)
    app.router.add_post(f"{BASE}/SendMultipleMessage_V4_post_json", send)
    app.router.add_post(f"{BASE}/GetBalance_json", balance_json)
    app.router.add_get(f"{BASE}/GetBalance/{{api_key}}/{{secret}}", balance_legacy)
    app.router.add_get(f"{BASE}/GetSendStatus", send_status)
    app.router.add_get(f"{BASE}/SummaryMultipleMessage_V4_get", estimate_sms)
