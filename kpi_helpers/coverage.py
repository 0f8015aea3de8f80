"""Which days the data covers: the first and last contact, overall and per segment.

A period the data does not cover is not a change: :mod:`kpi_helpers.compare` reads the
coverage to refuse a change for a period with no data and to count the covered days of a
partly covered one; :mod:`kpi_helpers.trends` marks buckets the data only partly covers;
the report runner skips a job whose period has no data.

Coverage is measured in whole local days: a data set whose first contact is on 3 Jan at
14:00 and last on 31 Oct at 09:00 covers 3 Jan to 31 Oct, both included.

>>> import pandas as pd
>>> df = pd.DataFrame({"interaction_id": ["a", "b"],
...     "created_at": pd.to_datetime(["2026-01-03 14:00", "2026-01-10 09:00"])})
>>> cov = data_coverage(df)
>>> cov.first_day, cov.last_day
(datetime.date(2026, 1, 3), datetime.date(2026, 1, 10))
>>> cov.covered_days(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
8
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from .config import DEFAULT_TIMEZONE

__all__ = ["Coverage", "PeriodCoverage", "data_coverage", "period_days", "segment_coverage"]


def _day(ts) -> dt.date | None:
    if ts is None or pd.isna(ts):
        return None
    return pd.Timestamp(ts).date()


def period_days(start: dt.date, end: dt.date) -> int:
    """Days in the half-open ``[start, end)``."""
    return max((end - start).days, 0)


def _bounds(period) -> tuple[dt.date, dt.date]:
    """``(start, end)`` dates of a Period, a ``(start, end)`` pair or anything with start/end."""
    if isinstance(period, tuple) and len(period) == 2:
        start, end = period
    else:
        start, end = period.start, period.end
    return pd.Timestamp(start).date(), pd.Timestamp(end).date()


@dataclass(frozen=True)
class Coverage:
    """The span of the data: first and last contact (local, naive), and per segment.

    ``segments`` maps a dimension (``"channel"``) to its values, each with its own
    :class:`Coverage` (a channel that stopped in March covers up to March only).
    """

    first: pd.Timestamp | None
    last: pd.Timestamp | None
    rows: int = 0
    segments: Mapping[str, Mapping[str, Coverage]] = field(default_factory=dict)

    # -- days ------------------------------------------------------------------------
    @property
    def empty(self) -> bool:
        """True when the data has no contact with a readable ``created_at``."""
        return self.first is None or self.last is None

    @property
    def first_day(self) -> dt.date | None:
        return _day(self.first)

    @property
    def last_day(self) -> dt.date | None:
        return _day(self.last)

    @property
    def end(self) -> dt.date | None:
        """The first day NOT covered (the day after the last contact)."""
        return None if self.empty else self.last_day + dt.timedelta(days=1)

    def covered_days(self, start, end=None) -> int:
        """Days of ``[start, end)`` (or of a Period) between the first and last contact's days."""
        if end is None:
            start, end = _bounds(start)
        else:
            start, end = pd.Timestamp(start).date(), pd.Timestamp(end).date()
        if self.empty:
            return 0
        lo = max(start, self.first_day)
        hi = min(end, self.end)
        return period_days(lo, hi)

    def covers(self, period) -> bool:
        """True when the data covers at least one day of ``period``."""
        return self.covered_days(period) > 0

    def covers_all(self, period) -> bool:
        """True when the data covers every day of ``period``."""
        start, end = _bounds(period)
        return self.covered_days(start, end) == period_days(start, end)

    def of_period(self, period) -> PeriodCoverage:
        """How much of ``period`` (a Period or ``(start, end)``) the data covers."""
        start, end = _bounds(period)
        return PeriodCoverage(
            start,
            end,
            self.covered_days(start, end),
            period_days(start, end),
            self.first_day,
            self.last_day,
        )

    def segment(self, dim: str, value) -> Coverage:
        """The coverage of one segment (an empty Coverage when the segment has no contact)."""
        return self.segments.get(dim, {}).get(str(value), Coverage(None, None, 0))


@dataclass(frozen=True)
class PeriodCoverage:
    """How much of one period the data covers: ``covered_days`` of ``total_days``.

    ``data_first``/``data_last`` are the data's first and last day (None for no data), for
    the message that says where the data starts or ends.
    """

    start: dt.date
    end: dt.date
    covered_days: int
    total_days: int
    data_first: dt.date | None = None
    data_last: dt.date | None = None

    @property
    def none(self) -> bool:
        """True when the data covers no day of the period."""
        return self.covered_days == 0

    @property
    def full(self) -> bool:
        """True when the data covers every day of the period."""
        return self.covered_days >= self.total_days

    @property
    def partial(self) -> bool:
        """True when the data covers some, not all, days of the period."""
        return 0 < self.covered_days < self.total_days

    @property
    def covered_start(self) -> dt.date | None:
        """First covered day of the period (None when none is)."""
        if self.none or self.data_first is None:
            return None
        return max(self.start, self.data_first)

    @property
    def covered_end(self) -> dt.date | None:
        """The day after the last covered day of the period (None when none is)."""
        if self.none or self.data_last is None:
            return None
        return min(self.end, self.data_last + dt.timedelta(days=1))

    def text(self, lang: str | None = "pt-BR", label: str | None = None) -> str | None:
        """``no data for November 2026: the data ends on 31 Oct 2026`` / ``October 2026: 12 of
        31 days covered`` in ``lang`` (``label``: the period as shown); None when fully covered.
        """
        from .i18n import format_date, t

        if self.full:
            return None
        label = label or f"{self.start}..{self.end - dt.timedelta(days=1)}"
        if self.none:
            if self.data_first is None:
                return t("no data for {period}: the data has no contacts", lang, period=label)
            if self.data_first >= self.end:
                return t(
                    "no data for {period}: the data starts on {date}",
                    lang,
                    period=label,
                    date=format_date(self.data_first, lang),
                )
            return t(
                "no data for {period}: the data ends on {date}",
                lang,
                period=label,
                date=format_date(self.data_last, lang),
            )
        return t(
            "{period}: {covered} of {total} days covered",
            lang,
            period=label,
            covered=self.covered_days,
            total=self.total_days,
        )


def _coverage_row(row, count_col: str = "rows") -> Coverage:
    first, last = row["first"], row["last"]
    return Coverage(
        None if pd.isna(first) else pd.Timestamp(first),
        None if pd.isna(last) else pd.Timestamp(last),
        int(row[count_col]) if pd.notna(row[count_col]) else 0,
    )


def data_coverage(data, *, by=None, timezone: str = DEFAULT_TIMEZONE) -> Coverage:
    """First and last contact of ``data`` (one aggregate query), overall and per ``by``.

    Parameters
    ----------
    data : LoadResult, DataFrame, path or Ibis table
        Interactions in canonical columns (anything :func:`kpi_helpers.compute` takes).
    by : str or list of str, optional
        Dimensions (``"channel"``, ``"team"``...) whose segments get their own coverage;
        dimensions the data lacks are skipped. Null values count as ``"unknown"``.
    timezone : str
        Zone that aware timestamps are converted to (as in :func:`kpi_helpers.compute`).

    Returns
    -------
    Coverage
        ``first``/``last`` are None when no row has a readable ``created_at``.
    """
    from .engine import _to_timestamp, as_table

    source = data if hasattr(data, "table") and hasattr(data, "execute") else None
    if source is None:
        source = as_table(data, timezone=timezone)
    table = source.table
    if "created_at" not in table.columns:
        return Coverage(None, None, 0)
    created = _to_timestamp(table.created_at, source.local_zone)
    overall = source.execute(
        table.aggregate(first=created.min(), last=created.max(), rows=table.count())
    ).iloc[0]
    dims = [by] if isinstance(by, str) else list(by or [])
    segments: dict[str, dict[str, Coverage]] = {}
    for dim in dims:
        if dim in table.columns:
            segments[dim] = segment_coverage(source, dim)
    cov = _coverage_row(overall)
    return Coverage(cov.first, cov.last, cov.rows, segments)


def segment_coverage(source, dim: str) -> dict[str, Coverage]:
    """First and last contact of each value of ``dim`` (one grouped query on a resolved
    source, see :func:`kpi_helpers.engine.as_table`); null values count as ``"unknown"``."""
    from .engine import _to_timestamp

    table = source.table
    if dim not in table.columns or "created_at" not in table.columns:
        return {}
    created = _to_timestamp(table.created_at, source.local_zone)
    key = table[dim].cast("string").fill_null("unknown")
    frame = source.execute(
        table.mutate(_seg=key, _ts=created)
        .group_by("_seg")
        .aggregate(
            first=lambda t: t._ts.min(), last=lambda t: t._ts.max(), rows=lambda t: t.count()
        )
    )
    return {str(r["_seg"]): _coverage_row(r) for _, r in frame.iterrows()}
