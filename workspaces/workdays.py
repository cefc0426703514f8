"""Working days in England: Monday to Friday, less England and Wales bank holidays."""

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not after it).

    A decision made the day after a Friday submission, on Monday, took 1 working day.
    """
    days = 0
    day = start + datetime.timedelta(days=1)
    while day <= end:
        days += is_working_day(day)
        day += datetime.timedelta(days=1)
    return days
