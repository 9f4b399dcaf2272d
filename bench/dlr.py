"""Delivery reports shaped like each gateway's, for messages the entry really sent.

Every (message id, provider status) pair is new for the whole run, so the integration's dedupe
never short-circuits a report: statuses count up from 1000, outside every gateway's table, which
makes each a valid "failed" report. Wire shapes: sandbox/README.md and PROVIDERS.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import itertools
import json
from urllib.parse import urlencode

from yarl import URL

from .bench_noop import FLOOR_SUFFIX
from .rig import Account

FIRST_STATUS = 1000
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request to a webhook."""

    method: str
    url: URL
    headers: dict[str, str] | None = None
    body: bytes | None = None


def _accepted_ok(status: int, text: str) -> bool:
    return status == 200 and text.strip() == "OK"


def _accepted_fibo(status: int, text: str) -> bool:
    return status == 200 and "<Status>2</Status>" in text


def _accepted_fpt(status: int, text: str) -> bool:
    try:
        return status == 200 and json.loads(text).get("status") == 1
    except ValueError:
        return False


def esms_query(message_id: str, status: int, number: str) -> dict[str, str]:
    """eSMS's callback parameters, in its document's order and spelling."""
    return {
        "SMSID": message_id,
        "SendFailed": "1",
        "SendStatus": str(status),
        "SendSuccess": "0",
        "TotalPrice": "0.0000",
        "TotalReceiver": "1",
        "TotalSent": "1",
        "RequestId": "",
        "TypeId": "2",
        "telcoid": "",
        "phonenumber": number,
        "switchsmsid": "",
    }


def _fibo(account: Account, message_id: str, number: str, status: int) -> Request:
    query = {
        "MSGUID": message_id,
        "Status": str(status),
        "SecureCode": account.form["secure_code"],
    }
    return Request("GET", URL(f"{account.webhook_url}?{urlencode(query)}", encoded=True))


def _esms(account: Account, message_id: str, number: str, status: int) -> Request:
    query = urlencode(esms_query(message_id, status, number))
    return Request("GET", URL(f"{account.webhook_url}?{query}", encoded=True))


def _fpt(account: Account, message_id: str, number: str, status: int) -> Request:
    payload = {"smsid": int(message_id), "Status": status, "Telco": "mobi", "mt_count": 1}
    headers = {**JSON_HEADERS, "Authorization": f"Basic {account.form['auth_key']}"}
    return Request("POST", URL(account.webhook_url), headers, json.dumps(payload).encode())


def _smspay(account: Account, message_id: str, number: str, status: int) -> Request:
    form = {"sms_id": message_id, "dlr": str(status), "answer": "Bench report", **account.extra}
    return Request("POST", URL(account.webhook_url), FORM_HEADERS, urlencode(form).encode())


BUILDERS: dict[str, Callable[[Account, str, str, int], Request]] = {
    "fibo": _fibo,
    "esms": _esms,
    "fpt": _fpt,
    "smspay": _smspay,
}
ACCEPTED: dict[str, Callable[[int, str], bool]] = {
    "fibo": _accepted_fibo,
    "esms": _accepted_ok,
    "fpt": _accepted_fpt,
    "smspay": _accepted_ok,
}


class Reports:
    """An endless stream of new reports for one entry, round robin over its sent messages."""

    def __init__(self, account: Account) -> None:
        self.name = account.label
        self.accepted: Callable[[int, str], bool] = ACCEPTED[account.gateway]
        self._account = account
        self._build = BUILDERS[account.gateway]
        self._turn = itertools.count()

    def next(self) -> Request:
        """A report for the next message, with a status this message has not had yet."""
        sent = self._account.sent
        message_id, number = sent[next(self._turn) % len(sent)]
        return self._report(message_id, number)[0]

    def canary(self) -> tuple[Request, str, str]:
        """A report for the newest message, with the message id and status its event carries."""
        message_id, number = self._account.sent[-1]
        request, status = self._report(message_id, number)
        return request, message_id, status

    def _report(self, message_id: str, number: str) -> tuple[Request, str]:
        status = self._account.next_status.get(message_id, FIRST_STATUS)
        self._account.next_status[message_id] = status + 1
        return self._build(self._account, message_id, number, status), str(status)


class NoopReports:
    """Requests to the no-op webhook, shaped like eSMS's reports (a GET with a query)."""

    name = "no-op"

    def __init__(self, url: str) -> None:
        self._url = url
        self._turn = itertools.count()
        self.accepted: Callable[[int, str], bool] = _accepted_ok

    def next(self) -> Request:
        """One request; it carries what a report would, and is ignored."""
        turn = next(self._turn)
        query = urlencode(esms_query(f"noop-{turn}", FIRST_STATUS, "0900000005"))
        return Request("GET", URL(f"{self._url}?{query}", encoded=True))


class FloorReports(NoopReports):
    """The same requests to the floor webhook: one event and one event entity state each."""

    name = "floor"

    def __init__(self, noop_url: str) -> None:
        super().__init__(noop_url + FLOOR_SUFFIX)
