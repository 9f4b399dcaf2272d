"""Imitation of FPT SMS Brandname: OAuth2 tokens, customer-care sends, JSON delivery reports.

Paths, field names (case-sensitive), codes and answers follow FPT's document (PROVIDERS.md
section 3). Test hooks besides the shared ones: `CALLS` (every JSON body received, with its
path), `GRANTED_SCOPES` (client_id -> the scopes its application has; absent = both), the
`expire_token` fault (the presented token becomes expired) and `state.token_lifetime`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
from typing import Any

from aiohttp import web

from . import rules
from .context import COURIER, STATE
from .courier import Report, retry_unless_2xx
from .state import Account, Outcome, SentMessage, outcome_for, refused_number

GATEWAY = "fpt"
PREFIXES = ("/oauth2/", "/api/")
TOKEN_PATH = "/oauth2/token"
DOMESTIC_PATH = "/api/push-brandname-otp"
INTERNATIONAL_PATH = "/api/push-brandname-international"
SCOPES = frozenset({"send_brandname_otp", "send_brandname"})
SEND_SCOPE = "send_brandname_otp"
PARTNER_ID = "2215"

#: Every JSON body the gateway received, as (path, body); {} when the body was not a JSON object.
CALLS: web.AppKey[list[tuple[str, dict[str, Any]]]] = web.AppKey("fpt_calls", list)
#: The scopes each client_id's application was created with; absent: both.
GRANTED_SCOPES: web.AppKey[dict[str, frozenset[str]]] = web.AppKey("fpt_granted_scopes", dict)
#: The scopes each issued token carries.
TOKEN_SCOPES: web.AppKey[dict[str, frozenset[str]]] = web.AppKey("fpt_token_scopes", dict)

#: error_description texts, in the document's language.
DESCRIPTIONS = {
    1001: "Request không hợp lệ",
    1005: "Các scope không hợp lệ",
    1008: "Các thông tin client là không đúng.",
    1010: "Scope không đủ quyền truy cập",
    1011: "Access token không đúng.",
    1012: "Access token đã bị thay đổi",
    1013: "Access token hết hạn",
    1014: "Các tham số truyền vào bị lỗi",
    1015: "Không hỗ trợ kiểu loại hình cấp quyền này",
    1016: "Số lượng tin nhắn gửi đã vượt hạn mức",
    2502: "Hết hạn mức gửi tin",
    2504: "Brandname chưa kích hoạt hoặc bị khóa",
    8: "Không thể giải mã, tin gửi không được mã hóa",
    53: "Sai số điện thoại",
}
UNAUTHORIZED_CODES = frozenset({1008, 1011, 1012, 1013})

DOMESTIC_PHONE = re.compile(r"(84|0)[1-9][0-9]{8,9}")
INTERNATIONAL_PHONE = re.compile(r"[1-9][0-9]{6,14}")

#: Vietnamese mobile prefixes (after 84/0) -> FPT's Telco value.
VN_TELCOS = {
    **dict.fromkeys(
        ("32", "33", "34", "35", "36", "37", "38", "39", "86", "96", "97", "98"), "viettel"
    ),
    **dict.fromkeys(("81", "82", "83", "84", "85", "88", "91", "94"), "vina"),
    **dict.fromkeys(("70", "76", "77", "78", "79", "89", "90", "93"), "mobi"),
    **dict.fromkeys(("52", "56", "58", "92"), "htc"),
    **dict.fromkeys(("59", "99"), "beeline"),
    "87": "itel",
}
#: Country calling codes -> the Telco value of the international answer (the sample says "US").
COUNTRIES = {"1": "US", "44": "GB", "65": "SG", "86": "CN", "359": "BG", "81": "JP", "82": "KR"}
FAILURE_TEXT = "Thuê bao không liên lạc được"
REPORT_STATUS = {Outcome.DELIVERED: 1, Outcome.FAILED: 0, Outcome.PENDING: 2}


def error(code: int, description: str | None = None) -> web.Response:
    """FPT's error answer: HTTP 401 for client/token problems, 400 else."""
    return web.json_response(
        {
            "error": code,
            "error_description": description or DESCRIPTIONS.get(code, "Lỗi không xác định"),
        },
        status=401 if code in UNAUTHORIZED_CODES else 400,
    )


async def read_body(request: web.Request) -> dict[str, Any] | None:
    """The JSON object of the request, recorded in CALLS; None when the body is not one."""
    try:
        data = json.loads(await request.read())
    except ValueError:
        data = None
    body = data if isinstance(data, dict) else None
    request.app[CALLS].append((request.path, body or {}))
    return body


def bad_session_id(body: dict[str, Any]) -> bool:
    """session_id is required, a string of at most 32 characters."""
    value = body.get("session_id")
    return not isinstance(value, str) or not value or len(value) > 32


def telco_of(phone: str, domestic: bool) -> str:
    """A plausible Telco for the number: the carrier by prefix, the country abroad."""
    if domestic:
        national = phone[2:] if phone.startswith("84") else phone[1:]
        return VN_TELCOS.get(national[:2], "vina")
    for length in (3, 2, 1):
        if phone[:length] in COUNTRIES:
            return COUNTRIES[phone[:length]]
    return "INTL"


async def token(request: web.Request) -> web.Response:
    """POST /oauth2/token: client credentials and scopes in, a Bearer token out."""
    state = request.app[STATE]
    body = await read_body(request)
    if body is None:
        return error(1001)
    fault = state.take_fault(GATEWAY, request.path, {"refuse"})
    if fault is not None:
        return error(int(fault.value))
    grant_type = body.get("grant_type")
    if grant_type is None:
        return error(1001)
    if grant_type != "client_credentials":
        return error(1015)
    if bad_session_id(body):
        return error(1014)
    client_id, client_secret = body.get("client_id"), body.get("client_secret")
    if not isinstance(client_id, str) or not isinstance(client_secret, str):
        return error(1008)
    account = state.account(GATEWAY, client_id=client_id, client_secret=client_secret)
    if account is None:
        return error(1008)
    scope = body.get("scope")
    words = scope.split() if isinstance(scope, str) else []
    requested = frozenset(words)
    if not requested or not requested <= SCOPES:
        return error(1005)
    if not requested <= request.app[GRANTED_SCOPES].get(client_id, SCOPES):
        return error(1010)
    access_token = base64.b64encode(os.urandom(96)).decode()
    expiry = asyncio.get_running_loop().time() + state.token_lifetime
    state.tokens[access_token] = (account, expiry)
    request.app[TOKEN_SCOPES][access_token] = requested
    return web.json_response(
        {
            "access_token": access_token,
            "expires_in": state.token_lifetime,
            "token_type": "Bearer",
            "scope": " ".join(words),
        }
    )


def token_account(
    request: web.Request, body: dict[str, Any], scope: str = SEND_SCOPE
) -> Account | web.Response:
    """The account of the presented token, or the error FPT gives for the token or its scope."""
    state = request.app[STATE]
    access_token = body.get("access_token")
    if not isinstance(access_token, str) or access_token not in state.tokens:
        return error(1011)
    account, expiry = state.tokens[access_token]
    if state.take_fault(GATEWAY, request.path, {"expire_token"}) is not None:
        expiry = 0.0
        state.tokens[access_token] = (account, expiry)
    if asyncio.get_running_loop().time() >= expiry:
        return error(1013)
    if scope not in request.app[TOKEN_SCOPES].get(access_token, frozenset()):
        return error(1010)
    return account


def decode_message(value: Any) -> str | None:
    """The text of a Base64 Message, None when it is not Base64 of UTF-8 text."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except ValueError:  # binascii.Error, non-ASCII text, UnicodeDecodeError
        return None


async def authorize(
    request: web.Request, scope: str, *, session: bool = True
) -> tuple[Account, dict[str, Any]] | web.Response:
    """The body and account of a token-bearing call, or its refusal: body, fault, token, session."""
    body = await read_body(request)
    if body is None:
        return error(1001)
    fault = request.app[STATE].take_fault(GATEWAY, request.path, {"refuse"})
    if fault is not None:
        return error(int(fault.value))
    account = token_account(request, body, scope)
    if isinstance(account, web.Response):
        return account
    if session and bad_session_id(body):
        return error(1014)
    return account, body


def push_refusal(body: dict[str, Any], account: Account, domestic: bool) -> web.Response | None:
    """FPT's refusal of a customer-care message's fields, in the gateway's order; None if fine."""
    brandname, phone, request_id = body.get("BrandName"), body.get("Phone"), body.get("RequestId")
    if not isinstance(brandname, str) or brandname not in account.brandnames:
        return error(2504)
    text = decode_message(body.get("Message"))
    if text is None:
        return error(8)
    pattern = DOMESTIC_PHONE if domestic else INTERNATIONAL_PHONE
    if not isinstance(phone, str) or not pattern.fullmatch(phone) or refused_number(phone, account):
        return error(53)
    if request_id is not None and (not isinstance(request_id, str) or len(request_id) > 100):
        return error(1014)
    if account.balance < rules.segments(text) * account.price:
        return error(2502)
    return None


def accept_push(request: web.Request, body: dict[str, Any], account: Account) -> SentMessage:
    """Record an accepted customer-care message and start its delivery report."""
    state = request.app[STATE]
    phone, text = body["Phone"], str(decode_message(body["Message"]))
    telco = telco_of(phone, request.path == DOMESTIC_PATH)
    message = SentMessage(
        gateway=GATEWAY,
        message_id=str(state.next_id()),
        phone=phone,
        text=text,
        segments=rules.segments(text),
        account=account,
        outcome=outcome_for(phone),
        request_id=body.get("RequestId"),
        details={
            "brandname": body["BrandName"],
            "telco": telco,
            "session_id": body["session_id"],
            "encoded": body["Message"],
            "path": request.path,
        },
    )
    state.record(message)
    if account.callback.url:
        request.app[COURIER].dispatch(message, [report(message, account, telco)])
    return message


async def push(request: web.Request) -> web.Response:
    """POST /api/push-brandname-otp and -international: one customer-care SMS."""
    authorized = await authorize(request, SEND_SCOPE)
    if isinstance(authorized, web.Response):
        return authorized
    account, body = authorized
    refusal = push_refusal(body, account, request.path == DOMESTIC_PATH)
    if refusal is not None:
        return refusal
    message = accept_push(request, body, account)
    return web.json_response(
        {
            "MessageId": message.message_id,
            "Phone": message.phone,
            "BrandName": message.details["brandname"],
            "Message": message.text,
            "PartnerId": PARTNER_ID,
            "Telco": message.details["telco"],
        }
    )


def report(message: SentMessage, account: Account, telco: str) -> Report:
    """FPT's delivery report: a JSON POST with the partner's key; PENDING gets Status 2 only."""
    payload: dict[str, Any] = {
        "smsid": int(message.message_id),
        "Status": REPORT_STATUS[message.outcome],
        "Telco": telco,
        "mt_count": message.segments,
    }
    if message.outcome is Outcome.FAILED:
        payload["Error"] = FAILURE_TEXT
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if account.report_secret is not None:
        headers["Authorization"] = f"Basic {account.report_secret}"
    return Report(
        "POST",
        str(account.callback.url),
        headers=headers,
        body=json.dumps(payload).encode(),
        attempts=5,
        retry_when=retry_unless_2xx,
    )


def setup(app: web.Application) -> None:
    """Add FPT's token and customer-care routes at the documented paths."""
    app[CALLS] = []
    app[GRANTED_SCOPES] = {}
    app[TOKEN_SCOPES] = {}
    app.router.add_post(TOKEN_PATH, token)
    app.router.add_post(DOMESTIC_PATH, push)
    app.router.add_post(INTERNATIONAL_PATH, push)
