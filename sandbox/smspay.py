"""Imitation of SMSPAY (bSMS): GET /smspay/send answering text, DLRs to the account's script.

SMSPAY's real send URL lives in each customer's account documentation (no public copy), so the
sandbox offers one in the same spirit. The send-URL template to paste into SMS Bridge is:

    http://127.0.0.1:PORT/smspay/send?user=smspay-user&pass=smspay-pass&phone={phone}&message={message}&from={sender}&ext=1

Parameters: `user`, `pass`, `phone` (international digits, 359XXXXXXXXX or another country's;
the Bulgarian national 0XXXXXXXXX and a leading + are tolerated), `message`, optional `from`,
`ext=1` for the extended response. Errors are answered with HTTP 200 and `ERROR: <reason>`;
success is `OK`, plus a line `SMS_ID: <id>` with ext=1. Only then, when the account has a receiving
script (account.callback), reports follow by the account's method (GET: query string, POST: form
body) with `sms_id`, `dlr`, `answer` and the account's extra pairs: dlr 4 (queued to SMSC), dlr 8
(delivered to SMSC), then dlr 1 (delivered) or 2 (not delivered); a pending outcome stops after 8.
The document gives a configurable timeout but no retry count: the sandbox tries 3 times until
the script answers 2xx [?].
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from aiohttp import web

from .context import COURIER, STATE, read_params
from .courier import Report, retry_unless_2xx
from .state import Account, Outcome, SentMessage, outcome_for, refused_number

GATEWAY = "smspay"
PREFIXES = ("/smspay/",)
SEND_PATH = "/smspay/send"
REPORT_ATTEMPTS = 3
REPORT_TIMEOUT = 5.0

#: The report sequence per outcome: (dlr, answer).
REPORTS: dict[Outcome, list[tuple[int, str]]] = {
    Outcome.DELIVERED: [(4, "Queued to SMSC"), (8, "Delivered to SMSC"), (1, "Delivered")],
    Outcome.FAILED: [(4, "Queued to SMSC"), (8, "Delivered to SMSC"), (2, "Not delivered")],
    Outcome.PENDING: [(4, "Queued to SMSC"), (8, "Delivered to SMSC")],
}


def error(reason: str) -> web.Response:
    """SMSPAY answers errors with HTTP 200 and a text line."""
    return web.Response(text=f"ERROR: {reason}")


def international(phone: str) -> str | None:
    """The number as international digits, or None when it is not a plausible number."""
    phone = phone.strip().removeprefix("+")
    if re.fullmatch(r"0\d{9}", phone):
        phone = f"359{phone[1:]}"
    if not re.fullmatch(r"[1-9]\d{7,14}", phone):
        return None
    if phone.startswith("359") and len(phone) != 12:
        return None
    return phone


def segments(text: str) -> int:
    """The gateway's own count: 160/153 characters of ASCII, 70/67 of anything else."""
    single, multi = (160, 153) if text.isascii() else (70, 67)
    return 1 if len(text) <= single else -(-len(text) // multi)


def reports(account: Account, message: SentMessage) -> list[Report]:
    """The account's receiving script gets each status in SMSPAY's wire format."""
    url = account.callback.url
    if not url:
        return []
    method = account.callback.method.upper()
    plan = []
    for dlr, answer in REPORTS[message.outcome]:
        params = {"sms_id": message.message_id, "dlr": str(dlr), "answer": answer}
        params.update(account.callback.extra)
        report = Report(
            method=method,
            url=url,
            attempts=REPORT_ATTEMPTS,
            retry_when=retry_unless_2xx,
            timeout=REPORT_TIMEOUT,
        )
        if method == "POST":
            report.body = urlencode(params).encode()
            report.headers = {"Content-Type": "application/x-www-form-urlencoded"}
        else:
            report.params = params
        plan.append(report)
    return plan


async def send(request: web.Request) -> web.Response:
    """One SMS to one recipient, as bSMS's HTTP send request."""
    state = request.app[STATE]
    params = await read_params(request)
    fault = state.take_fault(GATEWAY, request.path, {"refuse"})
    if fault is not None:
        value = fault.value
        return error(value if isinstance(value, str) else f"refused (code {value})")
    account = state.account(GATEWAY, **{"user": params.get("user"), "pass": params.get("pass")})
    if account is None:
        return error("authentication failed")
    phone = international(params.get("phone", ""))
    if phone is None or refused_number(phone, account):
        return error("invalid phone number")
    text = params.get("message", "")
    if not text:
        return error("empty message")
    sender = params.get("from", "")
    if sender and account.brandnames and sender not in account.brandnames:
        return error("sender not allowed")
    count = segments(text)
    if account.balance < count * account.price:
        return error("insufficient balance")
    extended = params.get("ext") == "1"
    message = SentMessage(
        gateway=GATEWAY,
        message_id=str(state.next_id()),
        phone=phone,
        text=text,
        segments=count,
        account=account,
        outcome=outcome_for(phone),
        details={"sender": sender, "phone_param": params.get("phone", ""), "ext": extended},
    )
    state.record(message)
    if not extended:
        return web.Response(text="OK")
    plan = reports(account, message)
    if plan:
        request.app[COURIER].dispatch(message, plan)
    return web.Response(text=f"OK\nSMS_ID: {message.message_id}")


def setup(app: web.Application) -> None:
    """Add SMSPAY's send route (GET, the way bSMS is called)."""
    app.router.add_get(SEND_PATH, send)
