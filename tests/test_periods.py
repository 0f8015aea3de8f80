"""Period parsing: fixed and relative specs, ISO-week edge cases, previous(), errors (by pencil)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from kpi_helpers.calendar import BusinessCalendar
from kpi_helpers.errors import PeriodError
from kpi_helpers.periods import Period, parse_period, periods_between

D = dt.date


@pytest.mark.parametrize(
    ("spec", "start", "end", "kind", "label", "days"),
    [
        ("2026-02", D(2026, 2, 1), D(2026, 3, 1), "month", "2026-02", 28),
        ("2024-02", D(2024, 2, 1), D(2024, 3, 1), "month", "2024-02", 29),
        ("2026-W07", D(2026, 2, 9), D(2026, 2, 16), "week", "2026-W07", 7),
        ("2026-W01", D(2025, 12, 29), D(2026, 1, 5), "week", "2026-W01", 7),
        ("2020-W53", D(2020, 12, 28), D(2021, 1, 4), "week", "2020-W53", 7),
        ("2026w7", D(2026, 2, 9), D(2026, 2, 16), "week", "2026-W07", 7),
        ("2026-Q1", D(2026, 1, 1), D(2026, 4, 1), "quarter", "2026-Q1", 90),
        ("2026-Q4", D(2026, 10, 1), D(2027, 1, 1), "quarter", "2026-Q4", 92),
        ("2026", D(2026, 1, 1), D(2027, 1, 1), "year", "2026", 365),
        ("2024", D(2024, 1, 1), D(2025, 1, 1), "year", "2024", 366),
        ("2026-02-14", D(2026, 2, 14), D(2026, 2, 15), "day", "2026-02-14", 1),
        # range: end INCLUDED in the spec, excluded in the Period
        (
            "2026-01-15..2026-02-14",
            D(2026, 1, 15),
            D(2026, 2, 15),
            "range",
            "2026-01-15..2026-02-14",
            31,
        ),
        ("2026-01..2026-03", D(2026, 1, 1), D(2026, 4, 1), "range", "2026-01..2026-03", 90),
        (" 2026-02 ", D(2026, 2, 1), D(2026, 3, 1), "month", "2026-02", 28),
    ],
)
def test_fixed_specs(spec, start, end, kind, label, days):
    p = parse_period(spec)
    assert (p.start, p.end, p.kind, p.label, p.days) == (start, end, kind, label, days)
    assert str(p) == label


def test_tuple_end_excluded_and_period_passthrough():
    p = parse_period((D(2026, 1, 15), D(2026, 2, 14)))
    assert (p.start, p.end, p.days, p.kind) == (D(2026, 1, 15), D(2026, 2, 14), 30, "range")
    assert p.label == "2026-01-15..2026-02-13"
    assert parse_period(("2026-01-01", pd.Timestamp("2026-01-08"))).days == 7
    assert parse_period(p) is p


@pytest.mark.parametrize(
    ("spec", "as_of", "start", "end", "kind", "label"),
    [
        # as_of = first instant NOT included: 2026-11-01 -> the previous month is October
        ("previous_month", "2026-11-01", D(2026, 10, 1), D(2026, 11, 1), "month", "2026-10"),
        ("previous_month", D(2026, 11, 15), D(2026, 10, 1), D(2026, 11, 1), "month", "2026-10"),
        ("previous_month", "2026-01-10", D(2025, 12, 1), D(2026, 1, 1), "month", "2025-12"),
        # 2026-11-01 is a Sunday, excluded: the week 26 Oct - 1 Nov is not complete
        ("previous_week", "2026-11-01", D(2026, 10, 19), D(2026, 10, 26), "week", "2026-W43"),
        ("previous_week", "2026-11-02", D(2026, 10, 26), D(2026, 11, 2), "week", "2026-W44"),
        ("previous_quarter", "2026-11-01", D(2026, 7, 1), D(2026, 10, 1), "quarter", "2026-Q3"),
        ("previous_quarter", "2026-10-01", D(2026, 7, 1), D(2026, 10, 1), "quarter", "2026-Q3"),
        ("previous_year", "2026-11-01", D(2025, 1, 1), D(2026, 1, 1), "year", "2025"),
        ("previous_day", "2026-11-01", D(2026, 10, 31), D(2026, 11, 1), "day", "2026-10-31"),
        (
            "month_to_date",
            "2026-11-15",
            D(2026, 11, 1),
            D(2026, 11, 15),
            "month_to_date",
            "2026-11-01..2026-11-14",
        ),
        # on the 1st, month_to_date is the whole month containing the last included day
        (
            "month_to_date",
            "2026-11-01",
            D(2026, 10, 1),
            D(2026, 11, 1),
            "month_to_date",
            "2026-10-01..2026-10-31",
        ),
        (
            "last_7_days",
            "2026-11-01",
            D(2026, 10, 25),
            D(2026, 11, 1),
            "last_n_days",
            "2026-10-25..2026-10-31",
        ),
        (
            "LAST_28_DAYS",
            "2026-03-01",
            D(2026, 2, 1),
            D(2026, 3, 1),
            "last_n_days",
            "2026-02-01..2026-02-28",
        ),
        (
            "year_to_date",
            "2026-03-01",
            D(2026, 1, 1),
            D(2026, 3, 1),
            "year_to_date",
            "2026-01-01..2026-02-28",
        ),
    ],
)
def test_relative_specs(spec, as_of, start, end, kind, label):
    p = parse_period(spec, as_of=as_of)
    assert (p.start, p.end, p.kind, p.label) == (start, end, kind, label)
    assert p.spec == spec


def test_as_of_datetime_is_truncated_to_its_date():
    p = parse_period("month_to_date", as_of=dt.datetime(2026, 11, 15, 10, 30))
    assert (p.start, p.end) == (D(2026, 11, 1), D(2026, 11, 15))
    assert parse_period("last_1_days", as_of=pd.Timestamp("2026-11-15 23:00")).start == D(
        2026, 11, 14
    )


def test_relative_without_as_of_raises():
    with pytest.raises(PeriodError, match=r"'previous_month' needs an explicit `as_of`"):
        parse_period("previous_month")


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ("2026-13", r"'2026-13' \(month 13 is not 1-12\)"),
        ("2026-02-30", r"'2026-02-30'"),
        ("2021-W53", r"ISO year 2021 has weeks 1-52"),
        ("2026-W00", r"'2026-W00'"),
        ("feb", r"Invalid period spec 'feb'\. Accepted forms: '2026-02' \(month\)"),
        ("", r"empty"),
        ("current_month", r"ambiguous: use 'month_to_date'"),
        ("2026-03..2026-01", r"ends before it starts"),
        ("2026-01..soon", r"each end of a range"),
        ("last_0_days", r"N must be at least 1"),
        (42, r"got a int"),
        ((D(2026, 2, 1),), r"a tuple must be \(start, end\)"),
        ((D(2026, 2, 1), D(2026, 2, 1)), r"must be after start"),
    ],
)
def test_invalid_specs(spec, match):
    with pytest.raises(PeriodError, match=match):
        parse_period(spec, as_of="2026-11-01")


def test_error_lists_every_accepted_form():
    with pytest.raises(PeriodError) as info:
        parse_period("yesterday-ish")
    text = str(info.value)
    for form in ("2026-W07", "2026-Q1", "previous_quarter", "month_to_date", "last_N_days", ".."):
        assert form in text


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("2026-01", ("2025-12", D(2025, 12, 1), D(2026, 1, 1))),
        ("2026-03", ("2026-02", D(2026, 2, 1), D(2026, 3, 1))),
        ("2026-W01", ("2025-W52", D(2025, 12, 22), D(2025, 12, 29))),
        ("2021-W01", ("2020-W53", D(2020, 12, 28), D(2021, 1, 4))),
        ("2026-Q1", ("2025-Q4", D(2025, 10, 1), D(2026, 1, 1))),
        ("2026", ("2025", D(2025, 1, 1), D(2026, 1, 1))),
        ("2026-03-01", ("2026-02-28", D(2026, 2, 28), D(2026, 3, 1))),
        # a 31-day range -> the 31 days immediately before
        ("2026-01-15..2026-02-14", ("2025-12-15..2026-01-14", D(2025, 12, 15), D(2026, 1, 15))),
    ],
)
def test_previous(spec, expected):
    prev = parse_period(spec).previous()
    assert (prev.label, prev.start, prev.end) == expected
    assert prev.kind == parse_period(spec).kind


def test_previous_of_relative_specs():
    last7 = parse_period("last_7_days", as_of="2026-11-01").previous()
    assert (last7.start, last7.end, last7.kind) == (D(2026, 10, 18), D(2026, 10, 25), "last_n_days")
    mtd = parse_period("month_to_date", as_of="2026-11-15").previous()  # Nov 1-14 -> Oct 1-14
    assert (mtd.start, mtd.end) == (D(2026, 10, 1), D(2026, 10, 15))
    capped = parse_period("month_to_date", as_of="2026-03-31").previous()  # 30 days > Feb
    assert (capped.start, capped.end) == (D(2026, 2, 1), D(2026, 3, 1))
    prev_month = parse_period("previous_month", as_of="2026-03-01")
    assert prev_month.previous().label == "2026-01"


def test_days_business_days_timestamps_contains():
    feb = parse_period("2026-02")
    assert feb.days == 28
    assert feb.business_days() == 20  # Carnival 16-17 Feb is optional: business days
    assert feb.business_days(BusinessCalendar(carnival=True)) == 18
    assert parse_period("2026-01").business_days() == 21  # 22 weekdays - 1 Jan
    assert feb.start_ts == pd.Timestamp("2026-02-01")
    assert feb.end_ts == pd.Timestamp("2026-03-01")
    assert feb.contains("2026-02-01 00:00")
    assert feb.contains(pd.Timestamp("2026-02-28 23:59:59.999"))
    assert not feb.contains("2026-03-01")
    assert not feb.contains(pd.NaT)
    assert feb.contains(D(2026, 2, 14))


def test_period_is_frozen_and_validated():
    feb = parse_period("2026-02")
    with pytest.raises(dataclasses.FrozenInstanceError):
        feb.start = D(2026, 1, 1)  # type: ignore[misc]
    with pytest.raises(PeriodError, match="must end after it starts"):
        Period(D(2026, 2, 1), D(2026, 2, 1), "x", "x", "range")
    with pytest.raises(PeriodError, match="`kind` must be one of"):
        Period(D(2026, 2, 1), D(2026, 2, 2), "x", "x", "fortnight")


def test_display_localized():
    assert parse_period("2026-02").display("en") == "February 2026"
    assert parse_period("2026-02").display("pt-BR") == "fevereiro de 2026"
    assert parse_period("2026-W07").display("en") == "2026-W07"


def test_periods_between():
    months = periods_between("2026-01", "2026-06")
    assert [str(p) for p in months] == [f"2026-0{i}" for i in range(1, 7)]
    assert all(a.end == b.start for a, b in zip(months, months[1:], strict=False))
    weeks = periods_between("2026-01-15", "2026-02-14", "week")
    # 15 Jan 2026 is in W03 (12-18 Jan); 14 Feb in W07
    assert [str(p) for p in weeks] == ["2026-W03", "2026-W04", "2026-W05", "2026-W06", "2026-W07"]
    assert [str(p) for p in periods_between("2025-Q4", "2026-Q1")] == ["2025-Q4", "2026-Q1"]
    assert (
        len(periods_between("previous_year", "previous_month", "month", as_of="2026-11-01")) == 22
    )
    with pytest.raises(PeriodError, match="`kind` must be one of.*'fortnight'"):
        periods_between("2026-01", "2026-02", "fortnight")
    with pytest.raises(PeriodError, match="inferred from first_spec"):
        periods_between("2026-01-01..2026-01-31", "2026-06")
    with pytest.raises(PeriodError, match="must not end before"):
        periods_between("2026-06", "2026-01")
