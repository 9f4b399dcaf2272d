"""Imitation of FiboSMS: ASMX answers wrapped in `<string>`, SOAP GetTotalMt, GET status pushes.

Paths, parameters, result codes and the push protocol follow seeds/001 and seeds/000
(PROVIDERS.md section 1). Where the documents are silent, the imitation does what an ASP.NET
ASMX service does: results serialized as escaped text inside `<string xmlns=...>`, SOAP faults
with HTTP 500, the service help page for a GET on the SOAP endpoint.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import re
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

from aiohttp import web

from . import rules
from .context import COURIER, STATE, read_params
from .courier import Report
from .state import Account, Outcome, SandboxState, SentMessage, outcome_for, refused_number

GATEWAY = "fibo"
PREFIXES = ("/SendMT/", "/WebserivceFibo/")
SEND_PATH = "/SendMT/service.asmx/SendSMS"
SEND_MASKED_PATH = "/SendMT/service.asmx/SendMaskedSMS"
#: The balance path as documented (".aspx") and as an ASMX service would have it.
BALANCE_PATHS = (
    "/SendMT/service.aspx/GetClientBalance",
    "/SendMT/service.asmx/GetClientBalance",
)
TOTALS_PATH = "/WebserivceFibo/PartnerMtTotal.asmx"

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
TEMPURI = "http://tempuri.org/"
SOAP_ACTION = "http://tempuri.org/GetTotalMt"
ATTEMPTS = 5

#: The result-code table of seeds/001 ("ErrorCodeName"), the texts the gateway itself uses.
CODE_NAMES: dict[int, str] = {
    200: "Thành công",
    2: "Lỗi hệ thống",
    3: "Sai user hoặc mật khẩu",
    4: "IP không được phép",
    5: "Chưa khai báo brandname/dịch vụ",
    6: "Lặp nội dung",
    7: "Thuê bao từ chối nhận tin",
    8: "Không được phép gửi tin",
    9: "Chưa khai báo template",
    10: "Định dạng thuê bao không đúng",
    11: "Có tham số không hợp lệ",
    12: "Tài khoản không đúng",
    13: "Gửi tin: lỗi kết nối",
    14: "Tài khoản không đủ",
    15: "Tài khoản hết hạn",
    16: "Hết hạn dịch vụ",
    17: "Hết hạn mức gửi test",
    18: "Hủy gửi tin (CSKH)",
    19: "Hủy gửi tin (KD)",
    20: "Gateway chưa hỗ trợ Unicode",
    21: "Chưa set giá trả trước",
    22: "Tài khoản chưa kích hoạt",
    23: "Sai cú pháp tin nhắn",
    24: "Thủ tục xử lý bị lỗi",
    25: "Chưa khai báo partner cho user",
    26: "Chưa khai báo GateOwner cho user",
    27: "Gửi tin: gate trả mã lỗi",
    28: "Hủy gửi tin",
    29: "Chưa khai báo TopUpUserId cho Partner",
    30: "Hoàn tiền cho User",
    31: "Số điện thoại 11 số đã chuyển sang 10 số",
}

TOTALS_ENVELOPE = """<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <soap:Body>
    <GetTotalMtResponse xmlns="http://tempuri.org/">
      <GetTotalMtResult>{result}</GetTotalMtResult>
    </GetTotalMtResponse>
  </soap:Body>
</soap:Envelope>"""

FAULT_ENVELOPE = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
    "<soap:Body><soap:Fault><faultcode>soap:Client</faultcode>"
    "<faultstring>{text}</faultstring><detail /></soap:Fault></soap:Body></soap:Envelope>"
)

HELP_PAGE = (
    "<html><head><title>PartnerMtTotal Web Service</title></head><body>"
    "<h1>PartnerMtTotal</h1><p>The following operations are supported.</p>"
    "<ul><li>GetTotalMt</li></ul></body></html>"
)

#: Final messages without a report URL: counted in the totals once `dlr_delay` has passed.
UNSETTLED: web.AppKey[list[SentMessage]] = web.AppKey("fibo_unsettled", list)

_PROCESSED = re.compile(r"<Status>\s*2\s*</Status>", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")


# --- answers -------------------------------------------------------------------------------------


def asmx_answer(inner: str) -> web.Response:
    """An ASMX string result: the inner XML escaped as text, as .NET serializes it."""
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<string xmlns="http://tempuri.org/">{escape(inner)}</string>'
    )
    return web.Response(text=body, content_type="text/xml", charset="utf-8")


def sms_answer(code: int, message: str) -> web.Response:
    """The `<SMS>` result of SendSMS / SendMaskedSMS (and of every error)."""
    return asmx_answer(
        f"<SMS><Code>{code}</Code><Message>{escape(message)}</Message><Time></Time></SMS>"
    )


def sms_error(code: int) -> web.Response:
    """A refusal with Fibo's own Vietnamese text for the code."""
    return sms_answer(code, CODE_NAMES.get(code, "Lỗi"))


def soap_fault(text: str) -> web.Response:
    """A SOAP 1.1 client fault, as ASMX answers a request it cannot dispatch."""
    return web.Response(
        status=500,
        text=FAULT_ENVELOPE.format(text=escape(text)),
        content_type="text/xml",
        charset="utf-8",
    )


# --- checks --------------------------------------------------------------------------------------


def account_of(state: SandboxState, params: dict[str, str]) -> Account | None:
    """The account whose clientNo and clientPass these are."""
    return state.account(
        GATEWAY, clientNo=params.get("clientNo"), clientPass=params.get("clientPass")
    )


def refused_or_account(
    request: web.Request, state: SandboxState, params: dict[str, str]
) -> Account | web.Response:
    """The caller's account, or the refusal it gets: an injected code first, then code 3."""
    fault = state.take_fault(GATEWAY, request.path, {"refuse"})
    if fault is not None:
        return sms_error(int(fault.value))
    return account_of(state, params) or sms_error(3)


def phone_error(phone: str, account: Account | None = None) -> int | None:
    """Fibo's code for a bad number: 10 (format), 31 (old 11-digit number), None when fine."""
    if not _DIGITS.fullmatch(phone) or refused_number(phone, account):
        return 10
    if phone.startswith("01") and len(phone) == 11:
        return 31
    if phone.startswith("0"):
        return None if len(phone) == 10 else 10
    return None if 8 <= len(phone) <= 15 else 10


# --- handlers ------------------------------------------------------------------------------------


async def send_sms(request: web.Request) -> web.Response:
    """SendSMS / SendMaskedSMS: check, charge, record, answer, then push the final status."""
    state = request.app[STATE]
    params = await read_params(request)
    account = refused_or_account(request, state, params)
    if isinstance(account, web.Response):
        return account
    masked = request.path == SEND_MASKED_PATH
    required = ["phoneNumber", "smsMessage"] + (["senderName"] if masked else [])
    service_type = params.get("serviceType", "0").strip()
    if any(not params.get(name) for name in required) or service_type not in ("0", "1"):
        return sms_error(11)
    sender = params["senderName"] if masked else None
    if sender is not None and sender not in account.brandnames:
        return sms_error(5)
    phone = params["phoneNumber"].strip()
    bad_number = phone_error(phone, account)
    if bad_number is not None:
        return sms_error(bad_number)
    text = params["smsMessage"]
    segments = rules.segments(text)
    if account.balance < segments * account.price:
        return sms_error(14)
    message = SentMessage(
        gateway=GATEWAY,
        # "0" is the documented default: accepted, and then every report carries MSGUID=0.
        message_id=params.get("smsGUID") or "0",
        phone=phone,
        text=text,
        segments=segments,
        account=account,
        outcome=outcome_for(phone),
        details={
            "method": request.path.rsplit("/", 1)[-1],
            "sender": sender,
            "service_type": int(service_type),
        },
    )
    state.record(message)
    push_status(request.app, message)
    return sms_answer(200, "Sending...")


def settle_due(app: web.Application) -> None:
    """Count the final status of messages nobody is told about, once their time has come."""
    state = app[STATE]
    due = datetime.now() - timedelta(seconds=state.dlr_delay)
    waiting = app[UNSETTLED]
    for message in [m for m in waiting if m.sent_at <= due]:
        waiting.remove(message)
        state.settle(message)


def not_processed(status: int | None, body: str) -> bool:
    """Fibo pushes again until the partner prints `<Status>2</Status>` (5 times at most)."""
    return status != 200 or _PROCESSED.search(body) is None


def push_status(app: web.Application, message: SentMessage) -> None:
    """After the final status: GET the partner's link with MSGUID, Status, SecureCode.

    Fibo pushes only final statuses, so a message that stays pending gets no push.
    """
    status = {Outcome.DELIVERED: "2", Outcome.FAILED: "3"}.get(message.outcome)
    if status is None:
        return
    callback = message.account.callback
    if callback.url is None:
        app[UNSETTLED].append(message)
        return
    params = {
        "MSGUID": message.message_id,
        "Status": status,
        "SecureCode": message.account.report_secret or "",
        **callback.extra,
    }
    report = Report("GET", callback.url, params=params, attempts=ATTEMPTS, retry_when=not_processed)
    app[COURIER].dispatch(message, [report])


async def client_balance(request: web.Request) -> web.Response:
    """GetClientBalance: SMS credits (or VND) left on the account."""
    state = request.app[STATE]
    params = await read_params(request)
    account = refused_or_account(request, state, params)
    if isinstance(account, web.Response):
        return account
    return asmx_answer(
        f"<SMS><Code>200</Code><AccountBalance>{account.balance}</AccountBalance>"
        "<Time></Time></SMS>"
    )


async def total_mt(request: web.Request) -> web.Response:
    """GetTotalMt over SOAP 1.1: today's `delivered|failed|waiting` of the account."""
    state = request.app[STATE]
    settle_due(request.app)
    if request.content_type != "text/xml":
        return web.Response(status=415, text="Unsupported Media Type")
    action = request.headers.get("SOAPAction", "")
    if action.strip().strip('"') != SOAP_ACTION:
        return soap_fault(
            f"Server did not recognize the value of HTTP Header SOAPAction: {action}."
        )
    try:
        # The sandbox reads its own test clients' requests; nothing untrusted reaches it.
        root = ET.fromstring(await request.read())  # noqa: S314
    except ET.ParseError:
        return soap_fault("Server was unable to read request.")
    operation = root.find(f"{{{SOAP_NS}}}Body/{{{TEMPURI}}}GetTotalMt")
    if root.tag != f"{{{SOAP_NS}}}Envelope" or operation is None:
        return soap_fault("Server was unable to read request.")
    username = operation.findtext(f"{{{TEMPURI}}}Username")
    password = operation.findtext(f"{{{TEMPURI}}}Password")
    fault = state.take_fault(GATEWAY, request.path, {"refuse"})
    account = state.account(GATEWAY, clientNo=username, clientPass=password)
    if fault is not None:
        result = str(int(fault.value))
    elif account is None:
        result = "3"  # [?] the document does not say; the API's code for bad credentials
    else:
        today = account.today()
        result = f"{today.delivered}|{today.failed}|{today.pending}"
    return web.Response(
        text=TOTALS_ENVELOPE.format(result=escape(result)),
        content_type="text/xml",
        charset="utf-8",
    )


async def total_mt_help(request: web.Request) -> web.Response:
    """A GET on an ASMX endpoint shows its help page (the operation is SOAP only)."""
    return web.Response(text=HELP_PAGE, content_type="text/html")


def setup(app: web.Application) -> None:
    """Add FiboSMS's routes at the documented paths (ASMX methods take GET or POST)."""
    app[UNSETTLED] = []
    for path in (SEND_PATH, SEND_MASKED_PATH):
        app.router.add_get(path, send_sms)
        app.router.add_post(path, send_sms)
    for path in BALANCE_PATHS:
        app.router.add_get(path, client_balance)
        app.router.add_post(path, client_balance)
    app.router.add_post(TOTALS_PATH, total_mt)
    app.router.add_get(TOTALS_PATH, total_mt_help)
