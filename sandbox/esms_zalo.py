"""Imitation of eSMS.vn's Zalo calls: ZNS sends, Zalo then SMS, estimates, OA and template lists.

Written from eSMS's documents (ESMS-CHANNELS.md in the project's shared notes), not from the
client. A ZNS's fate comes from the number's last digit (`state.zalo_outcome`): 6 = not on Zalo
(Zalo error -114), 4 = not reached (1001), 5 = pending, else delivered. A Zalo-then-SMS message
whose ZNS fails falls back to SMS at once; each leg reports to its own CallbackUrl. What the
documents leave open, the sandbox decides as sandbox/README.md says.
"""

from __future__ import annotations

import json
import re
from typing import Any
import uuid

from aiohttp import web

from .context import COURIER, STATE
from .esms import (
    count_segments,
    duplicate,
    error,
    json_body,
    national,
    refusal,
    report,
    sms_plan,
    telco_id,
    text,
    valid_phone,
)
from .state import (
    Account,
    Outcome,
    SandboxState,
    SentMessage,
    ZaloOA,
    ZaloParamSpec,
    ZaloTemplateSpec,
    outcome_for,
    refused_number,
    zalo_outcome,
)

GATEWAY = "esms"
PREFIXES = ("/MainService.svc/",)
BASE = "/MainService.svc/json"
CONTROL_PATH = "/_sandbox/esms"

#: The sandbox's ErrorMessage texts for the Zalo codes (eSMS gives 789's in its sample).
ERRORS: dict[str, str] = {
    "110": "Invalid data",
    "204": "OAID is not exist",
    "789": "TemplateId is not config",
    "790": "Template or its parameters are invalid",
    "791": "OAID or TempID is required",
    "799": "OAID is not active or not of this account",
}
#: Zalo's messages for the sandbox's two failures (the first is eSMS's sample, word for word).
ZALO_MESSAGES = {
    -114: "User is inactive, or reject the message, or using an outdated Zalo version, "
    "or other internal errors",
    1001: "User is not online in time",
}
_NUMBER = re.compile(r"\d{1,12}")
_DATE = re.compile(r"(0[1-9]|[12]\d|3[01])/(0[1-9]|1[0-2])/\d{4}")


def _error(code: str) -> web.Response:
    """eSMS's error form, with the Zalo codes' own texts."""
    if code in ERRORS:
        return web.json_response({"CodeResult": code, "ErrorMessage": ERRORS[code]})
    return error(code)


def _account(state: SandboxState, data: dict[str, Any]) -> Account | None:
    """The eSMS account whose keys the body carries."""
    return state.account(
        GATEWAY, ApiKey=text(data, "ApiKey") or None, SecretKey=text(data, "SecretKey") or None
    )


async def _caller(
    request: web.Request, *, body: bool = True
) -> tuple[dict[str, Any], Account] | web.Response:
    """The body and the account of a call, or eSMS's answer refusing it.

    99: no JSON object where one is needed; an injected refusal; 101: the keys.
    """
    data = await json_body(request)
    if data is None and body:
        return error("99")
    refused = refusal(request)
    if refused is not None:
        return _error(refused)
    account = _account(request.app[STATE], data or {})
    if account is None:
        return error("101")
    return data or {}, account


def _oa(state: SandboxState, account: Account, oa_id: str) -> tuple[str | None, ZaloOA | None]:
    """The account's OA, or the code refusing it: 791 none, 204 unknown, 799 not this account's."""
    if not oa_id:
        return "791", None
    oa = account.zalo_oas.get(oa_id)
    if oa is not None:
        return None, oa
    known = any(oa_id in other.zalo_oas for other in state.accounts)
    return ("799" if known else "204"), None


def _template(
    state: SandboxState, account: Account, oa_id: str, temp_id: str
) -> tuple[str | None, ZaloTemplateSpec | None]:
    """The template to send, or the code refusing it: 791, 204, 799, 789 unknown, 790 disabled."""
    if not temp_id:
        return "791", None
    code, oa = _oa(state, account, oa_id)
    if oa is None:
        return code, None
    template = oa.templates.get(temp_id)
    if template is None:
        return "789", None
    if template.status != "ENABLE":
        return "790", None
    return None, template


def _ordered(template: ZaloTemplateSpec) -> list[ZaloParamSpec]:
    return sorted(template.params, key=lambda param: param.order)


def _values(template: ZaloTemplateSpec, data: dict[str, Any], key: str) -> list[str] | None:
    """The values in the template's order: V6's TempData object, V5's key/value list, Params.

    None when their shape does not fit the template (a name it lacks, a count that differs).
    """
    given = data.get(key)
    names = [param.name for param in _ordered(template)]
    if key == "Params":
        if not isinstance(given, list) or len(given) != len(names):
            return None
        return ["" if value is None else str(value) for value in given]
    if isinstance(given, list):  # V5: [{"key": ..., "value": ...}]
        pairs = [item for item in given if isinstance(item, dict)]
        if len(pairs) != len(given):
            return None
        given = {str(item.get("key")): item.get("value") for item in pairs}
    if not isinstance(given, dict) or not set(given) <= set(names):
        return None
    return ["" if given.get(name) is None else str(given[name]) for name in names]


def _fits(template: ZaloTemplateSpec, values: list[str]) -> bool:
    """Whether every value is there, within its Limit and of its RequireType."""
    for param, raw in zip(_ordered(template), values, strict=True):
        value = raw.strip()
        if not value or len(value) > param.limit:
            return False
        if param.kind == "type_number" and not _NUMBER.fullmatch(value):
            return False
        if param.kind == "type_date" and not _DATE.fullmatch(value):
            return False
    return True


def _zns_error(
    state: SandboxState, account: Account, data: dict[str, Any], key: str
) -> tuple[str | None, ZaloTemplateSpec | None]:
    """The code refusing a ZNS (send or estimate), in eSMS's order of checks, or its template."""
    code, template = _template(state, account, text(data, "OAID"), text(data, "TempID"))
    if template is None:
        return code, None
    values = _values(template, data, key)
    if values is None or not _fits(template, values):
        return "790", None
    return None, template


def _phone_error(account: Account, phone: str) -> str | None:
    if not valid_phone(phone):
        return "108"
    return "99" if refused_number(phone, account) else None


# --- reports -------------------------------------------------------------------------------------


def _error_info(code: int | None) -> str:
    """Zalo's result as eSMS's samples write it.

    A failure: JSON inside a JSON string (the seed's -114 sample). A success: plain JSON (the
    Zalo-by-UID sample).
    """
    if code is not None:
        inner = json.dumps({"error": code, "message": ZALO_MESSAGES[code]}, separators=(",", ":"))
        return json.dumps(inner)
    data = {"delivery_time": None, "message": "Success", "status": 1}
    return json.dumps({"error": 0, "message": "Success", "data": data}, separators=(",", ":"))


def zns_params(message: SentMessage) -> dict[str, str]:
    """A ZNS report's parameters, in the order and spelling of the seed's Zalo sample.

    Its RequestId is empty, as in every sample; `message.text` holds Zalo's message id.
    """
    details = message.details
    pending = message.outcome is Outcome.PENDING
    delivered = message.outcome is Outcome.DELIVERED
    number = national(message.phone)
    return {
        "SMSID": message.message_id,
        "SendFailed": "0" if pending or delivered else "1",
        "SendStatus": "2" if pending else "5",
        "SendSuccess": "1" if delivered else "0",
        "TotalPrice": f"{details['price'] if delivered else 0}.0000",
        "TotalReceiver": "1",
        "TotalSent": "1" if delivered else "0",
        "RequestId": "",
        "TypeId": str(details["type_id"]),
        "telcoid": telco_id(number) if number.startswith("0") else "",
        "phonenumber": message.phone,
        "partnerids": message.text if delivered else "",
        "error_info": "" if pending else _error_info(details.get("zalo_error")),
        "oaid": str(details["oa_id"]),
        "tempid": str(details["template_id"]),
    }


# --- sends ---------------------------------------------------------------------------------------


def _zns_message(
    account: Account, phone: str, template: ZaloTemplateSpec, fields: dict[str, Any], **details: Any
) -> SentMessage:
    """A ZNS the sandbox took: its fate by the number, its price by the template."""
    outcome, zalo_error = zalo_outcome(phone)
    return SentMessage(
        gateway=GATEWAY,
        message_id=uuid.uuid4().hex,
        phone=phone,
        text=uuid.uuid4().hex[:20],  # Zalo's message id (the reports' partnerids)
        segments=1,
        account=account,
        outcome=outcome,
        callback_url=text(fields, "CallbackUrl") or None,
        request_id=text(fields, "RequestId") or None,
        details={
            "channel": "zalo",
            "sandbox": text(fields, "Sandbox") == "1",
            "type_id": template.type_id,
            "oa_id": text(fields, "OAID"),
            "template_id": text(fields, "TempID"),
            "price": template.price,
            "zalo_error": zalo_error,
            # The values in the template's order, as eSMS filled them in.
            "values": _values(template, fields, "Params" if "Params" in fields else "TempData"),
            **details,
        },
    )


def _accepted(message_id: str) -> web.Response:
    return web.json_response({"CodeResult": "100", "CountRegenerate": 0, "SMSID": message_id})


async def send_zns(request: web.Request) -> web.Response:
    """SendZaloMessage_V6 (TempData by name), _V5_post (key/value list), _V4_post_json (Params)."""
    state = request.app[STATE]
    opened = await _caller(request)
    if isinstance(opened, web.Response):
        return opened
    data, account = opened
    key = "Params" if "V4" in request.path else "TempData"
    code, template = _zns_error(state, account, data, key)
    if template is None:
        return _error(str(code))
    phone, request_id = text(data, "Phone"), text(data, "RequestId")
    code = _phone_error(account, phone)
    if code is None and request_id and duplicate(state, account, request_id):
        code = "124"
    if code is not None:
        return error(code)
    message = _zns_message(account, phone, template, data)
    if message.details["sandbox"]:  # not sent, not charged, no report
        state.messages[(GATEWAY, message.message_id)] = message
        return _accepted(message.message_id)
    if account.balance < template.price:
        return error("103")
    delivered = message.outcome is Outcome.DELIVERED
    state.record(message, charge=template.price if delivered else 0)
    url = message.callback_url or account.callback.url
    if url:
        request.app[COURIER].dispatch(message, [report(state, url, zns_params(message))])
    return _accepted(message.message_id)


def _sms_leg_error(account: Account, leg: dict[str, Any]) -> str | None:
    """The code refusing the SMS leg: SmsType 2 only, a brandname of the account, some text."""
    sms_type = text(leg, "SmsType")
    if not sms_type:
        return "300"
    if sms_type != "2":
        return "118"
    if text(leg, "Brandname") not in account.brandnames:
        return "104"
    return "99" if not text(leg, "Content") else None


def _legs(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Data[0] (ZNS) and Data[1] (SMS) when Channels is exactly ["zalo", "sms"]."""
    legs = data.get("Data")
    if data.get("Channels") != ["zalo", "sms"] or not isinstance(legs, list) or len(legs) != 2:
        return None
    zns, sms = legs
    return (zns, sms) if isinstance(zns, dict) and isinstance(sms, dict) else None


async def send_multichannel(request: web.Request) -> web.Response:
    """MultiChannelMessage: Zalo first; when the ZNS fails, SMS at once (each leg reported)."""
    state = request.app[STATE]
    opened = await _caller(request)
    if isinstance(opened, web.Response):
        return opened
    data, account = opened
    legs = _legs(data)
    if legs is None:
        return _error("110")
    zns_leg, sms_leg = legs
    code, template = _zns_error(state, account, zns_leg, "Params")
    if template is None:
        return _error(str(code))
    phone = text(data, "Phone")
    code = _sms_leg_error(account, sms_leg) or _phone_error(account, phone)
    ids = [i for i in (text(zns_leg, "RequestId"), text(sms_leg, "RequestId")) if i]
    if code is None and any(duplicate(state, account, request_id) for request_id in ids):
        code = "124"
    if code is not None:
        return error(code)
    zns = _zns_message(account, phone, template, zns_leg, leg="zalo")
    content = str(sms_leg.get("Content"))
    sms = SentMessage(
        gateway=GATEWAY,
        message_id=uuid.uuid4().hex,
        phone=phone,
        text=content,
        segments=count_segments(content, text(sms_leg, "IsUnicode") == "1"),
        account=account,
        outcome=outcome_for(phone),
        callback_url=text(sms_leg, "CallbackUrl") or None,
        request_id=text(sms_leg, "RequestId") or None,
        details={
            "channel": "sms",
            "leg": "sms",
            "sms_type": "2",
            "brandname": text(sms_leg, "Brandname"),
            "switchsmsid": zns.message_id,
        },
    )
    if zns.details["sandbox"] or text(sms_leg, "Sandbox") == "1":
        zns.details["sandbox"] = True
        state.messages[(GATEWAY, zns.message_id)] = zns
        return _accepted(zns.message_id)
    if account.balance < max(template.price, sms.segments * account.price):
        return error("103")
    delivered = zns.outcome is Outcome.DELIVERED
    state.record(zns, charge=template.price if delivered else 0)
    plan = []
    if url := zns.callback_url or account.callback.url:
        plan.append(report(state, url, zns_params(zns)))
    if zns.outcome is Outcome.FAILED:  # the fallback
        zns.details["fallback"] = sms.message_id
        state.record(sms)
        if url := sms.callback_url or account.callback.url:
            plan += [report(state, url, params, message=sms) for params in sms_plan(sms)]
    if plan:
        request.app[COURIER].dispatch(zns, plan)
    return _accepted(zns.message_id)


# --- estimate and lookups ------------------------------------------------------------------------


async def estimate_zns(request: web.Request) -> web.Response:
    """SummaryZaloMessage_V4_post_json: what a ZNS would cost (the send's checks, Params)."""
    state = request.app[STATE]
    opened = await _caller(request)
    if isinstance(opened, web.Response):
        return opened
    data, account = opened
    code, template = _zns_error(state, account, data, "Params")
    if template is None:
        return _error(str(code))
    code = _phone_error(account, text(data, "Phone"))
    if code is not None:
        return error(code)
    return web.json_response(
        {
            "CodeResult": "100",
            "ErrorMessage": "success",
            "TotalPrice": float(template.price),
            "TotalReceiver": 1,
        }
    )


async def list_oas(request: web.Request) -> web.Response:
    """ZNS/GetListZOA: the account's Official Accounts."""
    opened = await _caller(request, body=False)
    if isinstance(opened, web.Response):
        return opened
    _, account = opened
    oas = [{"OAID": oa.oa_id, "OAName": oa.name} for oa in account.zalo_oas.values()]
    return web.json_response({"CodeResult": "100", "ErrorMessage": "success", "ZOAList": oas})


def _template_view(template: ZaloTemplateSpec) -> dict[str, Any]:
    """A template as GetTemplate lists it (TempId a number, as in eSMS's example)."""
    return {
        "TempContent": template.content,
        "TempId": template.template_id,
        "TempName": template.name,
        "ZNSTempDetail": [
            {"Limit": p.limit, "Param": p.name, "ParamLevel": p.order, "RequireType": p.kind}
            for p in template.params
        ],
    }


async def list_templates(request: web.Request) -> web.Response:
    """GetTemplate: an OA's templates of one SmsType (24 or 25); the OA as `OAId`, exactly."""
    state = request.app[STATE]
    opened = await _caller(request, body=False)
    if isinstance(opened, web.Response):
        return opened
    data, account = opened
    code, oa = _oa(state, account, text(data, "OAId"))
    if oa is None:
        return _error(str(code))
    sms_type = text(data, "SmsType")
    if sms_type not in ("24", "25"):
        return error("118" if sms_type else "300")
    templates = [_template_view(t) for t in oa.templates.values() if t.type_id == sms_type]
    return web.json_response(
        {"CodeResult": "100", "ErrorMessage": "success", "ZNSTemplates": templates}
    )


# --- control -------------------------------------------------------------------------------------


def _oa_view(oa: ZaloOA) -> dict[str, Any]:
    return {
        "oa_id": oa.oa_id,
        "name": oa.name,
        "templates": [
            {
                "template_id": t.template_id,
                "name": t.name,
                "type_id": t.type_id,
                "price": t.price,
                "status": t.status,
                "params": [
                    {"name": p.name, "order": p.order, "limit": p.limit, "kind": p.kind}
                    for p in t.params
                ],
            }
            for t in oa.templates.values()
        ],
    }


def _oa_from(data: Any) -> ZaloOA:
    """An OA from the control API's JSON (the shape `GET /_sandbox/esms` shows)."""
    if not isinstance(data, dict):
        raise TypeError("each OA is an object")
    templates: dict[str, ZaloTemplateSpec] = {}
    for item in data.get("templates", []):
        params = [
            ZaloParamSpec(
                str(p["name"]), int(p["order"]), int(p["limit"]), p.get("kind", "type_text")
            )
            for p in item.get("params", [])
        ]
        template = ZaloTemplateSpec(
            int(item["template_id"]),
            str(item["name"]),
            params,
            type_id=str(item.get("type_id", "25")),
            price=int(item.get("price", 300)),
            status=str(item.get("status", "ENABLE")),
        )
        if template.type_id not in ("24", "25"):
            raise ValueError("type_id is 24 or 25")
        templates[str(template.template_id)] = template
    return ZaloOA(str(data["oa_id"]), str(data["name"]), templates)


async def get_settings(request: web.Request) -> web.Response:
    """GET /_sandbox/esms: how reports join a query, and the built-in account's OAs."""
    state = request.app[STATE]
    account = state.first_account(GATEWAY)
    return web.json_response(
        {
            "callback_join": state.esms.callback_join,
            "oas": [_oa_view(oa) for oa in account.zalo_oas.values()],
        }
    )


async def post_settings(request: web.Request) -> web.Response:
    """POST /_sandbox/esms: {"callback_join"?: "&" | "?", "oas"?: [...]} (OAs replaced whole)."""
    data = await request.json()
    state = request.app[STATE]
    try:
        if not isinstance(data, dict):
            raise TypeError("a JSON object is needed")
        join = data.get("callback_join", state.esms.callback_join)
        if join not in ("&", "?"):
            raise ValueError('callback_join is "&" or "?"')
        oas = None
        if "oas" in data:
            oas = {oa.oa_id: oa for oa in map(_oa_from, data["oas"])}
    except (KeyError, TypeError, ValueError) as err:
        return web.json_response({"error": str(err)}, status=400)
    state.esms.callback_join = join
    if oas is not None:
        state.first_account(GATEWAY).zalo_oas = oas
    return web.json_response({"ok": True})


def setup(app: web.Application) -> None:
    """Add eSMS's Zalo routes at their documented paths, and the sandbox's control of them."""
    for path in (
        "SendZaloMessage_V6/",
        "SendZaloMessage_V5_post/",
        "SendZaloMessage_V4_post_json/",
    ):
        app.router.add_post(f"{BASE}/{path}", send_zns)
    app.router.add_post(f"{BASE}/MultiChannelMessage/", send_multichannel)
    app.router.add_post(f"{BASE}/SummaryZaloMessage_V4_post_json/", estimate_zns)
    app.router.add_post(f"{BASE}/ZNS/GetListZOA/", list_oas)
    app.router.add_post(f"{BASE}/GetTemplate/", list_templates)
    app.router.add_get(CONTROL_PATH, get_settings)
    app.router.add_post(CONTROL_PATH, post_settings)
