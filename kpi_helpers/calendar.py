"""Business calendar: a weekly schedule of opening hours plus public holidays.

Used for business days per period (``Period.business_days``), per-business-day
normalization in :func:`kpi_helpers.compare.compare`, and business-hours durations in
``compute`` (``hours="business"``), computed as ``B(end) - B(start)`` where ``B(t)`` counts
the business seconds before ``t``.

Holidays come from the maintained `holidays <https://pypi.org/project/holidays/>`_ library.
The default calendar is Monday-Friday 08:00-18:00 with the Brazilian national public
holidays.

Examples
--------
>>> import datetime as dt
>>> cal = BusinessCalendar()
>>> cal.business_days(dt.date(2026, 2, 1), dt.date(2026, 3, 1))
20
>>> cal.business_seconds("2026-02-13 17:00", "2026-02-16 09:00")  # Fri 17h -> Mon 9h
7200.0
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

import numpy as np
import pandas as pd

from .config import DEFAULT_TIMEZONE
from .errors import OptionError

__all__ = ["BusinessCalendar", "default_calendar"]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DEFAULT_SCHEDULE = {d: ("08:00", "18:00") for d in range(5)}
_HHMM = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")
_DAY_S = 86400.0


def _parse_hhmm(value, weekday: int, which: str) -> float:
    """``"08:30"`` (or a ``datetime.time``) -> seconds after midnight; ``"24:00"`` is allowed."""
    if isinstance(value, _dt.time):
        return value.hour * 3600.0 + value.minute * 60.0 + value.second + value.microsecond / 1e6
    text = str(value).strip()
    m = _HHMM.match(text)
    if not m or (int(m.group(1)) == 24 and m.group(2) != "00"):
        raise OptionError(
            f"`schedule` {_WEEKDAYS[weekday]} ({weekday}) {which} time must be 'HH:MM' between "
            f"'00:00' and '24:00', got {value!r}."
        )
    return int(m.group(1)) * 3600.0 + int(m.group(2)) * 60.0


def _parse_schedule(schedule) -> tuple[tuple[float, float] | None, ...]:
    if schedule is None:
        schedule = _DEFAULT_SCHEDULE
    if not isinstance(schedule, Mapping):
        raise OptionError(
            "`schedule` must be a mapping {weekday: ('HH:MM', 'HH:MM')} with weekday 0=Mon..6=Sun, "
            f"got {schedule!r}."
        )
    hours: list[tuple[float, float] | None] = [None] * 7
    for key, value in schedule.items():
        if isinstance(key, bool) or not isinstance(key, (int, np.integer)) or not 0 <= key <= 6:
            raise OptionError(f"`schedule` keys must be weekdays 0 (Mon) to 6 (Sun), got {key!r}.")
        key = int(key)
        if value is None:
            continue  # closed that day
        if isinstance(value, str) or not isinstance(value, (tuple, list)) or len(value) != 2:
            raise OptionError(
                f"`schedule` {_WEEKDAYS[key]} ({key}) must be a pair ('HH:MM', 'HH:MM') or None "
                f"(closed), got {value!r}."
            )
        open_s = _parse_hhmm(value[0], key, "opening")
        close_s = _parse_hhmm(value[1], key, "closing")
        if not open_s < close_s:
            raise OptionError(
                f"`schedule` {_WEEKDAYS[key]} ({key}): opening time must be before closing time, "
                f"got {value[0]!r} - {value[1]!r}."
            )
        hours[key] = (open_s, close_s)
    return tuple(hours)


def _to_date(value, name: str) -> _dt.date:
    if isinstance(value, pd.Timestamp):
        if value is pd.NaT:
            raise OptionError(f"`{name}` must be a date, got NaT.")
        return value.date()
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, (str, np.datetime64)):
        try:
            return pd.Timestamp(value).date()
        except (ValueError, TypeError):
            pass
    raise OptionError(f"`{name}` must be a date (or 'YYYY-MM-DD'), got {value!r}.")


def _to_naive_timestamp(value) -> pd.Timestamp | None:
    """A naive local timestamp, or None for missing values (aware ones go to the default zone)."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    ts = pd.Timestamp(value)
    if ts is pd.NaT:
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_convert(DEFAULT_TIMEZONE).tz_localize(None)
    return ts


def _languages_for(cls) -> str | None:
    langs = getattr(cls, "supported_languages", ()) or ()
    return "en_US" if "en_US" in langs else None


@lru_cache(maxsize=512)
def _year_holidays(
    country: str, subdiv: str | None, categories: tuple[str, ...], year: int
) -> dict[_dt.date, str]:
    import holidays

    try:
        probe = holidays.country_holidays(country, subdiv=subdiv, years=year, categories=categories)
    except NotImplementedError as exc:  # unknown country / subdivision
        raise OptionError(
            f"`country`/`subdiv` not supported by the holidays library: {exc}"
        ) from exc
    lang = _languages_for(type(probe))
    if lang is not None:
        probe = holidays.country_holidays(
            country, subdiv=subdiv, years=year, categories=categories, language=lang
        )
    return {d: str(n) for d, n in sorted(probe.items())}


class BusinessCalendar:
    """A weekly schedule plus holidays.

    Parameters
    ----------
    schedule : mapping, optional
        ``{weekday: ("HH:MM", "HH:MM")}`` with weekday ``0`` = Monday ... ``6`` = Sunday;
        a missing weekday (or ``None``) is closed. ``"24:00"`` is accepted as closing time.
        Default Monday-Friday 08:00-18:00.
    country, subdiv : str
        Country (ISO code, default ``"BR"``) and optional subdivision (``"SP"``: adds the
        state holidays) for the ``holidays`` library.
    extra_holidays : iterable
        More closed dates: dates, ``"YYYY-MM-DD"`` strings, ``(date, name)`` pairs, or a
        mapping ``{date: name}`` (company holidays, a local festival...).
    categories : tuple of str, optional
        Holiday categories of the ``holidays`` library; default ``("public",)``. For Brazil
        the library also has ``"optional"`` ("ponto facultativo": Carnival Monday and
        Tuesday, Ash Wednesday, Corpus Christi, Public Servant's Day, Christmas Eve and
        New Year's Eve). **Carnival is not a national public holiday**, so by default it is
        a business day; pass ``carnival=True`` to close on Carnival Monday and Tuesday only,
        or ``categories=("public", "optional")`` to close on every optional holiday.
    carnival : bool
        Close on Carnival Monday and Tuesday (taken from the library's optional category).

    Examples
    --------
    >>> import datetime as dt
    >>> feb = (dt.date(2026, 2, 1), dt.date(2026, 3, 1))
    >>> BusinessCalendar().business_days(*feb), BusinessCalendar(carnival=True).business_days(*feb)
    (20, 18)
    """

    def __init__(
        self,
        schedule: Mapping | None = None,
        *,
        country: str = "BR",
        subdiv: str | None = None,
        extra_holidays: Iterable | Mapping = (),
        categories: Iterable[str] | None = None,
        carnival: bool = False,
    ) -> None:
        self._hours = _parse_schedule(schedule)
        if not isinstance(country, str) or not country:
            raise OptionError(
                f"`country` must be an ISO country code such as 'BR', got {country!r}."
            )
        self.country = country
        self.subdiv = subdiv
        if categories is None:
            cats: tuple[str, ...] = ("public",)
        elif isinstance(categories, str):
            cats = (categories,)
        else:
            cats = tuple(categories)
        if not cats:
            raise OptionError("`categories` must name at least one holiday category, got ().")
        import holidays

        try:
            cls = holidays.country_holidays(country, subdiv=subdiv, years=[])
        except NotImplementedError as exc:
            raise OptionError(
                f"`country`/`subdiv` not supported by the holidays library: {exc}"
            ) from exc
        supported = tuple(getattr(type(cls), "supported_categories", ("public",)))
        bad = [c for c in cats if c not in supported]
        if bad:
            raise OptionError(
                f"`categories` for {country} must be among {', '.join(map(repr, supported))}, "
                f"got {bad[0]!r}."
            )
        if carnival and "optional" not in supported:
            raise OptionError(
                f"`carnival=True` needs the holidays library's 'optional' category, which "
                f"{country!r} does not have (supported: {', '.join(map(repr, supported))})."
            )
        self.categories = cats
        self.carnival = bool(carnival)
        self._extra = self._parse_extra(extra_holidays)

    # -- construction helpers -------------------------------------------------------------
    @staticmethod
    def _parse_extra(extra) -> dict[_dt.date, str]:
        out: dict[_dt.date, str] = {}
        if extra is None:
            return out
        items = extra.items() if isinstance(extra, Mapping) else extra
        if isinstance(items, (str, _dt.date)):
            items = [items]
        for item in items:
            if isinstance(item, tuple) and len(item) == 2:
                day, name = _to_date(item[0], "extra_holidays"), str(item[1])
            else:
                day, name = _to_date(item, "extra_holidays"), "Company holiday"
            out[day] = f"{out[day]}; {name}" if day in out and out[day] != name else name
        return out

    @property
    def schedule(self) -> dict[int, tuple[str, str]]:
        """The weekly schedule as ``{weekday: ("HH:MM", "HH:MM")}`` (open days only)."""

        def fmt(s: float) -> str:
            return f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}"

        return {d: (fmt(h[0]), fmt(h[1])) for d, h in enumerate(self._hours) if h is not None}

    def _key(self) -> tuple:
        return (
            self._hours,
            self.country,
            self.subdiv,
            self.categories,
            self.carnival,
            tuple(sorted(self._extra.items())),
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BusinessCalendar) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        extra = f", extra_holidays={len(self._extra)}" if self._extra else ""
        sub = f", subdiv={self.subdiv!r}" if self.subdiv else ""
        carn = ", carnival=True" if self.carnival else ""
        return (
            f"BusinessCalendar(schedule={self.schedule}, country={self.country!r}{sub}, "
            f"categories={self.categories}{carn}{extra})"
        )

    # -- holidays ---------------------------------------------------------------------------
    def _holidays_of_year(self, year: int) -> dict[_dt.date, str]:
        days = dict(_year_holidays(self.country, self.subdiv, self.categories, year))
        if self.carnival and "optional" not in self.categories:
            optional = _year_holidays(self.country, self.subdiv, ("optional",), year)
            for d, name in optional.items():
                if "carnival" in name.lower() or "carnaval" in name.lower():
                    days[d] = f"{days[d]}; {name}" if d in days else name
        for d, name in self._extra.items():
            if d.year == year:
                days[d] = f"{days[d]}; {name}" if d in days else name
        return days

    def holidays_between(self, start, end) -> list[tuple[_dt.date, str]]:
        """Holidays (any weekday) in the half-open range ``[start, end)``, sorted by date.

        >>> BusinessCalendar().holidays_between("2026-04-01", "2026-05-01")
        [(datetime.date(2026, 4, 3), 'Good Friday'), (datetime.date(2026, 4, 21), "Tiradentes' Day")]
        """
        start, end = self._range(start, end)
        out: list[tuple[_dt.date, str]] = []
        for year in range(start.year, end.year + 1):
            out.extend((d, n) for d, n in self._holidays_of_year(year).items() if start <= d < end)
        return sorted(out)

    def is_holiday(self, day) -> bool:
        """True when ``day`` is a holiday of this calendar (whatever its weekday)."""
        day = _to_date(day, "day")
        return day in self._holidays_of_year(day.year)

    # -- business days ----------------------------------------------------------------------
    def is_business_day(self, day) -> bool:
        """True when ``day`` is an open weekday of the schedule and not a holiday."""
        day = _to_date(day, "day")
        return self._hours[day.weekday()] is not None and not self.is_holiday(day)

    @staticmethod
    def _range(start, end) -> tuple[_dt.date, _dt.date]:
        start, end = _to_date(start, "start"), _to_date(end, "end")
        if end < start:
            raise OptionError(f"`end` ({end}) must not be before `start` ({start}).")
        return start, end

    def business_days(self, start, end) -> int:
        """Number of business days in the half-open range ``[start, end)``."""
        start, end = self._range(start, end)
        if start == end:
            return 0
        weekmask = [h is not None for h in self._hours]
        if not any(weekmask):
            return 0
        hol = [d for d, _ in self.holidays_between(start, end)]
        return int(
            np.busday_count(
                np.datetime64(start, "D"),
                np.datetime64(end, "D"),
                weekmask=weekmask,
                holidays=np.array(hol, dtype="datetime64[D]") if hol else [],
            )
        )

    def _day_hours(self, day: _dt.date) -> tuple[float, float]:
        h = self._hours[day.weekday()]
        if h is None or self.is_holiday(day):
            return (0.0, 0.0)
        return h

    # -- business seconds -------------------------------------------------------------------
    def _partial(self, ts: pd.Timestamp) -> float:
        """Business seconds on ``ts``'s own day before ``ts``."""
        open_s, close_s = self._day_hours(ts.date())
        sec = (ts - ts.normalize()).total_seconds()
        return min(max(sec - open_s, 0.0), close_s - open_s)

    def business_seconds(self, start_ts, end_ts) -> float:
        """Business seconds between two timestamps: ``B(end) - B(start)``.

        ``B(t)`` counts the business seconds before ``t``; the result is negative when
        ``end_ts < start_ts`` and NaN when either is missing. Naive timestamps are local time;
        time-zone-aware ones are converted to the configured zone first. A pure-Python
        reference for the engine's table join (:meth:`day_table`).

        >>> BusinessCalendar().business_seconds("2026-02-13 07:00", "2026-02-13 08:30")
        1800.0
        """
        a, b = _to_naive_timestamp(start_ts), _to_naive_timestamp(end_ts)
        if a is None or b is None:
            return float("nan")
        if b < a:
            return -self.business_seconds(b, a)
        total = 0.0
        day = a.date()
        last = b.date()
        while day < last:
            open_s, close_s = self._day_hours(day)
            total += close_s - open_s
            day += _dt.timedelta(days=1)
        return float(total + self._partial(b) - self._partial(a))

    def day_table(self, start, end) -> pd.DataFrame:
        """One row per date in ``[start, end)`` for computing ``B(t)`` in a query.

        Columns: ``date`` (datetime64[ns] midnight), ``open_s`` and ``close_s`` (seconds
        after midnight; ``0``/``0`` on closed days), ``cum_s`` (business seconds from
        ``start`` 00:00 up to this date's 00:00). Then, for ``t`` within the range,
        ``B(t) = cum_s(date(t)) + clip(seconds_since_midnight(t) - open_s, 0, close_s - open_s)``
        and ``business seconds = B(end) - B(start)``.

        >>> BusinessCalendar().day_table("2026-02-13", "2026-02-17")["cum_s"].tolist()
        [0.0, 36000.0, 36000.0, 36000.0]
        """
        start, end = self._range(start, end)
        dates = pd.date_range(start, end, freq="D", inclusive="left").astype("datetime64[ns]")
        weekday = np.asarray(dates.day_of_week)
        hours = np.array([h if h is not None else (0.0, 0.0) for h in self._hours], dtype=float)
        open_s = hours[weekday, 0].copy() if len(dates) else np.array([], dtype=float)
        close_s = hours[weekday, 1].copy() if len(dates) else np.array([], dtype=float)
        if len(dates):
            hol = {d for d, _ in self.holidays_between(start, end)}
            is_hol = np.array([d.date() in hol for d in dates], dtype=bool)
            open_s[is_hol] = 0.0
            close_s[is_hol] = 0.0
        length = close_s - open_s
        cum = np.concatenate([[0.0], np.cumsum(length)[:-1]]) if len(dates) else length
        return pd.DataFrame(
            {
                "date": dates,
                "open_s": open_s.astype(float),
                "close_s": close_s.astype(float),
                "cum_s": cum.astype(float),
            }
        )


@lru_cache(maxsize=1)
def default_calendar() -> BusinessCalendar:
    """The default calendar (cached): Monday-Friday 08:00-18:00, Brazilian national holidays."""
    return BusinessCalendar()
