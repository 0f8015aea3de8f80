"""BusinessCalendar: business days, holidays, business seconds and the day table (by pencil)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_helpers.calendar import BusinessCalendar, default_calendar
from kpi_helpers.errors import OptionError

D = dt.date


# -- business days ---------------------------------------------------------------------------
def test_feb_2026_business_days_and_carnival_is_optional():
    # Feb 2026 starts on a Sunday: 28 days = 4 whole weeks = 20 weekdays, no national holiday.
    cal = BusinessCalendar()
    assert cal.business_days(D(2026, 2, 1), D(2026, 3, 1)) == 20
    # Carnival (Mon 16, Tue 17 Feb) is a 'ponto facultativo' in the library's optional category.
    assert cal.is_business_day(D(2026, 2, 16))
    assert BusinessCalendar(carnival=True).business_days(D(2026, 2, 1), D(2026, 3, 1)) == 18
    # all optional holidays also close Ash Wednesday (18 Feb)
    every = BusinessCalendar(categories=("public", "optional"))
    assert every.business_days(D(2026, 2, 1), D(2026, 3, 1)) == 17


def test_jan_2026_business_days_new_year():
    # Jan 2026: Thu 1, Fri 2 + 4 whole weeks (5-30) = 22 weekdays, minus 1 Jan = 21.
    cal = BusinessCalendar()
    assert cal.business_days("2026-01-01", "2026-02-01") == 21
    assert not cal.is_business_day("2026-01-01")
    assert cal.is_business_day("2026-01-02")
    assert not cal.is_business_day(D(2026, 1, 3))  # Saturday


def test_business_days_half_open_and_empty():
    cal = BusinessCalendar()
    assert cal.business_days(D(2026, 2, 2), D(2026, 2, 2)) == 0
    assert cal.business_days(D(2026, 2, 2), D(2026, 2, 3)) == 1  # Monday only
    assert cal.business_days(D(2026, 2, 2), D(2026, 2, 9)) == 5
    with pytest.raises(OptionError, match="`end`"):
        cal.business_days(D(2026, 2, 9), D(2026, 2, 2))


def test_holidays_between_lists_weekend_holidays_too():
    cal = BusinessCalendar()
    # 15 Nov 2026 is a Sunday, 20 Nov a Friday, 2 Nov a Monday
    assert cal.holidays_between(D(2026, 11, 1), D(2026, 12, 1)) == [
        (D(2026, 11, 2), "All Souls' Day"),
        (D(2026, 11, 15), "Republic Proclamation Day"),
        (D(2026, 11, 20), "National Day of Zumbi and Black Awareness"),
    ]
    # half-open: end excluded
    assert cal.holidays_between(D(2026, 11, 1), D(2026, 11, 2)) == []


def test_subdivision_and_extra_holidays():
    sp = BusinessCalendar(subdiv="SP")
    assert not sp.is_business_day(D(2026, 7, 9))  # Constitutionalist Revolution (Thursday)
    assert BusinessCalendar().is_business_day(D(2026, 7, 9))
    extra = BusinessCalendar(extra_holidays=[("2026-02-20", "Company day"), D(2026, 2, 23)])
    assert extra.business_days(D(2026, 2, 1), D(2026, 3, 1)) == 18
    assert (D(2026, 2, 20), "Company day") in extra.holidays_between("2026-02-01", "2026-03-01")
    mapping = BusinessCalendar(extra_holidays={D(2026, 2, 20): "x"})
    assert mapping.business_days(D(2026, 2, 1), D(2026, 3, 1)) == 19


def test_saturday_schedule():
    cal = BusinessCalendar({5: ("09:00", "13:00")})  # Saturdays only
    # Feb 2026 Saturdays: 7, 14, 21, 28
    assert cal.business_days(D(2026, 2, 1), D(2026, 3, 1)) == 4
    assert cal.schedule == {5: ("09:00", "13:00")}


# -- business seconds ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-02-13 17:00", "2026-02-16 09:00", 7200.0),  # Fri 17h -> Mon 9h: 1 h + 1 h
        ("2026-02-13 07:00", "2026-02-13 07:30", 0.0),  # before opening
        ("2026-02-13 18:30", "2026-02-13 23:00", 0.0),  # after closing
        ("2026-02-13 07:00", "2026-02-13 19:00", 36000.0),  # a whole day
        ("2026-02-14 10:00", "2026-02-15 10:00", 0.0),  # weekend
        ("2026-04-02 17:00", "2026-04-06 09:00", 7200.0),  # over Good Friday (3 Apr)
        ("2026-02-13 09:15:30", "2026-02-13 09:16:00", 30.0),
        ("2026-02-16 09:00", "2026-02-13 17:00", -7200.0),  # reversed: negative
    ],
)
def test_business_seconds_by_hand(start, end, expected):
    assert BusinessCalendar().business_seconds(start, end) == expected


def test_business_seconds_carnival_and_missing_and_aware():
    carn = BusinessCalendar(carnival=True)
    assert carn.business_seconds("2026-02-13 17:00", "2026-02-16 09:00") == 3600.0
    assert carn.business_seconds("2026-02-13 17:00", "2026-02-18 09:00") == 7200.0
    cal = BusinessCalendar()
    assert np.isnan(cal.business_seconds(None, "2026-02-13 09:00"))
    assert np.isnan(cal.business_seconds(pd.NaT, "2026-02-13 09:00"))
    # UTC 20:00 = 17:00 in Sao Paulo (UTC-3); 12:00Z = 09:00
    assert cal.business_seconds("2026-02-13T20:00:00Z", "2026-02-16T12:00:00Z") == 7200.0


# -- day table -------------------------------------------------------------------------------
def test_day_table_by_hand():
    table = BusinessCalendar().day_table(D(2026, 2, 13), D(2026, 2, 18))
    assert list(table.columns) == ["date", "open_s", "close_s", "cum_s"]
    assert table["date"].dtype == "datetime64[ns]"
    assert table["date"].dt.day.tolist() == [13, 14, 15, 16, 17]
    assert table["open_s"].tolist() == [28800.0, 0.0, 0.0, 28800.0, 28800.0]
    assert table["close_s"].tolist() == [64800.0, 0.0, 0.0, 64800.0, 64800.0]
    assert table["cum_s"].tolist() == [0.0, 36000.0, 36000.0, 36000.0, 72000.0]
    carn = BusinessCalendar(carnival=True).day_table("2026-02-13", "2026-02-19")
    assert carn["cum_s"].tolist() == [0.0, 36000.0, 36000.0, 36000.0, 36000.0, 36000.0]
    assert BusinessCalendar().day_table("2026-02-13", "2026-02-13").empty


def _b_from_table(table: pd.DataFrame, ts: pd.Timestamp) -> float:
    row = table.loc[table["date"] == ts.normalize()].iloc[0]
    sec = (ts - ts.normalize()).total_seconds()
    return row["cum_s"] + min(max(sec - row["open_s"], 0.0), row["close_s"] - row["open_s"])


_TS = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2026, 3, 31, 23, 59))


@settings(max_examples=60, deadline=None)
@given(a=_TS, b=_TS)
def test_day_table_formula_matches_reference(a, b):
    cal = BusinessCalendar(carnival=True)
    table = cal.day_table(D(2026, 1, 1), D(2026, 4, 1))
    ta, tb = pd.Timestamp(a), pd.Timestamp(b)
    expected = cal.business_seconds(ta, tb)
    assert _b_from_table(table, tb) - _b_from_table(table, ta) == pytest.approx(expected, abs=1e-6)


# -- validation, identity --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("schedule", "match"),
    [
        ({0: ("25:00", "26:00")}, r"Mon \(0\) opening time must be 'HH:MM'.*'25:00'"),
        ({1: ("08:60", "18:00")}, r"Tue \(1\) opening.*'08:60'"),
        ({2: ("18:00", "08:00")}, r"Wed \(2\): opening time must be before closing.*'18:00'"),
        ({7: ("08:00", "18:00")}, r"weekdays 0 \(Mon\) to 6 \(Sun\), got 7"),
        ({0: "08:00-18:00"}, r"must be a pair"),
        ([("08:00", "18:00")], r"must be a mapping"),
    ],
)
def test_schedule_validation(schedule, match):
    with pytest.raises(OptionError, match=match):
        BusinessCalendar(schedule)


def test_other_option_errors():
    with pytest.raises(OptionError, match="`categories`.*'bank'"):
        BusinessCalendar(categories=("bank",))
    with pytest.raises(OptionError, match="`country`"):
        BusinessCalendar(country="XX")
    assert (
        BusinessCalendar({0: ("08:00", "24:00")}).business_seconds(
            "2026-02-02 00:00", "2026-02-03 00:00"
        )
        == 16 * 3600.0
    )


def test_default_calendar_cached_and_equality():
    assert default_calendar() is default_calendar()
    assert default_calendar() == BusinessCalendar()
    assert hash(default_calendar()) == hash(BusinessCalendar())
    assert BusinessCalendar(carnival=True) != BusinessCalendar()


def test_schedule_input_not_mutated():
    schedule = {0: ("08:00", "18:00"), 5: None}
    BusinessCalendar(schedule)
    assert schedule == {0: ("08:00", "18:00"), 5: None}
