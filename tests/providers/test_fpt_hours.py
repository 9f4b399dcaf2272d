"""FPT's advertising time rules: sending windows, order-taking hours, approval, schedule format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.sms_bridge.providers.fpt.hours import (
    DEFAULT_APPROVAL,
    VIETNAM,
    approved_by,
    format_schedule,
    in_sending_window,
    is_allowed_schedule,
    next_allowed_slot,
    next_sending_moment,
    parse_schedule,
    vietnam_time,
)

HOUR = timedelta(hours=1)


def vn(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A Vietnam-time moment in November 2026 (the 23rd is a Monday, the 28th a Saturday)."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=VIETNAM)


@pytest.mark.parametrize(
    ("when", "allowed"),
    [
        (vn(23, 7, 59), False),
        (vn(23, 8, 0), True),
        (vn(23, 11, 29, 59), True),
        (vn(23, 11, 30), False),  # a window's end is exclusive
        (vn(23, 12, 0), False),
        (vn(23, 13, 29), False),
        (vn(23, 13, 30), True),
        (vn(23, 19, 59), True),
        (vn(23, 20, 0), False),
        (vn(23, 23, 0), False),
        (vn(28, 9, 0), True),  # any day, Saturday too
        (vn(29, 19, 0), True),  # and Sunday
        (datetime(2026, 11, 23, 2, 0, tzinfo=UTC), True),  # 09:00 in Vietnam
        (datetime(2026, 11, 23, 13, 0, tzinfo=UTC), False),  # 20:00 in Vietnam
        (datetime(2026, 11, 23, 9, 0), True),  # naive: Vietnam time
    ],
)
def test_sending_windows(when: datetime, allowed: bool) -> None:
    """08:00-11:30 and 13:30-20:00 Vietnam time, every day."""
    assert in_sending_window(when) is allowed


@pytest.mark.parametrize(
    ("now", "approval", "expected"),
    [
        (vn(23, 9, 0), DEFAULT_APPROVAL, vn(23, 12, 0)),
        (vn(23, 7, 0), DEFAULT_APPROVAL, vn(23, 11, 30)),  # taken at 08:30
        (vn(23, 13, 30), DEFAULT_APPROVAL, vn(23, 16, 30)),  # ends exactly at closing
        (vn(23, 16, 0), DEFAULT_APPROVAL, vn(24, 11, 0)),  # 30 min today, 2.5 h tomorrow
        (vn(23, 17, 0), 2 * HOUR, vn(24, 10, 30)),
        (vn(27, 15, 0), DEFAULT_APPROVAL, vn(30, 10, 0)),  # Friday to Monday
        (vn(28, 10, 0), DEFAULT_APPROVAL, vn(30, 11, 30)),  # Saturday: Monday 08:30 + 3 h
        (vn(23, 10, 0), timedelta(0), vn(23, 10, 0)),
        (vn(29, 10, 0), timedelta(0), vn(30, 8, 30)),  # no order is taken on Sunday
        (vn(23, 9, 0), 16 * HOUR, vn(25, 9, 0)),  # two full working days
    ],
)
def test_approved_by(now: datetime, approval: timedelta, expected: datetime) -> None:
    """Approval time runs only inside order-taking hours (08:30-16:30, Monday to Friday)."""
    assert approved_by(now, approval) == expected


def test_negative_approval_is_refused() -> None:
    """A negative approval time is a caller's mistake."""
    with pytest.raises(ValueError, match="negative"):
        approved_by(vn(23, 9, 0), -HOUR)


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (vn(23, 9, 0), vn(23, 9, 0)),
        (vn(23, 9, 0, 1), vn(23, 9, 1)),  # whole minutes: FPT's format has no seconds
        (vn(23, 6, 0), vn(23, 8, 0)),
        (vn(23, 11, 30), vn(23, 13, 30)),
        (vn(23, 11, 29, 30), vn(23, 13, 30)),
        (vn(23, 20, 0), vn(24, 8, 0)),
        (vn(23, 23, 59, 59), vn(24, 8, 0)),
    ],
)
def test_next_sending_moment(after: datetime, expected: datetime) -> None:
    """The first whole minute in a window, at or after the given moment."""
    assert next_sending_moment(after) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (vn(23, 9, 0), vn(23, 13, 30)),  # approved 12:00: the afternoon window
        (vn(23, 8, 30), vn(23, 13, 30)),  # approved 11:30: the morning window has closed
        (vn(23, 7, 0), vn(23, 13, 30)),  # taken at 08:30, approved 11:30
        (vn(23, 10, 0), vn(23, 13, 30)),
        (vn(23, 12, 0), vn(23, 15, 0)),
        (vn(23, 16, 0), vn(24, 11, 0)),
        (vn(23, 16, 20), vn(24, 11, 20)),  # 10 minutes today, 2 h 50 tomorrow
        (vn(27, 15, 0), vn(30, 10, 0)),
        (vn(28, 21, 0), vn(30, 13, 30)),
    ],
)
def test_next_allowed_slot(now: datetime, expected: datetime) -> None:
    """The earliest schedule: approval done, then the first sending minute."""
    assert next_allowed_slot(now) == expected


def test_next_allowed_slot_converts_to_vietnam_time() -> None:
    """A UTC `now` gives a Vietnam-time slot."""
    slot = next_allowed_slot(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))  # 09:00 in Vietnam
    assert slot == vn(23, 13, 30)
    assert slot.tzinfo is VIETNAM


@pytest.mark.parametrize(
    ("when", "allowed"),
    [
        (vn(23, 13, 30), True),
        (vn(23, 13, 29), False),  # outside the windows
        (vn(23, 11, 0), False),  # in a window, but before approval (12:00)
        (vn(23, 19, 59, 59), True),  # FPT reads 19:59
        (vn(23, 20, 0), False),
        (vn(24, 8, 0), True),
        (vn(24, 21, 0), False),
    ],
)
def test_is_allowed_schedule(when: datetime, allowed: bool) -> None:
    """Inside a window and no sooner than approval allows (now: Monday 09:00)."""
    assert is_allowed_schedule(when, vn(23, 9, 0)) is allowed


def test_is_allowed_schedule_with_short_approval() -> None:
    """A shorter approval makes the morning window reachable."""
    assert is_allowed_schedule(vn(23, 11, 0), vn(23, 9, 0), approval=2 * HOUR)
    assert not is_allowed_schedule(vn(23, 10, 59), vn(23, 9, 0), approval=2 * HOUR)


def test_schedule_format_and_parse() -> None:
    """ScheduleTime is "yyyy-mm-dd HH:ii" in Vietnam time; parsing tolerates seconds and a T."""
    assert format_schedule(vn(18, 9, 0)) == "2026-11-18 09:00"
    assert format_schedule(datetime(2021, 6, 18, 2, 0, 59, tzinfo=UTC)) == "2021-06-18 09:00"
    assert format_schedule(datetime(2021, 6, 18, 9, 0)) == "2021-06-18 09:00"
    assert parse_schedule("2021-06-18 09:00") == datetime(2021, 6, 18, 9, 0, tzinfo=VIETNAM)
    assert parse_schedule(" 2021-06-18 09:00:30 ") == datetime(
        2021, 6, 18, 9, 0, 30, tzinfo=VIETNAM
    )
    assert parse_schedule("2021-06-18T09:00") == datetime(2021, 6, 18, 9, 0, tzinfo=VIETNAM)
    for bad in ("", "18/06/2021 09:00", "2021-06-18", "tomorrow"):
        with pytest.raises(ValueError, match="yyyy-mm-dd"):
            parse_schedule(bad)


def test_vietnam_time() -> None:
    """Aware times are converted, naive ones taken as Vietnam time."""
    assert vietnam_time(datetime(2026, 11, 23, 0, 0, tzinfo=UTC)) == vn(23, 7, 0)
    assert vietnam_time(datetime(2026, 11, 23, 7, 0)) == vn(23, 7, 0)
    assert vietnam_time(vn(23, 7, 0)).utcoffset() == 7 * HOUR
