"""The dlr-ads CSV reader: columns by header, separators, quoting, BOMs, statuses, not-ready."""

from __future__ import annotations

import codecs

import pytest

from custom_components.sms_bridge.providers.errors import (
    ProviderError,
    RefusedError,
    TransientError,
    UnexpectedResponseError,
)
from custom_components.sms_bridge.providers.fpt.ads import (
    AdsNotAllowedError,
    CampaignError,
)
from custom_components.sms_bridge.providers.fpt.results import (
    fold_name,
    parse_results,
    read_rows,
    result_status,
)
from custom_components.sms_bridge.providers.fpt.wire import TokenRejectedError
from custom_components.sms_bridge.providers.http import RawResponse
from custom_components.sms_bridge.providers.models import DeliveryStatus

BATCH = "qc.2215.1623984019.82989"


def csv_answer(text: str | bytes, status: int = 200) -> RawResponse:
    """A dlr-ads answer with this body."""
    body = text.encode("utf-8") if isinstance(text, str) else text
    return RawResponse(status, body, "text/csv")


def summary(text: str | bytes) -> list[tuple[str, str, DeliveryStatus, str | None]]:
    """(message id, phone, status, error) of each report parsed from `text`."""
    return [
        (r.message_id, str(r.phone), r.status, r.error)
        for r in parse_results(csv_answer(text), batch_id=BATCH)
    ]


DELIVERED_AND_FAILED = [
    (f"{BATCH}84987654321", "+84987654321", DeliveryStatus.DELIVERED, None),
    (f"{BATCH}84987654123", "+84987654123", DeliveryStatus.FAILED, "Thuê bao không liên lạc được"),
]

SHAPES = {
    "comma_lf": "Phone,Status,Error\n84987654321,1,\n84987654123,0,Thuê bao không liên lạc được\n",
    "semicolon_vietnamese_bom": (
        "\ufeffSố điện thoại;Trạng thái;Lý do\r\n"
        "0987654321;1;\r\n"
        "0987654123;0;Thuê bao không liên lạc được\r\n"
    ),
    "quoted_crlf_extra_columns": (
        '"STT","Ngày gửi","MSISDN","Nhà mạng","Status","Error","Ghi chú nội bộ"\r\n'
        '"1","2021-06-18 09:00","84987654321","viettel","1","","x, y"\r\n'
        '"2","2021-06-18 09:00","84987654123","vina","0","Thuê bao không liên lạc được",""\r\n'
    ),
    "tab_snake_case": (
        "so_dien_thoai\ttrang_thai\tly_do\n"
        "84987654321\t1\t\n"
        "84987654123\t0\tThuê bao không liên lạc được\n"
    ),
    "excel_sep_line": (
        "sep=;\nPhoneNumber;DeliveryStatus;Reason\n"
        "84987654321;DELIVRD;\n"
        "84987654123;UNDELIV;Thuê bao không liên lạc được\n"
    ),
    "columns_reordered": (
        "Reason,Status,Phone\n"
        ",Thành công,84987654321\n"
        "Thuê bao không liên lạc được,Thất bại,84987654123\n"
    ),
    "blank_lines_and_trailing": (
        "\r\n\r\nPhone,Status,Error\r\n\r\n"
        "84987654321,1\r\n"
        "84987654123,0,Thuê bao không liên lạc được\r\n\r\n"
    ),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_csv_shapes(name: str) -> None:
    """Every plausible shape gives the same two reports."""
    assert summary(SHAPES[name]) == DELIVERED_AND_FAILED


def test_utf16_with_bom() -> None:
    """Excel's "Unicode text" export: UTF-16 with its byte-order mark."""
    data = codecs.BOM_UTF16_LE + SHAPES["tab_snake_case"].encode("utf-16-le")
    assert summary(data) == DELIVERED_AND_FAILED


def test_quoted_fields_with_separators_and_newlines() -> None:
    """A quoted error may hold the separator, quotes and a line break."""
    text = 'Phone;Status;Error\n84987654123;0;"Lỗi; nhà mạng ""3""\nthử lại"\n'
    ((_, _, status, error),) = summary(text)
    assert status is DeliveryStatus.FAILED
    assert error == 'Lỗi; nhà mạng "3"\nthử lại'


def test_all_fields_of_a_row() -> None:
    """Telco, segments, provider status and the batch column are read."""
    text = (
        "BatchId,Phone,Telco,Status,Error,mt_count,SentTime\r\n"
        "qc.other.1,84901234567,mobi,1,,2,2021-06-18 09:00:00\r\n"
        ",0901234565,beeline,2,,1,\r\n"
    )
    first, second = parse_results(csv_answer(text), batch_id=BATCH)
    assert first.message_id == "qc.other.184901234567"  # the row's BatchId wins
    assert (first.telco, first.segments, first.provider_status) == ("Mobifone", 2, "1")
    assert first.provider == "fpt"
    assert first.final
    assert second.message_id == f"{BATCH}84901234565"
    assert (second.status, second.telco, second.phone) == (
        DeliveryStatus.PENDING,
        "Gtel",
        "+84901234565",
    )
    assert not second.final


def test_several_error_columns_are_joined() -> None:
    """An error code column and a description column make one error text."""
    text = "Phone,Status,ErrorCode,Description\n84901234564,0,6,Nội dung chứa từ khóa bị chặn\n"
    ((_, _, _, error),) = summary(text)
    assert error == "6: Nội dung chứa từ khóa bị chặn"


def test_errors_only_on_failures() -> None:
    """A delivered or pending row carries no error even when the column has text."""
    text = "Phone,Status,Error\n84901234567,1,OK\n84901234565,2,waiting\n"
    assert [error for *_, error in summary(text)] == [None, None]


@pytest.mark.parametrize(
    ("raw", "status", "known"),
    [
        ("1", DeliveryStatus.DELIVERED, True),
        ("0", DeliveryStatus.FAILED, True),
        ("2", DeliveryStatus.PENDING, True),
        ("-11", DeliveryStatus.PENDING, True),
        (" 1 ", DeliveryStatus.DELIVERED, True),
        ("", DeliveryStatus.PENDING, True),
        ("Thành công", DeliveryStatus.DELIVERED, True),
        ("THANH CONG", DeliveryStatus.DELIVERED, True),
        ("Delivered", DeliveryStatus.DELIVERED, True),
        ("DELIVRD", DeliveryStatus.DELIVERED, True),
        ("Thất bại", DeliveryStatus.FAILED, True),
        ("Bị chặn", DeliveryStatus.FAILED, True),
        ("UNDELIV", DeliveryStatus.FAILED, True),
        ("Đang chờ", DeliveryStatus.PENDING, True),
        ("pending", DeliveryStatus.PENDING, True),
        ("7", DeliveryStatus.FAILED, False),
        ("maybe", DeliveryStatus.FAILED, False),
    ],
)
def test_result_status(raw: str, status: DeliveryStatus, known: bool) -> None:
    """FPT's report codes, words in English and Vietnamese, unknown values as failures."""
    assert result_status(raw) == (status, known)


def test_unknown_status_is_a_failure_carrying_it() -> None:
    """As for pushed reports: the raw value is kept and named in the error."""
    text = "Phone,Status,Error\n84901234567,9,carrier said so\n84901234568,weird,\n"
    reports = parse_results(csv_answer(text), batch_id=BATCH)
    assert [(r.status, r.provider_status, r.error) for r in reports] == [
        (DeliveryStatus.FAILED, "9", "Unknown status 9 (carrier said so)"),
        (DeliveryStatus.FAILED, "weird", "Unknown status weird"),
    ]


def test_rows_without_a_readable_number_are_skipped() -> None:
    """A row whose number cannot be read cannot be matched to a message."""
    text = "Phone,Status\nabc,1\n,1\n84901234567,1\n12,0\n"
    assert [phone for _, phone, *_ in summary(text)] == ["+84901234567"]


def test_short_rows_are_read() -> None:
    """A row with fewer cells than the header has the missing ones empty."""
    text = "Phone,Telco,Status,Error\n84901234567\n"
    ((_, _, status, error),) = summary(text)
    assert (status, error) == (DeliveryStatus.PENDING, None)


@pytest.mark.parametrize(
    "text",
    ["", "   \r\n", "\ufeff", "Phone,Status\r\n", '"BatchId","Phone","Status"\r\n', "{}", " {} "],
)
def test_not_ready_yet(text: str) -> None:
    """No rows (or an empty JSON object) means the results are not there yet."""
    assert parse_results(csv_answer(text), batch_id=BATCH) == []


@pytest.mark.parametrize(
    "text",
    [
        "Name,Result\nAn,1\n",  # no phone column
        "84901234567,1\n84901234568,0\n",  # no header at all
    ],
)
def test_no_phone_column_is_unreadable(text: str) -> None:
    """Without a phone column nothing can be matched: the answer is unreadable."""
    with pytest.raises(UnexpectedResponseError, match="phone column"):
        read_rows(text.encode())


def test_unreadable_csv() -> None:
    """A field beyond the csv module's limit is an unreadable answer, not a crash."""
    text = 'Phone,Status,Error\n84901234567,0,"' + "x" * 200_000 + '"\n'
    with pytest.raises(UnexpectedResponseError, match="not readable CSV"):
        read_rows(text.encode())


@pytest.mark.parametrize(
    ("body", "status", "error", "code"),
    [
        ('{"error": 1014, "error_description": "x"}', 400, RefusedError, "1014"),
        (
            '{"error": 1013, "error_description": "Access token hết hạn"}',
            401,
            TokenRejectedError,
            "1013",
        ),
        ('{"error": 1010, "error_description": "Scope"}', 400, AdsNotAllowedError, "1010"),
        ('{"error": 1007}', 400, TransientError, "1007"),
        ('{"CampaignCode": "x"}', 200, UnexpectedResponseError, None),
        ("[]", 200, UnexpectedResponseError, "HTTP 200"),
        ("Phone,Status\n84901234567,1\n", 404, UnexpectedResponseError, "HTTP 404"),
    ],
)
def test_json_and_http_errors(
    body: str, status: int, error: type[ProviderError], code: str | None
) -> None:
    """Errors are FPT's JSON errors; a CSV on an error status is not trusted."""
    with pytest.raises(ProviderError) as caught:
        parse_results(csv_answer(body, status), batch_id=BATCH)
    assert type(caught.value) is error
    assert caught.value.code == code
    assert isinstance(caught.value, CampaignError) is (error is AdsNotAllowedError)


def test_fold_name() -> None:
    """Header spellings fold to one form."""
    assert fold_name("Số điện thoại") == fold_name("so_dien_thoai") == "sodienthoai"
    assert fold_name(" Phone Number ") == fold_name("phone-number") == "phonenumber"
    assert fold_name("Trạng thái") == "trangthai"
