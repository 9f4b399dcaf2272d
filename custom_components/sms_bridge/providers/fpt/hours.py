"""FPT's advertising time rules (seed 004 section 3.4.1), in Vietnam time: pure functions.

The document's rules:
- advertising SMS may go out 08:00-11:30 and 13:30-20:00, every day; outside those windows the
  carriers block them;
- carriers take orders 08:30-16:30 on working days (Monday to Friday);
- approval takes 2-3 hours.

What the document leaves open, decided here on the safe side: a window's end is exclusive (a
campaign scheduled at 11:30 is refused: it would go out past the window); approval time runs
only inside order-taking hours (an order at 16:00 with 3 hours is approved at 11:00 the next
working day); public holidays are not known, so a holiday counts as a working day. FPT's
`ScheduleTime` has no zone and minute precision: it is Vietnam time (UTC+7, no daylight saving),
and a naive datetime given here is taken as Vietnam time too.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

VIETNAM: Final = ZoneInfo("Asia/Ho_Chi_Minh")
#: When advertising SMS may go out, every day: [start, end).
SENDING_WINDOWS: Final = ((time(8, 0), time(11, 30)), (time(13, 30), time(20, 0)))
#: When carriers take orders, on working days.
ORDER_HOURS: Final = (time(8, 30), time(16, 30))
#: Monday to Friday (date.weekday()).
WORKING_DAYS: Final = frozenset(range(5))
#: The document's "2-3 h", at its longer end.
DEFAULT_APPROVAL: Final = timedelta(hours=3)
#: FPT's ScheduleTime format ("yyyy-mm-dd HH:ii").
SCHEDULE_FORMAT: Final = "%Y-%m-%d %H:%M"


def vietnam_time(when: datetime) -> datetime:
    """`when` in Vietnam time; a naive datetime is taken as Vietnam time already."""
    return when.replace(tzinfo=VIETNAM) if when.tzinfo is None else when.astimezone(VIETNAM)


def _at(day: date, clock: time) -> datetime:
    """A Vietnam-time moment on `day`."""
    return datetime.combine(day, clock, VIETNAM)


def _minute_floor(when: datetime) -> datetime:
    """The whole minute FPT reads from `when` (its format has no seconds)."""
    return when.replace(second=0, microsecond=0)


def _minute_ceiling(when: datetime) -> datetime:
    """The first whole minute at or after `when`."""
    floor = _minute_floor(when)
    return floor if floor == when else floor + timedelta(minutes=1)


def format_schedule(when: datetime) -> str:
    """`when` as FPT's ScheduleTime: Vietnam time, "yyyy-mm-dd HH:ii"."""
    return vietnam_time(when).strftime(SCHEDULE_FORMAT)


def parse_schedule(text: str) -> datetime:
    """A ScheduleTime/SendingTime as a Vietnam-time datetime; seconds tolerated. ValueError else."""
    value = text.strip()
    for pattern in (SCHEDULE_FORMAT, "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=VIETNAM)
        except ValueError:
            continue
    raise ValueError("not a yyyy-mm-dd HH:ii time")


def in_sending_window(when: datetime) -> bool:
    """Whether advertising SMS may go out at `when` (to the minute FPT reads)."""
    moment = _minute_floor(vietnam_time(when))
    clock = moment.time()
    return any(start <= clock < end for start, end in SENDING_WINDOWS)


def approved_by(now: datetime, approval: timedelta = DEFAULT_APPROVAL) -> datetime:
    """When an order placed at `now` is approved, counting only order-taking hours."""
    if approval < timedelta(0):
        raise ValueError("approval must not be negative")
    moment, left = vietnam_time(now), approval
    while True:
        opens, closes = (_at(moment.date(), clock) for clock in ORDER_HOURS)
        if moment.weekday() in WORKING_DAYS and moment < closes:
            moment = max(moment, opens)
            if moment + left <= closes:
                return moment + left
            left -= closes - moment
        moment = _at(moment.date() + timedelta(days=1), time(0, 0))


def next_sending_moment(after: datetime) -> datetime:
    """The first whole minute at or after `after` inside a sending window."""
    moment = _minute_ceiling(vietnam_time(after))
    for offset in (0, 1):
        day = moment.date() + timedelta(days=offset)
        for start, end in SENDING_WINDOWS:
            if moment < _at(day, end):
                return max(moment, _at(day, start))
    raise AssertionError("unreachable: a window opens every day")  # pragma: no cover


def next_allowed_slot(now: datetime, approval: timedelta = DEFAULT_APPROVAL) -> datetime:
    """The earliest schedule FPT can honour for a campaign created at `now` (Vietnam time)."""
    return next_sending_moment(approved_by(now, approval))


def is_allowed_schedule(
    when: datetime, now: datetime, approval: timedelta = DEFAULT_APPROVAL
) -> bool:
    """Whether `when` is inside a sending window and no sooner than the approval allows."""
    return in_sending_window(when) and _minute_floor(vietnam_time(when)) >= next_allowed_slot(
        now, approval
    )
