"""FPT's per-number advertising results (dlr-ads): a CSV read by its header, as delivery reports.

The document says only that dlr-ads "returns a CSV file with the detail lines" (seed 004
section 4.2.2, 3-5 working days after sending), so its shape is guessed, and read tolerantly:
- columns by header, in any order, unknown columns ignored; header names match without case,
  Vietnamese accents, spaces or punctuation against the spellings in RESULT_COLUMNS (English,
  Vietnamese, FPT's JSON names): "Phone", "so_dien_thoai", "Số điện thoại", "MSISDN" all work;
- comma, semicolon or tab separated (the most frequent in the header line wins), or as Excel's
  `sep=;` first line says; quoted fields; a UTF-8 or UTF-16 byte-order mark; CRLF or LF;
- the status is FPT's delivery-report code (1 delivered, 0 failed, 2/-11 pending: DESIGN.md's
  FPT row) or a word of RESULT_WORDS; empty means pending; anything else is a failure that
  carries it (as unknown report codes are);
- the error is every error-like column's text joined (code and description);
- a message's id is BatchId + the number in 84 form (seed 004 section 3.4.4.2): a BatchId
  column wins over the batch id the caller gives;
- an empty body, a header without rows, or `{}` means: not ready yet (an empty list). A row
  without a readable number is skipped. A header without a phone column is unreadable.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from typing import Final

from ..errors import InvalidRecipientError, UnexpectedResponseError
from ..http import RawResponse
from ..models import DeliveryReport, DeliveryStatus, FailureReason
from ..parsing import as_int
from ..text import strip_diacritics
from .ads import PROVIDER, ads_fields
from .wire import STATUS_TABLE, failure_reason, telco_name, wire_phone

#: Header spellings (folded: see `fold_name`) of the columns the reader uses.
RESULT_COLUMNS: Final[dict[str, frozenset[str]]] = {
    "phone": frozenset(
        {"phone", "phonenumber", "msisdn", "isdn", "mobile", "receiver", "destination", "sdt"}
        | {"sodienthoai", "dienthoai", "sothuebao", "thuebao", "sodt"}
    ),
    "status": frozenset(
        {"status", "state", "result", "dlrstatus", "deliverystatus", "trangthai", "ketqua"}
    ),
    "error": frozenset(
        {"error", "errorcode", "errordescription", "errormessage", "reason", "description"}
        | {"maloi", "loi", "lydo", "mota", "ghichu", "note"}
    ),
    "telco": frozenset({"telco", "operator", "carrier", "network", "nhamang", "mang"}),
    "segments": frozenset(
        {"mtcount", "segments", "parts", "smscount", "messagecount", "sotin", "sobantin"}
    ),
    "batch": frozenset({"batchid", "batch", "mabatch"}),
}
#: Status words (folded) as FPT's report codes: 1 delivered, 0 failed, 2 pending.
RESULT_WORDS: Final[dict[str, int]] = {
    **dict.fromkeys(
        ("delivered", "delivrd", "success", "successful", "succeeded", "ok", "thanhcong"), 1
    ),
    **dict.fromkeys(("dathanhcong", "guithanhcong"), 1),
    **dict.fromkeys(
        ("failed", "fail", "failure", "undeliv", "undelivered", "rejected", "expired"), 0
    ),
    **dict.fromkeys(("error", "blocked", "thatbai", "guithatbai", "loi", "bichan", "tuchoi"), 0),
    **dict.fromkeys(("pending", "waiting", "processing", "sent", "dangcho", "dangxuly"), 2),
    **dict.fromkeys(("danggui", "chuacoketqua"), 2),
}
DELIMITERS: Final = ",;\t"

_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def fold_name(text: str) -> str:
    """A header or word without case, accents, spaces, punctuation: "Số ĐT" -> "sodt"."""
    return _NOT_ALNUM.sub("", strip_diacritics(text).lower())


def _decode(data: bytes) -> str:
    """The body as text: UTF-16 when it starts with its byte-order mark, else UTF-8."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8-sig", errors="replace")


def _split_delimiter(text: str) -> tuple[str, str]:
    """The delimiter and the CSV text without Excel's `sep=` line, if it had one."""
    first, _, rest = text.partition("\n")
    line = first.strip()
    if line.lower().startswith("sep=") and len(line) == 5:
        return line[4], rest
    return max(DELIMITERS, key=first.count), text


def _columns(header: list[str]) -> dict[str, list[int]]:
    """Which cells hold each known column; only error columns may be several."""
    found: dict[str, list[int]] = {}
    for index, cell in enumerate(header):
        folded = fold_name(cell)
        for name, spellings in RESULT_COLUMNS.items():
            if folded in spellings and (name == "error" or name not in found):
                found.setdefault(name, []).append(index)
    return found


def read_rows(data: bytes) -> list[dict[str, str]]:
    """The CSV's rows as {column: text} for the known columns; [] when it has no rows."""
    delimiter, text = _split_delimiter(_decode(data).lstrip("\r\n"))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error:
        raise UnexpectedResponseError("FPT's results are not readable CSV") from None
    if not rows:
        return []
    columns = _columns(rows[0])
    if "phone" not in columns:
        raise UnexpectedResponseError("FPT's results have no phone column")
    return [
        {
            name: ": ".join(row[i].strip() for i in indexes if i < len(row) and row[i].strip())
            for name, indexes in columns.items()
        }
        for row in rows[1:]
    ]


def result_status(raw: str) -> tuple[DeliveryStatus, bool]:
    """The normalized status of a result's status text, and whether the text was known."""
    if not raw:
        return DeliveryStatus.PENDING, True
    code = as_int(raw)
    if code is None:
        code = RESULT_WORDS.get(fold_name(raw))
    if code is None or code not in STATUS_TABLE:
        return DeliveryStatus.FAILED, False
    return STATUS_TABLE[code], True


def row_report(row: dict[str, str], batch_id: str) -> DeliveryReport | None:
    """One result row as a delivery report; None when its number is unreadable."""
    try:
        phone, _ = wire_phone(row["phone"])
    except InvalidRecipientError:
        return None
    raw_status = row.get("status", "")
    status, known = result_status(raw_status)
    error: str | None = None
    reason: FailureReason | None = None
    if status is DeliveryStatus.FAILED:
        error = row.get("error") or None
        reason = failure_reason(error)
        if not known:
            unknown = f"Unknown status {raw_status}"
            error = f"{unknown} ({error})" if error else unknown
            reason = FailureReason.UNKNOWN
    return DeliveryReport(
        provider=PROVIDER,
        message_id=f"{row.get('batch') or batch_id}{phone}",
        status=status,
        provider_status=raw_status,
        phone=f"+{phone}",
        error=error,
        telco=telco_name(row.get("telco")),
        segments=as_int(row.get("segments")),
        reason=reason,
    )


def parse_results(raw: RawResponse, *, batch_id: str) -> list[DeliveryReport]:
    """The delivery reports of a dlr-ads answer; [] while FPT has none yet."""
    body = raw.body.removeprefix(codecs.BOM_UTF8).strip()
    if raw.status != 200 or body.startswith((b"{", b"[")):
        if ads_fields(raw):  # raises the error an answer carries
            raise UnexpectedResponseError("FPT's dlr-ads answer is JSON without results")
        return []
    reports = (row_report(row, batch_id) for row in read_rows(raw.body))
    return [report for report in reports if report is not None]
