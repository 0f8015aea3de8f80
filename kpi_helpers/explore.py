"""The interactive explorer: KPIs x time grain x date range x split x filters, in ipywidgets.

``explore(data, lang=...)`` returns an :class:`Explorer`. Displayed in JupyterLab it builds
its widgets (KPI multi-select, time grain, date range, split-by dimension, multi-select
filters for channel/team/category and the data's other dimensions) and updates the trend
chart, the table with n and the comparison against the previous period in place. In a
rendered report, :meth:`Explorer.static_view` shows the same chart and tables without widgets.

Large data stays fast: every update is ONE aggregate query through the engine
(:func:`kpi_helpers.engine.compute_components` with the current and the previous period as
two labelled periods, grouped by the time grain and the split); the filters are an Ibis
filter on the table (:func:`filter_table`), never a pandas pass over raw rows. The
comparison is rebuilt from the same components by :func:`kpi_helpers.compare.
comparison_from_components`. The drill-down (:meth:`Explorer.drill`) runs its own small
queries: a count and the first ``limit`` rows behind one point.

The logic is in pure functions (:func:`state_from_values`, :func:`run_update`,
:func:`explore_result`, :func:`drill_down`, :func:`explore_chart`, :func:`table_html`,
:func:`comparison_html`), so it is tested without a browser; the widget wiring only reads
widget values and calls them.

Examples
--------
>>> from kpi_helpers import sample
>>> ex = explore(sample.interactions(), lang="en", metrics=["volume"])   # doctest: +SKIP
>>> ex                                   # in JupyterLab: the widgets   # doctest: +SKIP
>>> ex.static_view()                     # in a report: chart + tables  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pandas as pd

from .engine import as_table, compute_components
from .errors import OptionError
from .i18n import format_number, format_value, normalize_lang, segment_label, t
from .metrics import get_metric, list_metrics
from .periods import Period, parse_period
from .schema import DERIVED_DIMENSIONS, TIME_GRAINS, dimension_columns

__all__ = [
    "FILTER_DIMENSIONS",
    "SPLIT_DIMENSIONS",
    "DRILL_LIMIT",
    "DIMENSION_TITLES",
    "MAX_DIMENSION_VALUES",
    "data_dimensions",
    "dimension_title",
    "ExploreState",
    "ExploreResult",
    "DrillResult",
    "Explorer",
    "explore",
    "notebook_data",
    "dimension_options",
    "filter_table",
    "state_from_values",
    "run_update",
    "explore_result",
    "drill_down",
    "drill_modes",
    "explore_chart",
    "explorer_metrics",
    "table_html",
    "comparison_html",
    "drill_html",
    "StaticView",
]

#: Dimensions offered as multi-select filters (besides the data's other dimensions, see
#: :func:`data_dimensions`).
FILTER_DIMENSIONS = ("channel", "team", "category")
#: Dimensions the results can be split by (idem); a state made without data accepts these
#: and ``channel_family``.
SPLIT_DIMENSIONS = ("channel", "team", "agent", "category")
#: An extra text column with more distinct values than this (a subject, a customer name) is
#: not offered as a split or a filter by the explorer (``compute(by=...)`` still takes it).
MAX_DIMENSION_VALUES = 50
#: Rows shown by the drill-down (the total count is always given).
DRILL_LIMIT = 500
_DEFAULT_METRICS = ("volume", "service_level", "csat")
_PERIOD_LABELS = ("a", "b")  # a = previous period, b = selected period
_GRAIN_OFFSETS = {
    "day": pd.DateOffset(days=1),
    "week": pd.DateOffset(days=7),
    "month": pd.DateOffset(months=1),
    "quarter": pd.DateOffset(months=3),
    "year": pd.DateOffset(years=1),
}
DIMENSION_TITLES = {
    "channel": "Channel",
    "team": "Team",
    "agent": "Agent",
    "category": "Category",
    "channel_family": "Channel family",
}


def dimension_title(dim: str, lang: str | None) -> str:
    """A dimension's title: translated for the canonical ones, else the data's column name."""
    return t(DIMENSION_TITLES[dim], lang) if dim in DIMENSION_TITLES else str(dim)


# ----------------------------------------------------------------------------- state


@dataclass(frozen=True)
class ExploreState:
    """What the explorer shows: the widgets' values, validated.

    Attributes
    ----------
    metrics : tuple of str
        KPI ids.
    grain : str
        Time grain of the trend: one of ``TIME_GRAINS``.
    start, end : datetime.date
        The selected period, half-open ``[start, end)``.
    split : str or None
        A dimension to split the results by.
    filters : tuple of (dimension, values) pairs
        Only rows whose dimension is one of the values (an empty tuple of values = no filter).
    options : dict
        KPI options passed to the engine.
    """

    metrics: tuple[str, ...]
    grain: str
    start: _dt.date
    end: _dt.date
    split: str | None = None
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def period(self) -> Period:
        """The selected period as a :class:`~kpi_helpers.periods.Period` (a whole month is
        recognised as that month, e.g. ``2026-02``)."""
        return _as_period(self.start, self.end)

    @property
    def previous(self) -> Period:
        """The period just before the selected one: as many whole months when the range is
        whole months (Feb-Mar -> Dec-Jan), else as many days."""
        return _previous_period(self.start, self.end)

    @property
    def filter_map(self) -> dict[str, tuple[str, ...]]:
        """The active filters as a dict (dimensions without values left out)."""
        return {dim: vals for dim, vals in self.filters if vals}


def _as_period(start: _dt.date, end: _dt.date) -> Period:
    if start.day == 1 and (pd.Timestamp(start) + pd.DateOffset(months=1)).date() == end:
        return parse_period(f"{start.year:04d}-{start.month:02d}")
    return parse_period((start, end))


def _previous_period(start: _dt.date, end: _dt.date) -> Period:
    if start.day == 1 and end.day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month
        first = pd.Timestamp(start) - pd.DateOffset(months=months)
        return _as_period(first.date(), start)
    return parse_period((start, end)).previous()


def _as_date(value, name: str) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError) as exc:
        raise OptionError(f"`{name}` must be a date (YYYY-MM-DD), got {value!r}.") from exc


def state_from_values(
    *,
    metrics: Sequence[str],
    grain: str,
    start,
    end,
    split: str | None = None,
    filters: Mapping[str, Sequence[str]] | None = None,
    options: Mapping[str, Any] | None = None,
    end_inclusive: bool = True,
    dimensions: Sequence[str] | None = None,
) -> ExploreState:
    """Validate widget values into an :class:`ExploreState` (pure; no query).

    Parameters
    ----------
    metrics : sequence of str
        KPI ids (at least one).
    grain : str
        ``"day"``, ``"week"``, ``"month"``, ``"quarter"`` or ``"year"``.
    start, end : date or str
        The date range. ``end`` is the last day shown (included) when ``end_inclusive``
        (as in the date pickers), else the first day excluded.
    split : str, optional
        A dimension among ``dimensions``, or None.
    filters : dict, optional
        dimension -> values to keep; empty values mean "all".
    options : dict, optional
        KPI options for the engine.
    dimensions : sequence of str, optional
        The valid splits and filter keys: the data's dimensions (:func:`data_dimensions`;
        the explorer passes them). Default: ``"channel"``, ``"team"``, ``"agent"``,
        ``"category"`` and ``"channel_family"``.

    Examples
    --------
    >>> s = state_from_values(metrics=["volume"], grain="week", start="2026-02-01",
    ...                       end="2026-02-28")
    >>> s.end, s.previous.start
    (datetime.date(2026, 3, 1), datetime.date(2026, 1, 1))
    """
    metric_ids = tuple(metrics)
    if not metric_ids:
        raise OptionError("`metrics` must name at least one KPI, got none.")
    for m in metric_ids:
        metric = get_metric(m)
        if metric.kind == "stock" or metric.source != "interactions":
            raise OptionError(
                f"`metrics`: the explorer shows interaction KPIs that add up over time; got "
                f"{m!r} (use compute() or the scorecard for it). Valid: "
                f"{', '.join(explorer_metrics())}."
            )
    if grain not in TIME_GRAINS:
        raise OptionError(
            f"`grain` must be one of {', '.join(map(repr, TIME_GRAINS))}, got {grain!r}."
        )
    valid_dims = (
        tuple(dimensions) if dimensions is not None else (*SPLIT_DIMENSIONS, *DERIVED_DIMENSIONS)
    )
    if split is not None and split not in valid_dims:
        raise OptionError(
            f"`split` must be one of {', '.join(map(repr, valid_dims))} or None, got {split!r}."
        )
    s = _as_date(start, "start")
    e = _as_date(end, "end")
    if end_inclusive:
        e = e + _dt.timedelta(days=1)
    if e <= s:
        raise OptionError(f"`end` must be on or after `start`, got start {s} and end {end}.")
    pairs = []
    for dim, values in (filters or {}).items():
        if dim not in valid_dims:
            raise OptionError(
                f"`filters` keys must be among {', '.join(map(repr, valid_dims))}, got {dim!r}."
            )
        vals = tuple(sorted(str(v) for v in (values or ())))
        if vals:
            pairs.append((dim, vals))
    return ExploreState(
        metrics=metric_ids,
        grain=grain,
        start=s,
        end=e,
        split=split,
        filters=tuple(sorted(pairs)),
        options=dict(options or {}),
    )


def explorer_metrics() -> list[str]:
    """KPI ids the explorer offers: interaction KPIs that are not stocks."""
    out = []
    for mid in list_metrics():
        m = get_metric(mid)
        if m.source == "interactions" and m.kind != "stock":
            out.append(mid)
    return out


# ----------------------------------------------------------------------------- queries


def _table_of(data):
    """An Ibis table for ``data`` (anything ``compute`` accepts)."""
    if isinstance(data, ibis.Table):
        return data
    return as_table(data).table


def filter_table(data, filters: Mapping[str, Sequence[str]] | None = None):
    """``data`` as an Ibis table keeping only rows whose dimensions are in ``filters``.

    Parameters
    ----------
    data : DataFrame, LoadResult, path or ibis.Table
        Canonical interactions.
    filters : dict, optional
        dimension -> values to keep (empty values: no filter on that dimension). A missing
        dimension value is matched as ``"unknown"``, as the engine labels it.

    Returns
    -------
    ibis.Table
        Lazily filtered; pass it to :func:`kpi_helpers.compute`.
    """
    table = _table_of(data)
    for dim, values in (filters or {}).items():
        values = [str(v) for v in (values or ())]
        if not values:
            continue
        if dim not in table.columns and dim not in DERIVED_DIMENSIONS:
            raise OptionError(
                f"`filters`: column {dim!r} is not in the data (columns: "
                f"{', '.join(table.columns)})."
            )
        table = table.filter(_dimension_expr(table, dim).isin(values))
    return table


def _dimension_expr(table, dim: str):
    """A dimension's values as the engine groups them (text, null -> "unknown"); a derived
    one (``channel_family``) computed from its source column (one distinct query)."""
    if dim not in table.columns and dim in DERIVED_DIMENSIONS:
        from .channels import family_case

        if "channel" not in table.columns:
            return ibis.literal("unknown")
        values = table.select("channel").distinct().to_pandas()["channel"].tolist()
        return family_case(table.channel, values).fill_null("unknown")
    return table[dim].cast("string").fill_null("unknown")


def data_dimensions(data, *, max_values: int | None = MAX_DIMENSION_VALUES) -> list[str]:
    """The dimensions of ``data`` the explorer offers: the canonical ones (channel, team,
    agent, category, even when absent), the data's other text or integer-code columns
    (priority, queue, region... with at most ``max_values`` distinct values; one count
    query for them all) and ``channel_family``.

    Every one of them is also valid in ``compute(by=...)``, ``compare(by=...)`` and
    ``trend(by=...)``.
    """
    table = _table_of(data)
    found = dimension_columns(table.schema(), derived=False)
    extra = [d for d in found if d not in SPLIT_DIMENSIONS]
    if extra and max_values is not None:
        counts = table.aggregate(**{f"_n{i}": table[d].nunique() for i, d in enumerate(extra)})
        row = counts.to_pandas().iloc[0]
        extra = [d for i, d in enumerate(extra) if int(row[f"_n{i}"]) <= max_values]
    return [*SPLIT_DIMENSIONS, *extra, *DERIVED_DIMENSIONS]


def dimension_options(data, dims: Sequence[str] = FILTER_DIMENSIONS) -> dict[str, list[str]]:
    """The distinct values of each dimension: ONE distinct query per dimension.

    Dimensions absent from the data get an empty list.
    """
    table = _table_of(data)
    out: dict[str, list[str]] = {}
    for dim in dims:
        if dim not in table.columns and not (
            dim in DERIVED_DIMENSIONS and DERIVED_DIMENSIONS[dim] in table.columns
        ):
            out[dim] = []
            continue
        col = _dimension_expr(table, dim).name(dim)
        values = table.select(col).distinct().order_by(dim).to_pandas()[dim]
        out[dim] = [str(v) for v in values.tolist()]
    return out


def notebook_data(data=None):
    """What a notebook's ``data`` parameter means: None or ``""`` = the committed sample
    (:func:`kpi_helpers.sample.interactions`); a relative path that does not exist from the
    working directory is taken from the project root; anything else is returned as is."""
    if data is None or (isinstance(data, str) and not data.strip()):
        from . import sample

        return sample.interactions()
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.is_absolute() and not path.exists():
            from .config import PROJ_ROOT

            if (PROJ_ROOT / path).exists():
                return str(PROJ_ROOT / path)
        return str(path)
    return data


def _date_span(data) -> tuple[_dt.date, _dt.date] | None:
    table = _table_of(data)
    res = table.aggregate(lo=table.created_at.min(), hi=table.created_at.max()).to_pandas()
    lo, hi = res["lo"].iloc[0], res["hi"].iloc[0]
    if pd.isna(lo) or pd.isna(hi):
        return None
    return pd.Timestamp(lo).date(), pd.Timestamp(hi).date()


def run_update(data, state: ExploreState) -> pd.DataFrame:
    """The ONE engine query behind an update: components per (period, grain[, split]).

    ``period`` is ``"a"`` for the previous period and ``"b"`` for the selected one.
    """
    by = [state.grain] + ([state.split] if state.split else [])
    table = filter_table(data, state.filter_map)
    return compute_components(
        table,
        list(state.metrics),
        by=by,
        options=dict(state.options) or None,
        periods={"a": state.previous, "b": state.period},
    )


# ----------------------------------------------------------------------------- results


@dataclass
class ExploreResult:
    """What one update produced.

    Attributes
    ----------
    state : ExploreState
    table : DataFrame
        The selected period: keys (grain bucket start, split) then per KPI its value and
        ``<id>_n``.
    comparisons : dict
        KPI id -> :class:`~kpi_helpers.compare.Comparison` (selected vs previous period).
    unavailable : dict
        KPI id -> why it cannot be computed on this data.
    """

    state: ExploreState
    table: pd.DataFrame
    comparisons: dict
    unavailable: dict = field(default_factory=dict)

    def points(self) -> list[pd.Timestamp]:
        """The bucket starts of the trend (the points a drill-down can select)."""
        g = self.state.grain
        if self.table.empty:
            return []
        return sorted(pd.to_datetime(self.table[g]).drop_duplicates().tolist())

    def comparison_frame(self) -> pd.DataFrame:
        """One row per KPI: previous, selected, change, % change, p-value, n."""
        rows = []
        for mid, c in self.comparisons.items():
            rows.append(
                {
                    "metric": mid,
                    "value_a": c.value_a,
                    "value_b": c.value_b,
                    "change": c.change,
                    "pct_change": c.pct_change,
                    "p_value": np.nan if c.p_value is None else c.p_value,
                    "n_a": c.n_a,
                    "n_b": c.n_b,
                }
            )
        return pd.DataFrame(
            rows,
            columns=[
                "metric",
                "value_a",
                "value_b",
                "change",
                "pct_change",
                "p_value",
                "n_a",
                "n_b",
            ],
        )


def _bucket_days(starts: pd.Series, grain: str, period: Period) -> np.ndarray:
    ends = starts.map(lambda s: s + _GRAIN_OFFSETS[grain])
    lo = starts.clip(lower=period.start_ts)
    hi = ends.clip(upper=period.end_ts)
    return (hi - lo).dt.days.astype("float64").to_numpy()


def explore_result(components: pd.DataFrame, state: ExploreState) -> ExploreResult:
    """Turn the components of :func:`run_update` into the table and the comparisons (pure)."""
    from .compare import comparison_from_components

    g = state.grain
    keys = [g] + ([state.split] if state.split else [])
    unavailable = dict(components.attrs.get("unavailable", {}) or {})
    comps = components.copy()
    comps[g] = pd.to_datetime(comps[g])
    period = state.period
    first_bucket = pd.Timestamp(period.start).to_period(_pandas_freq(g)).start_time
    cur = comps[
        (comps["period"] == "b") & (comps[g] >= first_bucket) & (comps[g] < period.end_ts)
    ].copy()
    table = cur[keys].reset_index(drop=True)
    for mid in state.metrics:
        m = get_metric(mid)
        num_col = f"{mid}__num"
        if m.kind == "per_day" and num_col in cur:
            days = _bucket_days(cur[g], g, period)
            with np.errstate(divide="ignore", invalid="ignore"):
                value = cur[num_col].to_numpy(dtype="float64") / np.where(days > 0, days, np.nan)
            table[mid] = value
        else:
            table[mid] = cur[mid].to_numpy() if mid in cur else np.nan
        n_col = f"{mid}__n"
        table[f"{mid}_n"] = (
            pd.to_numeric(cur[n_col], errors="coerce").fillna(0).astype("int64").to_numpy()
            if n_col in cur
            else 0
        )
    table = _complete_buckets(table, state, first_bucket, set(unavailable))
    table = table.sort_values(keys, kind="stable").reset_index(drop=True)

    # the comparison: sum the additive components over the time buckets
    by = state.split
    group = ["period"] + ([by] if by else [])
    add_cols = [c for c in comps.columns if "__" in c]
    summed = comps.groupby(group, dropna=False)[add_cols].sum(min_count=1).reset_index()
    for mid in state.metrics:
        summed[mid] = np.nan  # values are recomputed from components; quantiles stay NaN
    summed.attrs["unavailable"] = unavailable
    comparisons = {}
    for mid in state.metrics:
        comparisons[mid] = comparison_from_components(
            summed, mid, state.previous, state.period, by=by
        )
    return ExploreResult(state=state, table=table, comparisons=comparisons, unavailable=unavailable)


def _complete_buckets(
    table: pd.DataFrame, state: ExploreState, first: pd.Timestamp, unavailable: set[str]
) -> pd.DataFrame:
    """Every bucket of the selected period (x every segment seen): empty ones count 0 (an
    unavailable KPI stays missing, never 0)."""
    g = state.grain
    starts = []
    cur = first
    while cur < state.period.end_ts:
        starts.append(cur)
        cur = cur + _GRAIN_OFFSETS[g]
    grid = pd.DataFrame({g: pd.to_datetime(starts).astype("datetime64[ns]")})
    if state.split:
        segs = table[[state.split]].drop_duplicates()
        if segs.empty:
            return table
        grid = segs.merge(grid, how="cross")[[g, state.split]]
    keys = list(grid.columns)
    table = table.assign(**{g: pd.to_datetime(table[g]).astype("datetime64[ns]")})
    out = grid.merge(table, on=keys, how="left")
    for mid in state.metrics:
        out[f"{mid}_n"] = out[f"{mid}_n"].fillna(0).astype("int64")
        if mid in unavailable:
            out[mid] = np.nan
        elif get_metric(mid).kind in ("count", "per_day"):
            out[mid] = out[mid].fillna(0)
            if get_metric(mid).kind == "count":
                out[mid] = out[mid].astype("int64")
    return out


def _pandas_freq(grain: str) -> str:
    return {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}[grain]


# ----------------------------------------------------------------------------- drill-down


@dataclass
class DrillResult:
    """The rows behind one point of the trend.

    Attributes
    ----------
    rows : DataFrame
        The first ``limit`` rows (ordered by created_at).
    total : int
        How many rows match in all.
    metric, mode : str
        The KPI and ``"all"`` (every contact in the point) or ``"against"`` (the contacts
        that count against the KPI, e.g. those that missed the service level).
    description : str
        What the rows are (in the explorer's language).
    """

    rows: pd.DataFrame
    total: int
    metric: str
    mode: str
    description: str = ""
    _table: Any = field(default=None, repr=False)

    @property
    def truncated(self) -> bool:
        """True when more rows match than are shown."""
        return self.total > len(self.rows)

    def to_csv(self, path: str | Path, *, all_rows: bool = True) -> Path:
        """Write the rows to CSV (every matching row by default, else only those shown).

        Text cells a spreadsheet would run as formulas (``=...``, ``+...``, ``-...``,
        ``@...``) are written with a leading ``'`` (:func:`kpi_helpers.csvsafe.write_csv`);
        numbers are written as they are.

        Returns the path written.
        """
        from .csvsafe import write_csv

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if all_rows and self._table is not None and self.truncated:
            frame = self._table.to_pandas()
        else:
            frame = self.rows
        return write_csv(frame, path, index=False)


def drill_modes(metric: str) -> tuple[str, ...]:
    """The drill-down modes of ``metric``: ``("all",)`` or ``("all", "against")``."""
    return ("all", "against") if metric in _AGAINST else ("all",)


def _against_service_level(t, ctx, options):
    thr = ctx.sl_threshold(options.get("threshold_s"))
    within = t._answered.fill_null(False) & (t._wait <= thr).fill_null(False)
    return ~within


def _against_csat(t, ctx, options):
    top = ctx.scale("csat", options).top_two_min
    return t.csat.notnull() & (t.csat < top)


_AGAINST = {
    "service_level": _against_service_level,
    "answered": lambda t, c, o: ~t._answered.fill_null(False),
    "answer_rate": lambda t, c, o: ~t._answered.fill_null(False),
    "abandonment_rate": lambda t, c, o: t._abandoned.fill_null(False),
    "resolution_rate": lambda t, c, o: ~t._resolved.fill_null(False),
    "fcr": lambda t, c, o: t._resolved.fill_null(False) & (t.contacts != 1).fill_null(True),
    "reopen_rate": lambda t, c, o: t._resolved.fill_null(False) & t.reopened.fill_null(False),
    "transfer_rate": lambda t, c, o: t._answered.fill_null(False) & t.transferred.fill_null(False),
    "csat": _against_csat,
    "nps": lambda t, c, o: t.nps.notnull() & (t.nps <= 6),
    "delivery_success": lambda t, c, o: t.delivered.notnull() & ~t.delivered.fill_null(True),
}
_AGAINST_TEXT = {
    "service_level": "contacts that missed the service level",
    "answered": "contacts not answered",
    "answer_rate": "contacts not answered",
    "abandonment_rate": "abandoned contacts",
    "resolution_rate": "contacts not resolved",
    "fcr": "resolved contacts that needed more than one contact",
    "reopen_rate": "resolved contacts that were reopened",
    "transfer_rate": "answered contacts that were transferred",
    "csat": "survey answers below the top two boxes",
    "nps": "detractors (0 to 6)",
    "delivery_success": "failed deliveries",
}


def drill_down(
    data,
    state: ExploreState,
    metric: str,
    point,
    *,
    segment: str | None = None,
    mode: str = "against",
    limit: int = DRILL_LIMIT,
    lang: str | None = "pt-BR",
    scales: Mapping | None = None,
) -> DrillResult:
    """The rows behind one point of the trend: a count query and a limited rows query.

    Parameters
    ----------
    data : DataFrame, LoadResult, path or ibis.Table
        The explorer's data (the state's filters are applied).
    state : ExploreState
    metric : str
        One of the state's KPIs.
    point : date-like
        The start of a time bucket of ``state.grain`` (clipped to the selected period).
    segment : str, optional
        A value of ``state.split`` (None: every segment).
    mode : {"against", "all"}
        ``"against"``: the contacts counting against the KPI (e.g. those that missed the
        service level); ``"all"``: every contact in the point. KPIs without an "against"
        rule accept only ``"all"``.
    limit : int
        Rows returned (the total is counted anyway).
    """
    from .engine import _Context

    lang = normalize_lang(lang)
    if metric not in state.metrics:
        raise OptionError(
            f"`metric` must be one of the explorer's KPIs {', '.join(map(repr, state.metrics))}, "
            f"got {metric!r}."
        )
    modes = drill_modes(metric)
    if mode not in modes:
        raise OptionError(
            f"`mode` must be one of {', '.join(map(repr, modes))} for {metric!r}, got {mode!r}."
        )
    if limit < 0:
        raise OptionError(f"`limit` must be >= 0, got {limit!r}.")
    if segment is not None and state.split is None:
        raise OptionError(f"`segment` needs a split dimension in the state, got {segment!r}.")
    start = pd.Timestamp(point).normalize()
    end = start + _GRAIN_OFFSETS[state.grain]
    start = max(start, state.period.start_ts)
    end = min(end, state.period.end_ts)
    if end <= start:
        raise OptionError(
            f"`point` {point!r} is outside the selected period {state.period.display(lang)}."
        )
    raw = filter_table(data, state.filter_map)
    columns = list(raw.columns)
    ctx = _Context(raw, scales=dict(scales or getattr(data, "scales", None) or {}), stats={})
    if "channel" in columns and (state.split in DERIVED_DIMENSIONS or metric == "service_level"):
        # the data's channel values: thresholds and families as the engine looks them up
        ctx.channel_values = raw.select("channel").distinct().to_pandas()["channel"].tolist()
    tt = ctx.t
    cond = (tt.created_at >= start.to_pydatetime()) & (tt.created_at < end.to_pydatetime())
    if segment is not None:
        # the engine groups null dimension values as "unknown": match them the same way
        if state.split not in tt.columns:  # a derived dimension (channel_family)
            tt = ctx.add_derived(tt, [state.split])
        cond = cond & (tt[state.split].cast("string").fill_null("unknown") == str(segment))
    if mode == "against":
        opts = {**get_metric(metric).options, **dict(state.options.get(metric, {}) or {})}
        cond = cond & _AGAINST[metric](tt, ctx, opts)
    matched = tt.filter(cond)
    selected = matched.select([matched[c] for c in columns]).order_by("created_at")
    total = int(matched.count().to_pandas())
    rows = selected.limit(limit).to_pandas() if limit else selected.limit(0).to_pandas()
    what = t(_AGAINST_TEXT[metric], lang) if mode == "against" else t("all contacts", lang)
    label = t(
        "{what} in the point starting {date}", lang, what=what, date=format_date_safe(start, lang)
    )
    if segment is not None:
        label += f" ({dimension_title(state.split, lang)} = {segment})"
    return DrillResult(
        rows=rows.reset_index(drop=True),
        total=total,
        metric=metric,
        mode=mode,
        description=label,
        _table=selected,
    )


def format_date_safe(value, lang: str) -> str:
    """A date in ``lang`` (used in drill-down captions)."""
    from .i18n import format_date

    return format_date(value, lang)


# ----------------------------------------------------------------------------- presentation


def _long_frame(result: ExploreResult, lang: str) -> pd.DataFrame:
    g = result.state.grain
    split = result.state.split
    frames = []
    for mid in result.state.metrics:
        m = get_metric(mid)
        cols = [g] + ([split] if split else [])
        f = result.table[cols].copy()
        f["kpi"] = m.label(lang)
        f["value"] = pd.to_numeric(result.table[mid], errors="coerce").astype("float64")
        f["n"] = result.table[f"{mid}_n"].astype("int64")
        f["shown"] = [format_value(v, m.unit, lang) for v in f["value"]]
        frames.append(f)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def explore_chart(result: ExploreResult, lang: str | None = "pt-BR"):
    """An Altair chart of the trend: one panel per KPI, one line per split value.

    Charts the aggregated table only (one row per bucket and segment), never raw rows.
    """
    import altair as alt

    lang = normalize_lang(lang)
    g = result.state.grain
    split = result.state.split
    long = _long_frame(result, lang)
    period_text = t("Period", lang)
    tooltip = [
        alt.Tooltip(f"{g}:T", title=period_text),
        alt.Tooltip("shown:N", title=t("Value", lang)),
        alt.Tooltip("n:Q", title="n", format=","),
    ]
    if split:
        tooltip.insert(1, alt.Tooltip(f"{split}:N", title=dimension_title(split, lang)))
    panels = []
    for mid in result.state.metrics:
        m = get_metric(mid)
        sub = long[long["kpi"] == m.label(lang)]
        enc = {
            "x": alt.X(f"{g}:T", title=period_text),
            "y": alt.Y(
                "value:Q",
                title=m.label(lang),
                axis=alt.Axis(format="%" if m.unit == "ratio" else ","),
            ),
            "tooltip": tooltip,
        }
        if split:
            enc["color"] = alt.Color(f"{split}:N", title=dimension_title(split, lang))
        panel = (
            alt.Chart(sub)
            .mark_line(point=True)
            .encode(**enc)
            .properties(width=560, height=180, title=m.label(lang))
        )
        panels.append(panel)
    if not panels:
        return alt.Chart(pd.DataFrame()).mark_text()
    return alt.vconcat(*panels).properties(title=t("KPIs by {grain}", lang, grain=t(g, lang)))


def table_html(result: ExploreResult, lang: str | None = "pt-BR") -> str:
    """The table with n (selected period) as escaped HTML, numbers formatted per locale."""
    lang = normalize_lang(lang)
    g = result.state.grain
    split = result.state.split
    head = [t("Period", lang)] + ([dimension_title(split, lang)] if split else [])
    for mid in result.state.metrics:
        m = get_metric(mid)
        head += [m.label(lang), "n"]
    rows = []
    for _, r in result.table.iterrows():
        cells = [format_date_safe(r[g], lang)] + ([str(r[split])] if split else [])
        for mid in result.state.metrics:
            m = get_metric(mid)
            cells += [
                format_value(r[mid], m.unit, lang),
                format_number(r[f"{mid}_n"], lang, decimals=0),
            ]
        rows.append(cells)
    return _html_table(
        head, rows, caption=t("KPIs in {period}", lang, period=result.state.period.display(lang))
    )


def comparison_html(result: ExploreResult, lang: str | None = "pt-BR") -> str:
    """The comparison against the previous period: a table and one narrative per KPI."""
    lang = normalize_lang(lang)
    st = result.state
    head = [
        t("KPI", lang),
        st.previous.display(lang),
        st.period.display(lang),
        t("Change", lang),
        "p",
        "n",
    ]
    rows = []
    notes = []
    for mid, c in result.comparisons.items():
        m = get_metric(mid)
        change = "–"
        if not pd.isna(c.change):
            sign = "+" if c.change >= 0 else "−"
            if m.unit == "ratio":
                change = sign + t(
                    "{x} pp", lang, x=format_number(abs(c.change) * 100, lang, decimals=1)
                )
            else:
                change = sign + format_value(abs(c.change), m.unit, lang)
        p = (
            "–"
            if c.p_value is None or pd.isna(c.p_value)
            else format_number(c.p_value, lang, decimals=2)
        )
        n = f"{format_number(c.n_a, lang, decimals=0)} / {format_number(c.n_b, lang, decimals=0)}"
        rows.append(
            [
                m.label(lang),
                format_value(c.value_a, m.unit, lang),
                format_value(c.value_b, m.unit, lang),
                change,
                p,
                n,
            ]
        )
        if mid in result.unavailable:
            notes.append(
                t(
                    "{kpi}: unavailable in this data ({why})",
                    lang,
                    kpi=m.label(lang),
                    why=result.unavailable[mid],
                )
            )
        elif m.kind == "quantile":
            notes.append(
                t(
                    "{kpi}: a quantile cannot be combined from the time buckets; compare "
                    "the periods with compare().",
                    lang,
                    kpi=m.label(lang),
                )
            )
        else:
            notes.append(c.narrative(lang))
    out = _html_table(head, rows, caption=t("Against the previous period", lang))
    out += "".join(f"<p>{html.escape(n)}</p>" for n in notes if n)
    return out


def drill_html(drill: DrillResult, lang: str | None = "pt-BR", *, max_rows: int = 50) -> str:
    """The drill-down rows as escaped HTML (first ``max_rows``) with the total count."""
    lang = normalize_lang(lang)
    shown = drill.rows.head(max_rows)
    head = [str(c) for c in shown.columns]
    rows = [["" if pd.isna(v) else str(v) for v in r] for r in shown.itertuples(index=False)]
    caption = t(
        "{description}: {total} rows (showing {shown})",
        lang,
        description=drill.description,
        total=format_number(drill.total, lang, decimals=0),
        shown=format_number(len(shown), lang, decimals=0),
    )
    return _html_table(head, rows, caption=caption)


def _html_table(head: list[str], rows: list[list[str]], *, caption: str = "") -> str:
    esc = html.escape
    parts = ['<table class="kpi-explore">']
    if caption:
        parts.append(f"<caption>{esc(caption)}</caption>")
    parts.append("<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr></thead>")
    parts.append("<tbody>")
    for r in rows:
        parts.append("<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in r) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


# ----------------------------------------------------------------------------- the object


@dataclass
class StaticView:
    """Chart + tables without widgets (for rendered reports)."""

    chart: Any
    html: str

    def _repr_html_(self) -> str:
        return self.html

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        display(self.chart)
        display(HTML(self.html))


class Explorer:
    """The explorer: state, results and (built on demand) the ipywidgets.

    Use :func:`explore` to make one. ``update(**changes)`` runs one query;
    ``drill(...)`` shows the rows behind a point; ``static_view()`` renders without widgets;
    ``widgets`` (built on first access or when displayed) holds the controls.
    """

    def __init__(
        self,
        data,
        state: ExploreState,
        *,
        lang: str,
        dimensions: dict[str, list[str]],
        table=None,
        split_dimensions: Sequence[str] | None = None,
    ):
        self._data = data
        self._table = _table_of(data) if table is None else table
        self._scales = dict(getattr(data, "scales", None) or {})
        self.lang = normalize_lang(lang)
        #: filter dimension -> its values (one multi-select per key)
        self.dimensions = dimensions
        #: the dimensions offered as splits (and accepted as filter keys)
        self.split_dimensions: tuple[str, ...] = tuple(
            split_dimensions
            if split_dimensions is not None
            else dict.fromkeys([*SPLIT_DIMENSIONS, *dimensions, *DERIVED_DIMENSIONS])
        )
        self.state = state
        self.result: ExploreResult | None = None
        self.drill_result: DrillResult | None = None
        self._widgets: dict | None = None
        self._box = None
        self._syncing = False
        self.current_chart = None

    # -- logic (no widgets) -----------------------------------------------------------
    def update(self, **changes) -> ExploreResult:
        """Apply ``changes`` to the state (fields of :class:`ExploreState`) and run ONE query."""
        if changes:
            values = {
                "metrics": self.state.metrics,
                "grain": self.state.grain,
                "start": self.state.start,
                "end": self.state.end,
                "split": self.state.split,
                "filters": self.state.filter_map,
                "options": self.state.options,
            }
            unknown = set(changes) - set(values)
            if unknown:
                raise OptionError(
                    f"`update` takes {', '.join(sorted(values))}, got {', '.join(sorted(unknown))}."
                )
            values.update(changes)
            self.state = state_from_values(
                **values, end_inclusive=False, dimensions=self.split_dimensions
            )
        comps = run_update(self._table, self.state)
        self.result = explore_result(comps, self.state)
        self.drill_result = None
        return self.result

    def drill(
        self,
        metric: str,
        point,
        *,
        segment: str | None = None,
        mode: str | None = None,
        limit: int = DRILL_LIMIT,
    ) -> DrillResult:
        """The rows behind ``point`` of ``metric`` (see :func:`drill_down`)."""
        if mode is None:
            mode = drill_modes(metric)[-1]
        self.drill_result = drill_down(
            self._table,
            self.state,
            metric,
            point,
            segment=segment,
            mode=mode,
            limit=limit,
            lang=self.lang,
            scales=self._scales,
        )
        return self.drill_result

    def to_csv(self, path: str | Path, *, all_rows: bool = True) -> Path:
        """Write the current drill-down rows to ``path`` (CSV); see :meth:`DrillResult.to_csv`."""
        if self.drill_result is None:
            raise OptionError("`to_csv`: select a point first (Explorer.drill(...)), got no rows.")
        return self.drill_result.to_csv(path, all_rows=all_rows)

    def chart(self):
        """The trend chart of the current result."""
        return explore_chart(self._ensure_result(), self.lang)

    def _ensure_result(self) -> ExploreResult:
        if self.result is None:
            self.update()
        return self.result

    def static_view(self) -> StaticView:
        """Chart + table with n + comparison, without widgets (for rendered reports)."""
        res = self._ensure_result()
        body = table_html(res, self.lang) + comparison_html(res, self.lang)
        if self.drill_result is not None:
            body += drill_html(self.drill_result, self.lang)
        return StaticView(explore_chart(res, self.lang), body)

    def view(self, interactive: bool = True):
        """The widgets when ``interactive``, else :meth:`static_view`."""
        return self.widget if interactive else self.static_view()

    @property
    def _filter_dims(self) -> list[str]:
        """The filter widgets: the canonical filter dimensions, then the others found."""
        return list(dict.fromkeys([*FILTER_DIMENSIONS, *self.dimensions]))

    # -- widget wiring ----------------------------------------------------------------
    @property
    def widgets(self) -> dict:
        """The controls and outputs by name (built on first access)."""
        if self._widgets is None:
            self._build()
        return self._widgets

    @property
    def widget(self):
        """The whole app as one ipywidgets box."""
        self.widgets  # noqa: B018 - builds them
        return self._box

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def _build(self) -> None:
        import ipywidgets as w

        lang = self.lang
        st = self.state
        metric_opts = [(get_metric(m).label(lang), m) for m in explorer_metrics()]
        wd: dict[str, Any] = {}
        wd["metrics"] = w.SelectMultiple(
            options=metric_opts, value=st.metrics, description=t("KPIs", lang), rows=6
        )
        wd["grain"] = w.Dropdown(
            options=[(t(g, lang), g) for g in TIME_GRAINS],
            value=st.grain,
            description=t("Time grain", lang),
        )
        wd["start"] = w.DatePicker(value=st.start, description=t("From", lang))
        wd["end"] = w.DatePicker(value=st.end - _dt.timedelta(days=1), description=t("To", lang))
        wd["split"] = w.Dropdown(
            options=[(t("(none)", lang), None)]
            + [(dimension_title(d, lang), d) for d in self.split_dimensions],
            value=st.split,
            description=t("Split by", lang),
        )
        fm = st.filter_map
        for dim in self._filter_dims:
            values = self.dimensions.get(dim, [])
            if dim in DERIVED_DIMENSIONS:  # family ids shown by name
                values = [(segment_label(dim, v, lang), v) for v in values]
            wd[f"filter_{dim}"] = w.SelectMultiple(
                options=values,
                value=fm.get(dim, ()),
                description=dimension_title(dim, lang),
                rows=4,
            )
        wd["status"] = w.HTML()
        wd["chart"] = w.Output()
        wd["table"] = w.HTML()
        wd["comparison"] = w.HTML()
        wd["drill_metric"] = w.Dropdown(options=[], description=t("KPI", lang))
        wd["drill_point"] = w.Dropdown(options=[], description=t("Point", lang))
        wd["drill_segment"] = w.Dropdown(
            options=[(t("(all)", lang), None)], description=t("Segment", lang)
        )
        wd["drill_mode"] = w.Dropdown(options=[], description=t("Rows", lang))
        wd["drill_button"] = w.Button(description=t("Show rows", lang))
        wd["drill_table"] = w.HTML()
        wd["csv_path"] = w.Text(value="drill_down.csv", description=t("CSV file", lang))
        wd["csv_button"] = w.Button(description=t("Export CSV", lang))
        wd["csv_status"] = w.HTML()
        self._widgets = wd

        for name in (
            "metrics",
            "grain",
            "start",
            "end",
            "split",
            *[f"filter_{d}" for d in self._filter_dims],
        ):
            wd[name].observe(self._on_control_change, names="value")
        wd["drill_metric"].observe(self._on_drill_metric, names="value")
        wd["drill_button"].on_click(lambda _b: self._on_drill())
        wd["csv_button"].on_click(lambda _b: self._on_export())

        controls = w.VBox(
            [
                w.HBox([wd["metrics"], w.VBox([wd["grain"], wd["start"], wd["end"], wd["split"]])]),
                w.HBox([wd[f"filter_{d}"] for d in self._filter_dims]),
            ]
        )
        drill = w.VBox(
            [
                w.HTML(f"<b>{html.escape(t('Drill-down', lang))}</b>"),
                w.HBox([wd["drill_metric"], wd["drill_point"]]),
                w.HBox([wd["drill_segment"], wd["drill_mode"], wd["drill_button"]]),
                wd["drill_table"],
                w.HBox([wd["csv_path"], wd["csv_button"]]),
                wd["csv_status"],
            ]
        )
        self._box = w.VBox(
            [controls, wd["status"], wd["chart"], wd["table"], wd["comparison"], drill]
        )
        self._render(self._ensure_result())

    def values_from_widgets(self) -> dict:
        """The controls' values as keyword arguments of :func:`state_from_values`."""
        wd = self.widgets
        return {
            "metrics": tuple(wd["metrics"].value),
            "grain": wd["grain"].value,
            "start": wd["start"].value,
            "end": wd["end"].value,
            "split": wd["split"].value,
            "filters": {d: tuple(wd[f"filter_{d}"].value) for d in self._filter_dims},
            "options": self.state.options,
        }

    def _on_control_change(self, _change=None) -> None:
        if self._syncing:
            return
        try:
            self.state = state_from_values(
                **self.values_from_widgets(), dimensions=self.split_dimensions
            )
        except Exception as exc:  # noqa: BLE001 - shown to the user, state unchanged
            self._widgets["status"].value = f"<span>{html.escape(str(exc))}</span>"
            return
        self._refresh()

    def _refresh(self) -> None:
        """Run the one query of an update, then show its result."""
        try:
            res = self.update()
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self._widgets["status"].value = f"<span>{html.escape(str(exc))}</span>"
            return
        self._render(res)

    def _render(self, res: ExploreResult) -> None:
        wd = self._widgets
        lang = self.lang
        wd["status"].value = ""
        self.current_chart = explore_chart(res, lang)
        if _in_kernel():
            wd["chart"].clear_output()
            with wd["chart"]:
                from IPython.display import display

                display(self.current_chart)
        wd["table"].value = table_html(res, lang)
        wd["comparison"].value = comparison_html(res, lang)
        self._syncing = True
        try:
            wd["drill_metric"].options = [(get_metric(m).label(lang), m) for m in res.state.metrics]
            wd["drill_metric"].value = res.state.metrics[0]
            wd["drill_point"].options = [(format_date_safe(p, lang), p) for p in res.points()]
            if wd["drill_point"].options:
                wd["drill_point"].value = wd["drill_point"].options[-1][1]
            segs = [(t("(all)", lang), None)]
            if res.state.split:
                segs += [
                    (str(v), str(v))
                    for v in res.table[res.state.split].drop_duplicates().sort_values()
                ]
            wd["drill_segment"].options = segs
            wd["drill_segment"].value = None
        finally:
            self._syncing = False
        self._on_drill_metric()
        wd["drill_table"].value = ""

    def _on_drill_metric(self, _change=None) -> None:
        wd = self._widgets
        metric = wd["drill_metric"].value
        if metric is None:
            wd["drill_mode"].options = []
            return
        labels = {
            "all": t("all contacts", self.lang),
            "against": t(_AGAINST_TEXT.get(metric, "all contacts"), self.lang),
        }
        modes = drill_modes(metric)
        wd["drill_mode"].options = [(labels[m], m) for m in reversed(modes)]
        wd["drill_mode"].value = modes[-1]

    def _on_drill(self) -> DrillResult | None:
        wd = self._widgets
        try:
            res = self.drill(
                wd["drill_metric"].value,
                wd["drill_point"].value,
                segment=wd["drill_segment"].value,
                mode=wd["drill_mode"].value,
            )
        except Exception as exc:  # noqa: BLE001 - shown to the user
            wd["drill_table"].value = f"<span>{html.escape(str(exc))}</span>"
            return None
        wd["drill_table"].value = drill_html(res, self.lang)
        return res

    def _on_export(self) -> Path | None:
        wd = self._widgets
        try:
            path = self.to_csv(wd["csv_path"].value)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            wd["csv_status"].value = f"<span>{html.escape(str(exc))}</span>"
            return None
        wd["csv_status"].value = html.escape(t("Written: {path}", self.lang, path=str(path)))
        return path


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def explore(
    data,
    *,
    lang: str = "pt-BR",
    metrics: Sequence[str] | None = None,
    grain: str = "week",
    start=None,
    end=None,
    period=None,
    as_of=None,
    split: str | None = None,
    filters: Mapping[str, Sequence[str]] | None = None,
    options: Mapping[str, Any] | None = None,
) -> Explorer:
    """Make an :class:`Explorer` on ``data`` (widgets are built only when displayed).

    Parameters
    ----------
    data : LoadResult, DataFrame, path or ibis.Table
        Canonical interactions.
    lang : {"pt-BR", "en"}
    metrics : list of str, optional
        KPIs selected at first (default volume, service level, CSAT).
    grain : str
        Initial time grain.
    start, end : date, optional
        Initial range, ``end`` excluded. Default: the three calendar months up to ``as_of``
        (or up to the last day in the data).
    period : period spec, optional
        The initial range as a spec (``"2026-02"``, ``"2026-Q1"``, ``"previous_month"`` with
        ``as_of``...); overrides ``start``/``end``.
    as_of : date, optional
        First day NOT included, for the default range and relative ``period`` specs
        (notebooks pass it; never "today").
    split, filters, options : see :func:`state_from_values`.

    Returns
    -------
    Explorer
        Runs its first query at once (one compute query plus one distinct query per
        filter dimension, and one count query when the data has text columns besides the
        canonical ones). The split and filter lists hold the data's dimensions
        (:func:`data_dimensions`): channel, team, agent, category, the data's other text
        columns (priority, queue, region...) and ``channel_family``.
    """
    lang = normalize_lang(lang)
    table = _table_of(data)
    if period is not None:
        per = parse_period(period, as_of=as_of)
        start, end = per.start, per.end
    if end is None:
        if as_of is not None:
            end = _as_date(as_of, "as_of")
        else:
            span = _date_span(table)
            if span is None:
                raise OptionError("`data` has no created_at values: give `start` and `end`.")
            end = span[1] + _dt.timedelta(days=1)
    end = _as_date(end, "end")
    if start is None:
        last = end - _dt.timedelta(days=1)
        month = last.month - 2
        year = last.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        start = _dt.date(year, month, 1)
    split_dims = data_dimensions(table)
    state = state_from_values(
        metrics=list(metrics) if metrics else list(_DEFAULT_METRICS),
        grain=grain,
        start=start,
        end=end,
        split=split,
        filters=filters,
        options=options,
        end_inclusive=False,
        dimensions=split_dims,
    )
    filter_dims = [d for d in split_dims if d not in SPLIT_DIMENSIONS or d in FILTER_DIMENSIONS]
    dims = dimension_options(table, filter_dims)
    ex = Explorer(data, state, lang=lang, dimensions=dims, table=table, split_dimensions=split_dims)
    ex.update()
    return ex
