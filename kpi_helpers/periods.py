"""Periods: half-open date ranges ``[start, end)`` parsed from short specs.

Accepted specs (see :func:`parse_period`)::

    2026-02                 a month                      kind "month"
    2026-W07                an ISO week (Monday start)    kind "week"
    2026-Q1                 a quarter                     kind "quarter"
    2026                    a year                        kind "year"
    2026-02-14              a day                         kind "day"
    2026-01-15..2026-02-14  a range, both ends INCLUDED   kind "range"
                            (-> Period(2026-01-15, 2026-02-15)); each end may be any
                            fixed spec: "2026-01..2026-03" = January to March
    (start, end)            a tuple of dates: end EXCLUDED, as in the Period itself
    previous_month, previous_week, previous_quarter, previous_year, previous_day
                            the last whole month/week/... before ``as_of``
    month_to_date, week_to_date, quarter_to_date, year_to_date
                            [start of the month/... containing as_of - 1 day, as_of)
    last_N_days             [as_of - N days, as_of), e.g. last_7_days, last_28_days

``as_of`` is the first instant NOT included: data up to but excluding ``as_of``. It is
always explicit (a date, datetime or ``"YYYY-MM-DD"``), never the wall clock: with
``as_of="2026-11-01"`` ``previous_month`` is October 2026 and ``month_to_date`` is October
1-31 too (the month containing the last included day). A datetime ``as_of`` is truncated
to its date (a partial day is left out).

``current_month`` is deliberately not accepted: it is ambiguous (the whole month, which
runs past ``as_of``, or the part before ``as_of``?). Use ``month_to_date`` or ``2026-11``.

Examples
--------
>>> p = parse_period("2026-02")
>>> p.start, p.end, p.days
(datetime.date(2026, 2, 1), datetime.date(2026, 3, 1), 28)
>>> str(parse_period("previous_month", as_of="2026-11-01"))
'2026-10'
>>> str(parse_period("2026-W07").previous())
'2026-W06'
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import PeriodError

__all__ = ["Period", "parse_period", "periods_between", "PERIOD_KINDS"]

#: Kinds a Period can have.
PERIOD_KINDS = (
    "day",
    "week",
    "month",
    "quarter",
    "year",
    "range",
    "last_n_days",
    "week_to_date",
    "month_to_date",
    "quarter_to_date",
    "year_to_date",
)
_GRAINS = ("day", "week", "month", "quarter", "year")

_ACCEPTED = (
    "'2026-02' (month), '2026-W07' (ISO week), '2026-Q1' (quarter), '2026' (year), "
    "'2026-02-14' (day), '2026-01-15..2026-02-14' (range, end included), a (start, end) "
    "tuple of dates (end excluded), a Period, or with as_of: 'previous_month', "
    "'previous_week', 'previous_quarter', 'previous_year', 'previous_day', 'month_to_date', "
    "'week_to_date', 'quarter_to_date', 'year_to_date', 'last_N_days' (e.g. 'last_7_days')"
)

_RE_YEAR = re.compile(r"^(\d{4})$")
_RE_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_RE_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_RE_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_RE_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_RE_LAST = re.compile(r"^last_(\d+)_days?$", re.IGNORECASE)
_RE_PREVIOUS = re.compile(r"^previous_(day|week|month|quarter|year)$", re.IGNORECASE)
_RE_TO_DATE = re.compile(r"^(week|month|quarter|year)_to_date$", re.IGNORECASE)


def _bad(spec, why: str = "") -> PeriodError:
    extra = f" ({why})" if why else ""
    return PeriodError(f"Invalid period spec {spec!r}{extra}. Accepted forms: {_ACCEPTED}.")


# -- grain arithmetic ----------------------------------------------------------------------
def _add_months(day: _dt.date, months: int) -> _dt.date:
    idx = day.year * 12 + (day.month - 1) + months
    return _dt.date(idx // 12, idx % 12 + 1, 1)


def _grain_start(day: _dt.date, grain: str) -> _dt.date:
    if grain == "day":
        return day
    if grain == "week":
        return day - _dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return _dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return _dt.date(day.year, 1, 1)


def _grain_shift(start: _dt.date, grain: str, n: int) -> _dt.date:
    """The start of the grain bucket ``n`` buckets after the one starting at ``start``."""
    if grain == "day":
        return start + _dt.timedelta(days=n)
    if grain == "week":
        return start + _dt.timedelta(weeks=n)
    if grain == "month":
        return _add_months(start, n)
    if grain == "quarter":
        return _add_months(start, 3 * n)
    return _dt.date(start.year + n, 1, 1)


def _grain_label(start: _dt.date, grain: str) -> str:
    if grain == "day":
        return start.isoformat()
    if grain == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if grain == "month":
        return f"{start.year}-{start.month:02d}"
    if grain == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}"


def _grain_period(start: _dt.date, grain: str, spec: str | None = None) -> Period:
    label = _grain_label(start, grain)
    return Period(start, _grain_shift(start, grain, 1), label, spec or label, grain)


def _as_date(value, name: str) -> _dt.date:
    """A date from a date, datetime, Timestamp, numpy datetime64 or ISO string (time dropped)."""
    if isinstance(value, pd.Timestamp):
        if value is pd.NaT:
            raise PeriodError(f"`{name}` must be a date, got NaT.")
        return value.date()
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, (str, np.datetime64)):
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError):
            ts = None
        if ts is not None and ts is not pd.NaT:
            return ts.date()
    raise PeriodError(f"`{name}` must be a date, datetime or 'YYYY-MM-DD' string, got {value!r}.")


# -- Period ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """A half-open date range ``[start, end)``.

    Attributes
    ----------
    start, end : datetime.date
        First day included, first day excluded.
    label : str
        Short canonical text (``"2026-02"``, ``"2026-W07"``, ``"2026-01-15..2026-02-14"``);
        ``str(period)`` returns it.
    spec : str
        The spec it was parsed from (``"previous_month"``...).
    kind : str
        ``"day"``, ``"week"``, ``"month"``, ``"quarter"``, ``"year"``, ``"range"``,
        ``"last_n_days"``, ``"week_to_date"``, ``"month_to_date"``, ``"quarter_to_date"`` or
        ``"year_to_date"``.
    """

    start: _dt.date
    end: _dt.date
    label: str
    spec: str
    kind: str

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
                object.__setattr__(self, name, _as_date(value, name))
        if self.end <= self.start:
            raise PeriodError(
                f"A period must end after it starts (half-open [start, end)), got start "
                f"{self.start} and end {self.end} for {self.spec!r}."
            )
        if self.kind not in PERIOD_KINDS:
            raise PeriodError(
                f"`kind` must be one of {', '.join(map(repr, PERIOD_KINDS))}, got {self.kind!r}."
            )

    def __str__(self) -> str:
        return self.label

    @property
    def days(self) -> int:
        """Calendar days in the period."""
        return (self.end - self.start).days

    def business_days(self, calendar=None) -> int:
        """Business days in the period (default calendar: Mon-Fri, Brazilian national holidays)."""
        if calendar is None:
            from .calendar import default_calendar

            calendar = default_calendar()
        return calendar.business_days(self.start, self.end)

    @property
    def start_ts(self) -> pd.Timestamp:
        """The start as a pandas Timestamp (midnight, naive)."""
        return pd.Timestamp(self.start)

    @property
    def end_ts(self) -> pd.Timestamp:
        """The (excluded) end as a pandas Timestamp (midnight, naive)."""
        return pd.Timestamp(self.end)

    def contains(self, ts) -> bool:
        """True when ``start <= ts < end`` (a date counts as its midnight)."""
        value = pd.Timestamp(ts)
        if value is pd.NaT:
            return False
        if value.tzinfo is not None:
            from .config import DEFAULT_TIMEZONE

            value = value.tz_convert(DEFAULT_TIMEZONE).tz_localize(None)
        return bool(self.start_ts <= value < self.end_ts)

    def previous(self) -> Period:
        """The period of the same kind just before this one.

        Month, ISO week, quarter, year and day give the previous one of the same grain;
        ranges and ``last_N_days`` give the same number of days immediately before;
        ``*_to_date`` gives the same number of days from the start of the previous
        month/week/quarter/year (capped at its end): November 1-14 -> October 1-14.
        """
        if self.kind in _GRAINS:
            return _grain_period(_grain_shift(self.start, self.kind, -1), self.kind)
        if self.kind.endswith("_to_date"):
            grain = self.kind.removesuffix("_to_date")
            prev_start = _grain_shift(_grain_start(self.start, grain), grain, -1)
            end = min(
                prev_start + _dt.timedelta(days=self.days), _grain_shift(prev_start, grain, 1)
            )
            label = _range_label(prev_start, end)
            return Period(prev_start, end, label, label, self.kind)
        start = self.start - _dt.timedelta(days=self.days)
        label = _range_label(start, self.start)
        return Period(start, self.start, label, label, self.kind)

    def display(self, lang: str | None = None) -> str:
        """The period for people, in ``lang``: ``"fevereiro de 2026"``, ``"Feb 14, 2026"``..."""
        from babel import dates as _bdates

        from .i18n import _babel_locale, format_date

        loc = _babel_locale(lang)
        if self.kind == "month":
            return _bdates.format_skeleton("yMMMM", self.start, locale=loc)
        if self.kind == "day":
            return format_date(self.start, lang)
        if self.kind == "year":
            return self.label
        if self.kind in ("week", "quarter"):
            return self.label
        last = self.end - _dt.timedelta(days=1)
        return f"{format_date(self.start, lang)} – {format_date(last, lang)}"


def _range_label(start: _dt.date, end: _dt.date) -> str:
    last = end - _dt.timedelta(days=1)
    return f"{start.isoformat()}..{last.isoformat()}"


# -- parsing ---------------------------------------------------------------------------------
def _parse_fixed(text: str, spec) -> Period | None:
    """A fixed (absolute) spec, or None when ``text`` has none of the fixed forms."""
    try:
        m = _RE_YEAR.match(text)
        if m:
            return _grain_period(_dt.date(int(m.group(1)), 1, 1), "year", text)
        m = _RE_MONTH.match(text)
        if m:
            month = int(m.group(2))
            if not 1 <= month <= 12:
                raise _bad(spec, f"month {month} is not 1-12")
            return _grain_period(_dt.date(int(m.group(1)), month, 1), "month", text)
        m = _RE_WEEK.match(text)
        if m:
            year, week = int(m.group(1)), int(m.group(2))
            try:
                start = _dt.date.fromisocalendar(year, week, 1)
            except ValueError:
                weeks = _dt.date(year, 12, 28).isocalendar()[1]
                raise _bad(spec, f"ISO year {year} has weeks 1-{weeks}") from None
            return _grain_period(start, "week", text)
        m = _RE_QUARTER.match(text)
        if m:
            q = int(m.group(2))
            return _grain_period(_dt.date(int(m.group(1)), 3 * q - 2, 1), "quarter", text)
        m = _RE_DAY.match(text)
        if m:
            try:
                day = _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError as exc:
                raise _bad(spec, str(exc)) from None
            return _grain_period(day, "day", text)
    except PeriodError:
        raise
    return None


def _resolve_as_of(as_of, spec) -> _dt.date:
    if as_of is None:
        raise PeriodError(
            f"The relative period spec {spec!r} needs an explicit `as_of` date (the first day "
            "NOT included, e.g. as_of='2026-11-01'); the library never reads the clock."
        )
    return _as_date(as_of, "as_of")


def parse_period(spec, *, as_of=None) -> Period:
    """Parse a period spec into a half-open :class:`Period` ``[start, end)``.

    Parameters
    ----------
    spec : str, Period or (start, end) tuple
        See the module docstring for every accepted form. In a range spec
        ``"2026-01-15..2026-02-14"`` the end is INCLUDED (the resulting Period ends on
        2026-02-15, excluded); in a ``(start, end)`` tuple the end is EXCLUDED.
    as_of : date, datetime or str, optional
        First instant NOT included, needed by relative specs (``previous_month``...).

    Raises
    ------
    PeriodError
        For an invalid spec (the message lists the accepted forms and echoes the spec) or a
        relative spec without ``as_of``.

    Examples
    --------
    >>> parse_period("2026-01-15..2026-02-14").end
    datetime.date(2026, 2, 15)
    >>> parse_period("last_7_days", as_of="2026-11-01").label
    '2026-10-25..2026-10-31'
    """
    if isinstance(spec, Period):
        return spec
    if isinstance(spec, (tuple, list)):
        if len(spec) != 2:
            raise _bad(spec, "a tuple must be (start, end)")
        start, end = _as_date(spec[0], "start"), _as_date(spec[1], "end")
        if end <= start:
            raise _bad(spec, f"end {end} must be after start {start} (end excluded)")
        label = _range_label(start, end)
        return Period(start, end, label, label, "range")
    if isinstance(spec, (_dt.date, pd.Timestamp)) and not isinstance(spec, bool):
        return _grain_period(_as_date(spec, "spec"), "day")
    if not isinstance(spec, str):
        raise _bad(spec, f"got a {type(spec).__name__}")
    text = spec.strip()
    if not text:
        raise _bad(spec, "empty")

    if ".." in text:
        left, _, right = text.partition("..")
        first = _parse_fixed(left.strip(), spec)
        last = _parse_fixed(right.strip(), spec)
        if first is None or last is None:
            raise _bad(spec, "each end of a range must be a fixed spec such as 2026-01-15")
        if last.end <= first.start:
            raise _bad(spec, "the range ends before it starts")
        return Period(first.start, last.end, text, text, "range")

    fixed = _parse_fixed(text, spec)
    if fixed is not None:
        return fixed

    lower = text.lower()
    if lower in ("current_month", "this_month", "current_week", "current_quarter", "current_year"):
        raise _bad(
            spec,
            "ambiguous: use 'month_to_date' for [start of the month, as_of) or a fixed spec "
            "such as '2026-11' for the whole month",
        )
    m = _RE_PREVIOUS.match(text)
    if m:
        grain = m.group(1).lower()
        ref = _resolve_as_of(as_of, spec)
        # the last whole bucket ending at or before as_of (as_of is excluded)
        start = _grain_shift(_grain_start(ref, grain), grain, -1)
        period = _grain_period(start, grain)
        return Period(period.start, period.end, period.label, text, grain)
    m = _RE_TO_DATE.match(text)
    if m:
        grain = m.group(1).lower()
        ref = _resolve_as_of(as_of, spec)
        last_day = ref - _dt.timedelta(days=1)
        start = _grain_start(last_day, grain)
        return Period(start, ref, _range_label(start, ref), text, f"{grain}_to_date")
    m = _RE_LAST.match(text)
    if m:
        n = int(m.group(1))
        if n < 1:
            raise _bad(spec, "N must be at least 1")
        ref = _resolve_as_of(as_of, spec)
        start = ref - _dt.timedelta(days=n)
        return Period(start, ref, _range_label(start, ref), text, "last_n_days")
    raise _bad(spec)


def periods_between(first_spec, last_spec, kind: str | None = None, *, as_of=None) -> list[Period]:
    """Consecutive periods of one grain from ``first_spec`` to ``last_spec``, both included.

    Parameters
    ----------
    first_spec, last_spec : period specs
        The first period is the ``kind`` bucket containing ``first_spec``'s start, the last
        the bucket containing ``last_spec``'s last day.
    kind : {"day", "week", "month", "quarter", "year"}, optional
        The grain; default the kind of ``first_spec`` (which must then be one of them).

    Examples
    --------
    >>> [str(p) for p in periods_between("2026-01", "2026-03")]
    ['2026-01', '2026-02', '2026-03']
    >>> [str(p) for p in periods_between("2026-01-15", "2026-02-14", "week")][:2]
    ['2026-W03', '2026-W04']
    """
    first = parse_period(first_spec, as_of=as_of)
    last = parse_period(last_spec, as_of=as_of)
    grain = first.kind if kind is None else kind
    if grain not in _GRAINS:
        raise PeriodError(
            f"`kind` must be one of {', '.join(map(repr, _GRAINS))}, got {grain!r}"
            + (" (inferred from first_spec; pass kind=)" if kind is None else "")
            + "."
        )
    if last.end <= first.start:
        raise PeriodError(
            f"`last_spec` {str(last)!r} must not end before `first_spec` {str(first)!r} starts."
        )
    start = _grain_start(first.start, grain)
    stop = last.end - _dt.timedelta(days=1)
    out: list[Period] = []
    while start <= stop:
        out.append(_grain_period(start, grain))
        start = _grain_shift(start, grain, 1)
    return out
